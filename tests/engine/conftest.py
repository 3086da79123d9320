"""The engine suite: llama.cpp's real `llama-server` on a scripted MiniMax-shaped model.

`make test-engine` builds the server once into the cache (`tools/llama_server.py`) and runs
`pytest -c tests/engine/pytest.ini`; rootdir is this directory, so the offline suite's conftest
never loads, and `make test` skips this directory (see tests/conftest.py). Without a built
server the whole run fails with one line saying how to build it: it never passes silently.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import llama_server  # noqa: E402

CACHE = llama_server.cache_dir(os.environ)
if not llama_server.is_ready(CACHE):
    raise pytest.UsageError(
        f"llama-server {llama_server.VERSION} is not built in {CACHE}: run `make test-engine`"
    )
SOURCE = llama_server.source_dir(CACHE)
# The `gguf` package of the same llama.cpp tree writes the model this server reads.
sys.path.append(str(SOURCE / "gguf-py"))

from ._engine import MODES, LlamaServer, Proxy  # noqa: E402
from ._plays import build_model, director  # noqa: E402
from ._scripted_model import ScriptedModel  # noqa: E402

TEMPLATE = SOURCE / "models" / "templates" / "MiniMax-M2.jinja"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record", action="store_true", help="rewrite the engine's recorded transcripts"
    )


@pytest.fixture(scope="session")
def scripted() -> ScriptedModel:
    return build_model()


@pytest.fixture(scope="session")
def model_file(scripted: ScriptedModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "scripted-minimax-m2.gguf"
    return scripted.write(path, TEMPLATE.read_text(encoding="utf-8"))


class Engines:
    """One server and proxy per mode, started on first use and kept for the session."""

    def __init__(self, model: Path, scripted: ScriptedModel, logs: Path) -> None:
        self._model, self._scripted, self._logs = model, scripted, logs
        self._running: dict[str, tuple[LlamaServer, Proxy]] = {}

    def get(self, mode: str) -> Proxy:
        if mode not in self._running:
            binary = llama_server.server_binary(CACHE)
            server = LlamaServer(binary, self._model, MODES[mode], self._logs / f"{mode}.log")
            self._running[mode] = (server, Proxy(server, self._scripted, director, mode))
        proxy = self._running[mode][1]
        proxy.clear()
        proxy.director = director
        return proxy

    def close(self) -> None:
        for server, proxy in self._running.values():
            proxy.close()
            server.stop()


@pytest.fixture(scope="session")
def engines(
    model_file: Path, scripted: ScriptedModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engines]:
    running = Engines(model_file, scripted, tmp_path_factory.mktemp("logs"))
    yield running
    running.close()


@pytest.fixture(params=list(MODES))
def engine(request: pytest.FixtureRequest, engines: Engines) -> Proxy:
    """The proxy in front of the engine in each of its modes."""
    return engines.get(request.param)
