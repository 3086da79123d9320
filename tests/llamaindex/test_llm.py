"""The `MiniMax` class itself: settings, secrets, metadata, errors."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms.function_calling import FunctionCallingLLM

import llamaindex_minimax
from llamaindex_minimax import MiniMax
from minimax_core import (
    DEFAULT_BASE_URL,
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    StreamError,
)
from minimax_server import Fault, MiniMaxServer

from .conftest import LLMFactory

HI = [ChatMessage(role="user", content="Hello")]


def test_public_api() -> None:
    assert llamaindex_minimax.__all__ == ["AdaptiveRateLimiter", "MiniMax", "file_block"]
    assert issubclass(MiniMax, FunctionCallingLLM)
    assert MiniMax.class_name() == "MiniMax_LLM"


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", "env-secret-key")
    monkeypatch.setenv("MINIMAX_BASE_URL", "http://127.0.0.1:8000/v1/")
    llm = MiniMax()
    assert llm.model == "MiniMax-M3"
    assert llm.base_url == "http://127.0.0.1:8000/v1"
    assert llm._api_key is not None
    assert llm._api_key.get_secret_value() == "env-secret-key"
    monkeypatch.delenv("MINIMAX_BASE_URL")
    assert MiniMax(api_key="k").base_url == DEFAULT_BASE_URL
    assert MiniMax(api_key="k", base_url="http://h:1/v1").base_url == "http://h:1/v1"


def test_the_key_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    secret = "sk-very-secret-value"
    caplog.set_level(logging.DEBUG)
    with MiniMaxServer(api_key=secret) as own:
        llm = MiniMax(api_key=secret, base_url=own.base_url, max_retries=1)
        shown = [repr(llm), str(llm), json.dumps(llm.to_dict()), llm.to_json()]
        shown += [str(llm.model_dump())]
        if hasattr(llm, "to_payload"):  # llama-index-core 0.14.9 and later
            shown.append(str(llm.to_payload()))
        own.inject(Fault(kind="http_status", status=500, retry_after=0.01, count=1))
        llm.chat(HI)  # fails once (logged), then succeeds
        own.inject(Fault(kind="http_status", status=500, retry_after=0.01, count=2))
        with pytest.raises(Exception) as failure:
            llm.chat(HI)
    assert "retry 1 of 1" in caplog.text
    shown += [str(failure.value), repr(failure.value), caplog.text]
    assert not any(secret in text for text in shown)
    assert "api_key" not in llm.to_dict()


def test_metadata_from_the_catalog() -> None:
    m3 = MiniMax(model="MiniMax-M3", api_key="k").metadata
    assert (m3.context_window, m3.num_output, m3.model_name) == (1_000_000, 131_072, "MiniMax-M3")
    assert m3.is_chat_model and m3.is_function_calling_model
    m2 = MiniMax(model="MiniMax-M2.5", api_key="k", max_tokens=2048).metadata
    assert (m2.context_window, m2.num_output) == (204_800, 2048)
    assert MiniMax(api_key="k").metadata.context_window == 1_000_000  # MiniMax-M3, the default


def test_errors_are_minimax_core_errors(make_llm: LLMFactory, server: MiniMaxServer) -> None:
    with pytest.raises(AuthenticationError):
        MiniMax(base_url=server.base_url, api_key="wrong-key").chat(HI)
    server.inject(Fault(kind="http_status", status=429, retry_after=0.01, count=3))
    with pytest.raises(RateLimitError):
        make_llm(max_retries=1).chat(HI)
    server.reset()
    server.inject(Fault(kind="http_status", status=429, retry_after=0.01, count=1))
    assert make_llm(max_retries=1).chat(HI).message.content  # retried once, then answered
    with pytest.raises(BadRequestError, match="2013"):
        make_llm().chat(HI, model="MiniMax-M9")  # only the server knows its models


def test_missing_key_is_reported_when_calling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
    llm = MiniMax(base_url="http://127.0.0.1:9/v1")
    with pytest.raises(AuthenticationError, match="MINIMAX_API_KEY"):
        llm.chat(HI)


def test_broken_stream_raises_and_never_returns_a_partial_answer(
    make_llm: LLMFactory, server: MiniMaxServer
) -> None:
    server.inject(Fault(kind="drop_mid_stream", after_chunks=3))
    with pytest.raises(StreamError):
        list(make_llm().stream_chat(HI))


async def test_async_stream_errors_too(make_llm: LLMFactory, server: MiniMaxServer) -> None:
    server.inject(Fault(kind="eof_before_finish"))
    with pytest.raises(StreamError):
        async for _ in await make_llm().astream_chat(HI):
            pass


def test_injected_http_clients_are_used(server: MiniMaxServer) -> None:
    seen: list[str] = []

    def record(request: httpx.Request) -> None:
        seen.append(request.url.path)

    with httpx.Client(event_hooks={"request": [record]}) as client:
        llm = MiniMax(base_url=server.base_url, api_key=server.api_key, http_client=client)
        llm.chat(HI)
    assert seen == ["/v1/chat/completions"]


async def test_injected_async_http_client_and_default_headers(server: MiniMaxServer) -> None:
    async with httpx.AsyncClient() as client:
        llm = MiniMax(
            base_url=server.base_url,
            api_key=server.api_key,
            async_http_client=client,
            default_headers={"X-Trace": "t-1"},
        )
        await llm.achat(HI)
    assert server.requests[-1].headers.get("x-trace") == "t-1"


# --- complete() keeps the reasoning as stream_complete() does ----------------------------------


async def test_complete_keeps_the_reasoning_like_stream_complete(
    minimax_server: MiniMaxServer,
) -> None:
    llm = MiniMax(api_key=minimax_server.api_key, base_url=minimax_server.base_url)
    streamed = "".join(
        chunk.additional_kwargs.get("thinking_delta", "") for chunk in llm.stream_complete("Hello")
    )
    assert streamed
    for whole in (llm.complete("Hello"), await llm.acomplete("Hello")):
        assert whole.additional_kwargs["thinking_delta"] == streamed
        assert whole.text and "<think>" not in whole.text
