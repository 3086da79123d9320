# Every target creates .venv and installs what it needs, so each works alone on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint format bench notebooks clean

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

bench: $(VENV)/.stamp-bench
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
