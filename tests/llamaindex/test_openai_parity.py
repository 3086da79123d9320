"""What users of LlamaIndex's `OpenAI` LLM reach for, through `MiniMax`'s public API (issue 22)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from llama_index.core.llms import ChatMessage
from llama_index.core.tools import FunctionTool

from llamaindex_minimax import MiniMax
from minimax_core import APITimeoutError, MiniMaxWarning, RequestValidationError
from minimax_server import Fault, MiniMaxServer

from .conftest import LLMFactory

HELLO = [ChatMessage(role="user", content="Hello")]


def last_body(server: MiniMaxServer) -> dict[str, Any]:
    return server.requests[-1].body


# --- extras are checked like named settings, after merging ----------------------------------


@pytest.mark.parametrize(
    ("additional", "call"),
    [
        ({"extra_body": {"temperature": 5}}, {}),
        ({"top_p": 3}, {}),
        ({}, {"extra_body": {"max_tokens": 0}}),
        ({}, {"extra_body": {"n": 2}}),
        ({"extra_body": {"reasoning_effort": "enormous"}}, {}),
    ],
)
def test_extras_are_refused_like_named_settings(
    make_llm: LLMFactory,
    server: MiniMaxServer,
    additional: dict[str, Any],
    call: dict[str, Any],
) -> None:
    llm = make_llm(model="MiniMax-M4", additional_kwargs=additional)
    with pytest.raises(RequestValidationError):
        llm.chat(HELLO, **call)
    assert server.requests == []


def test_precedence_is_call_then_setting_then_extras(
    make_llm: LLMFactory, server: MiniMaxServer
) -> None:
    llm = make_llm(
        temperature=0.5,
        additional_kwargs={
            "extra_body": {"temperature": 0.9, "top_p": 0.4, "model": "MiniMax-M2.5"}
        },
    )
    llm.chat(HELLO)
    body = last_body(server)
    assert (body["temperature"], body["top_p"], body["model"]) == (0.5, 0.4, llm.model)
    llm.chat(HELLO, temperature=0.1, extra_body={"top_p": 0.2})
    body = last_body(server)
    assert (body["temperature"], body["top_p"]) == (0.1, 0.2)
    assert "extra_body" not in body


# --- timeout and api_key in every shape OpenAI's LLM takes ------------------------------------


@pytest.mark.parametrize("timeout", [0.3, (5.0, 0.3), httpx.Timeout(0.3, connect=5.0)])
def test_timeout_shapes_bound_the_stream_idle_wait(
    make_llm: LLMFactory, server: MiniMaxServer, timeout: Any
) -> None:
    server.inject(Fault(kind="stall", after_chunks=2, seconds=2.0))
    with pytest.raises(APITimeoutError):
        list(make_llm(timeout=timeout).stream_chat(HELLO))


def test_a_bad_timeout_is_refused_at_construction(make_llm: LLMFactory) -> None:
    with pytest.raises(RequestValidationError, match="timeout"):
        make_llm(timeout="soon")


async def test_key_functions_are_called_per_request(server: MiniMaxServer) -> None:
    calls: list[str] = []

    def key() -> str:
        calls.append("sync")
        return server.api_key

    async def akey() -> str:
        calls.append("async")
        return server.api_key

    llm = MiniMax(base_url=server.base_url, api_key=key, max_retries=0)
    assert llm.chat(HELLO).message.content
    allm = MiniMax(base_url=server.base_url, api_key=akey, max_retries=0)
    assert (await allm.achat(HELLO)).message.content
    assert calls == ["sync", "async"]
    assert server.api_key not in repr(llm) + str(llm.model_dump()) + llm.to_json()
    await llm.aclose()
    await allm.aclose()


# --- strict tools: MiniMax's tool schema has no `strict`, so neither adapter sends it ----------


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def test_strict_tools_are_not_sent_and_say_so(make_llm: LLMFactory, server: MiniMaxServer) -> None:
    llm = make_llm()
    with pytest.warns(MiniMaxWarning, match="no `strict` field"):
        llm.chat_with_tools([FunctionTool.from_defaults(add)], "What is add(2, 3)?", strict=True)
    assert "strict" not in last_body(server)["tools"][0]["function"]
    with pytest.raises(RequestValidationError, match="no `strict` field"):
        make_llm(strict=True)
