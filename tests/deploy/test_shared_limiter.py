"""The limiter's state shared across processes through Redis (a `redis-server` the tests start).

Two `RedisLimit` objects on one store stand for two processes (each has its own connections and
nothing in memory in common); then real forked workers run agents against the rate-limited local
server on one shared state. Counts only, no timing.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

import minimax_core as mm
from langchain_minimax import ChatMiniMax, MiniMaxRateLimiter
from minimax_core._limiter_redis import RedisLimit
from minimax_server import MiniMaxServer
from minimax_server._ratelimit import RateLimits

redis = pytest.importorskip("redis")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (`make test` installs it with apt-get)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def store(redis_url: str) -> str:
    redis.Redis.from_url(redis_url).flushall()
    return redis_url


def rate_limited(code: int, retry_after: float | None = None) -> mm.RateLimitError:
    return mm.RateLimitError("slow down", status_code=429, code=code, retry_after=retry_after)


def two_processes(store: str, **tuning: Any) -> tuple[RedisLimit, RedisLimit]:
    settings = mm.AdaptiveRateLimiter(store=store, **tuning)
    return RedisLimit(settings, "http://x.test/v1 key#abc"), RedisLimit(
        settings, "http://x.test/v1 key#abc"
    )


def test_slots_are_shared(store: str) -> None:
    one, two = two_processes(store, requests_per_second=1000, max_concurrency=1)
    held, _ = one.try_enter()
    assert held is not None
    assert two.try_enter()[0] is None  # the other "process" sees the slot taken
    one.release(held)
    taken, _ = two.try_enter()
    assert taken is not None and two.state()["in_flight"] == 1


def test_a_cut_seen_by_one_is_seen_by_all_once_per_episode(store: str) -> None:
    one, two = two_processes(store, requests_per_second=100, max_concurrency=8)
    first, second = one.enter(), two.enter()
    one.report(first, rate_limited(1002))
    assert two.state()["rate"] == 50.0
    two.report(second, rate_limited(1002))  # paced before that cut: no second cut
    assert one.state()["rate"] == 50.0 and one.state()["limited"] == 2
    third = two.enter()
    two.report(third, rate_limited(1041))
    assert one.state()["conc"] == 4.0
    fourth = one.enter()
    one.report(fourth, None)
    assert two.state()["rate"] == pytest.approx(50.0 + mm._limiter.RATE_STEP)
    for permit in (first, second, third, fourth):
        permit.limit.release(permit)
    assert one.state()["in_flight"] == 0


def test_retry_after_pauses_every_process(store: str) -> None:
    one, two = two_processes(store)
    permit = one.enter()
    one.report(permit, rate_limited(1002, retry_after=30))
    one.release(permit)
    assert not two.wait_out_pause(blocking=False)
    assert "key#abc" in repr(two) and "x.test" in repr(two)


def test_the_store_never_sees_the_key(store: str) -> None:
    settings = mm.AdaptiveRateLimiter(store=store)
    limit = settings.limit_for("http://x.test/v1", "sk-very-secret")
    assert isinstance(limit, RedisLimit)
    limit.release(limit.enter())
    client = redis.Redis.from_url(store)
    for key in client.keys("*"):
        assert b"sk-very-secret" not in key
        kind = client.type(key)
        values = client.hgetall(key) if kind == b"hash" else {}
        assert all(b"sk-very-secret" not in v for v in values.values())


async def test_many_callers_wait_for_store_connections(store: str) -> None:
    """More callers at once than connections to the store: they queue, none fails."""
    settings = mm.AdaptiveRateLimiter(store=store, requests_per_second=1e6, max_concurrency=1000)
    limit = RedisLimit(settings, "http://x.test/v1 key#many")

    async def call() -> None:
        permit = await limit.aenter()
        limit.report(permit, None)
        limit.release(permit)

    await asyncio.gather(*(call() for _ in range(300)))
    assert limit.state()["in_flight"] == 0


def test_bad_store_is_refused() -> None:
    with pytest.raises(ValueError, match="Redis URL"):
        mm.AdaptiveRateLimiter(store="localhost:6379")


# --- forked workers sharing one state -------------------------------------------------------

WORKERS = 2
RUNS = 10
LIMITS = RateLimits(requests_per_second=8, concurrent_requests=2)
_SETUP: dict[str, Any] = {}


def _worker(index: int) -> tuple[int, list[bool]]:
    server_url, store = _SETUP["server_url"], _SETUP["store"]
    llm = ChatMiniMax(
        base_url=server_url,
        api_key="test-key",
        rate_limiter=MiniMaxRateLimiter(
            requests_per_second=40, max_concurrency=6, patience=200, store=store
        ),
    )

    async def run(n: int) -> bool:
        prompt = f"Echo the token worker-{index}-run-{n}"
        answer = await llm.ainvoke(prompt)
        return f'"{prompt}"' in str(answer.content)

    async def runs() -> list[bool]:
        return list(await asyncio.gather(*(run(n) for n in range(RUNS))))

    return os.getpid(), asyncio.run(runs())


def test_forked_workers_share_one_limiter_state(store: str, minimax_server: MiniMaxServer) -> None:
    minimax_server.rate_gate.configure(LIMITS)
    _SETUP.update(server_url=minimax_server.base_url, store=store)
    try:
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            results = pool.map_async(_worker, range(WORKERS)).get(timeout=120)
    finally:
        _SETUP.clear()
        stats = minimax_server.rate_gate.stats()
        minimax_server.rate_gate.configure(RateLimits())
    assert len({pid for pid, _ in results}) == WORKERS
    assert all(ok for _, answers in results for ok in answers)
    assert stats["admitted"] == WORKERS * RUNS
    refused = sum(stats["refused"].values())
    shared = redis.Redis.from_url(store)
    (state_key,) = shared.keys("minimax:limit:*:state")
    assert int(float(shared.hget(state_key, "limited") or 0)) == refused
    assert shared.zcard(state_key.replace(b":state", b":slots")) == 0
