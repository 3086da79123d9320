"""Shared by the adapter reliability tests: recorded backoff, fault-free references, connection
counts and the arithmetic of a seeded fault plan.

Nothing here is a fixture: each test module wraps what it needs in its own fixtures, so that
pytest's fixture lookup stays local and obvious.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

import minimax_core as mm
from minimax_core import _retry as retry_module
from minimax_core._client import retry_waits
from minimax_server import Fault, MiniMaxServer

MODEL = "MiniMax-M2.7"


def echo(n: int) -> str:
    """A prompt whose scripted answer quotes it back, so every answer is told apart by `n`."""
    return f"Echo the number {n}"


# --- backoff ----------------------------------------------------------------------------------


@dataclass
class Sleeps:
    """Every delay the core's retry loop asked for, in order (sync and async alike).

    With `real` off (the default) nothing sleeps, so retries cost no wall time; with it on, the
    delays are slept for real, to prove that a server's `Retry-After` is actually waited out.
    """

    delays: list[float] = field(default_factory=list)
    real: bool = False


@contextlib.contextmanager
def recorded_sleeps() -> Iterator[Sleeps]:
    """Within the block, the client's pauses between retries are recorded (and skipped unless
    `real`), through the client's one seam for them, `retry_waits`."""
    sleeps = Sleeps()

    def wait(seconds: float) -> float:
        sleeps.delays.append(seconds)
        return seconds if sleeps.real else 0.0

    with retry_waits(wait):
        yield sleeps


def backoff_window(attempt: int) -> tuple[float, float]:
    """The range `retry_delay` draws retry number `attempt` from when no Retry-After is given."""
    base = min(retry_module.INITIAL_RETRY_DELAY * 2.0**attempt, retry_module.MAX_RETRY_DELAY)
    return base * 0.75, base


def assert_backoff(delays: list[float], retries: int, retry_after: float | None = None) -> None:
    """`retries` waits, each the server's Retry-After when it gave one, else jittered backoff."""
    assert len(delays) == retries, delays
    for attempt, delay in enumerate(delays):
        if retry_after is not None:
            assert delay == pytest.approx(retry_after), delays
        else:
            low, high = backoff_window(attempt)
            assert low <= delay <= high, (attempt, delays)


# --- fault-free references ----------------------------------------------------------------------


@functools.cache
def _reference_server() -> MiniMaxServer:
    server = MiniMaxServer(api_key="reference-key").start()
    atexit.register(server.stop)
    return server


@functools.cache
def reference(prompt: str) -> tuple[str, str]:
    """`(reasoning, text)` of the scripted model's answer to `prompt`, from a server of its own.

    The scripted model is deterministic, so this is exactly what a fault-free call returns.
    """
    server = _reference_server()
    with mm.MiniMaxClient(api_key=server.api_key, base_url=server.base_url) as client:
        done = client.create(mm.build_request([{"role": "user", "content": prompt}], model=MODEL))
    assert done.text and done.reasoning
    return done.reasoning, done.text


@functools.cache
def echo_template() -> str:
    """`echo_template().format(n)` is the exact answer text to `echo(n)`."""
    sentinel = 918273645
    text = reference(echo(sentinel))[1]
    assert text.count(str(sentinel)) == 1, text
    return text.replace("{", "{{").replace("}", "}}").replace(str(sentinel), "{}")


# --- connections ----------------------------------------------------------------------------------


def settle(server: MiniMaxServer, limit: int, timeout: float = 3.0) -> int:
    """Wait until the server holds at most `limit` connections open; fail if it never does."""
    deadline = time.monotonic() + timeout
    while server.connections_open > limit and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.connections_open <= limit, (server.connections_open, limit)
    return server.connections_open


async def asettle(server: MiniMaxServer, limit: int, timeout: float = 3.0) -> int:
    """`settle` for async tests: the loop keeps running (and finalising generators) meanwhile."""
    deadline = time.monotonic() + timeout
    while server.connections_open > limit and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert server.connections_open <= limit, (server.connections_open, limit)
    return server.connections_open


# --- the arithmetic of a seeded fault plan ---------------------------------------------------------


def predicted_requests(
    http_faults: list[Fault], stream_fault: Fault | None, calls: int, streams: int
) -> int:
    """How many requests a server with these probabilistic faults sees before `calls` plain
    requests and `streams` streamed ones have each succeeded exactly once.

    The server draws, for every request in arrival order, from each HTTP-level fault's own
    `random.Random(seed)` in injection order until one hits; a streamed request that passes
    then draws from the stream fault's generator. The draws do not depend on which request
    arrives when, so the totals are fixed by the seeds: each failed request is followed by one
    retry, and each call ends with one success. A lost answer, a retry too many or a duplicated
    request would all change the count.
    """
    if stream_fault is not None:
        assert stream_fault.probability is not None
        rng = random.Random(stream_fault.seed)
        passed = attempts = 0
        while passed < streams:
            attempts += 1
            passed += rng.random() >= stream_fault.probability
        streams_reaching_model = attempts
    else:
        streams_reaching_model = streams
    rngs = [(random.Random(f.seed), f.probability) for f in http_faults]
    needed = calls + streams_reaching_model
    passed = total = 0
    while passed < needed:
        total += 1
        passed += not any(rng.random() < (p or 0.0) for rng, p in rngs)
    return total


# --- fault tables, shared by both adapters' suites ------------------------------------------
# Classes are the core's; the LangChain suite maps each to its LangChain-flavoured twin.

RETRYABLE_CODES = [1000, 1001, 1002, 1013, 1024, 1033, 1041, 2045]

RETRYABLE = [
    pytest.param(
        Fault(kind="http_status", status=429, retry_after=0.05, count=2), 0.05, id="429-retry-after"
    ),
    pytest.param(Fault(kind="http_status", status=500, count=2), None, id="500"),
    pytest.param(Fault(kind="http_status", status=503, count=2), None, id="503"),
    pytest.param(Fault(kind="http_status", status=529, count=2), None, id="529"),
    *[
        pytest.param(Fault(kind="base_resp", code=code, count=2), None, id=f"base_resp-{code}")
        for code in RETRYABLE_CODES
    ],
]

PRE_TOKEN = [
    pytest.param(
        Fault(kind="drop_mid_stream", after_chunks=0, count=2), id="dropped-before-tokens"
    ),
    pytest.param(
        Fault(kind="sse_error_frame", after_chunks=0, code=1002, count=2),
        id="error-frame-before-tokens",
    ),
]

EXHAUSTED = [
    pytest.param(
        Fault(kind="http_status", status=503, count=3), 2, mm.InternalServerError, 1013, id="503"
    ),
    pytest.param(
        Fault(kind="http_status", status=529, count=3), 2, mm.OverloadedError, 1013, id="529"
    ),
    pytest.param(
        Fault(kind="http_status", status=429, count=1), 0, mm.RateLimitError, 1002, id="429"
    ),
    pytest.param(
        Fault(kind="base_resp", code=1002, count=2), 1, mm.RateLimitError, 1002, id="1002"
    ),
]

FINAL = [
    (
        1004,
        mm.AuthenticationError,
        "login fail: Please carry the API secret key in the 'Authorization' field of the "
        "request header",
    ),
    (2049, mm.AuthenticationError, "invalid api key"),
    (1008, mm.InsufficientBalanceError, "insufficient balance"),
    (1026, mm.ContentFilteredError, "input new_sensitive"),
    (1027, mm.ContentFilteredError, "output new_sensitive"),
    (2013, mm.BadRequestError, "invalid params, tool call id is invalid"),
    (2056, mm.UsageLimitError, "usage limit exceeded, please wait for the next window"),
]

FINAL_HTTP = [
    (400, mm.BadRequestError, 2013),
    (401, mm.AuthenticationError, 1004),
    (403, mm.PermissionDeniedError, 1004),
    (404, mm.NotFoundError, 2013),
]

BROKEN = [
    pytest.param(
        Fault(kind="drop_mid_stream", after_chunks=3), mm.StreamError, False, id="drop-in-reasoning"
    ),
    pytest.param(
        Fault(kind="drop_mid_stream", after_chunks=36), mm.StreamError, True, id="drop-in-text"
    ),
    pytest.param(
        Fault(kind="sse_error_frame", after_chunks=5, code=1027),
        mm.ContentFilteredError,
        False,
        id="output-filtered-mid-stream",
    ),
    pytest.param(
        Fault(kind="sse_error_frame", after_chunks=36, code=1002),
        mm.RateLimitError,
        True,
        id="rate-limited-mid-stream",
    ),
]
