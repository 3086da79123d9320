"""Retry policy: pure functions that both client shells call."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

__all__ = [
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "parse_retry_after",
    "retry_delay",
]

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
"""A server-given delay is honoured only up to this; a longer one falls back to backoff."""


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms`, then `retry-after` (seconds or date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return float(raw_ms) / 1000.0
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(raw)
    if parsed is None:
        return None
    when = email.utils.mktime_tz(parsed)
    return when - (time.time() if now is None else now)


def retry_delay(
    attempt: int, retry_after: float | None = None, *, jitter: float | None = None
) -> float:
    """How long to sleep before retry number `attempt` (0 for the first retry).

    A server-given delay between 0 and 60 s wins. Otherwise exponential backoff
    `min(0.5 * 2**attempt, 8)`, shortened by up to 25% of random jitter so that many clients
    that failed together do not retry together.
    """
    if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
        return retry_after
    base = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    factor = 1.0 - 0.25 * (random.random() if jitter is None else jitter)
    return base * factor
