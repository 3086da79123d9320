"""Multi-turn replay, structured output, thinking on and off, and image input.

Thinking off and images run only for models whose catalog entry allows them
(`minimax_core.models`); names the catalog does not know are treated as text-only M2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from minimax_core import model_info
from minimax_core.recording import Exchange
from tests.guarantees import assert_langchain_message, view_of

from ._chain import assert_chain_kept, content_type
from .test_langchain_standard import png

Chat = Callable[..., Any]
QUESTIONS = [
    "Pick a number between 1 and 10 and remember it.",
    "Now double the number you picked.",
    "What was the number you picked first?",
]


def _view(exchange: Exchange) -> Any:
    assert exchange.status == 200, exchange.body[:300]
    return view_of(content_type(exchange), exchange.body)


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize("reasoning_split", [True, False], ids=["split", "inline"])
def test_langchain_multi_turn_replay(
    make_chat: Chat, wire: list[Exchange], streamed: bool, reasoning_split: bool
) -> None:
    """Three user turns; every earlier answer goes back, reasoning included, each time."""
    from langchain_core.messages import HumanMessage, message_chunk_to_message

    llm = make_chat(reasoning_split=reasoning_split)
    history: list[Any] = []
    for question in QUESTIONS:
        history.append(HumanMessage(question))
        if streamed:
            full = None
            for chunk in llm.stream(history):
                full = chunk if full is None else full + chunk
            reply = message_chunk_to_message(full)
        else:
            reply = llm.invoke(history)
        assert_langchain_message(reply, _view(wire[-1]))
        history.append(reply)
    assert assert_chain_kept(wire) == 3  # 1 answer back in the 2nd request, 2 in the 3rd


async def test_llamaindex_multi_turn_replay(
    make_llm: Callable[..., Any], wire: list[Exchange]
) -> None:
    from llama_index.core.llms import ChatMessage

    llm = make_llm()
    history: list[Any] = []
    for n, question in enumerate(QUESTIONS):
        history.append(ChatMessage(role="user", content=question))
        if n % 2:
            chunks = [chunk async for chunk in await llm.astream_chat(history)]
            history.append(chunks[-1].message)
        else:
            history.append((await llm.achat(history)).message)
    assert assert_chain_kept(wire) == 3


def test_usage_reported(
    make_chat: Chat, make_llm: Callable[..., Any], wire: list[Exchange], live: Any
) -> None:
    """Token usage, invoked and streamed, in both adapters (MiniMax always reports it)."""
    from llama_index.core.llms import ChatMessage

    if not live.reports_usage:
        pytest.skip("the endpoint reports no token usage (zeros or none): usage not checked")
    msg = make_chat().invoke("Say hello.")
    full = None
    for chunk in make_chat().stream("Say hello."):
        full = chunk if full is None else full + chunk
    for message in (msg, full):
        usage = message.usage_metadata
        assert usage and usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    reply = make_llm().chat([ChatMessage(role="user", content="Say hello.")])
    assert reply.raw["usage"]["completion_tokens"] > 0
    assert all(_view(e).usage for e in wire)


class Person(BaseModel):
    """Someone's name and age."""

    name: str
    age: int


def test_langchain_structured_output(make_chat: Chat) -> None:
    structured = make_chat().with_structured_output(Person, include_raw=True)
    result = structured.invoke("Anna is 31 years old. Extract her name and age.")
    assert result["parsing_error"] is None
    assert isinstance(result["parsed"], Person) and result["parsed"].name
    assert result["raw"].additional_kwargs.get("reasoning_content")


def _needs(model: str, what: str) -> None:
    info = model_info(model)
    allowed = info.known and (info.image_input if what == "images" else info.can_disable_thinking)
    if not allowed:
        pytest.skip(f"{model} does not take {what} according to minimax_core.models")


@pytest.mark.parametrize("thinking", [True, False], ids=["on", "off"])
def test_thinking_on_off(
    make_chat: Chat, make_llm: Callable[..., Any], model_name: str, thinking: bool
) -> None:
    """M3 answers without reasoning when thinking is off, and with it when on; both adapters."""
    from llama_index.core.base.llms.types import ThinkingBlock
    from llama_index.core.llms import ChatMessage

    if not thinking:
        _needs(model_name, "thinking off")
    # A question worth thinking about, so adaptive thinking does think when it is on.
    question = "A train leaves at 9:40 and arrives at 13:05. How long is the trip?"
    msg = make_chat(thinking=thinking).invoke(question)
    assert msg.text.strip()
    assert bool(msg.additional_kwargs.get("reasoning_content")) is thinking
    reply = make_llm(thinking=thinking).chat([ChatMessage(role="user", content=question)])
    has_thinking = any(
        isinstance(b, ThinkingBlock) and (b.content or "").strip() for b in reply.message.blocks
    )
    assert reply.message.content and has_thinking is thinking


def test_image_input(make_chat: Chat, make_llm: Callable[..., Any], model_name: str) -> None:
    """An image in a user message, through both adapters, answered with reasoning."""
    import base64

    from langchain_core.messages import HumanMessage
    from llama_index.core.base.llms.types import ImageBlock, TextBlock
    from llama_index.core.llms import ChatMessage

    _needs(model_name, "images")
    data = base64.b64encode(png()).decode()
    question = "What colour is the square in this image? One word."
    msg = make_chat().invoke(
        [
            HumanMessage(
                content_blocks=[
                    {"type": "text", "text": question},
                    {"type": "image", "base64": data, "mime_type": "image/png"},
                ]
            )
        ]
    )
    assert msg.text.strip() and msg.additional_kwargs.get("reasoning_content")
    reply = make_llm().chat(
        [
            ChatMessage(
                role="user",
                blocks=[
                    TextBlock(text=question),
                    ImageBlock(image=png(), image_mimetype="image/png"),
                ],
            )
        ]
    )
    assert reply.message.content
