"""Hundreds of simultaneous requests and dozens of streams over pooled keep-alive connections."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest

from minimax_server import MiniMaxServer

from ._helpers import AUTH, MAGIC, body, joined, sse, tool_args, user


@pytest.fixture
def server() -> Iterator[MiniMaxServer]:
    """A server of these tests' own: connection counts must not see other tests' pools."""
    with MiniMaxServer(api_key="test-key", strict=True) as own:
        yield own


async def test_concurrent_requests_and_streams(server: MiniMaxServer) -> None:
    # httpx closes idle connections above max_keepalive_connections, and any idle for 5 s (on a
    # loaded machine that happens mid-test); keep them all, so the count depends on no timing.
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=50, keepalive_expiry=None)
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=AUTH, timeout=30, limits=limits
    ) as client:

        async def ask(i: int) -> None:
            prompt = f"Call magic_function({i}) please."
            r = await client.post("/chat/completions", json=body(user(prompt), tools=[MAGIC]))
            assert r.status_code == 200
            call = r.json()["choices"][0]["message"]["tool_calls"][0]
            assert json.loads(call["function"]["arguments"]) == {"input": i}

        async def stream(i: int) -> None:
            payload = body(user(f"Echo number {i}"), stream=True, reasoning_split=True)
            async with client.stream("POST", "/chat/completions", json=payload) as r:
                text = "".join([chunk async for chunk in r.aiter_text()])
            events = sse(text)
            assert events[-1] == "[DONE]"
            assert f"Echo number {i}" in joined(events, "content")
            assert not tool_args(events)

        await asyncio.gather(*[ask(i) for i in range(300)], *[stream(i) for i in range(30)])

    assert len(server.requests) == 330
    # At most 50 connections carried 330 requests, and all are closed now.
    assert 1 <= server.connections_opened <= 50
    for _ in range(100):
        if server.connections_open == 0:
            break
        await asyncio.sleep(0.01)
    assert server.connections_open == 0


def test_keep_alive_reuses_one_connection(server: MiniMaxServer) -> None:
    with httpx.Client(base_url=server.base_url, headers=AUTH) as client:
        for stream in (False, True, False, True):
            r = client.post("/chat/completions", json=body(user("Hi"), stream=stream))
            assert r.status_code == 200
        assert server.connections_opened == 1
        assert server.connections_open == 1
