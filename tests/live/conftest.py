"""The live suite: any MiniMax-compatible endpoint named by the environment.

- `MINIMAX_API_KEY` (required), `MINIMAX_BASE_URL` or `MINIMAX_REGION=cn` (else MiniMax's
  global API);
- models: `--minimax-model NAME` (repeatable) or `MINIMAX_LIVE_MODELS=a,b`, else
  `MINIMAX_MODEL`, else the library's default;
- `MINIMAX_LIVE_SETTINGS='{"think_prefill": true}'`: extra constructor keyword arguments for
  both adapters, such as the `settings` that `minimax-probe --json` recommends;
- `RECORD=1` (or `--record`) writes every exchange as a sanitized transcript under
  `tests/fixtures/recorded/`, which `make test` then replays offline.

The environment is read when this module is imported, before any fixture runs.
"""

from __future__ import annotations

import contextvars
import functools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from minimax_core import DEFAULT_MODEL, MiniMaxClient, build_request, resolve_base_url
from minimax_core.adapter_kit import minimax_region
from minimax_core.recording import AsyncCaptureTransport, CaptureTransport, Exchange, Recorder

ENV_KEY = os.environ.get("MINIMAX_API_KEY", "")
ENV_BASE_URL = os.environ.get("MINIMAX_BASE_URL", "")
ENV_REGION = os.environ.get("MINIMAX_REGION", "")
ENV_MODELS = os.environ.get("MINIMAX_LIVE_MODELS") or os.environ.get("MINIMAX_MODEL") or ""
ENV_SETTINGS = os.environ.get("MINIMAX_LIVE_SETTINGS", "")
ENV_RECORD = os.environ.get("RECORD", "") not in ("", "0", "false", "no")
SKIP_LINE = (
    "live suite skipped: set MINIMAX_API_KEY (and MINIMAX_BASE_URL, or MINIMAX_REGION=cn) to run "
    "it against that endpoint"
)
RECORDED_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"

# Without a key nothing is imported or collected: one line says what to set.
collect_ignore_glob = [] if ENV_KEY else ["test_*.py"]

_current_test: contextvars.ContextVar[str] = contextvars.ContextVar("live_test", default="")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("minimax live")
    group.addoption(
        "--minimax-model", action="append", default=[], help="a model to test (repeatable)"
    )
    group.addoption("--minimax-region", default=None, help="'global' or 'cn'")
    group.addoption("--record", action="store_true", help="write transcripts (as RECORD=1)")


@dataclass
class LiveEndpoint:
    """The endpoint under test, and what every test's clients saw on the wire."""

    api_key: str
    base_url: str
    models: list[str]
    recorder: Recorder | None
    settings: dict[str, Any] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)

    def record(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)
        if self.recorder is not None:
            self.recorder.record(exchange)

    @functools.cached_property
    def reports_usage(self) -> bool:
        """Whether the endpoint reports token usage at all (one small request to find out).

        MiniMax always does; some proxies send zeros. Tests of usage are then skipped, with
        that reason in the summary, rather than failed or silently passed.
        """
        with MiniMaxClient(api_key=self.api_key, base_url=self.base_url) as client:
            request = build_request([{"role": "user", "content": "Say hi."}], model=self.models[0])
            return client.create(request).usage is not None

    def http_clients(self) -> dict[str, Any]:
        """Fresh httpx clients that report every exchange (LangChain's keyword names)."""
        return {
            "http_client": httpx.Client(transport=CaptureTransport(self.record)),
            "http_async_client": httpx.AsyncClient(transport=AsyncCaptureTransport(self.record)),
        }


_ENDPOINT: LiveEndpoint | None = None


def endpoint_source(base_url: str) -> str:
    """A name for where the transcripts come from (no host names of private servers)."""
    region = minimax_region(base_url)
    if region is not None:
        return f"live-minimax-{region}"
    host = httpx.URL(base_url).host
    if host in ("127.0.0.1", "localhost", "::1"):
        return "live-local-server"
    return "live-self-hosted"


def pytest_configure(config: pytest.Config) -> None:
    global _ENDPOINT
    if not ENV_KEY:
        config.option.verbose = min(config.option.verbose, -2)  # just the one line below
        return
    region = config.getoption("--minimax-region") or ENV_REGION or None
    base_url = resolve_base_url(ENV_BASE_URL or None, region)
    models = list(config.getoption("--minimax-model")) or [
        m.strip() for m in ENV_MODELS.split(",") if m.strip()
    ]
    recorder = None
    if ENV_RECORD or config.getoption("--record"):
        recorder = Recorder(
            RECORDED_DIR,
            source=endpoint_source(base_url),
            secrets=[ENV_KEY],
            label=_current_test.get,
        )
    settings = json.loads(ENV_SETTINGS) if ENV_SETTINGS else {}
    if not isinstance(settings, dict):
        raise pytest.UsageError("MINIMAX_LIVE_SETTINGS must be a JSON object of keyword arguments")
    # The endpoint and model come from their own variables; the key is never taken from here.
    settings = {k: v for k, v in settings.items() if k not in ("base_url", "model", "api_key")}
    _ENDPOINT = LiveEndpoint(ENV_KEY, base_url, models or [DEFAULT_MODEL], recorder, settings)


def live_endpoint() -> LiveEndpoint | None:
    """The endpoint, or `None` without a key; test modules read it at import time."""
    return _ENDPOINT


def pytest_report_collectionfinish(config: pytest.Config) -> str | None:
    return None if _ENDPOINT is not None else SKIP_LINE


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _ENDPOINT is None and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK


@pytest.fixture(autouse=True)
def _label_exchanges(request: pytest.FixtureRequest) -> Iterator[None]:
    """Name recorded transcripts after the test that made them."""
    token = _current_test.set(request.node.nodeid.split("::", 1)[-1])
    if _ENDPOINT is not None:
        _ENDPOINT.exchanges.clear()
    yield
    _current_test.reset(token)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "model_name" in metafunc.fixturenames and _ENDPOINT is not None:
        metafunc.parametrize("model_name", _ENDPOINT.models)


@pytest.fixture
def live() -> LiveEndpoint:
    assert _ENDPOINT is not None
    return _ENDPOINT


@pytest.fixture
def wire(live: LiveEndpoint) -> list[Exchange]:
    """The exchanges of this test so far, in order."""
    return live.exchanges


@pytest.fixture
def make_chat(live: LiveEndpoint, model_name: str) -> Callable[..., Any]:
    """`ChatMiniMax` on the live endpoint, for `model_name`."""
    from langchain_minimax import ChatMiniMax

    def make(**settings: Any) -> ChatMiniMax:
        options: dict[str, Any] = {
            "model": model_name,
            "api_key": live.api_key,
            "base_url": live.base_url,
            **live.settings,
            **live.http_clients(),
        }
        options.update(settings)
        return ChatMiniMax(**options)

    return make


@pytest.fixture
def make_llm(live: LiveEndpoint, model_name: str) -> Callable[..., Any]:
    """LlamaIndex `MiniMax` on the live endpoint, for `model_name`."""
    from llamaindex_minimax import MiniMax

    def make(**settings: Any) -> MiniMax:
        clients = live.http_clients()
        options: dict[str, Any] = {
            "model": model_name,
            "api_key": live.api_key,
            "base_url": live.base_url,
            "http_client": clients["http_client"],
            "async_http_client": clients["http_async_client"],
            **live.settings,
        }
        options.update(settings)
        return MiniMax(**options)

    return make
