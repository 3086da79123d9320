# Every target creates .venv and installs what it needs, so each works alone on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-live test-engine test-lowest lint format bench notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.stamp-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[$*]'
	@touch $@

demo: $(VENV)/.stamp-demo
	$(BIN)/python -m demo

# The shared rate-limiter tests start a redis-server of their own (Debian's package).
INSTALL_REDIS := (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server \
	|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server))

test: $(VENV)/.stamp-dev
	@command -v redis-server >/dev/null 2>&1 || $(INSTALL_REDIS) >/dev/null 2>&1 \
		|| echo "note: no redis-server (apt-get failed): the shared-limiter tests are skipped"
	$(BIN)/python -m pytest -q

# Against the endpoint MINIMAX_API_KEY and MINIMAX_BASE_URL name; skips without a key.
# RECORD=1 writes each exchange to tests/fixtures/recorded/. Not part of `make test`.
test-live: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest -c tests/live/pytest.ini -q tests/live $(if $(filter-out 0,$(RECORD)),--record)

# llama.cpp's real llama-server on a tiny scripted MiniMax-shaped model: both adapters' agent
# loops and minimax-probe in each engine mode (tests/engine/). The server is built once, into
# ${XDG_CACHE_HOME:-~/.cache}/minimax-agents/llama-cpp-<version>/ (about 25 minutes on two
# busy cores), then reused; if it cannot be built, one line says why and the target fails.
# RECORD=1 rewrites tests/fixtures/recorded/llama-cpp-*.json. Not part of `make test`.
test-engine: $(VENV)/.stamp-engine
	@$(BIN)/python tools/llama_server.py >/dev/null
	$(BIN)/python -m pytest -c tests/engine/pytest.ini -q tests/engine $(if $(filter-out 0,$(RECORD)),--record)

# The declared lower bounds, proven: a venv of its own with exactly the lowest allowed versions.
# First the core alone (httpx, pydantic, orjson), then the adapters with the lowest framework
# releases; there httpx and pydantic are left to the resolver (the frameworks need a newer
# pydantic than the core does, and langchain-tests a newer httpx).
# uv resolves these pins in seconds where pip backtracks for minutes.
LOWEST := .venv-lowest
LOWEST_UV := $(LOWEST)/bin/uv pip install -q --python $(LOWEST)/bin/python
LOWEST_TOOLS := pytest pytest-asyncio pytest-timeout hypothesis
# langgraph-prebuilt 1.0.9+ imports names that the langgraph langchain 1.0 allows lacks; the
# tests import langgraph.prebuilt directly (create_agent itself does not).
LOWEST_ADAPTER_TOOLS := langgraph langchain-tests 'langgraph-prebuilt<1.0.9'
# The suites that drive both adapters at once run there too.
LOWEST_SHARED := tests/recorded tests/reliability tests/test_convert_in_shared.py \
	tests/test_adapter_settings.py tests/test_setting_defaults.py tests/test_model_refusals.py \
	tests/test_region_hint.py
# Last, llamaindex_minimax/_lazy.py (which sets pydantic's instance dict and private fields by
# hand) and the rest of the LlamaIndex tests run on the oldest pydantic the lowest
# llama-index-core accepts (the resolver finds it: lowest-direct on pydantic alone); `make test`
# runs them on the newest.

test-lowest:
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install -q uv
	$(LOWEST)/bin/python tools/lowest_constraints.py --core > $(LOWEST)/core.txt
	$(LOWEST_UV) -c $(LOWEST)/core.txt -e . $(LOWEST_TOOLS)
	$(LOWEST)/bin/python -m pytest -q tests/core
	$(LOWEST)/bin/python tools/lowest_constraints.py --except pydantic --except httpx > $(LOWEST)/adapters.txt
	$(LOWEST_UV) -c $(LOWEST)/adapters.txt -e '.[langchain,llamaindex]' $(LOWEST_TOOLS) $(LOWEST_ADAPTER_TOOLS)
	$(LOWEST)/bin/uv pip list --python $(LOWEST)/bin/python | grep -iE '^(httpx|pydantic|orjson|langchain|langchain-core|llama-index-core) '
	$(LOWEST)/bin/python -m pytest -q tests/core tests/langchain tests/llamaindex $(LOWEST_SHARED)
	printf 'pydantic\nllama-index-core\n' | $(LOWEST)/bin/uv pip compile -q - -c $(LOWEST)/adapters.txt \
		--resolution lowest-direct --python $(LOWEST)/bin/python | grep -E '^pydantic==' > $(LOWEST)/pydantic.txt
	$(LOWEST_UV) -c $(LOWEST)/adapters.txt -r $(LOWEST)/pydantic.txt
	$(LOWEST)/bin/uv pip list --python $(LOWEST)/bin/python | grep -iE '^(pydantic|llama-index-core) '
	$(LOWEST)/bin/python -m pytest -q tests/llamaindex

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -c 'import minimax_core, langchain_minimax, llamaindex_minimax'

format: $(VENV)/.stamp-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Run every notebook top to bottom against the bundled local server and save its outputs.
notebooks: $(VENV)/.stamp-dev
	$(BIN)/python notebooks/run.py

# Verdicts are judged on instruction counts under callgrind (Debian package `valgrind`).
bench: $(VENV)/.stamp-bench
	@command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind) \
		|| echo "valgrind could not be installed: the run will have CPU times but no verdicts"
	@command -v redis-server >/dev/null 2>&1 || $(INSTALL_REDIS) >/dev/null 2>&1 \
		|| echo "note: no redis-server (apt-get failed): the Redis row of the limiter bench is skipped"
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(LOWEST) .pytest_cache .mypy_cache .ruff_cache
