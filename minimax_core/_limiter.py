"""An opt-in adaptive rate limiter, shared by every client of one endpoint and key in a process.

MiniMax limits requests per minute, tokens per minute and concurrent connections per key, and
says so with HTTP 429 or the codes 1002 (RPM), 1039 (TPM), 1041 (connections) and 2045 (growth)
in either error regime. Retries alone answer a crowd of agents with a crowd of retries: most
fail again, and runs are lost. The limiter instead paces and bounds the calls themselves:

- **Pacing:** a token bucket in its GCRA form (one "theoretical arrival time"), so each caller
  reserves its start time once and sleeps until then, with no polling and no thundering herd.
- **Concurrency:** at most `concurrency` requests in flight; waiters are served first come,
  first served, and a freed slot is handed straight to the next one.
- **Backing off:** a rate-limit answer halves the rate (or, for 1041, the concurrency), once per
  congestion episode: answers to requests sent before the last cut do not cut again.
  `Retry-After` pauses every caller until it has passed.
- **Recovering:** each success adds a little back (`RATE_STEP` requests per second, `1/c`
  connections), up to the configured ceilings: additive increase, multiplicative decrease.
- **Requeue instead of failing:** a call answered with a retryable rate limit waits its turn
  again without spending one of the client's `max_retries`, up to `patience` times.

The decisions are pure functions over `LimiterState` with the time passed in (tested with a
fake clock); `SharedLimit` is the thin thread- and asyncio-safe shell around them.

No library fitted: `aiolimiter` is asyncio-only and bound to one event loop, `pyrate-limiter`
and `limits` take fixed rates and know nothing of concurrency, answers or `Retry-After`. The
bucket itself is the dozen lines of `reserve`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import SecretStr

from ._exceptions import RateLimitError, UsageLimitError
from ._retry import MAX_RETRY_AFTER

__all__ = [
    "AdaptiveRateLimiter",
    "Limit",
    "LimiterState",
    "Permit",
    "SharedLimit",
    "next_start",
    "on_rate_limited",
    "on_success",
    "rate_signal",
    "release_slot",
    "reserve",
    "take_slot",
]

RATE_STEP = 0.02
"""Requests per second added back per success (so the rate regrows by about 2% a second)."""
CUT = 0.5
"""Factor applied to the rate or the concurrency on a rate-limit answer."""

Signal = Literal["rate", "connections"]


def rate_signal(error: BaseException | None) -> Signal | None:
    """What a failure says about load: too many requests, too many connections, or nothing.

    2056 (the plan's usage window is spent) is a `RateLimitError` too, but no pacing helps it.
    """
    if not isinstance(error, RateLimitError) or isinstance(error, UsageLimitError):
        return None
    return "connections" if error.code == 1041 else "rate"


@dataclass
class LimiterState:
    """Everything the limiter decides from; times are seconds on one monotonic clock."""

    max_rate: float
    min_rate: float
    max_concurrency: int
    burst: float
    rate: float = 0.0
    concurrency: float = 0.0
    tat: float = float("-inf")
    """The theoretical arrival time of the next request, as if requests were evenly spaced."""
    in_flight: int = 0
    paused_until: float = float("-inf")
    last_cut: float = float("-inf")
    rate_limited: int = 0
    """Rate-limit answers seen (for reports)."""

    def __post_init__(self) -> None:
        self.rate = self.rate or self.max_rate
        self.concurrency = self.concurrency or float(self.max_concurrency)


def next_start(state: LimiterState, now: float) -> float:
    """When a request reserved now could start (no reservation made)."""
    interval = 1.0 / state.rate
    return max(now, state.paused_until, state.tat - (state.burst - 1.0) * interval)


def reserve(state: LimiterState, now: float) -> float:
    """Reserve the next request's start time (>= now): the token bucket as GCRA."""
    start = next_start(state, now)
    state.tat = max(state.tat, now, state.paused_until) + 1.0 / state.rate
    return start


def take_slot(state: LimiterState) -> bool:
    """Count one more request in flight if the concurrency allows it."""
    if state.in_flight < max(1, int(state.concurrency)):
        state.in_flight += 1
        return True
    return False


def release_slot(state: LimiterState) -> None:
    state.in_flight = max(0, state.in_flight - 1)


def on_success(state: LimiterState) -> None:
    """Additive increase, up to the ceilings."""
    state.rate = min(state.max_rate, state.rate + RATE_STEP)
    state.concurrency = min(
        float(state.max_concurrency), state.concurrency + 1.0 / state.concurrency
    )


def on_rate_limited(
    state: LimiterState,
    now: float,
    *,
    started: float,
    signal: Signal,
    retry_after: float | None = None,
) -> None:
    """Multiplicative decrease, once per episode; `Retry-After` pauses everyone.

    A request sent before the last cut reports congestion the cut already answered.
    """
    state.rate_limited += 1
    if retry_after is not None and 0 < retry_after <= MAX_RETRY_AFTER:
        state.paused_until = max(state.paused_until, now + retry_after)
    if started < state.last_cut:
        return
    state.last_cut = now
    if signal == "connections":
        state.concurrency = max(1.0, state.concurrency * CUT)
    else:
        state.rate = max(state.min_rate, state.rate * CUT)


@dataclass(frozen=True)
class AdaptiveRateLimiter:
    """Settings of an adaptive limiter; pass it as `rate_limiter=` to a client or model.

    Every client in the process with the same endpoint, key and settings shares one live state
    (`SharedLimit`), found by a hash of the key (the key itself is never kept or shown).
    `requests_per_second` and `max_concurrency` are ceilings and starting points: set them to
    your plan's limits (MiniMax quotes RPM: divide by 60); the limiter goes below them while
    MiniMax answers with rate limits, and climbs back as calls succeed.
    """

    requests_per_second: float = 8.0
    max_concurrency: int = 16
    min_requests_per_second: float = 0.1
    burst: float = 1.0
    """Requests that may start together after a quiet spell."""
    patience: int = 8
    """How many retryable rate-limit answers one call waits out before raising."""
    store: str | None = None
    """A Redis URL (`redis://host:6379/0`): share the state with every process that uses the
    same store, endpoint and key, instead of keeping it in this process (`pip install redis`)."""

    def __post_init__(self) -> None:
        if not self.requests_per_second > 0 or not self.min_requests_per_second > 0:
            raise ValueError("requests_per_second and min_requests_per_second must be above 0")
        if self.store is not None and not self.store.startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ValueError(f"store must be a Redis URL (redis://host:6379/0), got {self.store!r}")
        if self.min_requests_per_second > self.requests_per_second:
            raise ValueError("min_requests_per_second must not exceed requests_per_second")
        if self.max_concurrency < 1 or self.burst < 1 or self.patience < 0:
            raise ValueError("max_concurrency and burst must be 1 or more, patience 0 or more")

    def limit_for(self, base_url: str, api_key: str | SecretStr | None) -> Limit:
        """The live state for this endpoint and key under these settings: this process's own,
        or the one in `store` shared with other processes."""
        secret = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        fingerprint = hashlib.sha256((secret or "").encode()).hexdigest()[:12]
        key = (self, base_url, fingerprint)
        with _registry_lock:
            limit = _registry.get(key)
            if limit is None:
                limit = _registry[key] = self._make_limit(base_url, fingerprint)
            _registry.move_to_end(key)
            while len(_registry) > MAX_SHARED_LIMITS:
                _registry.popitem(last=False)
        return limit

    def _make_limit(self, base_url: str, fingerprint: str) -> Limit:
        label = f"{base_url} key#{fingerprint}"
        if self.store is None:
            return SharedLimit(self, label)
        from ._limiter_redis import RedisLimit

        return RedisLimit(self, label)


class Limit(Protocol):
    """What a client needs of a live limiter, in this process (`SharedLimit`) or in a store."""

    settings: AdaptiveRateLimiter

    def enter(self) -> Permit: ...
    async def aenter(self) -> Permit: ...
    def report(self, permit: Permit, error: BaseException | None) -> None: ...
    def release(self, permit: Permit) -> None: ...
    def acquire(self, blocking: bool = True) -> bool: ...
    async def aacquire(self, blocking: bool = True) -> bool: ...
    def wait_out_pause(self, blocking: bool = True) -> bool: ...
    async def await_pause(self, blocking: bool = True) -> bool: ...


MAX_SHARED_LIMITS = 1024
"""Endpoint-and-key states kept for the process; the least recently used go first."""

_registry: OrderedDict[tuple[AdaptiveRateLimiter, str, str], Limit] = OrderedDict()
_registry_lock = threading.Lock()
_all_limits: weakref.WeakSet[SharedLimit] = weakref.WeakSet()


@dataclass
class Permit:
    """One admitted attempt: when its token was reserved, and whether its slot is still held.

    The reservation time dates the attempt for the once-per-episode rule: an attempt paced
    before the last cut reports congestion that cut already answered.
    """

    limit: Limit
    started: float
    held: bool = True
    lease: str = ""
    """The slot's name in a shared store (unused in-process)."""


@dataclass(eq=False)
class _Waiter:
    event: threading.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None
    future: asyncio.Future[None] | None = None
    granted: bool = False

    def wake(self) -> None:
        if self.event is not None:
            self.event.set()
        elif self.loop is not None and self.future is not None:
            self.loop.call_soon_threadsafe(_resolve, self.future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass(eq=False)
class SharedLimit:
    """The live limiter for one endpoint and key: thread-safe, usable from any event loop."""

    settings: AdaptiveRateLimiter
    label: str
    clock: Callable[[], float] = time.monotonic
    state: LimiterState = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _waiters: deque[_Waiter] = field(init=False, default_factory=deque)

    def __post_init__(self) -> None:
        self.state = LimiterState(
            max_rate=self.settings.requests_per_second,
            min_rate=self.settings.min_requests_per_second,
            max_concurrency=self.settings.max_concurrency,
            burst=self.settings.burst,
        )
        _all_limits.add(self)

    def __repr__(self) -> str:
        s = self.state
        return (
            f"SharedLimit({self.label}, rate={s.rate:.2f}/s, concurrency={int(s.concurrency)}, "
            f"in_flight={s.in_flight}, rate_limited={s.rate_limited})"
        )

    # --- tokens ------------------------------------------------------------------------

    def acquire(self, blocking: bool = True) -> bool:
        """Take a token, waiting for it unless `blocking` is off (then False if none is ready).

        A token reserved before a cut is given back and taken again at the lower rate, so
        callers queued at the old pace do not all go out after MiniMax said "too many".
        """
        return self._token(blocking) is not None

    async def aacquire(self, blocking: bool = True) -> bool:
        return await self._atoken(blocking) is not None

    def _reserve(self, blocking: bool) -> tuple[float, float] | None:
        """`(now, when the reserved token starts)`, or None if not blocking and none is free."""
        with self._lock:
            now = self.clock()
            if not blocking and next_start(self.state, now) > now:
                return None
            return now, reserve(self.state, now)

    def _token(self, blocking: bool = True) -> float | None:
        """Reserve and wait for a token; returns when it was reserved (None: not blocking)."""
        while True:
            reserved = self._reserve(blocking)
            if reserved is None:
                return None
            now, start = reserved
            if start > now:
                time.sleep(start - now)
            if self._still_valid(now):
                return now

    async def _atoken(self, blocking: bool = True) -> float | None:
        while True:
            reserved = self._reserve(blocking)
            if reserved is None:
                return None
            now, start = reserved
            if start > now:
                await asyncio.sleep(start - now)
            if self._still_valid(now):
                return now

    def _still_valid(self, reserved: float) -> bool:
        """No cut since the reservation, and no `Retry-After` pause running now."""
        return reserved >= self.state.last_cut and self.clock() >= self.state.paused_until

    def wait_out_pause(self, blocking: bool = True) -> bool:
        """Wait while a `Retry-After` pause runs (no token taken); False if paused and not blocking."""
        while (wait := self.state.paused_until - self.clock()) > 0:
            if not blocking:
                return False
            time.sleep(wait)
        return True

    async def await_pause(self, blocking: bool = True) -> bool:
        while (wait := self.state.paused_until - self.clock()) > 0:
            if not blocking:
                return False
            await asyncio.sleep(wait)
        return True

    # --- attempts (the client) -------------------------------------------------------------

    def enter(self) -> Permit:
        """Wait for a slot, then a token; send the attempt once this returns."""
        with self._lock:
            waiter = None
            if self._waiters or not take_slot(self.state):
                waiter = _Waiter(threading.Event())
                self._waiters.append(waiter)
        if waiter is not None and waiter.event is not None:
            waiter.event.wait()
        try:
            reserved = self._token()
        except BaseException:
            self._release_slot()
            raise
        assert reserved is not None
        return Permit(self, reserved)

    async def aenter(self) -> Permit:
        waiter = None
        with self._lock:
            if self._waiters or not take_slot(self.state):
                loop = asyncio.get_running_loop()
                waiter = _Waiter(loop=loop, future=loop.create_future())
                self._waiters.append(waiter)
        if waiter is not None and waiter.future is not None:
            try:
                await waiter.future
            except asyncio.CancelledError:
                with self._lock:
                    granted = waiter.granted
                    if not granted:
                        self._waiters.remove(waiter)
                if granted:
                    self._release_slot()
                raise
        try:
            reserved = await self._atoken()
        except BaseException:
            self._release_slot()
            raise
        assert reserved is not None
        return Permit(self, reserved)

    def report(self, permit: Permit, error: BaseException | None) -> None:
        """Learn from an attempt's answer: a success, a rate limit, or neither."""
        signal = rate_signal(error)
        with self._lock:
            if error is None:
                on_success(self.state)
            elif signal is not None:
                retry_after = getattr(error, "retry_after", None)
                on_rate_limited(
                    self.state,
                    self.clock(),
                    started=permit.started,
                    signal=signal,
                    retry_after=retry_after,
                )
            woken = self._grant()
        for waiter in woken:
            waiter.wake()

    def release(self, permit: Permit) -> None:
        """The attempt's connection is done (its answer read, or its stream closed)."""
        if permit.held:
            permit.held = False
            self._release_slot()

    def _release_slot(self) -> None:
        with self._lock:
            release_slot(self.state)
            woken = self._grant()
        for waiter in woken:
            waiter.wake()

    def _grant(self) -> list[_Waiter]:
        """Hand free slots to the longest waiters (the lock is held)."""
        woken = []
        while self._waiters and take_slot(self.state):
            waiter = self._waiters.popleft()
            waiter.granted = True
            woken.append(waiter)
        return woken

    def _start_afresh(self) -> None:
        """In a forked child: the parent's callers and their slots are not here."""
        self._lock = threading.Lock()
        self._waiters = deque()
        self.state.in_flight = 0


def _after_fork_in_child() -> None:
    global _registry_lock
    _registry_lock = threading.Lock()
    for limit in list(_all_limits):
        limit._start_afresh()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
