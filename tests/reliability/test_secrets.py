"""The API key never shows, in either adapter, wherever an agent's key could leak.

A server of this module's own requires the distinctive key `KEY`, so every successful call
also proves the key in use is the one being hunted for. The hunt looks for the whole key and
for its distinctive pieces (`SECRET`, `0123456789`), so a half-masked key counts as a leak:

- the model objects: `repr`, `str`, pydantic `model_dump` / `model_dump_json`;
- LangChain: `dumpd`, `dumps`, `to_json` (of the model, a chain and a structured-output runnable),
  `_identifying_params`, `_get_ls_params`, `_get_invocation_params`, `asdict()`, what callbacks
  receive (serialized model, invocation params, metadata, results, errors), LangSmith run trees
  and `astream_events`;
- LlamaIndex: `to_dict`, `to_json`, `to_payload`, `from_dict` round trips, the legacy callback
  manager's payloads and the instrumentation dispatcher's events;
- the core clients the adapters hold (`repr` and attributes);
- log records at DEBUG of every logger (httpx and httpcore included) during retried and failed
  calls, formatted and as raw record attributes;
- exceptions: `str`, `repr`, `args`, `body` and the whole formatted traceback with its chained
  causes, for server refusals, exhausted retries, a wrong key, an unreachable host, dropped and
  stalled streams, and local validation errors.
"""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps, load
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_core.tracers.base import BaseTracer
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager, LlamaDebugHandler
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from pydantic import BaseModel, Field, SecretStr

import minimax_core as mm
from langchain_minimax import ChatMiniMax
from llamaindex_minimax import MiniMax
from minimax_server import Fault, MiniMaxServer

from ._support import MODEL, Sleeps, echo, recorded_sleeps, reference

KEY = "sk-test-SECRET-0123456789"
WRONG_KEY = "sk-test-WRONGKEY-9876543210"
FRAGMENTS = (KEY, "SECRET", "0123456789", WRONG_KEY, "WRONGKEY", "9876543210")


def find_secret(thing: Any) -> str | None:
    """The first fragment of a key in `thing`'s `str` or `repr`, if any."""
    for text in (str(thing), repr(thing)):
        for fragment in FRAGMENTS:
            if fragment in text:
                return fragment
    return None


def assert_secret_free(surfaces: dict[str, Any]) -> None:
    leaks = {name: find_secret(value) for name, value in surfaces.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_the_hunt_finds_a_key_when_there_is_one() -> None:
    assert find_secret({"headers": {"Authorization": f"Bearer {KEY}"}}) == KEY
    assert find_secret("sk-test-SECRET-01234…") == "SECRET"
    assert find_secret(SecretStr(KEY)) is None


@pytest.fixture(scope="module")
def secret_server() -> Iterator[MiniMaxServer]:
    with MiniMaxServer(api_key=KEY, strict=True) as server:
        yield server


@pytest.fixture
def server(secret_server: MiniMaxServer) -> MiniMaxServer:
    secret_server.reset()
    return secret_server


@pytest.fixture(autouse=True)
def sleeps() -> Iterator[Sleeps]:
    with recorded_sleeps() as recorded:
        yield recorded


SOURCES = ["argument", "secret-str", "environment"]


def key_option(source: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    if source == "environment":
        monkeypatch.setenv("MINIMAX_API_KEY", KEY)
        return {}
    return {"api_key": KEY if source == "argument" else SecretStr(KEY)}


def unreachable_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def error_surfaces(error: BaseException) -> dict[str, Any]:
    return {
        "str": str(error),
        "repr": repr(error),
        "args": error.args,
        "body": getattr(error, "body", None),
        "traceback": "".join(traceback.format_exception(error)),
    }


class Weather(BaseModel):
    """The weather in a city."""

    city: str = Field(description="The city")


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"Sunny in {city}"


# --- LangChain -----------------------------------------------------------------------------------


def chat(server: MiniMaxServer, **options: Any) -> ChatMiniMax:
    settings: dict[str, Any] = {"model": MODEL, "base_url": server.base_url}
    settings.update(options)
    return ChatMiniMax(**settings)


@pytest.mark.parametrize("source", SOURCES)
async def test_langchain_model_and_serialisation(
    server: MiniMaxServer, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    llm = chat(server, **key_option(source, monkeypatch), temperature=0.5, max_tokens=256)
    message = llm.invoke(echo(1))  # the strict server took the key: it is the one in use
    assert message.content == reference(echo(1))[1]
    await llm.ainvoke(echo(2))
    prompt = ChatPromptTemplate.from_messages([("human", "{question}")])
    chain = prompt | llm.bind_tools([get_weather])
    structured = llm.with_structured_output(Weather)
    async_client = llm._aclient
    assert llm.api_key is not None and llm.api_key.get_secret_value() == KEY
    assert_secret_free(
        {
            "repr": repr(llm),
            "str": str(llm),
            "format": f"{llm}",
            "model_dump": llm.model_dump(),
            "model_dump_json": llm.model_dump_json(),
            "dumpd": dumpd(llm),
            "dumps": dumps(llm, pretty=True),
            "to_json": llm.to_json(),
            "dumps(chain)": dumps(chain),
            "dumpd(structured output)": dumpd(structured),
            "_identifying_params": llm._identifying_params,
            "_get_ls_params": llm._get_ls_params(),
            "_get_invocation_params": llm._get_invocation_params(),
            "asdict": llm.asdict(),
            "sync core client": (repr(llm._client), vars(llm._client)),
            "async core client": (repr(async_client), vars(async_client)),
            "answer": message.model_dump_json(),
        }
    )


@pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
def test_langchain_serialised_form_names_the_variable_not_the_key(server: MiniMaxServer) -> None:
    """Made serialisable (as ChatOpenAI is), the model stores a reference to `MINIMAX_API_KEY`
    in place of the key, and loading it back with that secret gives a working model."""
    llm = chat(server, api_key=KEY)
    with mock.patch.object(ChatMiniMax, "is_lc_serializable", classmethod(lambda cls: True)):
        data = dumpd(llm)
        text = dumps(llm)
    assert data["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["MINIMAX_API_KEY"]}
    assert_secret_free({"dumpd": data, "dumps": text})
    restored = load(
        data,
        secrets_map={"MINIMAX_API_KEY": KEY},
        valid_namespaces=["langchain_minimax"],
        allowed_objects=[ChatMiniMax],
    )
    assert isinstance(restored, ChatMiniMax)
    assert restored.invoke(echo(3)).content == reference(echo(3))[1]


class Recorder(BaseCallbackHandler):
    """Everything LangChain hands to callbacks."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.events.append(("start", (serialized, messages, kwargs)))

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        self.events.append(("token", (token, kwargs)))

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.events.append(("end", (response, kwargs)))

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.events.append(("error", (error, kwargs)))


class Runs(BaseTracer):
    """The run trees LangSmith would upload."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[Any] = []

    def _persist_run(self, run: Any) -> None:
        self.runs.append(run)


async def test_langchain_callbacks_traces_and_events(server: MiniMaxServer) -> None:
    llm = chat(server, api_key=KEY)
    recorder, runs = Recorder(), Runs()
    config: Any = {"callbacks": [recorder, runs]}
    server.inject(Fault(kind="http_status", status=503, count=1))  # one retried call
    llm.invoke(echo(4), config=config)
    await llm.ainvoke(echo(5), config=config)
    list(llm.stream(echo(6), config=config))
    [chunk async for chunk in llm.astream(echo(7), config=config)]
    events = [event async for event in llm.astream_events(echo(8), version="v2")]
    server.inject(Fault(kind="base_resp", code=1004))
    with pytest.raises(mm.AuthenticationError):
        llm.invoke(echo(9), config=config)
    server.inject(Fault(kind="drop_mid_stream", after_chunks=3))
    with pytest.raises(mm.StreamError):
        [chunk async for chunk in llm.astream(echo(10), config=config)]

    kinds = [kind for kind, _ in recorder.events]
    assert kinds.count("start") == 6 and kinds.count("error") == 2 and "token" in kinds
    start_kwargs = [data[2] for kind, data in recorder.events if kind == "start"]
    assert all(kw["invocation_params"]["model_name"] == MODEL for kw in start_kwargs)
    assert all(kw["metadata"]["ls_provider"] == "minimax" for kw in start_kwargs)
    assert len(runs.runs) == 6 and {run.error is not None for run in runs.runs} == {True, False}
    assert events and len(server.requests) == 8
    assert_secret_free(
        {
            "callback events": recorder.events,
            "run trees": [run.model_dump_json() for run in runs.runs],
            "astream_events": events,
        }
    )


def langchain_failure(server: MiniMaxServer, scenario: str) -> tuple[ChatMiniMax, str]:
    """A model set up to fail as `scenario` says, and the mode that fails it."""
    if scenario == "wrong-key":
        return chat(server, api_key=WRONG_KEY), "invoke"
    if scenario == "unreachable":
        return chat(server, api_key=KEY, base_url=unreachable_url(), max_retries=1), "invoke"
    if scenario == "invalid-request":
        return chat(server, api_key=KEY, temperature=5), "invoke"
    if scenario == "stalled-stream":
        server.inject(Fault(kind="stall", after_chunks=2, hang=True))
        return chat(server, api_key=KEY, timeout=0.3), "astream"
    faults = {
        "base_resp-1004": Fault(kind="base_resp", code=1004),
        "http-401": Fault(kind="http_status", status=401),
        "retries-exhausted": Fault(kind="http_status", status=503, count=3),
        "dropped-stream": Fault(kind="drop_mid_stream", after_chunks=3),
        "error-frame": Fault(kind="sse_error_frame", after_chunks=5, code=1027),
    }
    server.inject(faults[scenario])
    streamed = "stream" in scenario or "frame" in scenario
    return chat(server, api_key=KEY), "astream" if streamed else "ainvoke"


FAILURES = [
    "base_resp-1004",
    "http-401",
    "retries-exhausted",
    "wrong-key",
    "unreachable",
    "dropped-stream",
    "stalled-stream",
    "error-frame",
    "invalid-request",
]


@pytest.mark.parametrize("scenario", FAILURES)
async def test_langchain_exceptions(server: MiniMaxServer, scenario: str) -> None:
    llm, mode = langchain_failure(server, scenario)
    with pytest.raises(mm.MiniMaxError) as info:
        if mode == "invoke":
            llm.invoke(echo(11))
        elif mode == "ainvoke":
            await llm.ainvoke(echo(11))
        else:
            [chunk async for chunk in llm.astream(echo(11))]
    assert isinstance(info.value.__cause__, mm.MiniMaxError)  # the core error, chained
    assert_secret_free(error_surfaces(info.value))


def capture_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "minimax_core", "langchain_core", "llama_index", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)


def assert_logs_secret_free(caplog: pytest.LogCaptureFixture) -> None:
    assert "HTTP Request: POST" in caplog.text  # httpx logged each request
    assert "retry 1 of 2" in caplog.text  # the core logged the retry
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert_secret_free(
        {
            "formatted": caplog.text,
            "records": [(r.getMessage(), vars(r)) for r in caplog.records],
        }
    )


async def test_langchain_logs(server: MiniMaxServer, caplog: pytest.LogCaptureFixture) -> None:
    capture_everything(caplog)
    llm = chat(server, api_key=KEY)
    server.inject(Fault(kind="http_status", status=429, retry_after=0.01, count=1))
    llm.invoke(echo(12))
    server.inject(Fault(kind="base_resp", code=1002, count=1))
    [chunk async for chunk in llm.astream(echo(13))]
    server.inject(Fault(kind="base_resp", code=1004))
    with pytest.raises(mm.AuthenticationError):
        await llm.ainvoke(echo(14))
    server.inject(Fault(kind="drop_mid_stream", after_chunks=3))
    with pytest.raises(mm.StreamError):
        list(llm.stream(echo(15)))
    with pytest.raises(mm.AuthenticationError):
        chat(server, api_key=WRONG_KEY).invoke(echo(16))
    assert_logs_secret_free(caplog)


# --- LlamaIndex ----------------------------------------------------------------------------------


def llama(server: MiniMaxServer, **options: Any) -> MiniMax:
    settings: dict[str, Any] = {"model": MODEL, "base_url": server.base_url}
    settings.update(options)
    return MiniMax(**settings)


def ask(n: int) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=echo(n))]


@pytest.mark.parametrize("source", SOURCES)
async def test_llamaindex_model_and_serialisation(
    server: MiniMaxServer, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    llm = llama(server, **key_option(source, monkeypatch), temperature=0.5, max_tokens=256)
    response = llm.chat(ask(1))  # the strict server took the key: it is the one in use
    assert response.message.content == reference(echo(1))[1]
    await llm.achat(ask(2))
    restored = MiniMax.from_dict(llm.to_dict())
    async_client = llm._async_client()
    assert_secret_free(
        {
            "repr": repr(llm),
            "str": str(llm),
            "format": f"{llm}",
            "to_dict": llm.to_dict(),
            "to_json": llm.to_json(),
            # `to_payload` is newer than the lowest llama-index-core the package allows.
            **({"to_payload": llm.to_payload()} if hasattr(llm, "to_payload") else {}),
            "model_dump": llm.model_dump(),
            "model_dump_json": llm.model_dump_json(),
            "metadata": llm.metadata,
            "from_dict(to_dict)": (repr(restored), restored.to_dict()),
            "sync core client": (repr(llm._sync_client()), vars(llm._sync_client())),
            "async core client": (repr(async_client), vars(async_client)),
            "answer": response.model_dump_json(),
        }
    )
    await llm.aclose()
    await restored.aclose()


class Events(BaseEventHandler):
    """Every instrumentation event dispatched while it is attached."""

    events: list[Any] = Field(default_factory=list)

    @classmethod
    def class_name(cls) -> str:
        return "Events"

    def handle(self, event: Any, **kwargs: Any) -> None:
        self.events.append(event)


@pytest.fixture
def instrumentation() -> Iterator[Events]:
    dispatcher = get_dispatcher()
    handler = Events()
    dispatcher.add_event_handler(handler)
    yield handler
    dispatcher.event_handlers.remove(handler)


async def test_llamaindex_callbacks_and_instrumentation(
    server: MiniMaxServer, instrumentation: Events
) -> None:
    debug = LlamaDebugHandler(print_trace_on_end=False)
    llm = llama(server, api_key=KEY, callback_manager=CallbackManager([debug]))
    server.inject(Fault(kind="http_status", status=503, count=1))  # one retried call
    llm.chat(ask(4))
    await llm.achat(ask(5))
    list(llm.stream_chat(ask(6)))
    [r async for r in await llm.astream_chat(ask(7))]
    llm.complete(echo(8))
    server.inject(Fault(kind="base_resp", code=1004))
    with pytest.raises(mm.AuthenticationError):
        llm.chat(ask(9))
    server.inject(Fault(kind="drop_mid_stream", after_chunks=3))
    with pytest.raises(mm.StreamError):
        [r async for r in await llm.astream_chat(ask(10))]

    payloads = [event.payload for event in debug.get_events()]
    serialized = [p["serialized"] for p in payloads if p and "serialized" in p]
    # Newer llama-index-core serialises the model's metadata here, older its fields.
    assert serialized and all(s.get("model_name", s.get("model")) == MODEL for s in serialized)
    names = {type(event).__name__ for event in instrumentation.events}
    assert {"LLMChatStartEvent", "LLMChatEndEvent", "LLMChatInProgressEvent"} <= names
    assert len(server.requests) == 8
    assert_secret_free(
        {
            "callback payloads": payloads,
            "instrumentation events": [(e, e.model_dump()) for e in instrumentation.events],
        }
    )
    await llm.aclose()


def llamaindex_failure(server: MiniMaxServer, scenario: str) -> tuple[Callable[[], MiniMax], str]:
    """How to make an LLM that fails as `scenario` says, and the mode that fails it."""
    if scenario == "wrong-key":
        return lambda: llama(server, api_key=WRONG_KEY), "chat"
    if scenario == "unreachable":
        url = unreachable_url()
        return lambda: llama(server, api_key=KEY, base_url=url, max_retries=1), "chat"
    if scenario == "invalid-request":
        return lambda: llama(server, api_key=KEY, temperature=5), "chat"
    if scenario == "stalled-stream":
        server.inject(Fault(kind="stall", after_chunks=2, hang=True))

        return lambda: llama(server, api_key=KEY, timeout=0.3), "astream_chat"
    faults = {
        "base_resp-1004": Fault(kind="base_resp", code=1004),
        "http-401": Fault(kind="http_status", status=401),
        "retries-exhausted": Fault(kind="http_status", status=503, count=3),
        "dropped-stream": Fault(kind="drop_mid_stream", after_chunks=3),
        "error-frame": Fault(kind="sse_error_frame", after_chunks=5, code=1027),
    }
    server.inject(faults[scenario])
    mode = "astream_chat" if "stream" in scenario or "frame" in scenario else "achat"
    return lambda: llama(server, api_key=KEY), mode


@pytest.mark.parametrize("scenario", FAILURES)
async def test_llamaindex_exceptions(server: MiniMaxServer, scenario: str) -> None:
    make, mode = llamaindex_failure(server, scenario)
    llm = make()
    with pytest.raises(mm.MiniMaxError) as info:
        if mode == "chat":
            llm.chat(ask(11))
        elif mode == "achat":
            await llm.achat(ask(11))
        else:
            [r async for r in await llm.astream_chat(ask(11))]
    assert_secret_free(error_surfaces(info.value))
    await llm.aclose()


async def test_llamaindex_logs(server: MiniMaxServer, caplog: pytest.LogCaptureFixture) -> None:
    capture_everything(caplog)
    llm = llama(server, api_key=KEY)
    server.inject(Fault(kind="http_status", status=429, retry_after=0.01, count=1))
    llm.chat(ask(12))
    server.inject(Fault(kind="base_resp", code=1002, count=1))
    [r async for r in await llm.astream_chat(ask(13))]
    server.inject(Fault(kind="base_resp", code=1004))
    with pytest.raises(mm.AuthenticationError):
        await llm.achat(ask(14))
    server.inject(Fault(kind="drop_mid_stream", after_chunks=3))
    with pytest.raises(mm.StreamError):
        list(llm.stream_chat(ask(15)))
    wrong = llama(server, api_key=WRONG_KEY)
    with pytest.raises(mm.AuthenticationError):
        wrong.chat(ask(16))
    assert_logs_secret_free(caplog)
    await llm.aclose()
    await wrong.aclose()
