"""The core client against the local server's faults, over real HTTP on 127.0.0.1.

Each test counts what the server saw: a retried call succeeds after exactly the promised number
of requests, a final failure is sent once, a broken stream raises and is never retried after
text was delivered, and no connection is left open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

import minimax_core as mm
from minimax_core._client import retry_waits
from minimax_server import Fault, MiniMaxServer

MESSAGES = [{"role": "user", "content": "Hello there"}]


def _body(**kwargs: Any) -> dict[str, Any]:
    return mm.build_request(MESSAGES, model="MiniMax-M2.7", **kwargs)


@pytest.fixture(autouse=True)
def fast_backoff() -> Iterator[None]:
    """Backoff itself is tested as a table; here only its count matters."""
    with retry_waits(lambda delay: min(delay, 0.01)):
        yield


def _client(server: MiniMaxServer, **options: Any) -> mm.MiniMaxClient:
    return mm.MiniMaxClient(api_key=server.api_key, base_url=server.base_url, **options)


def _aclient(server: MiniMaxServer, **options: Any) -> mm.AsyncMiniMaxClient:
    return mm.AsyncMiniMaxClient(api_key=server.api_key, base_url=server.base_url, **options)


_baseline: dict[int, int] = {}


@pytest.fixture(autouse=True)
def open_before(minimax_server: MiniMaxServer) -> int:
    """Connections other tests' clients still hold on the shared server are not ours to count."""
    _baseline[id(minimax_server)] = minimax_server.connections_open
    return minimax_server.connections_open


def _settle(server: MiniMaxServer, open_before: int | None = None) -> None:
    """Wait until the connections this test opened are closed again, and say if they are not."""
    limit = _baseline.get(id(server), 0) if open_before is None else open_before
    deadline = time.monotonic() + 2
    while server.connections_open > limit and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.connections_open <= limit


RETRYABLE = [
    Fault(kind="http_status", status=429, retry_after=0.01, count=2),
    Fault(kind="http_status", status=500, count=2),
    Fault(kind="http_status", status=503, count=2),
    Fault(kind="http_status", status=529, count=2),
    Fault(kind="base_resp", code=1002, count=2),
]
FINAL = [
    (Fault(kind="base_resp", code=1004), mm.AuthenticationError),
    (Fault(kind="base_resp", code=2049), mm.AuthenticationError),
    (Fault(kind="base_resp", code=1008), mm.InsufficientBalanceError),
    (Fault(kind="base_resp", code=1026), mm.ContentFilteredError),
    (Fault(kind="base_resp", code=1027), mm.ContentFilteredError),
    (Fault(kind="base_resp", code=2013), mm.BadRequestError),
    (Fault(kind="base_resp", code=2056), mm.UsageLimitError),
]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    "fault", RETRYABLE, ids=lambda f: f"{f.kind}-{f.status if f.kind == 'http_status' else f.code}"
)
def test_retryable_faults_are_survived(
    minimax_server: MiniMaxServer, fault: Fault, stream: bool
) -> None:
    minimax_server.inject(fault)
    with _client(minimax_server) as client:
        if stream:
            chat = client.stream(_body())
            text = "".join(d.text for d in chat)
            done = chat.completion
        else:
            done = client.create(_body())
            text = done.text
    assert done is not None and text == done.text and text
    assert len(minimax_server.requests) == 3  # two failures, then the answer
    _settle(minimax_server)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("fault", "cls"), FINAL, ids=lambda v: str(getattr(v, "code", "")))
async def test_final_faults_are_sent_once(
    minimax_server: MiniMaxServer, fault: Fault, cls: type[mm.APIStatusError], stream: bool
) -> None:
    minimax_server.inject(fault)
    client = _aclient(minimax_server)
    with pytest.raises(cls) as info:
        if stream:
            async for _ in await client.stream(_body()):
                pass
        else:
            await client.create(_body())
    await client.close()
    assert info.value.code == fault.code and info.value.message
    assert minimax_server.api_key not in str(info.value)
    assert len(minimax_server.requests) == 1
    _settle(minimax_server)


def test_drop_mid_stream_raises_and_is_not_retried(minimax_server: MiniMaxServer) -> None:
    minimax_server.inject(Fault(kind="drop_mid_stream", after_chunks=3))
    received: list[str] = []
    with _client(minimax_server) as client, pytest.raises(mm.StreamError, match="discarded"):
        for delta in client.stream(_body()):
            received.append(delta.text + delta.reasoning)
    assert received and len(minimax_server.requests) == 1
    _settle(minimax_server)


def test_eof_before_finish_raises(minimax_server: MiniMaxServer) -> None:
    minimax_server.inject(Fault(kind="eof_before_finish"))
    with _client(minimax_server) as client, pytest.raises(mm.StreamError, match="finish"):
        list(client.stream(_body()))
    _settle(minimax_server)


def test_stall_past_idle_timeout_raises(minimax_server: MiniMaxServer) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, seconds=60.0, hang=True))
    with _client(minimax_server, stream_idle_timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(mm.APITimeoutError, match="idle timeout"):
            list(client.stream(_body()))
    # The stall outlasts the bound; far below the 120 s default, it holds on any load.
    assert time.monotonic() - started < 30
    _settle(minimax_server)


def test_stall_shorter_than_idle_timeout_is_waited_out(minimax_server: MiniMaxServer) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, seconds=0.2))
    with _client(minimax_server, stream_idle_timeout=5) as client:
        chat = client.stream(_body())
        text = "".join(d.text for d in chat)
    assert chat.completion is not None and text == chat.completion.text


@pytest.mark.parametrize(
    "kind", ["no_done", "final_message_chunk", "usage_chunk", "sse_error_frame"]
)
def test_stream_shapes(minimax_server: MiniMaxServer, kind: str) -> None:
    with _client(minimax_server) as client:
        reference = client.create(_body())
        minimax_server.inject(
            Fault(kind=kind, code=1002) if kind == "sse_error_frame" else Fault(kind=kind)
        )  # type: ignore[arg-type]
        if kind == "sse_error_frame":
            with pytest.raises(mm.RateLimitError):
                list(client.stream(_body()))
            return
        chat = client.stream(_body())
        text = "".join(d.text for d in chat)
    assert chat.completion is not None
    assert (text, chat.completion.reasoning) == (reference.text, reference.reasoning)


def test_breaking_out_of_a_stream_closes_its_connection(minimax_server: MiniMaxServer) -> None:
    with _client(minimax_server) as client:
        for _ in client.stream(_body()):
            break
        _settle(minimax_server)


async def test_cancelling_a_stream_task_closes_its_connection(
    minimax_server: MiniMaxServer,
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, seconds=60.0, hang=True))
    client = _aclient(minimax_server)

    async def consume() -> None:
        async for _ in await client.stream(_body()):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await client.close()
    await asyncio.to_thread(_settle, minimax_server)


async def test_load_with_faults_nothing_lost_or_duplicated(minimax_server: MiniMaxServer) -> None:
    """500 calls and 50 streams at once through one client, 10% of requests failing."""
    minimax_server.inject(Fault(kind="http_status", status=503, probability=0.1, seed=7))
    client = _aclient(minimax_server, max_retries=5)

    async def call(n: int) -> tuple[int, str]:
        body = mm.build_request(
            [{"role": "user", "content": f"Echo the number {n}"}], model="MiniMax-M2.7"
        )
        return n, (await client.create(body)).text

    async def stream(n: int) -> tuple[int, str]:
        body = mm.build_request(
            [{"role": "user", "content": f"Echo the number {n}"}], model="MiniMax-M2.7"
        )
        chat = await client.stream(body)
        text = "".join([d.text async for d in chat])
        assert chat.completion is not None and chat.completion.text == text
        return n, text

    results = await asyncio.gather(
        *[call(n) for n in range(500)], *[stream(n) for n in range(500, 550)]
    )
    await client.close()
    assert len(results) == 550
    for n, text in results:
        assert str(n) in text, (n, text)
    # Every answer arrived once: no request beyond the failures and one success per call.
    failures = len(minimax_server.requests) - 550
    assert 0 < failures < 150
    assert minimax_server.connections_opened <= len(minimax_server.requests)
    _settle(minimax_server)


async def test_one_pool_reuses_its_connections(minimax_server: MiniMaxServer) -> None:
    """Calls one after another, streamed or not, sync or async, share one kept-alive connection."""
    before = minimax_server.connections_opened
    with _client(minimax_server) as client:
        for _ in range(10):
            client.create(_body())
            list(client.stream(_body()))
    assert minimax_server.connections_opened - before == 1
    aclient = _aclient(minimax_server)
    for _ in range(10):
        await aclient.create(_body())
        async for _ in await aclient.stream(_body()):
            pass
    await aclient.close()
    assert minimax_server.connections_opened - before == 2
