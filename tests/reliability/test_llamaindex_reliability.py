"""LlamaIndex's `MiniMax` against the local server's faults, over real HTTP on 127.0.0.1.

The LlamaIndex twin of `test_langchain_reliability.py`: every fault is met through `chat`,
`achat`, `stream_chat` and `astream_chat` (streams also through `stream_complete` and
`astream_complete`), and each test counts what the server saw. A retried call returns exactly
the fault-free answer after exactly the promised number of requests and backoff waits; a final
failure is sent once and raises the `minimax_core` error with MiniMax's code and message; a
broken stream raises, is never retried once tokens were delivered, and yields no final response;
no connection is left open. Bad input is refused before any TCP connection is made.
"""

from __future__ import annotations

import asyncio
import datetime
import gc
import time
import warnings
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, Field, ValidationError

import minimax_core as mm
from llamaindex_minimax import MiniMax
from minimax_server import Fault, MiniMaxServer

from ._support import (
    BROKEN,
    EXHAUSTED,
    FINAL,
    FINAL_HTTP,
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

MakeLLM = Callable[..., MiniMax]
Response = ChatResponse | CompletionResponse

MODES = ["chat", "achat", "stream_chat", "astream_chat"]
STREAM_MODES = ["stream_chat", "astream_chat", "stream_complete", "astream_complete"]


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
async def make_llm(minimax_server: MiniMaxServer) -> AsyncIterator[MakeLLM]:
    """`MiniMax` instances on the test server (each with pools of its own), closed afterwards."""
    made: list[MiniMax] = []

    def make(**settings: Any) -> MiniMax:
        options: dict[str, Any] = {
            "model": MODEL,
            "base_url": minimax_server.base_url,
            "api_key": minimax_server.api_key,
            "max_retries": 2,
        }
        options.update(settings)
        made.append(MiniMax(**options))
        return made[-1]

    yield make
    for llm in made:
        await llm.aclose()


def as_messages(prompt: str | list[ChatMessage]) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=prompt)] if isinstance(prompt, str) else prompt


async def run(
    llm: MiniMax,
    mode: str,
    prompt: str | list[ChatMessage],
    received: list[Response] | None = None,
    **kwargs: Any,
) -> Response:
    """Call `llm` in `mode`; streamed responses land in `received` as they arrive, and the last
    one is returned."""
    received = [] if received is None else received
    response: Response
    if mode == "chat":
        response = llm.chat(as_messages(prompt), **kwargs)
        return response
    if mode == "achat":
        response = await llm.achat(as_messages(prompt), **kwargs)
        return response
    if mode == "stream_chat":
        received.extend(llm.stream_chat(as_messages(prompt), **kwargs))
    elif mode == "astream_chat":
        async for response in await llm.astream_chat(as_messages(prompt), **kwargs):
            received.append(response)
    elif mode == "stream_complete":
        assert isinstance(prompt, str)
        received.extend(llm.stream_complete(prompt, **kwargs))
    elif mode == "astream_complete":
        assert isinstance(prompt, str)
        async for response in await llm.astream_complete(prompt, **kwargs):
            received.append(response)
    else:
        raise AssertionError(mode)
    return received[-1]


def text_of(response: Response) -> str:
    if isinstance(response, ChatResponse):
        return response.message.content or ""
    return response.text


def reasoning_of(response: ChatResponse) -> str:
    return "".join(
        block.content or "" for block in response.message.blocks if isinstance(block, ThinkingBlock)
    )


def streamed(received: list[Response]) -> tuple[str, str]:
    """`(reasoning, text)` as the deltas delivered it."""
    reasoning = "".join(r.additional_kwargs.get("thinking_delta", "") for r in received)
    return reasoning, "".join(r.delta or "" for r in received)


def assert_answer(response: Response, prompt: str, received: list[Response] | None = None) -> None:
    """The complete fault-free answer, once: no text lost, none repeated."""
    reasoning, text = reference(prompt)
    assert text_of(response) == text
    assert isinstance(response.raw, dict) and response.raw["finish_reason"] == "stop"
    if isinstance(response, ChatResponse):
        assert reasoning_of(response) == reasoning
    if received:
        assert streamed(received) == (reasoning, text)


def assert_same_requests(server: MiniMaxServer) -> None:
    bodies = [r.body for r in server.requests]
    assert all(body == bodies[0] for body in bodies)


def assert_partial_prefix(received: list[Response], prompt: str, *, text: bool) -> None:
    """What arrived before the break is a prefix of the answer, with nothing repeated, and no
    response pretends to finish it."""
    reasoning, answer = reference(prompt)
    got_reasoning, got_text = streamed(received)
    assert received, "the fault was meant to strike after some tokens"
    assert reasoning.startswith(got_reasoning) and answer.startswith(got_text)
    assert (got_reasoning, got_text) != (reasoning, answer)
    assert bool(got_text) is text
    assert all(r.raw is None for r in received)  # only the final response carries `raw`


# --- retryable faults ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("fault", "retry_after"), RETRYABLE)
async def test_retryable_faults_are_survived(
    make_llm: MakeLLM,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    fault: Fault,
    retry_after: float | None,
    mode: str,
) -> None:
    minimax_server.inject(fault)
    prompt = echo(17)
    received: list[Response] = []
    assert_answer(await run(make_llm(), mode, prompt, received), prompt, received)
    assert len(minimax_server.requests) == 3  # two failures, then the answer (max_retries=2)
    assert_same_requests(minimax_server)
    assert_backoff(sleeps.delays, 2, retry_after)


@pytest.mark.parametrize("mode", STREAM_MODES)
@pytest.mark.parametrize("fault", PRE_TOKEN)
async def test_stream_failures_before_any_token_are_retried(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, sleeps: Sleeps, fault: Fault, mode: str
) -> None:
    prompt = echo(23)
    minimax_server.inject(fault)
    received: list[Response] = []
    assert_answer(await run(make_llm(), mode, prompt, received), prompt, received)
    assert len(minimax_server.requests) == 3
    assert_same_requests(minimax_server)
    assert_backoff(sleeps.delays, 2)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("fault", "max_retries", "cls", "code"), EXHAUSTED)
async def test_retries_stop_where_the_policy_says(
    make_llm: MakeLLM,
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
        await run(make_llm(max_retries=max_retries), mode, echo(31))
    assert type(info.value) is cls and info.value.code == code and info.value.retryable
    assert len(minimax_server.requests) == max_retries + 1
    assert_backoff(sleeps.delays, max_retries)


@pytest.mark.parametrize("mode", ["chat", "achat"])
async def test_retry_after_is_honoured(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, sleeps: Sleeps, mode: str
) -> None:
    """The server's delay is what is waited, in seconds or milliseconds; an absurd one is not."""
    llm = make_llm(max_retries=2)
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
    make_llm: MakeLLM, minimax_server: MiniMaxServer, sleeps: Sleeps
) -> None:
    sleeps.real = True
    minimax_server.inject(Fault(kind="http_status", status=429, retry_after=0.3, count=1))
    started = time.monotonic()
    assert_answer(await make_llm().acomplete(echo(41)), echo(41))
    assert time.monotonic() - started >= 0.3
    assert sleeps.delays == [0.3]


# --- final failures --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("code", "cls", "message"), FINAL, ids=[str(f[0]) for f in FINAL])
async def test_final_base_resp_codes_are_sent_once(
    make_llm: MakeLLM,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    code: int,
    cls: type[mm.APIStatusError],
    message: str,
    mode: str,
) -> None:
    minimax_server.inject(Fault(kind="base_resp", code=code, message=message))
    with pytest.raises(cls) as info:
        await run(make_llm(), mode, echo(43))
    error = info.value
    assert type(error) is cls
    assert (error.code, error.message, error.status_code) == (code, message, 200)
    assert f"MiniMax code {code}" in str(error) and message in str(error)
    assert not error.retryable
    assert minimax_server.api_key not in str(error)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "cls", "code"), FINAL_HTTP, ids=[str(f[0]) for f in FINAL_HTTP])
async def test_final_http_statuses_are_sent_once(
    make_llm: MakeLLM,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    status: int,
    cls: type[mm.APIStatusError],
    code: int,
    mode: str,
) -> None:
    minimax_server.inject(Fault(kind="http_status", status=status, message="refused for the test"))
    with pytest.raises(cls) as info:
        await run(make_llm(), mode, echo(47))
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
    make_llm: MakeLLM,
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
    llm = make_llm()
    received: list[Response] = []
    with pytest.raises(cls) as info:
        await run(llm, mode, prompt, received)
    assert type(info.value) is cls
    if cls is mm.StreamError:
        assert "discarded" in str(info.value)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    assert_partial_prefix(received, prompt, text=text)
    await asettle(minimax_server, open_before + 1)
    # The pool is not poisoned: the same LLM answers the next call in full.
    again: list[Response] = []
    assert_answer(await run(llm, mode, echo(59), again), echo(59), again)
    await asettle(minimax_server, open_before + 1)


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_eof_before_finish_raises(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, sleeps: Sleeps, open_before: int, mode: str
) -> None:
    """Every token arrived but no finish_reason: the answer may be cut, so it is not returned."""
    prompt = echo(61)
    minimax_server.inject(Fault(kind="eof_before_finish"))
    received: list[Response] = []
    with pytest.raises(mm.StreamError, match="finish"):
        await run(make_llm(), mode, prompt, received)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    assert all(r.raw is None for r in received)
    assert streamed(received) == reference(prompt)
    await asettle(minimax_server, open_before + 1)


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_a_stall_past_the_idle_timeout_raises(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, sleeps: Sleeps, open_before: int, mode: str
) -> None:
    """The hung connection is closed, not leaked: the server keeps it open until the client
    hangs up."""
    prompt = echo(67)
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    llm = make_llm(timeout=0.3)
    received: list[Response] = []
    started = time.monotonic()
    with pytest.raises(mm.APITimeoutError, match="idle timeout"):
        await run(llm, mode, prompt, received)
    assert time.monotonic() - started < 2.5
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    assert_partial_prefix(received, prompt, text=False)
    await asettle(minimax_server, open_before)


@pytest.mark.parametrize("mode", ["stream_chat", "astream_chat"])
async def test_timeout_bounds_a_stalled_stream(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, mode: str
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, seconds=0.8))
    with pytest.raises(mm.APITimeoutError):
        await run(make_llm(timeout=0.3), mode, echo(67))


@pytest.mark.parametrize("mode", ["stream_chat", "astream_chat"])
async def test_a_stall_shorter_than_the_idle_timeout_is_waited_out(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, sleeps: Sleeps, mode: str
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=4, seconds=0.3))
    llm = make_llm(timeout=3)
    received: list[Response] = []
    assert_answer(await run(llm, mode, echo(71), received), echo(71), received)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []


@pytest.mark.parametrize("mode", STREAM_MODES)
@pytest.mark.parametrize("kind", ["no_done", "final_message_chunk", "usage_chunk"])
async def test_stream_shapes_give_the_answer_once(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, kind: str, mode: str
) -> None:
    """A missing `[DONE]`, a trailing chunk repeating the whole message, an unasked usage chunk:
    the answer comes out whole, once, with its usage on the final response."""
    prompt = echo(73)
    minimax_server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    received: list[Response] = []
    response = await run(make_llm(), mode, prompt, received)
    assert_answer(response, prompt, received)
    assert response.additional_kwargs["completion_tokens"] > 0
    assert [r.raw is not None for r in received] == [False] * (len(received) - 1) + [True]
    assert len(minimax_server.requests) == 1


def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"Sunny in {city}"


def get_time(city: str) -> str:
    """Get the local time in a city."""
    return f"Noon in {city}"


TOOLS = [FunctionTool.from_defaults(fn=get_weather), FunctionTool.from_defaults(fn=get_time)]


@pytest.mark.parametrize("mode", ["stream_chat", "astream_chat"])
@pytest.mark.parametrize("kind", ["reused_index_new_id", "fragmented_tool_args", "whole_tool_args"])
async def test_streamed_tool_calls_are_neither_lost_nor_merged(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, kind: str, mode: str
) -> None:
    """Parallel calls that all arrive at index 0, or with arguments in many or one piece, come
    out as the same calls a non-streamed answer holds."""
    llm = make_llm()
    prompt = "Use get_weather for Paris and get_time for Tokyo at the same time"
    options: dict[str, Any] = {"user_msg": prompt, "allow_parallel_tool_calls": True}
    expected = llm.get_tool_calls_from_response(await llm.achat_with_tools(TOOLS, **options))
    minimax_server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    if mode == "stream_chat":
        responses = list(llm.stream_chat_with_tools(TOOLS, **options))
    else:
        responses = [r async for r in await llm.astream_chat_with_tools(TOOLS, **options)]
    calls = llm.get_tool_calls_from_response(responses[-1])
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [
        (c.tool_name, c.tool_kwargs) for c in expected
    ]
    assert [c.tool_name for c in calls] == ["get_weather", "get_time"]
    assert len({c.tool_id for c in calls}) == 2


# --- abandoning a stream -------------------------------------------------------------------------


def test_breaking_out_of_a_stream_closes_its_connection(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, open_before: int
) -> None:
    """The server would hold a hung stream forever: only the client hanging up frees it."""
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    llm = make_llm()
    for _ in llm.stream_chat(as_messages(echo(79))):
        break
    settle(minimax_server, open_before)
    received: list[Response] = list(llm.stream_complete(echo(83)))
    assert_answer(received[-1], echo(83), received)


async def test_breaking_out_of_an_async_stream_closes_its_connection(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, open_before: int
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    llm = make_llm()
    async for _ in await llm.astream_chat(as_messages(echo(89))):
        break
    await asettle(minimax_server, open_before)
    assert_answer(await llm.achat(as_messages(echo(97))), echo(97))


@pytest.mark.parametrize("mode", ["astream_chat", "astream_complete"])
async def test_cancelling_a_streaming_task_closes_its_connection(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, open_before: int, mode: str
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    received: list[Response] = []
    task = asyncio.create_task(run(make_llm(), mode, echo(101), received))
    deadline = time.monotonic() + 3
    while not received and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert received and not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asettle(minimax_server, open_before)
    assert len(minimax_server.requests) == 1


def test_asyncio_run_closes_the_loops_connections(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, open_before: int
) -> None:
    llm = make_llm()
    try:
        for n in range(3):
            response = asyncio.run(llm.achat(as_messages(echo(n))))
            assert response.message.content == echo_template().format(n)
        settle(minimax_server, open_before, timeout=1.0)
    finally:
        # Collect what the loops left behind now, quietly, rather than in a later test.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()


# --- load ----------------------------------------------------------------------------------------


async def test_load_with_faults_nothing_lost_or_duplicated(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, sleeps: Sleeps, open_before: int
) -> None:
    """500 `achat`s and 50 `astream_chat`s at once through one LLM, about 10% of requests
    failing (429 with Retry-After, 503, 529, base_resp 1002) and 10% of streams dropped before
    their first token. Every call gets its own answer, whole and once, and the server sees
    exactly one successful request per call plus one retry per injected fault."""
    http_faults = [
        Fault(kind="http_status", status=429, retry_after=0.01, probability=0.03, seed=21),
        Fault(kind="http_status", status=503, probability=0.03, seed=22),
        Fault(kind="http_status", status=529, probability=0.02, seed=23),
        Fault(kind="base_resp", code=1002, probability=0.02, seed=24),
    ]
    drop = Fault(kind="drop_mid_stream", after_chunks=0, probability=0.1, seed=25)
    for fault in [*http_faults, drop]:
        minimax_server.inject(fault)
    llm = make_llm(max_retries=8)
    template = echo_template()

    async def call(n: int) -> None:
        response = await llm.achat(as_messages(echo(n)))
        assert response.message.content == template.format(n)
        assert response.raw is not None and response.raw["finish_reason"] == "stop"

    async def stream(n: int) -> None:
        responses = [r async for r in await llm.astream_chat(as_messages(echo(n)))]
        assert responses[-1].message.content == template.format(n)
        assert "".join(r.delta or "" for r in responses) == template.format(n)
        assert responses[-1].raw is not None and responses[-1].raw["finish_reason"] == "stop"

    await asyncio.gather(*[call(n) for n in range(500)], *[stream(n) for n in range(500, 550)])
    expected = predicted_requests(http_faults, drop, calls=500, streams=50)
    assert len(minimax_server.requests) == expected
    assert len(sleeps.delays) == expected - 550  # one wait per failure: nothing retried twice
    prompts = [r.body["messages"][0]["content"] for r in minimax_server.requests]
    assert set(prompts) == {echo(n) for n in range(550)}
    await llm.aclose()
    await asettle(minimax_server, open_before)


# --- bad input -----------------------------------------------------------------------------------


class Unserialisable(BaseModel):
    """Look a city up."""

    # A date among the examples: the schema holds an object that JSON cannot carry.
    city: str = Field(
        json_schema_extra=lambda s: s.update({"examples": [datetime.date(2024, 1, 1)]})  # type: ignore[list-item]
    )


def lookup(city: str) -> str:
    """Look a city up."""
    return city


UNSERIALISABLE_TOOL = FunctionTool.from_defaults(fn=lookup, fn_schema=Unserialisable)
DICT_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look a city up.",
        "parameters": {"type": "object", "properties": {"city": {"default": {1, 2}}}},
    },
}


def user(*blocks: Any) -> ChatMessage:
    return ChatMessage(role="user", blocks=list(blocks))


ASKED = ChatMessage(
    role="assistant",
    blocks=[ToolCallBlock(tool_call_id="call_1", tool_name="add", tool_kwargs={"a": 2, "b": 2})],
)


def tool_result(call_id: str | None) -> ChatMessage:
    extra = {"tool_call_id": call_id} if call_id else {}
    return ChatMessage(role="tool", content="4", additional_kwargs=extra)


# (id, settings, input, call keywords, error class, what the message names)
BAD_INPUT: list[tuple[str, dict[str, Any], Any, dict[str, Any], type[Exception], str]] = [
    ("missing-key", {"api_key": None}, "Hi", {}, mm.AuthenticationError, "MINIMAX_API_KEY"),
    ("empty-key", {"api_key": ""}, "Hi", {}, mm.AuthenticationError, "MINIMAX_API_KEY"),
    (
        "base-url-without-scheme",
        {"base_url": "api.minimax.io/v1"},
        "Hi",
        {},
        mm.RequestValidationError,
        "base_url 'api.minimax.io/v1' must be an http",
    ),
    (
        "base-url-ftp",
        {"base_url": "ftp://api.minimax.io/v1"},
        "Hi",
        {},
        mm.RequestValidationError,
        "must be an http",
    ),
    (
        "base-url-without-host",
        {"base_url": "http://"},
        "Hi",
        {},
        mm.RequestValidationError,
        "base_url",
    ),
    (
        "unknown-region",
        {"base_url": None, "region": "mars"},
        "Hi",
        {},
        mm.RequestValidationError,
        "region 'mars'",
    ),
    ("n-per-call", {}, "Hi", {"n": 2}, mm.RequestValidationError, "n must be 1"),
    (
        "n-in-additional-kwargs",
        {"additional_kwargs": {"n": 3}},
        "Hi",
        {},
        mm.RequestValidationError,
        "n=3",
    ),
    (
        "temperature-high",
        {"temperature": 2.5},
        "Hi",
        {},
        mm.RequestValidationError,
        "temperature must be a number from 0.0 to 2.0, got 2.5",
    ),
    (
        "temperature-per-call",
        {},
        "Hi",
        {"temperature": -0.1},
        mm.RequestValidationError,
        "temperature",
    ),
    (
        "top-p-high",
        {"top_p": 1.5},
        "Hi",
        {},
        mm.RequestValidationError,
        "top_p must be a number from 0.0 to 1.0, got 1.5",
    ),
    ("top-p-per-call", {}, "Hi", {"top_p": -0.2}, mm.RequestValidationError, "top_p"),
    (
        "max-tokens-zero",
        {"max_tokens": 0},
        "Hi",
        {},
        mm.RequestValidationError,
        "max_tokens must be from 1",
    ),
    (
        "image-to-text-model",
        {},
        [user(TextBlock(text="What is this?"), ImageBlock(url="https://example.com/cat.png"))],
        {},
        mm.RequestValidationError,
        r"messages\[0\] has an image, but MiniMax-M2.7 takes text only",
    ),
    (
        "video-to-text-model",
        {},
        [user(TextBlock(text="What happens?"), VideoBlock(url="https://example.com/clip.mp4"))],
        {},
        mm.RequestValidationError,
        r"messages\[0\] has a video, but MiniMax-M2.7 takes text only",
    ),
    (
        "tool-schema-not-json",
        {},
        "Look up Paris",
        {"tools": [DICT_TOOL]},
        mm.RequestValidationError,
        r"tools\[0\] \('lookup'\) is not JSON-serialisable",
    ),
    (
        "unknown-tool-call-id",
        {},
        [ChatMessage(role="user", content="What is 2 + 2?"), ASKED, tool_result("call_2")],
        {},
        mm.RequestValidationError,
        r"messages\[2\] is a tool result for call id 'call_2'",
    ),
    (
        "tool-result-without-call",
        {},
        [ChatMessage(role="user", content="What is 2 + 2?"), tool_result("call_9")],
        {},
        mm.RequestValidationError,
        "no earlier assistant message made that call",
    ),
    (
        "tool-result-without-id",
        {},
        [ChatMessage(role="user", content="What is 2 + 2?"), ASKED, tool_result(None)],
        {},
        mm.RequestValidationError,
        r"messages\[2\] is a tool result without additional_kwargs\['tool_call_id'\]",
    ),
    ("empty-messages", {}, [], {}, mm.RequestValidationError, "messages is empty"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("settings", "prompt", "kwargs", "cls", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_INPUT],
)
async def test_bad_input_is_refused_before_the_network(
    make_llm: MakeLLM,
    minimax_server: MiniMaxServer,
    settings: dict[str, Any],
    prompt: Any,
    kwargs: dict[str, Any],
    cls: type[Exception],
    match: str,
    mode: str,
) -> None:
    with pytest.raises(cls, match=match) as info:
        await run(make_llm(**settings), mode, prompt, **kwargs)
    assert type(info.value) is cls
    if cls is mm.RequestValidationError:
        assert isinstance(info.value, ValueError)
    assert len(minimax_server.requests) == 0
    assert minimax_server.connections_opened == 0


@pytest.mark.parametrize(
    "mode",
    ["chat_with_tools", "achat_with_tools", "stream_chat_with_tools", "astream_chat_with_tools"],
)
async def test_tool_schemas_that_are_not_json_are_refused_before_the_network(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, mode: str
) -> None:
    llm = make_llm()
    with pytest.raises(
        mm.RequestValidationError, match=r"tools\[0\] \('lookup'\) is not JSON-serialisable"
    ):
        result = getattr(llm, mode)([UNSERIALISABLE_TOOL], user_msg="Look up Paris")
        if asyncio.iscoroutine(result):
            result = await result
        if hasattr(result, "__aiter__"):
            [r async for r in result]
        elif hasattr(result, "__next__"):
            list(result)
    assert len(minimax_server.requests) == 0 and minimax_server.connections_opened == 0


def test_bad_settings_are_refused_when_made(minimax_server: MiniMaxServer) -> None:
    with pytest.raises(ValidationError, match="max_retries"):
        MiniMax(base_url=minimax_server.base_url, api_key="k", max_retries=-1)
    assert len(minimax_server.requests) == 0
