"""Shared pools: keyed by transport settings (never by key), bounded, never closed under a user."""

from __future__ import annotations

import gc

import httpx
import pytest

import minimax_core as mm
from minimax_core import _pools
from minimax_server import MiniMaxServer

BODY = mm.build_request([{"role": "user", "content": "Hello"}], model="MiniMax-M2.7")


def _shared(server: MiniMaxServer, **options: object) -> mm.MiniMaxClient:
    settings: dict[str, object] = {
        "base_url": server.base_url,
        "api_key": server.api_key,
        "max_retries": 0,
    }
    settings.update(options)
    return mm.MiniMaxClient(shared_pool=True, **settings)  # type: ignore[arg-type]


def _idle_sync_pools() -> int:
    return sum(1 for pool in _pools._sync_registry.pools.values() if not pool.users)


def test_many_keys_share_one_pool(minimax_server: MiniMaxServer) -> None:
    # A timeout no other test uses gives this test a pool of its own to count connections on.
    tenants = [_shared(minimax_server, api_key=f"tenant-{n}", timeout=321.0) for n in range(50)]
    assert len({id(client.http_client) for client in tenants}) == 1
    owner = _shared(minimax_server, timeout=321.0)
    assert owner.http_client is tenants[0].http_client
    before = minimax_server.connections_opened
    # The key goes with each request: the server's own key is accepted and a tenant's is
    # refused, one after another on the same kept-alive connection.
    assert owner.create(BODY).text
    with pytest.raises(mm.AuthenticationError):
        tenants[7].create(BODY)
    assert owner.create(BODY).text
    assert minimax_server.connections_opened - before == 1
    assert len(minimax_server.requests) == 3


def test_other_transport_settings_get_other_pools(minimax_server: MiniMaxServer) -> None:
    one = _shared(minimax_server, timeout=11.0)
    assert _shared(minimax_server, timeout=11.0, max_retries=3).http_client is one.http_client
    assert _shared(minimax_server, timeout=11.0, default_headers={"x-a": "b"}).http_client is (
        one.http_client
    )
    assert _shared(minimax_server, timeout=12.0).http_client is not one.http_client
    assert _shared(minimax_server, timeout=11.0, max_connections=5).http_client is not (
        one.http_client
    )


def test_idle_pools_are_bounded_and_the_oldest_closed(minimax_server: MiniMaxServer) -> None:
    made: list[httpx.Client] = []
    for n in range(_pools.MAX_IDLE_POOLS + 5):
        client = _shared(minimax_server, timeout=1000.0 + n)
        made.append(client.http_client)
        # Checked when a pool is taken: the pools of the clients dropped so far are idle.
        assert _idle_sync_pools() <= _pools.MAX_IDLE_POOLS
        del client
        gc.collect()
    assert all(http.is_closed for http in made[:4])
    assert not made[-1].is_closed


def test_a_pool_in_use_is_never_evicted(minimax_server: MiniMaxServer) -> None:
    keeper = _shared(minimax_server, timeout=2000.0)
    assert keeper.create(BODY).text
    pool = keeper.http_client
    for n in range(_pools.MAX_IDLE_POOLS * 2):
        _shared(minimax_server, timeout=3000.0 + n).http_client  # noqa: B018
        gc.collect()
    assert not pool.is_closed
    assert keeper.http_client is pool
    assert keeper.create(BODY).text
    del keeper
    gc.collect()
    for n in range(_pools.MAX_IDLE_POOLS + 1):
        _shared(minimax_server, timeout=4000.0 + n).http_client  # noqa: B018
        gc.collect()
    assert pool.is_closed  # idle once its user was gone, then evicted like any other


def test_closing_a_shared_client_reopens_on_next_use(minimax_server: MiniMaxServer) -> None:
    one, two = _shared(minimax_server, timeout=77.0), _shared(minimax_server, timeout=77.0)
    first = one.http_client
    one.close()
    assert first.is_closed
    assert two.http_client is not first and not two.http_client.is_closed
    assert two.create(BODY).text and one.create(BODY).text


async def test_many_keys_share_one_async_pool_per_loop(minimax_server: MiniMaxServer) -> None:
    clients = [
        mm.AsyncMiniMaxClient(
            base_url=minimax_server.base_url, api_key=key, shared_pool=True, timeout=55.0
        )
        for key in [minimax_server.api_key, "tenant-a", "tenant-b"]
    ]
    pools = {id(client.http_client) for client in clients}
    assert len(pools) == 1
    before = minimax_server.connections_opened
    assert (await clients[0].create(BODY)).text
    with pytest.raises(mm.AuthenticationError):
        await clients[1].create(BODY)
    assert minimax_server.connections_opened - before == 1


def test_a_shared_async_pool_needs_a_running_loop() -> None:
    client = mm.AsyncMiniMaxClient(api_key="k", shared_pool=True)
    with pytest.raises(RuntimeError, match="event loop"):
        client.http_client  # noqa: B018


def test_shared_pool_and_own_http_client_conflict() -> None:
    with pytest.raises(mm.RequestValidationError, match="not both"):
        mm.MiniMaxClient(api_key="k", shared_pool=True, http_client=httpx.Client())
