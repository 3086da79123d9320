"""`MiniMaxRateLimiter`: LangChain's `rate_limiter=` hook on the core's adaptive limiter."""

from __future__ import annotations

from langchain_core.rate_limiters import BaseRateLimiter
from pydantic import SecretStr

from minimax_core import AdaptiveRateLimiter
from minimax_core.adapter_kit import Limit, SharedLimit

__all__ = ["MiniMaxRateLimiter"]


class MiniMaxRateLimiter(BaseRateLimiter):
    """An adaptive limiter for `ChatMiniMax(rate_limiter=...)`, shared per endpoint and key.

    Given to a `ChatMiniMax`, it is bound to that model's endpoint and key: every model in the
    process with the same endpoint, key and settings draws on one state, which slows down when
    MiniMax answers with a rate limit (429, 1002, 1039, 1041, 2045; `Retry-After` honoured),
    bounds the requests in flight, and speeds up again as calls succeed. The model's client
    takes a token for every attempt (retries included) and learns from every answer; LangChain's
    own `acquire` before each call then only waits out a `Retry-After` pause. Given to any other
    model, it is a plain token bucket at the configured rate (nothing reports answers to it).
    """

    def __init__(
        self,
        *,
        requests_per_second: float = 8.0,
        max_concurrency: int = 16,
        min_requests_per_second: float = 0.1,
        burst: float = 1.0,
        patience: int = 8,
        store: str | None = None,
    ) -> None:
        self.settings = AdaptiveRateLimiter(
            requests_per_second=requests_per_second,
            max_concurrency=max_concurrency,
            min_requests_per_second=min_requests_per_second,
            burst=burst,
            patience=patience,
            store=store,
        )
        self._limit: Limit | None = None
        self._bound = False

    @property
    def limit(self) -> Limit:
        """The live state this limiter draws on (its own until bound to an endpoint and key)."""
        if self._limit is None:
            self._limit = SharedLimit(self.settings, "unbound")
        return self._limit

    @property
    def is_bound(self) -> bool:
        return self._bound

    def bound(self, base_url: str, api_key: str | SecretStr | None) -> MiniMaxRateLimiter:
        """A limiter with the same settings on the process-wide state for this endpoint and key."""
        twin = MiniMaxRateLimiter.__new__(MiniMaxRateLimiter)
        twin.settings = self.settings
        twin._limit = self.settings.limit_for(base_url, api_key)
        twin._bound = True
        return twin

    def acquire(self, *, blocking: bool = True) -> bool:
        if self._bound:  # the model's client takes a token per attempt, retries included
            return self.limit.wait_out_pause(blocking)
        return self.limit.acquire(blocking)

    async def aacquire(self, *, blocking: bool = True) -> bool:
        if self._bound:
            return await self.limit.await_pause(blocking)
        return await self.limit.aacquire(blocking)

    def __repr__(self) -> str:
        return f"MiniMaxRateLimiter({self._limit!r})" if self._bound else repr(self.settings)
