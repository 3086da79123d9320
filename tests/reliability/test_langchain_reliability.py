"""`ChatMiniMax` against the local server's faults, over real HTTP on 127.0.0.1.

The LangChain twin of `test_core_faults.py`: every fault is met through `invoke`, `ainvoke`,
`stream` and `astream` (and `invoke` on a `streaming=True` model), and each test counts what the
server saw. A retried call returns exactly the fault-free answer after exactly the promised
number of requests and backoff waits; a final failure is sent once and raises the LangChain
twin of the core error with MiniMax's code and message; a broken stream raises, is never
retried once tokens were delivered, and returns nothing partial as complete; no connection is
left open. Bad input is refused before any TCP connection is made.

The core's sleeps between retries are recorded instead of slept (`_support.record_sleeps`),
so every test also checks the delays against the retry policy at no cost in wall time.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import operator
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.runnables import Runnable
from langchain_core.tools import tool
from pydantic import BaseModel, Field

import minimax_core as mm
from langchain_minimax import (
    ChatMiniMax,
    MiniMaxAuthenticationError,
    MiniMaxBadRequestError,
    MiniMaxContentFilteredError,
    MiniMaxInsufficientBalanceError,
    MiniMaxInternalServerError,
    MiniMaxNotFoundError,
    MiniMaxOverloadedError,
    MiniMaxPermissionDeniedError,
    MiniMaxRateLimitError,
    MiniMaxRequestValidationError,
    MiniMaxStreamError,
    MiniMaxTimeoutError,
    MiniMaxUsageLimitError,
)
from minimax_server import Fault, MiniMaxServer

from . import _support as support
from ._support import (
    MODEL,
    PRE_TOKEN,
    RETRYABLE,
    Sleeps,
    asettle,
    assert_backoff,
    echo,
    echo_template,
    predicted_requests,
    record_sleeps,
    reference,
    settle,
)

MakeChat = Callable[..., ChatMiniMax]

MODES = ["invoke", "ainvoke", "stream", "astream"]
# Modes that read an SSE stream: `stream`/`astream`, and `invoke`/`ainvoke` on a model built
# with `streaming=True` (LangChain then streams under the hood and returns one message).
STREAM_MODES = ["stream", "astream", "invoke-streaming", "ainvoke-streaming"]

# Each core error class and its LangChain-flavoured twin (`class MiniMaxX(core.X, ModelY)`).
LANGCHAIN_TWIN: dict[type, type] = {
    twin.__bases__[0]: twin
    for twin in (
        MiniMaxAuthenticationError,
        MiniMaxBadRequestError,
        MiniMaxContentFilteredError,
        MiniMaxInsufficientBalanceError,
        MiniMaxInternalServerError,
        MiniMaxNotFoundError,
        MiniMaxOverloadedError,
        MiniMaxPermissionDeniedError,
        MiniMaxRateLimitError,
        MiniMaxStreamError,
        MiniMaxUsageLimitError,
    )
}


def _twin(value: Any) -> Any:
    return LANGCHAIN_TWIN.get(value, value) if isinstance(value, type) else value


def _twins(rows: list[Any]) -> list[Any]:
    """The shared fault tables with the LangChain classes in place of the core ones."""
    return [
        pytest.param(*map(_twin, row.values), id=row.id)
        if hasattr(row, "values")
        else tuple(map(_twin, row))
        for row in rows
    ]


EXHAUSTED = _twins(support.EXHAUSTED)
FINAL = _twins(support.FINAL)
FINAL_HTTP = _twins(support.FINAL_HTTP)
BROKEN = _twins(support.BROKEN)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    return record_sleeps(monkeypatch)


@pytest.fixture
def open_before(minimax_server: MiniMaxServer) -> int:
    """Connections open before this test: other tests' pools may still hold some."""
    count, stable_since = minimax_server.connections_open, time.monotonic()
    deadline = stable_since + 0.5
    while time.monotonic() - stable_since < 0.03 and time.monotonic() < deadline:
        time.sleep(0.005)
        if minimax_server.connections_open != count:
            count, stable_since = minimax_server.connections_open, time.monotonic()
    return count


@pytest.fixture
def make_chat(minimax_server: MiniMaxServer) -> Iterator[MakeChat]:
    """`ChatMiniMax` instances on the test server, each with a pool of its own.

    Sync clients are shared process-wide per settings; a unique header gives each instance its
    own, so its connections are this test's alone. Those pools are closed afterwards.
    """
    made: list[ChatMiniMax] = []

    def make(**options: Any) -> ChatMiniMax:
        settings: dict[str, Any] = {
            "model": MODEL,
            "base_url": minimax_server.base_url,
            "api_key": minimax_server.api_key,
            "max_retries": 2,
            "default_headers": {"x-reliability-test": uuid.uuid4().hex},
        }
        settings.update(options)
        made.append(ChatMiniMax(**settings))
        return made[-1]

    yield make
    for llm in made:
        client = llm.__dict__.get("_client")
        if client is not None:
            client.close()


class _Tokens(BaseCallbackHandler):
    """Collects the chunks LangChain reports while `invoke` streams under the hood."""

    def __init__(self, into: list[AIMessageChunk]) -> None:
        self.into = into

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        if kwargs.get("chunk") is not None:
            self.into.append(kwargs["chunk"].message)


async def run(
    runnable: Runnable[Any, BaseMessage],
    mode: str,
    prompt: Any,
    received: list[AIMessageChunk] | None = None,
    **kwargs: Any,
) -> BaseMessage:
    """Call `runnable` in `mode`; streamed chunks land in `received` as they arrive."""
    received = [] if received is None else received
    if mode.startswith(("invoke", "ainvoke")):
        config = {"callbacks": [_Tokens(received)]}
        if mode.startswith("invoke"):
            return runnable.invoke(prompt, config=config, **kwargs)  # type: ignore[arg-type]
        return await runnable.ainvoke(prompt, config=config, **kwargs)  # type: ignore[arg-type]
    if mode == "stream":
        for chunk in runnable.stream(prompt, **kwargs):
            received.append(chunk)  # type: ignore[arg-type]
    else:
        async for chunk in runnable.astream(prompt, **kwargs):
            received.append(chunk)  # type: ignore[arg-type]
    return merged(received)


def merged(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    return functools.reduce(operator.add, chunks) if chunks else AIMessageChunk(content="")


def reasoning_of(message: BaseMessage) -> str:
    return str(message.additional_kwargs.get("reasoning_content", ""))


def streaming(mode: str) -> dict[str, bool]:
    """Model settings for `mode`. `streaming=False` is left unset: LangChain reads an explicit
    `False` as "never stream", even from `.stream()`."""
    return {"streaming": True} if mode.endswith("-streaming") else {}


def assert_answer(message: BaseMessage, prompt: str) -> None:
    """The complete fault-free answer, once: no text lost, none repeated."""
    reasoning, text = reference(prompt)
    assert message.content == text
    assert reasoning_of(message) == reasoning
    assert message.response_metadata["finish_reason"] == "stop"


def assert_same_requests(server: MiniMaxServer) -> None:
    """A retry resends the request unchanged."""
    bodies = [r.body for r in server.requests]
    assert all(body == bodies[0] for body in bodies)


def assert_partial_prefix(received: list[AIMessageChunk], prompt: str, *, text: bool) -> None:
    """What arrived before the break is a prefix of the answer, with nothing repeated, and no
    chunk pretends to finish it."""
    reasoning, answer = reference(prompt)
    got = merged(received)
    assert received, "the fault was meant to strike after some tokens"
    assert reasoning.startswith(reasoning_of(got))
    assert answer.startswith(str(got.content))
    assert (reasoning_of(got), got.content) != (reasoning, answer)
    assert bool(got.content) is text
    for chunk in received:
        assert chunk.chunk_position is None
        assert "finish_reason" not in chunk.response_metadata
        assert chunk.usage_metadata is None


# --- retryable faults ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("fault", "retry_after"), RETRYABLE)
async def test_retryable_faults_are_survived(
    make_chat: MakeChat,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    fault: Fault,
    retry_after: float | None,
    mode: str,
) -> None:
    minimax_server.inject(fault)
    prompt = echo(17)
    message = await run(make_chat(), mode, prompt)
    assert_answer(message, prompt)
    assert len(minimax_server.requests) == 3  # two failures, then the answer (max_retries=2)
    assert_same_requests(minimax_server)
    assert_backoff(sleeps.delays, 2, retry_after)


@pytest.mark.parametrize("mode", STREAM_MODES)
@pytest.mark.parametrize("fault", PRE_TOKEN)
async def test_stream_failures_before_any_token_are_retried(
    make_chat: MakeChat, minimax_server: MiniMaxServer, sleeps: Sleeps, fault: Fault, mode: str
) -> None:
    prompt = echo(23)
    minimax_server.inject(fault)
    message = await run(make_chat(**streaming(mode)), mode, prompt)
    assert_answer(message, prompt)
    assert len(minimax_server.requests) == 3
    assert_same_requests(minimax_server)
    assert_backoff(sleeps.delays, 2)


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_a_stall_before_any_token_is_retried(
    make_chat: MakeChat, minimax_server: MiniMaxServer, sleeps: Sleeps, open_before: int, mode: str
) -> None:
    prompt = echo(29)
    minimax_server.inject(Fault(kind="stall", after_chunks=0, hang=True))
    message = await run(make_chat(timeout=0.3), mode, prompt)
    assert_answer(message, prompt)
    assert len(minimax_server.requests) == 2
    assert_backoff(sleeps.delays, 1)
    await asettle(minimax_server, open_before + 1)  # the stalled connection was closed


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("fault", "max_retries", "cls", "code"), EXHAUSTED)
async def test_retries_stop_where_the_policy_says(
    make_chat: MakeChat,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    fault: Fault,
    max_retries: int,
    cls: type[mm.APIStatusError],
    code: int,
    mode: str,
) -> None:
    minimax_server.inject(fault)
    with pytest.raises(cls) as info:
        await run(make_chat(max_retries=max_retries), mode, echo(31))
    error = info.value
    assert type(error) is cls and error.code == code and error.retryable
    assert isinstance(error.__cause__, mm.APIStatusError) and type(error.__cause__) is not cls
    assert len(minimax_server.requests) == max_retries + 1
    assert_backoff(sleeps.delays, max_retries)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_retry_after_is_honoured(
    make_chat: MakeChat, minimax_server: MiniMaxServer, sleeps: Sleeps, mode: str
) -> None:
    """The server's delay is what is waited, in seconds or milliseconds; an absurd one is not."""
    llm = make_chat(max_retries=2)
    for fault, expected in [
        (Fault(kind="http_status", status=429, retry_after=1.25, count=2), [1.25, 1.25]),
        (Fault(kind="http_status", status=429, retry_after_ms=1500, count=2), [1.5, 1.5]),
        (Fault(kind="http_status", status=503, retry_after=3, count=1), [3.0]),
    ]:
        sleeps.delays.clear()
        minimax_server.inject(fault)
        assert_answer(await run(llm, mode, echo(37)), echo(37))
        assert sleeps.delays == expected
    sleeps.delays.clear()
    minimax_server.inject(Fault(kind="http_status", status=429, retry_after=3600, count=2))
    await run(llm, mode, echo(37))
    assert_backoff(sleeps.delays, 2)  # over 60 s: ignored, plain backoff instead


async def test_retry_after_is_waited_out_for_real(
    make_chat: MakeChat, minimax_server: MiniMaxServer, sleeps: Sleeps
) -> None:
    sleeps.real = True
    minimax_server.inject(Fault(kind="http_status", status=429, retry_after=0.3, count=1))
    started = time.monotonic()
    assert_answer(await make_chat().ainvoke(echo(41)), echo(41))
    assert time.monotonic() - started >= 0.3
    assert sleeps.delays == [0.3]


# --- final failures --------------------------------------------------------------------------

CORE_TWINS = {
    MiniMaxAuthenticationError: (mm.AuthenticationError, ModelAuthenticationError),
    MiniMaxInsufficientBalanceError: (mm.InsufficientBalanceError, mm.PermissionDeniedError),
    MiniMaxContentFilteredError: (mm.ContentFilteredError, mm.APIStatusError),
    MiniMaxBadRequestError: (mm.BadRequestError, ModelInvalidRequestError),
    MiniMaxUsageLimitError: (mm.UsageLimitError, ModelRateLimitError),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("code", "cls", "message"), FINAL, ids=[str(f[0]) for f in FINAL])
async def test_final_base_resp_codes_are_sent_once(
    make_chat: MakeChat,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    code: int,
    cls: type[mm.APIStatusError],
    message: str,
    mode: str,
) -> None:
    minimax_server.inject(Fault(kind="base_resp", code=code, message=message))
    with pytest.raises(cls) as info:
        await run(make_chat(), mode, echo(43))
    error = info.value
    assert type(error) is cls
    assert isinstance(error, CORE_TWINS[cls])
    assert (error.code, error.message, error.status_code) == (code, message, 200)
    assert f"MiniMax code {code}" in str(error) and message in str(error)
    assert not error.retryable and error.is_retryable is False  # type: ignore[attr-defined]
    assert minimax_server.api_key not in str(error)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "cls", "code"), FINAL_HTTP, ids=[str(f[0]) for f in FINAL_HTTP])
async def test_final_http_statuses_are_sent_once(
    make_chat: MakeChat,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    status: int,
    cls: type[mm.APIStatusError],
    code: int,
    mode: str,
) -> None:
    minimax_server.inject(Fault(kind="http_status", status=status, message="refused for the test"))
    with pytest.raises(cls) as info:
        await run(make_chat(), mode, echo(47))
    error = info.value
    assert type(error) is cls
    assert (error.status_code, error.code) == (status, code)
    assert error.message == f"refused for the test ({code})"
    assert minimax_server.api_key not in str(error)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []


# --- broken streams ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", STREAM_MODES)
@pytest.mark.parametrize(("fault", "cls", "text"), BROKEN)
async def test_a_broken_stream_raises_and_is_not_retried(
    make_chat: MakeChat,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    open_before: int,
    fault: Fault,
    cls: type[mm.MiniMaxError],
    text: bool,
    mode: str,
) -> None:
    """Tokens were delivered, so a retry would repeat them: the break is raised instead (the
    fault strikes once, so a retry would have succeeded and hidden it)."""
    prompt = echo(53)
    minimax_server.inject(fault)
    llm = make_chat(**streaming(mode))
    received: list[AIMessageChunk] = []
    with pytest.raises(cls) as info:
        await run(llm, mode, prompt, received)
    assert type(info.value) is cls
    if cls is MiniMaxStreamError:
        assert isinstance(info.value, mm.StreamError) and isinstance(
            info.value, ModelConnectionError
        )
        assert "discarded" in str(info.value)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    assert_partial_prefix(received, prompt, text=text)
    await asettle(minimax_server, open_before + 1)
    # The pool is not poisoned: the same model answers the next call in full.
    assert_answer(await run(llm, mode, echo(59)), echo(59))
    await asettle(minimax_server, open_before + 1)


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_eof_before_finish_raises(
    make_chat: MakeChat, minimax_server: MiniMaxServer, sleeps: Sleeps, open_before: int, mode: str
) -> None:
    """Every token arrived but no finish_reason: the answer may be cut, so it is not returned."""
    prompt = echo(61)
    minimax_server.inject(Fault(kind="eof_before_finish"))
    received: list[AIMessageChunk] = []
    with pytest.raises(MiniMaxStreamError, match="finish"):
        await run(make_chat(**streaming(mode)), mode, prompt, received)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    assert all(chunk.chunk_position is None for chunk in received)
    reasoning, text = reference(prompt)
    assert (reasoning_of(merged(received)), merged(received).content) == (reasoning, text)
    await asettle(minimax_server, open_before + 1)


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_a_stall_past_the_timeout_raises(
    make_chat: MakeChat, minimax_server: MiniMaxServer, sleeps: Sleeps, open_before: int, mode: str
) -> None:
    """`timeout` bounds the wait between chunks; the hung connection is closed, not leaked (the
    server keeps it open until the client hangs up)."""
    prompt = echo(67)
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    received: list[AIMessageChunk] = []
    started = time.monotonic()
    with pytest.raises(MiniMaxTimeoutError, match="idle timeout") as info:
        await run(make_chat(timeout=0.3, **streaming(mode)), mode, prompt, received)
    assert time.monotonic() - started < 2.5
    assert isinstance(info.value, mm.APITimeoutError) and isinstance(info.value, ModelTimeoutError)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    assert_partial_prefix(received, prompt, text=False)
    await asettle(minimax_server, open_before)


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_a_stall_shorter_than_the_timeout_is_waited_out(
    make_chat: MakeChat, minimax_server: MiniMaxServer, sleeps: Sleeps, mode: str
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=4, seconds=0.3))
    assert_answer(await run(make_chat(timeout=3), mode, echo(71)), echo(71))
    assert len(minimax_server.requests) == 1 and sleeps.delays == []


@pytest.mark.parametrize("mode", STREAM_MODES)
@pytest.mark.parametrize("kind", ["no_done", "final_message_chunk", "usage_chunk"])
async def test_stream_shapes_give_the_answer_once(
    make_chat: MakeChat, minimax_server: MiniMaxServer, kind: str, mode: str
) -> None:
    """A missing `[DONE]`, a trailing chunk repeating the whole message, an unasked usage chunk:
    the answer comes out whole, once, with its usage counted once."""
    prompt = echo(73)
    minimax_server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    received: list[AIMessageChunk] = []
    message = await run(make_chat(**streaming(mode)), mode, prompt, received)
    assert_answer(message, prompt)
    assert [c.usage_metadata is not None for c in received].count(True) == 1
    assert isinstance(message, AIMessage) and message.usage_metadata is not None
    assert message.usage_metadata["output_tokens"] > 0
    assert len(minimax_server.requests) == 1


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"Sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Get the local time in a city."""
    return f"Noon in {city}"


@pytest.mark.parametrize("mode", STREAM_MODES)
@pytest.mark.parametrize("kind", ["reused_index_new_id", "fragmented_tool_args", "whole_tool_args"])
async def test_streamed_tool_calls_are_neither_lost_nor_merged(
    make_chat: MakeChat, minimax_server: MiniMaxServer, kind: str, mode: str
) -> None:
    """Parallel calls that all arrive at index 0, or with arguments in many or one piece, come
    out as the same calls a non-streamed answer holds."""
    llm = make_chat(**streaming(mode)).bind_tools([get_weather, get_time])
    prompt = "Use get_weather for Paris and get_time for Tokyo at the same time"
    expected = await make_chat().bind_tools([get_weather, get_time]).ainvoke(prompt)
    minimax_server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    message = await run(llm, mode, prompt)
    assert isinstance(message, AIMessage) and isinstance(expected, AIMessage)
    calls = [(c["name"], c["args"]) for c in message.tool_calls]
    assert calls == [(c["name"], c["args"]) for c in expected.tool_calls]
    assert [c["name"] for c in message.tool_calls] == ["get_weather", "get_time"]
    assert len({c["id"] for c in message.tool_calls}) == 2
    assert message.invalid_tool_calls == []


# --- abandoning a stream -------------------------------------------------------------------------


def test_breaking_out_of_a_stream_closes_its_connection(
    make_chat: MakeChat, minimax_server: MiniMaxServer, open_before: int
) -> None:
    """The server would hold a hung stream forever: only the client hanging up frees it."""
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    llm = make_chat()
    for _ in llm.stream(echo(79)):
        break
    settle(minimax_server, open_before)
    assert_answer(llm.invoke(echo(83)), echo(83))


async def test_breaking_out_of_an_async_stream_closes_its_connection(
    make_chat: MakeChat, minimax_server: MiniMaxServer, open_before: int
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    llm = make_chat()
    async for _ in llm.astream(echo(89)):
        break
    await asettle(minimax_server, open_before)
    assert_answer(await llm.ainvoke(echo(97)), echo(97))


@pytest.mark.parametrize("how", ["astream", "ainvoke-streaming"])
async def test_cancelling_a_streaming_task_closes_its_connection(
    make_chat: MakeChat, minimax_server: MiniMaxServer, open_before: int, how: str
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    llm = make_chat(**streaming(how))
    received: list[AIMessageChunk] = []
    task = asyncio.create_task(run(llm, how, echo(101), received))
    deadline = time.monotonic() + 3
    while not received and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert received and not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asettle(minimax_server, open_before)
    assert len(minimax_server.requests) == 1


# --- load ----------------------------------------------------------------------------------------


async def test_load_with_faults_nothing_lost_or_duplicated(
    make_chat: MakeChat, minimax_server: MiniMaxServer, sleeps: Sleeps, open_before: int
) -> None:
    """500 `ainvoke`s and 50 `astream`s at once through one model, about 10% of requests failing
    (429 with Retry-After, 503, 529, base_resp 1002) and 10% of streams dropped before their
    first token. Every call gets its own answer, whole and once, and the server sees exactly
    one successful request per call plus one retry per injected fault."""
    http_faults = [
        Fault(kind="http_status", status=429, retry_after=0.01, probability=0.03, seed=11),
        Fault(kind="http_status", status=503, probability=0.03, seed=12),
        Fault(kind="http_status", status=529, probability=0.02, seed=13),
        Fault(kind="base_resp", code=1002, probability=0.02, seed=14),
    ]
    drop = Fault(kind="drop_mid_stream", after_chunks=0, probability=0.1, seed=15)
    for fault in [*http_faults, drop]:
        minimax_server.inject(fault)
    llm = make_chat(max_retries=8)
    template = echo_template()

    async def call(n: int) -> None:
        message = await llm.ainvoke(echo(n))
        assert message.content == template.format(n)
        assert message.response_metadata["finish_reason"] == "stop"

    async def stream(n: int) -> None:
        chunks = [chunk async for chunk in llm.astream(echo(n))]
        whole = merged(chunks)
        assert whole.content == template.format(n)
        assert "".join(str(c.content) for c in chunks) == whole.content
        assert whole.response_metadata["finish_reason"] == "stop"

    await asyncio.gather(*[call(n) for n in range(500)], *[stream(n) for n in range(500, 550)])
    expected = predicted_requests(http_faults, drop, calls=500, streams=50)
    assert len(minimax_server.requests) == expected
    assert len(sleeps.delays) == expected - 550  # one wait per failure: nothing retried twice
    prompts = [r.body["messages"][0]["content"] for r in minimax_server.requests]
    assert set(prompts) == {echo(n) for n in range(550)}
    await (await llm._async_client()).close()
    await asettle(minimax_server, open_before)


# --- bad input -----------------------------------------------------------------------------------


class Unserialisable(BaseModel):
    """Look a city up."""

    # A date among the examples: the schema holds an object that JSON cannot carry.
    city: str = Field(
        json_schema_extra=lambda s: s.update({"examples": [datetime.date(2024, 1, 1)]})  # type: ignore[list-item]
    )


IMAGE = {"type": "image", "url": "https://example.com/cat.png"}
VIDEO = {"type": "video", "url": "https://example.com/clip.mp4"}
ASKED = AIMessage("", tool_calls=[{"name": "add", "args": {"a": 2, "b": 2}, "id": "call_1"}])

# (id, how to build the model, input, call keywords, error class, what the message names)
BAD_INPUT: list[tuple[str, dict[str, Any], Any, dict[str, Any], type[Exception], str]] = [
    ("missing-key", {"api_key": None}, "Hi", {}, MiniMaxAuthenticationError, "MINIMAX_API_KEY"),
    ("empty-key", {"api_key": ""}, "Hi", {}, MiniMaxAuthenticationError, "MINIMAX_API_KEY"),
    (
        "base-url-without-scheme",
        {"base_url": "api.minimax.io/v1"},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "base_url 'api.minimax.io/v1' must be an http",
    ),
    (
        "base-url-ftp",
        {"base_url": "ftp://api.minimax.io/v1"},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "must be an http",
    ),
    (
        "base-url-without-host",
        {"base_url": "http://"},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "base_url",
    ),
    (
        "unknown-region",
        {"base_url": None, "region": "mars"},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "region 'mars'",
    ),
    ("n-per-call", {}, "Hi", {"n": 2}, MiniMaxRequestValidationError, "n must be 1"),
    (
        "n-in-model-kwargs",
        {"model_kwargs": {"n": 3}},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "n=3",
    ),
    (
        "temperature-high",
        {"temperature": 2.5},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "temperature must be a number from 0.0 to 2.0, got 2.5",
    ),
    (
        "temperature-per-call",
        {},
        "Hi",
        {"temperature": -0.1},
        MiniMaxRequestValidationError,
        "temperature",
    ),
    (
        "top-p-high",
        {"top_p": 1.5},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "top_p must be a number from 0.0 to 1.0, got 1.5",
    ),
    ("top-p-per-call", {}, "Hi", {"top_p": -0.2}, MiniMaxRequestValidationError, "top_p"),
    (
        "max-tokens-zero",
        {"max_tokens": 0},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "max_tokens must be from 1",
    ),
    (
        "negative-max-retries",
        {"max_retries": -1},
        "Hi",
        {},
        MiniMaxRequestValidationError,
        "max_retries",
    ),
    (
        "image-to-text-model",
        {},
        [HumanMessage(content=[{"type": "text", "text": "What is this?"}, IMAGE])],
        {},
        MiniMaxRequestValidationError,
        r"messages\[0\] has an image, but MiniMax-M2.7 takes text only",
    ),
    (
        "video-to-text-model",
        {},
        [HumanMessage(content=[{"type": "text", "text": "What happens?"}, VIDEO])],
        {},
        MiniMaxRequestValidationError,
        r"messages\[0\] has a video, but MiniMax-M2.7 takes text only",
    ),
    (
        "unknown-tool-call-id",
        {},
        [HumanMessage("What is 2 + 2?"), ASKED, ToolMessage("4", tool_call_id="call_2")],
        {},
        MiniMaxRequestValidationError,
        r"messages\[2\] is a tool result for call id 'call_2'",
    ),
    (
        "tool-result-without-call",
        {},
        [HumanMessage("What is 2 + 2?"), ToolMessage("4", tool_call_id="call_9")],
        {},
        MiniMaxRequestValidationError,
        "no earlier assistant message made that call",
    ),
    ("empty-messages", {}, [], {}, MiniMaxRequestValidationError, "messages is empty"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("options", "prompt", "kwargs", "cls", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_INPUT],
)
async def test_bad_input_is_refused_before_the_network(
    make_chat: MakeChat,
    minimax_server: MiniMaxServer,
    options: dict[str, Any],
    prompt: Any,
    kwargs: dict[str, Any],
    cls: type[Exception],
    match: str,
    mode: str,
) -> None:
    with pytest.raises(cls, match=match) as info:
        await run(make_chat(**options), mode, prompt, **kwargs)
    assert type(info.value) is cls
    if cls is MiniMaxRequestValidationError:
        assert isinstance(info.value, ValueError) and isinstance(
            info.value, ModelInvalidRequestError
        )
    assert len(minimax_server.requests) == 0
    assert minimax_server.connections_opened == 0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "tools",
    [
        pytest.param([Unserialisable], id="pydantic-schema"),
        pytest.param(
            [
                {
                    "type": "function",
                    "function": {
                        "name": "lookup",
                        "description": "Look a city up.",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"default": {1, 2}}},
                        },
                    },
                }
            ],
            id="dict-schema",
        ),
    ],
)
async def test_tool_schemas_that_are_not_json_are_refused_before_the_network(
    make_chat: MakeChat, minimax_server: MiniMaxServer, tools: list[Any], mode: str
) -> None:
    llm = make_chat().bind_tools(tools)
    with pytest.raises(
        MiniMaxRequestValidationError, match=r"tools\[0\] \('\w+'\) is not JSON-serialisable"
    ):
        await run(llm, mode, "Look up Paris")
    assert len(minimax_server.requests) == 0 and minimax_server.connections_opened == 0


def test_bad_settings_are_refused_when_made(
    make_chat: MakeChat, minimax_server: MiniMaxServer
) -> None:
    """What is wrong on its face is refused at construction or binding, naming the setting."""
    with pytest.raises(ValueError, match="thinking must be"):
        make_chat(thinking="sometimes")
    with pytest.raises(MiniMaxRequestValidationError, match="tool_choice 'nope' is not one of"):
        make_chat().bind_tools([get_weather], tool_choice="nope")
    assert len(minimax_server.requests) == 0
