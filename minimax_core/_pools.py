"""Connection pools: shared by transport settings, bounded, and never used across a fork.

- **Keyed by transport, not by credentials.** A pool (an `httpx.Client`, or an
  `httpx.AsyncClient` per event loop) depends only on `PoolKey`: the base URL, the timeouts and
  the connection limits. The API key, retries and headers belong to each `MiniMaxClient` and go
  with every request, so a server that calls MiniMax with many tenants' keys keeps one pool.
- **Bounded, and never closed under a user.** Each pool knows the clients that use it (weakly).
  Whenever a pool is taken, pools no live client uses are kept, most recently used first, up to
  `MAX_IDLE_POOLS`; older idle ones are closed. A pool a live client uses is never evicted, so eviction cuts no call.
- **Async pools live and die with their event loop.** Each loop gets a guard async generator:
  `asyncio.run` (and any runner that calls `loop.shutdown_asyncgens()`) finalises it before
  closing the loop, and its `finally` closes that loop's pools.
- **Fork-safe.** A forked child must never send on a socket it inherited: the parent (and its
  other children) read from the same connection, so answers would cross between processes. After
  `os.fork` the registries start empty in the child (`os.register_at_fork`), and every pool
  records the process that made it, so a client that finds an inherited pool takes a fresh one.
  Inherited pools are never closed in the child, only set aside (`abandon`): closing an async
  pool sends a TCP FIN (`shutdown(SHUT_WR)`, and a TLS close-notify) on the parent's
  connection, and letting them be garbage-collected would run asyncio's transport finalisers on
  the parent's loop objects. Kept aside, they cost the child a few idle file descriptors.

Clients built around a caller's own `httpx` client are never shared or closed here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import threading
import weakref
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar

import httpx
from pydantic import SecretStr

from ._exceptions import RequestValidationError
from ._limiter import AdaptiveRateLimiter, Limit

__all__ = [
    "MAX_IDLE_POOLS",
    "ClientOptions",
    "PoolKey",
    "abandon",
    "async_pool",
    "client_options",
    "close_async_pool",
    "close_sync_pool",
    "new_async_http",
    "new_sync_http",
    "sync_pool",
]

KeyProvider = Callable[[], str] | Callable[[], Awaitable[str]]
"""An API key given as a function, called for every request (ChatOpenAI takes one too)."""

Timeout = float | tuple[float | None, float | None] | httpx.Timeout
"""An adapter's `timeout`: seconds, a `(connect, read)` pair, or an `httpx.Timeout`."""

MAX_IDLE_POOLS = 8
"""Pools that no live client uses are kept up to this many per registry (sync, or one loop)."""


class ClientOptions(TypedDict, total=False):
    """The `MiniMaxClient` / `AsyncMiniMaxClient` keyword arguments the adapters set."""

    api_key: str | SecretStr | KeyProvider | None
    base_url: str | None
    region: str | None
    timeout: float | None
    connect_timeout: float
    stream_idle_timeout: float | None
    max_retries: int
    default_headers: Mapping[str, str] | None
    rate_limiter: AdaptiveRateLimiter | Limit | None
    default_query: Mapping[str, Any] | None
    response_headers: bool
    socket_options: Sequence[tuple[int, int, int]] | None


def client_options(
    *,
    api_key: str | SecretStr | KeyProvider | None,
    base_url: str | None,
    region: str | None = None,
    timeout: Timeout | None = None,
    max_retries: int,
    default_headers: Mapping[str, str] | None,
    rate_limiter: AdaptiveRateLimiter | Limit | None = None,
) -> ClientOptions:
    """Client keyword arguments from an adapter's settings.

    A framework's single `timeout` also bounds the wait between stream chunks, as httpx's read
    timeout does for the OpenAI SDK; `None` keeps the core's defaults (600 s, 120 s idle).
    """
    options = ClientOptions(
        api_key=api_key,
        base_url=base_url,
        region=region,
        max_retries=max_retries,
        default_headers=default_headers,
        rate_limiter=rate_limiter,
    )
    if timeout is not None:
        options.update(timeout_options(timeout))
    return options


def timeout_options(timeout: Timeout) -> ClientOptions:
    """`timeout`, `connect_timeout` and `stream_idle_timeout` from an adapter's `timeout`.

    Seconds bound the answer and the wait between stream chunks; a `(connect, read)` pair (as
    the OpenAI SDK and `requests` take) sets the connect limit apart; an `httpx.Timeout` gives
    its `read` (also for write and pool, which the client does not tell apart) and `connect`.
    A `None` connect part keeps the client's default.
    """
    if isinstance(timeout, httpx.Timeout):
        connect, read = timeout.connect, timeout.read
    elif isinstance(timeout, tuple) and len(timeout) == 2:
        connect, read = timeout
    elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        return ClientOptions(timeout=float(timeout), stream_idle_timeout=float(timeout))
    else:
        raise RequestValidationError(
            f"timeout must be seconds, a (connect, read) pair or an httpx.Timeout, got {timeout!r}"
        )
    for part in (connect, read):
        if part is not None and (
            isinstance(part, bool) or not isinstance(part, (int, float)) or part <= 0
        ):
            raise RequestValidationError(
                f"timeout parts must be positive seconds or None, got {timeout!r}"
            )
    options = ClientOptions(timeout=read, stream_idle_timeout=read)
    if connect is not None:
        options["connect_timeout"] = float(connect)
    return options


@dataclass(frozen=True)
class PoolKey:
    """What a connection pool depends on: where it connects, how long it waits, how wide it is."""

    base_url: str
    timeout: float | None
    connect_timeout: float
    max_connections: int
    max_keepalive_connections: int
    socket_options: tuple[tuple[int, int, int], ...] | None = None
    """`(level, option, value)` for each new socket (ChatOpenAI's `http_socket_options`)."""

    def limits(self) -> httpx.Limits:
        return httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_keepalive_connections,
        )

    def default_timeout(self) -> httpx.Timeout:
        """Each request passes its own timeout; this covers anything sent without one."""
        return httpx.Timeout(self.timeout, connect=self.connect_timeout)


_SSL_CONTEXT: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every pool: building one loads the CA bundle (tens of ms)."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT


def new_sync_http(key: PoolKey) -> httpx.Client:
    """A new sync pool for `key` (not shared)."""
    return httpx.Client(**_http_options(key, httpx.HTTPTransport))


def new_async_http(key: PoolKey) -> httpx.AsyncClient:
    """A new async pool for `key` (not shared)."""
    return httpx.AsyncClient(**_http_options(key, httpx.AsyncHTTPTransport))


def _http_options(
    key: PoolKey, transport: type[httpx.HTTPTransport] | type[httpx.AsyncHTTPTransport]
) -> dict[str, Any]:
    """An httpx client's arguments for `key`; socket options need a transport of their own."""
    if key.socket_options is None:
        return {"timeout": key.default_timeout(), "limits": key.limits(), "verify": _ssl_context()}
    return {
        "timeout": key.default_timeout(),
        "transport": transport(
            verify=_ssl_context(), limits=key.limits(), socket_options=key.socket_options
        ),
    }


_Http = TypeVar("_Http", httpx.Client, httpx.AsyncClient)


class Pool(Generic[_Http]):
    """One shared `httpx` client, the process that made it, and the clients that use it."""

    __slots__ = ("closed", "http", "key", "pid", "users")

    def __init__(self, key: PoolKey, http: _Http) -> None:
        self.key = key
        self.http: _Http = http
        self.pid = os.getpid()
        self.closed = False
        self.users: weakref.WeakSet[object] = weakref.WeakSet()

    def usable(self) -> bool:
        """Open, and made by this process (not inherited through a fork)."""
        return not self.closed and self.pid == os.getpid()


class _Registry(Generic[_Http]):
    """Pools by key, most recently used last; idle ones beyond the bound are evicted."""

    __slots__ = ("bound", "pools")

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.pools: OrderedDict[PoolKey, Pool[_Http]] = OrderedDict()

    def lease(
        self, key: PoolKey, user: object, make: Callable[[PoolKey], _Http]
    ) -> tuple[Pool[_Http], list[Pool[_Http]]]:
        """The pool for `key` (made if needed) with `user` recorded, and the pools evicted."""
        pool = self.pools.get(key)
        if pool is None or not pool.usable():
            pool = self.pools[key] = Pool(key, make(key))
        self.pools.move_to_end(key)
        pool.users.add(user)
        return pool, self._evict()

    def _evict(self) -> list[Pool[_Http]]:
        idle = [key for key, pool in self.pools.items() if not pool.users]
        evicted = []
        for key in idle[: max(0, len(idle) - self.bound)]:
            pool = self.pools.pop(key)
            pool.closed = True
            evicted.append(pool)
        return evicted

    def remove(self, pool: Pool[_Http]) -> bool:
        """Forget `pool` and mark it closed; False if it was already gone."""
        if self.pools.get(pool.key) is pool:
            del self.pools[pool.key]
        if pool.closed:
            return False
        pool.closed = True
        return True


class _LoopPools:
    __slots__ = ("__weakref__", "guard", "registry")

    def __init__(self) -> None:
        self.registry: _Registry[httpx.AsyncClient] = _Registry(MAX_IDLE_POOLS)
        self.guard: AsyncGenerator[None, None] | None = None


_sync_registry: _Registry[httpx.Client] = _Registry(MAX_IDLE_POOLS)
_sync_lock = threading.Lock()
_loop_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPools] = (
    weakref.WeakKeyDictionary()
)
_inherited: list[object] = []
_closing: set[asyncio.Task[None]] = set()


def abandon(thing: object) -> None:
    """Set aside something inherited through a fork: never closed, never finalised here."""
    _inherited.append(thing)


def _start_afresh_in_child() -> None:
    global _sync_registry, _sync_lock, _loop_pools
    abandon((_sync_registry, _loop_pools))
    _sync_registry = _Registry(MAX_IDLE_POOLS)
    # Another thread may have held the lock at the fork; the child's copy would stay locked.
    _sync_lock = threading.Lock()
    _loop_pools = weakref.WeakKeyDictionary()


if hasattr(os, "register_at_fork"):  # POSIX only; Windows has no fork
    os.register_at_fork(after_in_child=_start_afresh_in_child)


def sync_pool(key: PoolKey, user: object) -> Pool[httpx.Client]:
    """The process-wide sync pool for `key`, with `user` recorded as using it."""
    with _sync_lock:
        pool, evicted = _sync_registry.lease(key, user, new_sync_http)
    for old in evicted:
        old.http.close()
    return pool


def close_sync_pool(pool: Pool[httpx.Client]) -> None:
    """Close a shared sync pool now (its users get a new one on their next call)."""
    if not pool.usable():
        return
    with _sync_lock:
        closing = _sync_registry.remove(pool)
    if closing:
        pool.http.close()


async def _close_on_shutdown(registry: _Registry[httpx.AsyncClient]) -> AsyncGenerator[None, None]:
    pid = os.getpid()
    try:
        yield
    finally:
        held = list(registry.pools.values())
        registry.pools.clear()
        for pool in held:
            pool.closed = True
            if pid == os.getpid():  # a forked child runs this on its copy: leave the sockets
                await pool.http.aclose()


def async_pool(key: PoolKey, user: object) -> Pool[httpx.AsyncClient]:
    """The running loop's pool for `key`, with `user` recorded; closed when the loop shuts down.

    Synchronous, so that `AsyncMiniMaxClient.http_client` can be a property. The guard is an
    async generator run up to its first `yield` here: its first step registers it with the
    running loop (the loop's `firstiter` hook), and needs no await since nothing before the
    `yield` awaits. `loop.shutdown_asyncgens()` (which `asyncio.run` calls) then runs its
    `finally`. The loop holds it only weakly, so the loop's entry here keeps it.
    """
    loop = asyncio.get_running_loop()
    entry = _loop_pools.get(loop)
    if entry is None:
        entry = _loop_pools[loop] = _LoopPools()
        entry.guard = guard = _close_on_shutdown(entry.registry)
        with contextlib.suppress(StopIteration):
            guard.__anext__().send(None)
    pool, evicted = entry.registry.lease(key, user, new_async_http)
    for old in evicted:  # idle: nothing awaits them; close them in the background
        task = loop.create_task(old.http.aclose())
        _closing.add(task)
        task.add_done_callback(_closing.discard)
    return pool


async def close_async_pool(pool: Pool[httpx.AsyncClient]) -> None:
    """Close a shared async pool now (its users get a new one on their next call)."""
    if not pool.usable():
        return
    entry = _loop_pools.get(asyncio.get_running_loop())
    if entry is not None:
        entry.registry.remove(pool)
    pool.closed = True
    await pool.http.aclose()
