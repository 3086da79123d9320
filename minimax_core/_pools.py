"""Shared clients, so model instances with the same settings share one connection pool.

- Sync clients are kept for the life of the process, one per distinct setting (key, URL,
  timeouts, retries, headers), as LangChain's OpenAI and Anthropic packages do.
- Async clients are kept per event loop, since a connection pool cannot outlive the loop its
  sockets belong to. Each loop gets a guard async generator: `asyncio.run` (and any runner that
  calls `loop.shutdown_asyncgens()`) closes it before closing the loop, and its `finally`
  closes that loop's clients, so no connection is left open behind a closed loop.

Clients built around a caller's own `httpx` client are never shared or closed here.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Mapping
from typing import Any

from pydantic import SecretStr

from ._client import AsyncMiniMaxClient, MiniMaxClient

__all__ = ["client_options", "close_with_loop", "shared_async_client", "shared_sync_client"]

ClientKey = tuple[Any, ...]

_sync_clients: dict[ClientKey, MiniMaxClient] = {}
_sync_lock = threading.Lock()


class _LoopClients:
    __slots__ = ("__weakref__", "clients", "guard")

    def __init__(self) -> None:
        self.clients: dict[ClientKey, AsyncMiniMaxClient] = {}
        self.guard: AsyncIterator[None] | None = None


_loop_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients] = (
    weakref.WeakKeyDictionary()
)


def client_options(
    *,
    api_key: str | SecretStr | None,
    base_url: str | None,
    region: str | None = None,
    timeout: float | None = None,
    max_retries: int,
    default_headers: Mapping[str, str] | None,
) -> dict[str, Any]:
    """Client keyword arguments from an adapter's settings.

    A framework's single `timeout` also bounds the wait between stream chunks, as httpx's read
    timeout does for the OpenAI SDK; `None` keeps the core's defaults (600 s, 120 s idle).
    """
    options: dict[str, Any] = {
        "api_key": api_key,
        "base_url": base_url,
        "region": region,
        "max_retries": max_retries,
        "default_headers": default_headers,
    }
    if timeout is not None:
        options["timeout"] = timeout
        options["stream_idle_timeout"] = timeout
    return options


def client_key(options: Mapping[str, Any]) -> ClientKey:
    """A hashable key for client options (the API key by value, headers sorted)."""
    key = options.get("api_key")
    secret = key.get_secret_value() if isinstance(key, SecretStr) else key
    headers = tuple(sorted((options.get("default_headers") or {}).items()))
    rest = tuple(
        sorted(
            (name, value)
            for name, value in options.items()
            if name not in ("api_key", "default_headers")
        )
    )
    return (secret, headers, rest)


def shared_sync_client(options: Mapping[str, Any]) -> MiniMaxClient:
    """The process-wide sync client for these options, created on first use."""
    key = client_key(options)
    client = _sync_clients.get(key)
    if client is None:
        with _sync_lock:
            client = _sync_clients.get(key)
            if client is None:
                client = MiniMaxClient(**options)
                client.http_client  # noqa: B018  (create the pool now, not in a racing request)
                _sync_clients[key] = client
    return client


async def _close_on_shutdown(clients: dict[ClientKey, AsyncMiniMaxClient]) -> AsyncIterator[None]:
    try:
        yield
    finally:
        held = list(clients.values())
        clients.clear()
        for client in held:
            await client.close()


async def close_with_loop(clients: dict[ClientKey, AsyncMiniMaxClient]) -> AsyncIterator[None]:
    """Arrange for `clients` to be closed when the running loop shuts down; keep the result.

    It is an async generator started up to its first `yield`: the loop registers it, and
    `loop.shutdown_asyncgens()` (which `asyncio.run` calls) runs its `finally`. The loop holds
    it only weakly, so the caller keeps the returned object for as long as the clients live.
    """
    guard = _close_on_shutdown(clients)
    await guard.__anext__()
    return guard


async def shared_async_client(options: Mapping[str, Any]) -> AsyncMiniMaxClient:
    """The running loop's async client for these options, created on first use."""
    loop = asyncio.get_running_loop()
    entry = _loop_clients.get(loop)
    if entry is None:
        entry = _loop_clients[loop] = _LoopClients()
        entry.guard = await close_with_loop(entry.clients)
    key = client_key(options)
    client = entry.clients.get(key)
    if client is None:
        client = entry.clients[key] = AsyncMiniMaxClient(**options)
    return client
