"""Rate-limit mode: requests per second and concurrent requests, refused as MiniMax refuses.

Beyond `requests_per_second` (a token bucket holding one second of requests) a request is
refused with code 1002 ("rate limit exceeded(RPM)"); beyond `concurrent_requests` open requests,
with 1041 ("conn limit"). The refusal comes in the regime asked for: `"http"` answers HTTP 429
with an Anthropic-style body whose message ends in `(1002)` / `(1041)`, `"base_resp"` answers
HTTP 200 with that code in `base_resp`, as MiniMax does both. `retry_after` adds the header.

The decision is `admit`, a pure function of the limits, the bucket and the time; `RateGate` is
its thread-safe shell with the counts a test or benchmark reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ._types import Fault

__all__ = ["Bucket", "RateGate", "RateLimits", "admit"]

_REGIMES = ("http", "base_resp")


@dataclass(frozen=True)
class RateLimits:
    """What the server allows; `None` leaves that dimension unlimited."""

    requests_per_second: float | None = None
    concurrent_requests: int | None = None
    regime: str = "http"
    retry_after: float | None = None

    def __post_init__(self) -> None:
        if self.regime not in _REGIMES:
            raise ValueError(f"unknown regime {self.regime!r}; expected one of {_REGIMES}")
        if self.requests_per_second is not None and not self.requests_per_second > 0:
            raise ValueError("requests_per_second must be above 0")
        if self.concurrent_requests is not None and self.concurrent_requests < 1:
            raise ValueError("concurrent_requests must be 1 or more")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RateLimits:
        unknown = set(data) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise ValueError(f"unknown rate-limit settings: {sorted(unknown)}")
        return cls(**data)

    @property
    def active(self) -> bool:
        return self.requests_per_second is not None or self.concurrent_requests is not None


@dataclass
class Bucket:
    """The server's side: tokens left, when they were counted, requests open now."""

    tokens: float = float("inf")
    stamp: float = 0.0
    open: int = 0


def admit(limits: RateLimits, bucket: Bucket, now: float) -> int | None:
    """Admit a request (counted open) and return None, or return the MiniMax code refusing it."""
    if limits.concurrent_requests is not None and bucket.open >= limits.concurrent_requests:
        return 1041
    if limits.requests_per_second is not None:
        capacity = max(1.0, limits.requests_per_second)
        elapsed = max(0.0, now - bucket.stamp)
        bucket.tokens = min(capacity, bucket.tokens + elapsed * limits.requests_per_second)
        bucket.stamp = now
        if bucket.tokens < 1.0:
            return 1002
        bucket.tokens -= 1.0
    bucket.open += 1
    return None


@dataclass
class RateGate:
    """Thread-safe `admit` with counts: admitted, and refused by code."""

    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.monotonic
    bucket: Bucket = field(default_factory=Bucket)
    admitted: int = 0
    refused: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def configure(self, limits: RateLimits) -> None:
        """New limits, a full bucket and zero counts (requests open now stay counted)."""
        with self._lock:
            self.limits = limits
            self.bucket = Bucket(open=self.bucket.open)
            self.admitted = 0
            self.refused = {}

    def enter(self) -> tuple[bool, Fault | None]:
        """Whether the request was counted open (then call `leave` once it is answered), and
        the refusal to answer it with instead, if any."""
        with self._lock:
            if not self.limits.active:
                return False, None
            code = admit(self.limits, self.bucket, self.clock())
            if code is None:
                self.admitted += 1
                return True, None
            self.refused[code] = self.refused.get(code, 0) + 1
            limits = self.limits
        if limits.regime == "base_resp":
            return False, Fault(kind="base_resp", code=code)
        return False, Fault(
            kind="http_status", status=429, code=code, retry_after=limits.retry_after
        )

    def leave(self) -> None:
        with self._lock:
            self.bucket.open = max(0, self.bucket.open - 1)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "limits": asdict(self.limits),
                "admitted": self.admitted,
                "refused": {str(code): n for code, n in sorted(self.refused.items())},
                "open": self.bucket.open,
            }
