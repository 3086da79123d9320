"""LlamaIndex's own rate limiters on `MiniMax` (llama-index-core 0.14.16 and later)."""

from __future__ import annotations

import importlib.util

import pytest
from llama_index.core.llms import ChatMessage

from minimax_core import RequestValidationError

from .conftest import LLMFactory

HELLO = [ChatMessage(role="user", content="Hello")]
HAS_FRAMEWORK_LIMITERS = importlib.util.find_spec("llama_index.core.rate_limiter") is not None
needs_framework_limiters = pytest.mark.skipif(
    not HAS_FRAMEWORK_LIMITERS, reason="llama-index-core < 0.14.16 has no rate_limiter module"
)


def counting_bucket(requests_per_minute: int) -> object:
    """LlamaIndex's token bucket, counting the calls it paces."""
    from llama_index.core.rate_limiter import TokenBucketRateLimiter

    class CountingBucket(TokenBucketRateLimiter):
        def acquire(self, num_tokens: int = 0) -> None:
            self.__dict__.setdefault("_counted", []).append("sync")
            super().acquire(num_tokens)

        async def async_acquire(self, num_tokens: int = 0) -> None:
            self.__dict__.setdefault("_counted", []).append("async")
            await super().async_acquire(num_tokens)

    return CountingBucket(requests_per_minute=requests_per_minute)


@needs_framework_limiters
async def test_llama_index_rate_limiters_pace_every_call(make_llm: LLMFactory) -> None:
    bucket = counting_bucket(requests_per_minute=6000)
    llm = make_llm(rate_limiter=bucket)
    assert llm.rate_limiter is bucket
    assert llm.chat(HELLO).message.content
    assert "".join(chunk.delta or "" for chunk in llm.stream_chat(HELLO))
    assert (await llm.achat(HELLO)).message.content
    chunks = [chunk async for chunk in await llm.astream_chat(HELLO)]
    assert chunks
    assert bucket.__dict__["_counted"] == ["sync", "sync", "async", "async"]


@needs_framework_limiters
def test_a_limiter_of_another_kind_is_refused_at_construction(make_llm: LLMFactory) -> None:
    with pytest.raises(RequestValidationError, match="AdaptiveRateLimiter"):
        make_llm(rate_limiter=object())


@pytest.mark.skipif(HAS_FRAMEWORK_LIMITERS, reason="only on releases without LlamaIndex limiters")
def test_before_0_14_16_a_foreign_limiter_names_the_release_it_needs(make_llm: LLMFactory) -> None:
    with pytest.raises(RequestValidationError, match=r"0\.14\.16 or newer.*AdaptiveRateLimiter"):
        make_llm(rate_limiter=object())


def test_our_limiter_works_on_every_supported_release(make_llm: LLMFactory) -> None:
    from minimax_core import AdaptiveRateLimiter

    llm = make_llm(rate_limiter=AdaptiveRateLimiter(requests_per_second=1000))
    assert llm.chat(HELLO).message.content
