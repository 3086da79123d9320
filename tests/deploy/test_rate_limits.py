"""The server's rate-limit mode, and the adaptive limiter under it in both adapters.

Nothing here depends on timing: the server's decisions are checked as a pure function on a
fake clock, its refusals over HTTP with limits no test run can reach by accident (one request
per thousand seconds, one open request held by the test), and the load tests assert only counts
that do not depend on scheduling: every run succeeds with its own answers, every call was
admitted exactly once, and the limiter saw exactly the refusals the server sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

import minimax_core as mm
from langchain_minimax import ChatMiniMax, MiniMaxRateLimiter
from llamaindex_minimax import MiniMax
from minimax_server import Fault, MiniMaxServer
from minimax_server._ratelimit import Bucket, RateLimits, admit

BODY = mm.build_request([{"role": "user", "content": "Hello"}], model="MiniMax-M2.7")


@pytest.fixture
def server(minimax_server: MiniMaxServer) -> Iterator[MiniMaxServer]:
    # Streams that take a little while, so that requests overlap and the open count matters.
    minimax_server.chunk_delay = 0.002
    yield minimax_server
    minimax_server.rate_gate.configure(RateLimits())


# --- the server's decision ----------------------------------------------------------------


def test_server_bucket_holds_one_second_and_refills() -> None:
    limits, bucket = RateLimits(requests_per_second=3), Bucket()
    assert [admit(limits, bucket, 10.0) for _ in range(4)] == [None, None, None, 1002]
    bucket.open = 0
    assert admit(limits, bucket, 10.3) == 1002  # 0.9 of a token back
    assert admit(limits, bucket, 10.34) is None  # a whole one after a third of a second
    assert admit(limits, bucket, 10.34) == 1002


def test_server_counts_open_requests_before_the_rate() -> None:
    limits, bucket = RateLimits(requests_per_second=100, concurrent_requests=2), Bucket()
    assert admit(limits, bucket, 0.0) is None and admit(limits, bucket, 0.0) is None
    assert admit(limits, bucket, 0.0) == 1041
    bucket.open -= 1
    assert admit(limits, bucket, 0.0) is None


def test_bad_rate_limit_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="regime"):
        RateLimits(requests_per_second=1, regime="smoke")
    with pytest.raises(ValueError, match="unknown"):
        RateLimits.from_dict({"rps": 3})


# --- refusals over HTTP, in both regimes -----------------------------------------------------


def _client(server: MiniMaxServer) -> mm.MiniMaxClient:
    return mm.MiniMaxClient(base_url=server.base_url, api_key=server.api_key, max_retries=0)


def test_rate_refusal_is_minimax_429_with_1002(server: MiniMaxServer) -> None:
    server.rate_gate.configure(RateLimits(requests_per_second=0.001, retry_after=7))
    with httpx.Client() as http:
        url = f"{server.base_url}/chat/completions"
        headers = {"Authorization": f"Bearer {server.api_key}"}
        assert http.post(url, json=BODY, headers=headers).status_code == 200
        refused = http.post(url, json=BODY, headers=headers)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "7"
    error = refused.json()["error"]
    assert error["type"] == "rate_limit_error" and error["http_code"] == "429"
    assert error["message"].endswith("(1002)")
    with _client(server) as client, pytest.raises(mm.RateLimitError) as info:
        client.create(BODY)
    assert (info.value.status_code, info.value.code, info.value.retry_after) == (429, 1002, 7)
    assert server.rate_gate.stats()["refused"] == {"1002": 2}


def test_rate_refusal_in_the_base_resp_regime(server: MiniMaxServer) -> None:
    server.rate_gate.configure(RateLimits(requests_per_second=0.001, regime="base_resp"))
    with _client(server) as client:
        assert client.create(BODY).text
        with pytest.raises(mm.RateLimitError) as info:
            client.create(BODY)
    assert (info.value.status_code, info.value.code) == (200, 1002)


def test_connection_refusal_is_1041_while_a_request_is_open(server: MiniMaxServer) -> None:
    server.rate_gate.configure(RateLimits(concurrent_requests=1))
    server.inject(Fault(kind="stall", after_chunks=1, hang=True))
    with _client(server) as client:
        held = client.stream(BODY)  # open until the test lets go
        with pytest.raises(mm.RateLimitError) as info:
            client.create(BODY)
        assert info.value.code == 1041
        held.close()
        deadline = time.monotonic() + 10
        while server.rate_gate.bucket.open and time.monotonic() < deadline:
            time.sleep(0.01)
        assert client.create(BODY).text
    assert server.rate_gate.stats()["refused"] == {"1041": 1}


# --- the limiter under load, both adapters -----------------------------------------------

RUNS = 12
LIMITS = RateLimits(requests_per_second=8, concurrent_requests=2)


def _run_prompts(run: int) -> list[str]:
    return [f"Echo the token run-{run}-step-{step}" for step in range(2)]


def _own(answer: str, prompt: str) -> bool:
    return f'"{prompt}"' in answer


def _settings(patience: int) -> mm.AdaptiveRateLimiter:
    # Ceilings above the server's, so the limiter must find the limits itself; a patience no
    # run can exhaust while the limiter converges (each test its own, so states stay apart).
    return mm.AdaptiveRateLimiter(requests_per_second=80, max_concurrency=6, patience=patience)


def _check(server: MiniMaxServer, limit: object, seen_before: int, results: list[bool]) -> None:
    assert results == [True] * RUNS
    stats = server.rate_gate.stats()
    assert stats["admitted"] == 2 * RUNS  # every call answered once; refusals retried inside
    refused = sum(stats["refused"].values())
    assert isinstance(limit, mm._limiter.SharedLimit)
    assert limit.state.rate_limited - seen_before == refused


async def test_langchain_runs_survive_the_limits(server: MiniMaxServer) -> None:
    server.rate_gate.configure(LIMITS)
    llm = ChatMiniMax(
        base_url=server.base_url,
        api_key=server.api_key,
        rate_limiter=MiniMaxRateLimiter(requests_per_second=80, max_concurrency=6, patience=101),
    )
    assert isinstance(llm.rate_limiter, MiniMaxRateLimiter) and llm.rate_limiter.is_bound
    limit = llm.rate_limiter.limit
    assert llm._client.rate_limit is limit and llm._aclient.rate_limit is limit
    before = limit.state.rate_limited

    async def run(n: int) -> bool:
        first, second = _run_prompts(n)
        answer = await llm.ainvoke(first)
        chunks = [str(chunk.content) async for chunk in llm.astream(second)]
        return _own(str(answer.content), first) and _own("".join(chunks), second)

    results = await asyncio.gather(*(run(n) for n in range(RUNS)))
    _check(server, limit, before, list(results))


def test_langchain_threads_survive_the_limits(server: MiniMaxServer) -> None:
    server.rate_gate.configure(LIMITS)
    llm = ChatMiniMax(
        base_url=server.base_url,
        api_key=server.api_key,
        rate_limiter=MiniMaxRateLimiter(requests_per_second=80, max_concurrency=6, patience=102),
    )
    assert isinstance(llm.rate_limiter, MiniMaxRateLimiter)
    limit = llm.rate_limiter.limit
    before = limit.state.rate_limited

    def run(n: int) -> bool:
        first, second = _run_prompts(n)
        answer = str(llm.invoke(first).content)
        return _own(answer, first) and _own(
            "".join(str(c.content) for c in llm.stream(second)), second
        )

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(RUNS)))
    _check(server, limit, before, results)


async def test_llamaindex_runs_survive_the_limits(server: MiniMaxServer) -> None:
    server.rate_gate.configure(LIMITS)
    llm = MiniMax(base_url=server.base_url, api_key=server.api_key, rate_limiter=_settings(103))
    limit = llm._async_client().rate_limit
    assert limit is not None and llm._sync_client().rate_limit is limit
    before = limit.state.rate_limited

    async def run(n: int) -> bool:
        first, second = _run_prompts(n)
        answer = (await llm.acomplete(first)).text
        last = ""
        async for response in await llm.astream_complete(second):
            last = response.text
        return _own(answer, first) and _own(last, second)

    results = await asyncio.gather(*(run(n) for n in range(RUNS)))
    _check(server, limit, before, list(results))
    await llm.aclose()


def test_llamaindex_threads_survive_the_limits(server: MiniMaxServer) -> None:
    server.rate_gate.configure(LIMITS)
    llm = MiniMax(base_url=server.base_url, api_key=server.api_key, rate_limiter=_settings(104))
    limit = llm._sync_client().rate_limit
    before = limit.state.rate_limited if limit else 0

    def run(n: int) -> bool:
        first, second = _run_prompts(n)
        last = ""
        for response in llm.stream_complete(second):
            last = response.text
        return _own(llm.complete(first).text, first) and _own(last, second)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(RUNS)))
    _check(server, limit, before, results)


def test_models_of_one_endpoint_and_key_share_one_limit(server: MiniMaxServer) -> None:
    shared = MiniMaxRateLimiter(requests_per_second=9)
    one = ChatMiniMax(base_url=server.base_url, api_key=server.api_key, rate_limiter=shared)
    two = ChatMiniMax(base_url=server.base_url, api_key=server.api_key, rate_limiter=shared)
    other = ChatMiniMax(base_url=server.base_url, api_key="another-key", rate_limiter=shared)
    assert isinstance(one.rate_limiter, MiniMaxRateLimiter)
    assert isinstance(two.rate_limiter, MiniMaxRateLimiter)
    assert isinstance(other.rate_limiter, MiniMaxRateLimiter)
    assert one.rate_limiter.limit is two.rate_limiter.limit
    assert other.rate_limiter.limit is not one.rate_limiter.limit
    assert not shared.is_bound  # the one given stays as it was; each model holds a bound twin
    for model in (one, two, other):
        assert server.api_key not in repr(model) and "another-key" not in repr(model)
        assert server.api_key not in repr(model.rate_limiter)


def test_langchain_hook_waits_out_a_retry_after_pause(server: MiniMaxServer) -> None:
    llm = ChatMiniMax(
        base_url=server.base_url,
        api_key=server.api_key,
        rate_limiter=MiniMaxRateLimiter(requests_per_second=7),
    )
    limiter = llm.rate_limiter
    assert isinstance(limiter, MiniMaxRateLimiter)
    assert limiter.acquire(blocking=False)
    permit = limiter.limit.enter()
    failure = mm.RateLimitError("slow down", status_code=429, code=1002, retry_after=30.0)
    limiter.limit.report(permit, failure)
    limiter.limit.release(permit)
    assert not limiter.acquire(blocking=False)  # LangChain's hook sees the pause


def test_unbound_limiter_is_a_plain_bucket_for_other_models() -> None:
    # One token per thousand seconds: the second is refused however slow the machine is.
    limiter = MiniMaxRateLimiter(requests_per_second=0.001, min_requests_per_second=0.001)
    assert limiter.acquire(blocking=False)
    assert not limiter.acquire(blocking=False)
