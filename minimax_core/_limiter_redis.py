"""The adaptive limiter's state in Redis, shared by every process and machine that uses it.

The same decisions as `SharedLimit` (see `_limiter`), made atomically inside Redis by three
Lua scripts on Redis' own clock, so that workers on several machines agree on time:

- `ENTER` takes a slot (a lease in a sorted set, scored by its expiry, so that the slots of a
  worker that died free themselves) and reserves a token (the bucket's next free time);
- `REPORT` applies a success (additive increase) or a rate limit (halve once per episode,
  pause for `Retry-After`);
- `RELEASE` gives the slot back.

A worker waiting for a slot polls every `POLL` seconds: no cross-process wake-up is needed.
Reports and releases are short synchronous round trips, also from async code (well under a
millisecond to a nearby Redis).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
import weakref
from typing import TYPE_CHECKING, Any

from ._limiter import CUT, RATE_STEP, AdaptiveRateLimiter, Permit, rate_signal

if TYPE_CHECKING:
    import redis
    import redis.asyncio

__all__ = ["LEASE_SECONDS", "POLL", "RedisLimit"]

POLL = 0.02
"""Seconds between two tries for a slot while the store says they are all taken."""
LEASE_SECONDS = 900.0
"""A slot not given back within this long is freed (longer than the default 600 s timeout)."""
STORE_CONNECTIONS = 32
"""Connections to the store per process (and per event loop); more callers wait their turn,
where redis-py's default pool would raise past 100."""

# Redis' own clock, and numbers written with microseconds (Lua's `tostring` keeps 14 digits,
# a tenth of a millisecond on today's epoch seconds).
_NOW = (
    "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"
    "local function f(x) return string.format('%.6f', x) end\n"
)

ENTER = (
    _NOW
    + """
local s = redis.call('HMGET', KEYS[1], 'rate', 'conc', 'tat', 'paused')
local rate = tonumber(s[1]) or tonumber(ARGV[1])
local conc = tonumber(s[2]) or tonumber(ARGV[2])
local tat = tonumber(s[3]) or 0
local paused = tonumber(s[4]) or 0
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= math.max(1, math.floor(conc)) then
  return {0, f(now), '0'}
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[4])
local interval = 1.0 / rate
local start = math.max(now, paused, tat - (tonumber(ARGV[3]) - 1) * interval)
tat = math.max(tat, now, paused) + interval
redis.call('HSET', KEYS[1], 'rate', f(rate), 'conc', f(conc), 'tat', f(tat))
return {1, f(now), f(start - now)}
"""
)

REPORT = (
    _NOW
    + """
local s = redis.call('HMGET', KEYS[1], 'rate', 'conc', 'paused', 'last_cut', 'limited')
local max_rate, max_conc = tonumber(ARGV[4]), tonumber(ARGV[5])
local rate = tonumber(s[1]) or max_rate
local conc = tonumber(s[2]) or max_conc
local paused = tonumber(s[3]) or 0
local last_cut = tonumber(s[4]) or 0
local limited = tonumber(s[5]) or 0
if ARGV[1] == 'ok' then
  rate = math.min(max_rate, rate + tonumber(ARGV[7]))
  conc = math.min(max_conc, conc + 1 / conc)
else
  limited = limited + 1
  local retry_after = tonumber(ARGV[3])
  if retry_after > 0 and retry_after <= 60 then paused = math.max(paused, now + retry_after) end
  if tonumber(ARGV[2]) >= last_cut then
    last_cut = now
    if ARGV[1] == 'connections' then
      conc = math.max(1, conc * tonumber(ARGV[8]))
    else
      rate = math.max(tonumber(ARGV[6]), rate * tonumber(ARGV[8]))
    end
  end
end
redis.call('HSET', KEYS[1], 'rate', f(rate), 'conc', f(conc),
  'paused', f(paused), 'last_cut', f(last_cut), 'limited', f(limited))
return {f(rate), f(conc), f(limited)}
"""
)

RELEASE = "return redis.call('ZREM', KEYS[2], ARGV[1])"

PAUSE = _NOW + "return f((tonumber(redis.call('HGET', KEYS[1], 'paused')) or 0) - now)"


def _redis() -> Any:
    try:
        import redis
    except ImportError:
        raise ImportError(
            "AdaptiveRateLimiter(store=...) needs the redis package: "
            "pip install 'minimax-agents[redis]'"
        ) from None
    return redis


class RedisLimit:
    """One endpoint-and-key limiter whose state lives in Redis (see the module docstring)."""

    def __init__(self, settings: AdaptiveRateLimiter, label: str) -> None:
        assert settings.store is not None
        client_module = _redis()
        self.settings = settings
        self.label = label
        # The key's fingerprint is in the label; the store sees only hashes.
        tuning = (
            settings.requests_per_second,
            settings.max_concurrency,
            settings.min_requests_per_second,
            settings.burst,
        )
        scope = hashlib.sha256(repr((label, tuning)).encode()).hexdigest()[:24]
        self.keys = [f"minimax:limit:{scope}:state", f"minimax:limit:{scope}:slots"]
        pool = client_module.BlockingConnectionPool.from_url(
            settings.store, max_connections=STORE_CONNECTIONS, timeout=None
        )
        self._sync: redis.Redis = client_module.Redis(connection_pool=pool)
        self._scripts = {name: self._sync.register_script(text) for name, text in _SCRIPTS}
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[redis.asyncio.Redis, dict[str, Any]]
        ] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"RedisLimit({self.label})"

    # --- the scripts, sync and async -----------------------------------------------------

    def _run(self, name: str, args: list[Any]) -> Any:
        return self._scripts[name](keys=self.keys, args=args)

    async def _arun(self, name: str, args: list[Any]) -> Any:
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is None:  # redis.asyncio connections belong to one event loop
            module = _redis().asyncio
            pool = module.BlockingConnectionPool.from_url(
                self.settings.store, max_connections=STORE_CONNECTIONS, timeout=None
            )
            client = module.Redis(connection_pool=pool)
            entry = self._async[loop] = (
                client,
                {n: client.register_script(text) for n, text in _SCRIPTS},
            )
        return await entry[1][name](keys=self.keys, args=args)

    def _enter_args(self, lease: str) -> list[Any]:
        s = self.settings
        return [s.requests_per_second, s.max_concurrency, s.burst, lease, LEASE_SECONDS]

    def _report_args(self, permit: Permit, error: BaseException | None) -> list[Any] | None:
        signal = rate_signal(error)
        if error is not None and signal is None:
            return None
        retry_after = getattr(error, "retry_after", None) or 0
        s = self.settings
        return [
            signal or "ok",
            permit.started,
            retry_after,
            s.requests_per_second,
            s.max_concurrency,
            s.min_requests_per_second,
            RATE_STEP,
            CUT,
        ]

    # --- the client's side ---------------------------------------------------------------

    def try_enter(self) -> tuple[Permit | None, float]:
        """A slot and a token now (and the seconds to wait before sending), or None if full."""
        lease = uuid.uuid4().hex
        admitted, now, wait = self._run("enter", self._enter_args(lease))
        if not int(admitted):
            return None, 0.0
        return Permit(self, float(now), lease=lease), max(0.0, float(wait))

    def enter(self) -> Permit:
        while True:
            permit, wait = self.try_enter()
            if permit is not None:
                time.sleep(wait)
                return permit
            time.sleep(POLL)

    async def aenter(self) -> Permit:
        while True:
            lease = uuid.uuid4().hex
            admitted, now, wait = await self._arun("enter", self._enter_args(lease))
            if int(admitted):
                await asyncio.sleep(max(0.0, float(wait)))
                return Permit(self, float(now), lease=lease)
            await asyncio.sleep(POLL)

    def report(self, permit: Permit, error: BaseException | None) -> None:
        args = self._report_args(permit, error)
        if args is not None:
            self._run("report", args)

    def release(self, permit: Permit) -> None:
        if permit.held:
            permit.held = False
            self._run("release", [permit.lease])

    def state(self) -> dict[str, float]:
        """The shared values (rate, conc, tat, paused, last_cut, limited) and slots in use."""
        raw = self._sync.hgetall(self.keys[0])
        values = {(k.decode() if isinstance(k, bytes) else k): float(v) for k, v in raw.items()}
        values["in_flight"] = float(self._sync.zcard(self.keys[1]))
        return values

    # --- framework hooks ---------------------------------------------------------------

    def acquire(self, blocking: bool = True) -> bool:
        """A token without a slot (for a framework's hook on a model that reports nothing)."""
        if blocking:
            permit = self.enter()
        else:
            found, wait = self.try_enter()
            if found is None or wait > 0:  # a reservation made stays made: the next one waits
                if found is not None:
                    self.release(found)
                return False
            permit = found
        self.release(permit)
        return True

    async def aacquire(self, blocking: bool = True) -> bool:
        permit = await self.aenter()
        self.release(permit)
        return True

    def wait_out_pause(self, blocking: bool = True) -> bool:
        while (wait := float(self._run("pause", []))) > 0:
            if not blocking:
                return False
            time.sleep(wait)
        return True

    async def await_pause(self, blocking: bool = True) -> bool:
        while (wait := float(await self._arun("pause", []))) > 0:
            if not blocking:
                return False
            await asyncio.sleep(wait)
        return True


_SCRIPTS = (("enter", ENTER), ("report", REPORT), ("release", RELEASE), ("pause", PAUSE))
