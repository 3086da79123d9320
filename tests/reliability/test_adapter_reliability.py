"""Both adapters against the local server's faults, over real HTTP on 127.0.0.1.

One suite, run over a driver per adapter (`_drivers.py`): `ChatMiniMax` through `invoke`,
`ainvoke`, `stream`, `astream` (and `invoke` on a `streaming=True` model); LlamaIndex's
`MiniMax` through `chat`, `achat`, `stream_chat`, `astream_chat` (and the `*_complete` streams).
Each test counts what the server saw. A retried call returns exactly the fault-free answer
after exactly the promised number of requests and backoff waits; a final failure is sent once
and raises the adapter's class for the core error (exactly), with MiniMax's code and message; a
broken stream raises, is never retried once tokens were delivered, and returns nothing partial
as complete; no connection is left open. Bad input is refused before any TCP connection is made.

The client's pauses between retries are recorded instead of slept (`recorded_sleeps`, over the
client's one seam for them), so every test also checks the delays against the retry policy at
no cost in wall time.
"""

from __future__ import annotations

import asyncio
import gc
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

import minimax_core as mm
from minimax_server import Fault, MiniMaxServer

from ._drivers import DRIVERS, IMAGE_URL, VIDEO_URL, BadInput, Driver, each_driver, over
from ._support import (
    BROKEN,
    EXHAUSTED,
    FINAL,
    FINAL_HTTP,
    PRE_TOKEN,
    RETRYABLE,
    Sleeps,
    asettle,
    assert_backoff,
    echo,
    echo_template,
    predicted_requests,
    recorded_sleeps,
    reference,
    settle,
)

Make = Callable[..., Any]


@pytest.fixture(autouse=True)
def sleeps() -> Iterator[Sleeps]:
    with recorded_sleeps() as recorded:
        yield recorded


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
async def make(minimax_server: MiniMaxServer) -> AsyncIterator[Make]:
    """`make(driver, mode=None, **settings)`: a model on the test server, closed afterwards."""
    made: list[tuple[Driver, Any]] = []

    def build(driver: Driver, mode: str | None = None, **settings: Any) -> Any:
        made.append((driver, driver.make(minimax_server, mode, **settings)))
        return made[-1][1]

    yield build
    for driver, model in made:
        await driver.aclose(model)


def assert_answer(
    driver: Driver, response: Any, prompt: str, received: list[Any] | None = None
) -> None:
    """The complete fault-free answer, once: no text lost, none repeated."""
    reasoning, text = reference(prompt)
    assert driver.text(response) == text
    assert driver.finish_reason(response) == "stop"
    if driver.reasoning(response) is not None:
        assert driver.reasoning(response) == reasoning
    if received:
        assert driver.streamed(received) == (reasoning, text)


def assert_same_requests(server: MiniMaxServer) -> None:
    """A retry resends the request unchanged."""
    bodies = [r.body for r in server.requests]
    assert all(body == bodies[0] for body in bodies)


def assert_partial_prefix(driver: Driver, received: list[Any], prompt: str, *, text: bool) -> None:
    """What arrived before the break is a prefix of the answer, with nothing repeated, and no
    piece pretends to finish it."""
    reasoning, answer = reference(prompt)
    assert received, "the fault was meant to strike after some tokens"
    got_reasoning, got_text = driver.streamed(received)
    assert reasoning.startswith(got_reasoning) and answer.startswith(got_text)
    assert (got_reasoning, got_text) != (reasoning, answer)
    assert bool(got_text) is text
    driver.assert_unfinished(received)


# --- retryable faults ------------------------------------------------------------------------


@pytest.mark.parametrize(("driver", "mode"), over("modes"))
@pytest.mark.parametrize(("fault", "retry_after"), RETRYABLE)
async def test_retryable_faults_are_survived(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    fault: Fault,
    retry_after: float | None,
    driver: Driver,
    mode: str,
) -> None:
    minimax_server.inject(fault)
    prompt = echo(17)
    received: list[Any] = []
    response = await driver.run(make(driver, mode), mode, prompt, received)
    assert_answer(driver, response, prompt, received)
    assert len(minimax_server.requests) == 3  # two failures, then the answer (max_retries=2)
    assert_same_requests(minimax_server)
    assert_backoff(sleeps.delays, 2, retry_after)


@pytest.mark.parametrize(("driver", "mode"), over("stream_modes"))
@pytest.mark.parametrize("fault", PRE_TOKEN)
async def test_stream_failures_before_any_token_are_retried(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    fault: Fault,
    driver: Driver,
    mode: str,
) -> None:
    prompt = echo(23)
    minimax_server.inject(fault)
    received: list[Any] = []
    response = await driver.run(make(driver, mode), mode, prompt, received)
    assert_answer(driver, response, prompt, received)
    assert len(minimax_server.requests) == 3
    assert_same_requests(minimax_server)
    assert_backoff(sleeps.delays, 2)


@pytest.mark.parametrize(("driver", "mode"), over("plain_stream_modes"))
async def test_a_stall_before_any_token_is_retried(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    open_before: int,
    driver: Driver,
    mode: str,
) -> None:
    prompt = echo(29)
    minimax_server.inject(Fault(kind="stall", after_chunks=0, hang=True))
    received: list[Any] = []
    response = await driver.run(make(driver, mode, timeout=0.3), mode, prompt, received)
    assert_answer(driver, response, prompt, received)
    assert len(minimax_server.requests) == 2
    assert_backoff(sleeps.delays, 1)
    await asettle(minimax_server, open_before + 1)  # the stalled connection was closed


@pytest.mark.parametrize(("driver", "mode"), over("modes"))
@pytest.mark.parametrize(("fault", "max_retries", "cls", "code"), EXHAUSTED)
async def test_retries_stop_where_the_policy_says(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    fault: Fault,
    max_retries: int,
    cls: type[mm.APIStatusError],
    code: int,
    driver: Driver,
    mode: str,
) -> None:
    minimax_server.inject(fault)
    with pytest.raises(cls) as info:
        await driver.run(make(driver, mode, max_retries=max_retries), mode, echo(31))
    error = info.value
    driver.assert_error(error, cls)
    assert error.code == code and error.retryable
    if driver.error(cls) is not cls:  # re-raised as the adapter's twin, from the core error
        assert type(error.__cause__) is cls
    assert len(minimax_server.requests) == max_retries + 1
    assert_backoff(sleeps.delays, max_retries)


@pytest.mark.parametrize(("driver", "mode"), over("invoke_modes"))
async def test_retry_after_is_honoured(
    make: Make, minimax_server: MiniMaxServer, sleeps: Sleeps, driver: Driver, mode: str
) -> None:
    """The server's delay is what is waited, in seconds or milliseconds; an absurd one is not."""
    model = make(driver, mode, max_retries=2)
    for fault, expected in [
        (Fault(kind="http_status", status=429, retry_after=1.25, count=2), [1.25, 1.25]),
        (Fault(kind="http_status", status=429, retry_after_ms=1500, count=2), [1.5, 1.5]),
        (Fault(kind="http_status", status=503, retry_after=3, count=1), [3.0]),
    ]:
        sleeps.delays.clear()
        minimax_server.inject(fault)
        assert_answer(driver, await driver.run(model, mode, echo(37)), echo(37))
        assert sleeps.delays == expected
    sleeps.delays.clear()
    minimax_server.inject(Fault(kind="http_status", status=429, retry_after=3600, count=2))
    await driver.run(model, mode, echo(37))
    assert_backoff(sleeps.delays, 2)  # over 60 s: ignored, plain backoff instead


@pytest.mark.parametrize(("driver", "mode"), over("real_wait_modes"))
async def test_retry_after_is_waited_out_for_real(
    make: Make, minimax_server: MiniMaxServer, sleeps: Sleeps, driver: Driver, mode: str
) -> None:
    sleeps.real = True
    minimax_server.inject(Fault(kind="http_status", status=429, retry_after=0.3, count=1))
    started = time.monotonic()
    assert_answer(driver, await driver.run(make(driver, mode), mode, echo(41)), echo(41))
    assert time.monotonic() - started >= 0.3
    assert sleeps.delays == [0.3]


# --- final failures --------------------------------------------------------------------------


@pytest.mark.parametrize(("driver", "mode"), over("modes"))
@pytest.mark.parametrize(("code", "cls", "message"), FINAL, ids=[str(f[0]) for f in FINAL])
async def test_final_base_resp_codes_are_sent_once(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    code: int,
    cls: type[mm.APIStatusError],
    message: str,
    driver: Driver,
    mode: str,
) -> None:
    minimax_server.inject(Fault(kind="base_resp", code=code, message=message))
    with pytest.raises(cls) as info:
        await driver.run(make(driver, mode), mode, echo(43))
    error = info.value
    driver.assert_error(error, cls)
    assert (error.code, error.message, error.status_code) == (code, message, 200)
    assert f"MiniMax code {code}" in str(error) and message in str(error)
    assert not error.retryable
    assert minimax_server.api_key not in str(error)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []


@pytest.mark.parametrize(("driver", "mode"), over("modes"))
@pytest.mark.parametrize(("status", "cls", "code"), FINAL_HTTP, ids=[str(f[0]) for f in FINAL_HTTP])
async def test_final_http_statuses_are_sent_once(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    status: int,
    cls: type[mm.APIStatusError],
    code: int,
    driver: Driver,
    mode: str,
) -> None:
    minimax_server.inject(Fault(kind="http_status", status=status, message="refused for the test"))
    with pytest.raises(cls) as info:
        await driver.run(make(driver, mode), mode, echo(47))
    error = info.value
    driver.assert_error(error, cls)
    assert (error.status_code, error.code) == (status, code)
    assert error.message == f"refused for the test ({code})"
    assert minimax_server.api_key not in str(error)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []


# --- broken streams ----------------------------------------------------------------------------


@pytest.mark.parametrize(("driver", "mode"), over("stream_modes"))
@pytest.mark.parametrize(("fault", "cls", "text"), BROKEN)
async def test_a_broken_stream_raises_and_is_not_retried(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    open_before: int,
    fault: Fault,
    cls: type[mm.MiniMaxError],
    text: bool,
    driver: Driver,
    mode: str,
) -> None:
    """Tokens were delivered, so a retry would repeat them: the break is raised instead (the
    fault strikes once, so a retry would have succeeded and hidden it)."""
    prompt = echo(53)
    minimax_server.inject(fault)
    model = make(driver, mode)
    received: list[Any] = []
    with pytest.raises(cls) as info:
        await driver.run(model, mode, prompt, received)
    driver.assert_error(info.value, cls)
    if cls is mm.StreamError:
        assert "discarded" in str(info.value)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    assert_partial_prefix(driver, received, prompt, text=text)
    await asettle(minimax_server, open_before + 1)
    # The pool is not poisoned: the same model answers the next call in full.
    again: list[Any] = []
    assert_answer(driver, await driver.run(model, mode, echo(59), again), echo(59), again)
    await asettle(minimax_server, open_before + 1)


@pytest.mark.parametrize(("driver", "mode"), over("stream_modes"))
async def test_eof_before_finish_raises(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    open_before: int,
    driver: Driver,
    mode: str,
) -> None:
    """Every token arrived but no finish_reason: the answer may be cut, so it is not returned."""
    prompt = echo(61)
    minimax_server.inject(Fault(kind="eof_before_finish"))
    received: list[Any] = []
    with pytest.raises(mm.StreamError, match="finish") as info:
        await driver.run(make(driver, mode), mode, prompt, received)
    driver.assert_error(info.value, mm.StreamError)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    driver.assert_unfinished(received)
    assert driver.streamed(received) == reference(prompt)
    await asettle(minimax_server, open_before + 1)


@pytest.mark.parametrize(("driver", "mode"), over("stream_modes"))
async def test_a_stall_past_the_idle_timeout_raises(
    make: Make,
    minimax_server: MiniMaxServer,
    sleeps: Sleeps,
    open_before: int,
    driver: Driver,
    mode: str,
) -> None:
    """`timeout` bounds the wait between chunks; the hung connection is closed, not leaked (the
    server keeps it open until the client hangs up)."""
    prompt = echo(67)
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    received: list[Any] = []
    started = time.monotonic()
    with pytest.raises(mm.APITimeoutError, match="idle timeout") as info:
        await driver.run(make(driver, mode, timeout=0.3), mode, prompt, received)
    # The stall never ends: the error proves the idle timeout fired. The bound, far below the
    # 120 s default and far above 0.3 s, shows it was this call's `timeout`, on any load.
    assert time.monotonic() - started < 30
    driver.assert_error(info.value, mm.APITimeoutError)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []
    assert_partial_prefix(driver, received, prompt, text=False)
    await asettle(minimax_server, open_before)


@pytest.mark.parametrize(("driver", "mode"), over("plain_stream_modes"))
async def test_timeout_bounds_a_stalled_stream(
    make: Make, minimax_server: MiniMaxServer, driver: Driver, mode: str
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, seconds=0.8))
    with pytest.raises(mm.APITimeoutError) as info:
        await driver.run(make(driver, mode, timeout=0.3), mode, echo(67))
    driver.assert_error(info.value, mm.APITimeoutError)


@pytest.mark.parametrize(("driver", "mode"), over("plain_stream_modes"))
async def test_a_stall_shorter_than_the_idle_timeout_is_waited_out(
    make: Make, minimax_server: MiniMaxServer, sleeps: Sleeps, driver: Driver, mode: str
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=4, seconds=0.3))
    received: list[Any] = []
    response = await driver.run(make(driver, mode, timeout=3), mode, echo(71), received)
    assert_answer(driver, response, echo(71), received)
    assert len(minimax_server.requests) == 1 and sleeps.delays == []


@pytest.mark.parametrize(("driver", "mode"), over("stream_modes"))
@pytest.mark.parametrize("kind", ["no_done", "final_message_chunk", "usage_chunk"])
async def test_stream_shapes_give_the_answer_once(
    make: Make, minimax_server: MiniMaxServer, kind: str, driver: Driver, mode: str
) -> None:
    """A missing `[DONE]`, a trailing chunk repeating the whole message, an unasked usage chunk:
    the answer comes out whole, once, with its usage counted once, on the final piece."""
    prompt = echo(73)
    minimax_server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    received: list[Any] = []
    response = await driver.run(make(driver, mode), mode, prompt, received)
    assert_answer(driver, response, prompt, received)
    driver.assert_usage_once(response, received)
    assert len(minimax_server.requests) == 1


@pytest.mark.parametrize(("driver", "mode"), over("tool_stream_modes"))
@pytest.mark.parametrize(
    "kind", ["reused_index_new_id", "late_tool_call_id", "fragmented_tool_args", "whole_tool_args"]
)
async def test_streamed_tool_calls_are_neither_lost_nor_merged(
    make: Make, minimax_server: MiniMaxServer, kind: str, driver: Driver, mode: str
) -> None:
    """Parallel calls that all arrive at index 0, or with arguments in many or one piece, come
    out as the same calls a non-streamed answer holds."""
    expected = await driver.tool_calls(make(driver), None)
    minimax_server.inject(Fault(kind=kind))  # type: ignore[arg-type]
    calls = await driver.tool_calls(make(driver, mode), mode)
    assert [(name, args) for name, args, _ in calls] == [(name, args) for name, args, _ in expected]
    assert [name for name, _, _ in calls] == ["get_weather", "get_time"]
    assert len({call_id for _, _, call_id in calls}) == 2


# --- abandoning a stream -------------------------------------------------------------------------


@pytest.mark.parametrize("driver", each_driver())
def test_breaking_out_of_a_stream_closes_its_connection(
    make: Make, minimax_server: MiniMaxServer, open_before: int, driver: Driver
) -> None:
    """The server would hold a hung stream forever: only the client hanging up frees it."""
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    model = make(driver)
    driver.break_out(model, echo(79))
    settle(minimax_server, open_before)
    mode = driver.after_break_modes[0]
    received: list[Any] = []
    response = asyncio.run(driver.run(model, mode, echo(83), received))
    assert_answer(driver, response, echo(83), received)


@pytest.mark.parametrize("driver", each_driver())
async def test_breaking_out_of_an_async_stream_closes_its_connection(
    make: Make, minimax_server: MiniMaxServer, open_before: int, driver: Driver
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    model = make(driver)
    await driver.abreak_out(model, echo(89))
    await asettle(minimax_server, open_before)
    mode = driver.after_break_modes[1]
    assert_answer(driver, await driver.run(model, mode, echo(97)), echo(97))


@pytest.mark.parametrize(("driver", "mode"), over("cancel_modes"))
async def test_cancelling_a_streaming_task_closes_its_connection(
    make: Make, minimax_server: MiniMaxServer, open_before: int, driver: Driver, mode: str
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    received: list[Any] = []
    task = asyncio.create_task(driver.run(make(driver, mode), mode, echo(101), received))
    deadline = time.monotonic() + 3
    while not received and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert received and not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asettle(minimax_server, open_before)
    assert len(minimax_server.requests) == 1


@pytest.mark.parametrize("driver", each_driver())
def test_asyncio_run_closes_the_loops_connections(
    make: Make, minimax_server: MiniMaxServer, open_before: int, driver: Driver
) -> None:
    model = make(driver)
    mode = driver.invoke_modes[1]
    try:
        for n in range(3):
            response = asyncio.run(driver.run(model, mode, echo(n)))
            assert driver.text(response) == echo_template().format(n)
        settle(minimax_server, open_before, timeout=1.0)
    finally:
        # Collect what the loops left behind now, quietly, rather than in a later test.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()


# --- load ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("driver", each_driver())
async def test_load_with_faults_nothing_lost_or_duplicated(
    make: Make, minimax_server: MiniMaxServer, sleeps: Sleeps, open_before: int, driver: Driver
) -> None:
    """500 plain async calls and 50 async streams at once through one model, about 10% of
    requests failing (429 with Retry-After, 503, 529, base_resp 1002) and 10% of streams
    dropped before their first token. Every call gets its own answer, whole and once, and the
    server sees exactly one successful request per call plus one retry per injected fault."""
    seed = driver.load_seed
    http_faults = [
        Fault(kind="http_status", status=429, retry_after=0.01, probability=0.03, seed=seed),
        Fault(kind="http_status", status=503, probability=0.03, seed=seed + 1),
        Fault(kind="http_status", status=529, probability=0.02, seed=seed + 2),
        Fault(kind="base_resp", code=1002, probability=0.02, seed=seed + 3),
    ]
    drop = Fault(kind="drop_mid_stream", after_chunks=0, probability=0.1, seed=seed + 4)
    for fault in [*http_faults, drop]:
        minimax_server.inject(fault)
    model = make(driver, max_retries=8)
    template = echo_template()
    call_mode, stream_mode = driver.invoke_modes[1], driver.plain_stream_modes[1]

    async def call(n: int) -> None:
        response = await driver.run(model, call_mode, echo(n))
        assert driver.text(response) == template.format(n)
        assert driver.finish_reason(response) == "stop"

    async def stream(n: int) -> None:
        received: list[Any] = []
        response = await driver.run(model, stream_mode, echo(n), received)
        assert driver.text(response) == template.format(n)
        assert driver.streamed(received)[1] == template.format(n)
        assert driver.finish_reason(response) == "stop"

    await asyncio.gather(*[call(n) for n in range(500)], *[stream(n) for n in range(500, 550)])
    expected = predicted_requests(http_faults, drop, calls=500, streams=50)
    assert len(minimax_server.requests) == expected
    assert len(sleeps.delays) == expected - 550  # one wait per failure: nothing retried twice
    prompts = [r.body["messages"][0]["content"] for r in minimax_server.requests]
    assert set(prompts) == {echo(n) for n in range(550)}
    await driver.aclose_async(model)
    await asettle(minimax_server, open_before)


# --- bad input -----------------------------------------------------------------------------------

# (id, model settings, input, call keywords, core error class, what the message names)
BAD_INPUT: list[BadInput] = [
    (
        "missing-key",
        {"api_key": None},
        lambda d: "Hi",
        {},
        mm.AuthenticationError,
        "MINIMAX_API_KEY",
    ),
    ("empty-key", {"api_key": ""}, lambda d: "Hi", {}, mm.AuthenticationError, "MINIMAX_API_KEY"),
    (
        "base-url-without-scheme",
        {"base_url": "api.minimax.io/v1"},
        lambda d: "Hi",
        {},
        mm.RequestValidationError,
        "base_url 'api.minimax.io/v1' must be an http",
    ),
    (
        "base-url-ftp",
        {"base_url": "ftp://api.minimax.io/v1"},
        lambda d: "Hi",
        {},
        mm.RequestValidationError,
        "must be an http",
    ),
    (
        "base-url-without-host",
        {"base_url": "http://"},
        lambda d: "Hi",
        {},
        mm.RequestValidationError,
        "base_url",
    ),
    (
        "unknown-region",
        {"base_url": None, "region": "mars"},
        lambda d: "Hi",
        {},
        mm.RequestValidationError,
        "region 'mars'",
    ),
    ("n-per-call", {}, lambda d: "Hi", {"n": 2}, mm.RequestValidationError, "n must be 1"),
    (
        "temperature-high",
        {"temperature": 2.5},
        lambda d: "Hi",
        {},
        mm.RequestValidationError,
        "temperature must be a number from 0.0 to 2.0, got 2.5",
    ),
    (
        "temperature-per-call",
        {},
        lambda d: "Hi",
        {"temperature": -0.1},
        mm.RequestValidationError,
        "temperature",
    ),
    (
        "top-p-high",
        {"top_p": 1.5},
        lambda d: "Hi",
        {},
        mm.RequestValidationError,
        "top_p must be a number from 0.0 to 1.0, got 1.5",
    ),
    ("top-p-per-call", {}, lambda d: "Hi", {"top_p": -0.2}, mm.RequestValidationError, "top_p"),
    (
        "max-tokens-zero",
        {"max_tokens": 0},
        lambda d: "Hi",
        {},
        mm.RequestValidationError,
        "max_tokens must be from 1",
    ),
    (
        "image-to-text-model",
        {},
        lambda d: [d.user("What is this?", image=IMAGE_URL)],
        {},
        mm.RequestValidationError,
        r"messages\[0\] has an image, but MiniMax-M2.7 takes text only",
    ),
    (
        "video-to-text-model",
        {},
        lambda d: [d.user("What happens?", video=VIDEO_URL)],
        {},
        mm.RequestValidationError,
        r"messages\[0\] has a video, but MiniMax-M2.7 takes text only",
    ),
    (
        "unknown-tool-call-id",
        {},
        lambda d: [d.user("What is 2 + 2?"), d.asked("call_1"), d.tool_result("call_2")],
        {},
        mm.RequestValidationError,
        r"messages\[2\] is a tool result for call id 'call_2'",
    ),
    (
        "tool-result-without-call",
        {},
        lambda d: [d.user("What is 2 + 2?"), d.tool_result("call_9")],
        {},
        mm.RequestValidationError,
        "no earlier assistant message made that call",
    ),
    ("empty-messages", {}, lambda d: [], {}, mm.RequestValidationError, "messages is empty"),
]


def _bad_input_cases() -> list[Any]:
    return [
        pytest.param(driver, mode, *case[1:], id=f"{driver.name}-{mode}-{case[0]}")
        for driver in DRIVERS
        for case in [*BAD_INPUT, *driver.extra_bad_input]
        for mode in driver.modes
    ]


@pytest.mark.parametrize(
    ("driver", "mode", "settings", "prompt", "kwargs", "cls", "match"), _bad_input_cases()
)
async def test_bad_input_is_refused_before_the_network(
    make: Make,
    minimax_server: MiniMaxServer,
    settings: dict[str, Any],
    prompt: Callable[[Driver], Any],
    kwargs: dict[str, Any],
    cls: type[Exception],
    match: str,
    driver: Driver,
    mode: str,
) -> None:
    with pytest.raises(cls, match=match) as info:
        await driver.run(make(driver, mode, **settings), mode, prompt(driver), **kwargs)
    driver.assert_error(info.value, cls)
    assert len(minimax_server.requests) == 0
    assert minimax_server.connections_opened == 0


def _unserialisable_cases() -> list[Any]:
    return [
        pytest.param(driver, mode, tools, id=f"{driver.name}-{mode}-{case}")
        for driver in DRIVERS
        for case, tools in driver.unserialisable_tools.items()
        for mode in driver.tool_schema_modes
    ]


@pytest.mark.parametrize(("driver", "mode", "tools"), _unserialisable_cases())
async def test_tool_schemas_that_are_not_json_are_refused_before_the_network(
    make: Make, minimax_server: MiniMaxServer, tools: list[Any], driver: Driver, mode: str
) -> None:
    with pytest.raises(
        mm.RequestValidationError, match=r"tools\[0\] \('\w+'\) is not JSON-serialisable"
    ) as info:
        await driver.call_with_tools(make(driver, mode), mode, tools)
    driver.assert_error(info.value, mm.RequestValidationError)
    assert len(minimax_server.requests) == 0 and minimax_server.connections_opened == 0


@pytest.mark.parametrize("driver", each_driver())
def test_bad_settings_are_refused_when_made(
    make: Make, minimax_server: MiniMaxServer, driver: Driver
) -> None:
    """What is wrong on its face is refused at construction or binding, naming the setting."""
    driver.refuse_bad_settings(make, minimax_server)
    assert len(minimax_server.requests) == 0
