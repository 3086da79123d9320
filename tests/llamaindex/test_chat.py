"""`MiniMax` against the local server in strict mode: every dialect, split on and off, sync,
async and streamed; multi-turn tool use proves the reasoning goes back exactly."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.tools import FunctionTool

from llamaindex_minimax import MiniMax
from llamaindex_minimax._lazy import is_pending
from minimax_core import DEFAULT_MODEL, RequestValidationError
from minimax_server import DIALECTS, MiniMaxServer, ScriptedReply, ToolCallSpec

from .conftest import LLMFactory

MODES = ("chat", "achat", "stream", "astream")


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


ADD = FunctionTool.from_defaults(add)


def check_stream(chunks: list[ChatResponse]) -> ChatResponse:
    """The streaming contract; returns the final response."""
    # Neither the stream nor LlamaIndex's instrumentation built any chunk's text on the way.
    assert all(is_pending(chunk.message) for chunk in chunks[:-1])
    final = chunks[-1]
    assert final.delta == ""
    text = "".join(c.delta or "" for c in chunks)
    thinking = "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks)
    assert text == (final.message.content or "")
    reasoning = [b for b in final.message.blocks if isinstance(b, ThinkingBlock)]
    if reasoning:
        assert thinking == reasoning[0].content
        # A first chunk that holds reasoning is kept (it holds only reasoning unless held-back
        # thinking-first output was released together with the answer's first text).
        assert chunks[0].additional_kwargs["thinking_delta"]
    for before, after in itertools.pairwise(chunks[:-1]):
        assert (after.message.content or "").startswith(before.message.content or "")
    return final


async def turn(llm: MiniMax, mode: str, history: list[ChatMessage], **kwargs: Any) -> ChatResponse:
    tools = kwargs.pop("tools", None)
    if tools is not None:
        if mode == "chat":
            return llm.chat_with_tools(tools, chat_history=history, **kwargs)
        if mode == "achat":
            return await llm.achat_with_tools(tools, chat_history=history, **kwargs)
        if mode == "stream":
            return check_stream(list(llm.stream_chat_with_tools(tools, chat_history=history)))
        stream = await llm.astream_chat_with_tools(tools, chat_history=history, **kwargs)
        return check_stream([chunk async for chunk in stream])
    if mode == "chat":
        return llm.chat(history, **kwargs)
    if mode == "achat":
        return await llm.achat(history, **kwargs)
    if mode == "stream":
        return check_stream(list(llm.stream_chat(history, **kwargs)))
    return check_stream([chunk async for chunk in await llm.astream_chat(history, **kwargs)])


def assert_clean(message: ChatMessage) -> None:
    for block in message.blocks:
        if isinstance(block, TextBlock):
            assert "<think>" not in block.text and "</think>" not in block.text
            assert "<minimax:tool_call>" not in block.text
        if isinstance(block, ThinkingBlock):
            assert block.content and "<think>" not in block.content
            assert block.additional_information


@pytest.mark.parametrize("split", [True, False], ids=["split", "inline"])
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("mode", MODES)
async def test_tool_loop_replays_reasoning(
    server: MiniMaxServer, make_llm: LLMFactory, dialect: str, split: bool, mode: str
) -> None:
    server.set_dialect(dialect)
    llm = make_llm(reasoning_split=split)
    history = [ChatMessage(role="user", content="Please add(2, 3) for me.")]

    first = await turn(llm, mode, list(history), tools=[ADD])
    assert_clean(first.message)
    calls = llm.get_tool_calls_from_response(first)
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [("add", {"a": 2, "b": 3})]
    history.append(first.message)
    history.append(
        ChatMessage(role="tool", content="5", additional_kwargs={"tool_call_id": calls[0].tool_id})
    )

    second = await turn(llm, mode, list(history), tools=[ADD])
    assert_clean(second.message)
    assert second.message.content == "The result of add is 5."
    history += [second.message, ChatMessage(role="user", content="Hello again")]

    third = await turn(llm, mode, history)
    assert third.message.content == "Hello! How can I help you today?"
    # Strict mode accepted both replayed turns, so their reasoning went back unchanged; check
    # it did go back rather than being absent from both sides.
    sent = server.requests[-1].body["messages"]
    for replayed in (sent[1], sent[3]):
        fields = {"reasoning_details", "reasoning_content", "reasoning"} & set(replayed)
        assert fields or "</think>" in replayed["content"]


@pytest.mark.parametrize("mode", MODES)
async def test_usage_and_raw(make_llm: LLMFactory, mode: str) -> None:
    response = await turn(make_llm(), mode, [ChatMessage(role="user", content="Hello")])
    usage = response.additional_kwargs
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["reasoning_tokens"] > 0 and "cached_tokens" in usage
    assert response.raw["usage"] == usage
    assert response.raw["finish_reason"] == "stop"
    assert response.raw["model"] == DEFAULT_MODEL


async def test_streamed_and_invoked_answers_match(
    server: MiniMaxServer, make_llm: LLMFactory
) -> None:
    llm = make_llm()
    question = [ChatMessage(role="user", content="Please add(4, 5).")]
    invoked = llm.chat_with_tools([ADD], chat_history=question)
    streamed = check_stream(list(llm.stream_chat_with_tools([ADD], chat_history=question)))
    astreamed = check_stream(
        [c async for c in await llm.astream_chat_with_tools([ADD], chat_history=question)]
    )
    for other in (streamed, astreamed):
        assert [type(b) for b in other.message.blocks] == [type(b) for b in invoked.message.blocks]
        assert other.message.blocks[0] == invoked.message.blocks[0]  # same reasoning and replay
        tool_blocks = [b for b in other.message.blocks if isinstance(b, ToolCallBlock)]
        assert [(b.tool_name, b.tool_kwargs) for b in tool_blocks] == [("add", {"a": 4, "b": 5})]


async def test_completion_methods(make_llm: LLMFactory) -> None:
    llm = make_llm()
    assert llm.complete("Hello").text == "Hello! How can I help you today?"
    assert (await llm.acomplete("Hello")).text == "Hello! How can I help you today?"
    chunks = list(llm.stream_complete("Hello"))
    assert chunks[-1].text == "Hello! How can I help you today?"
    assert "".join(c.delta or "" for c in chunks) == chunks[-1].text
    achunks = [c async for c in await llm.astream_complete("Hello")]
    assert [c.text for c in achunks] == [c.text for c in chunks]
    assert achunks[0].additional_kwargs["thinking_delta"]
    assert achunks[-1].additional_kwargs["total_tokens"] > 0


async def test_parallel_calls_and_single_call_validation(make_llm: LLMFactory) -> None:
    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    tools = [ADD, FunctionTool.from_defaults(multiply)]
    ask = "Use add(1, 2) and multiply(3, 4) in parallel."
    llm = make_llm()
    both = llm.chat_with_tools(tools, user_msg=ask, allow_parallel_tool_calls=True)
    assert [c.tool_name for c in llm.get_tool_calls_from_response(both)] == ["add", "multiply"]
    one = await llm.achat_with_tools(tools, user_msg=ask, allow_parallel_tool_calls=False)
    assert [c.tool_name for c in llm.get_tool_calls_from_response(one)] == ["add"]


async def test_tool_required_and_named_tool_choice(
    server: MiniMaxServer, make_llm: LLMFactory
) -> None:
    llm = make_llm()
    forced = llm.chat_with_tools([ADD], user_msg="Numbers 7 and 8, please.", tool_required=True)
    assert llm.get_tool_calls_from_response(forced)[0].tool_kwargs == {"a": 7, "b": 8}
    assert server.requests[-1].body["tool_choice"] == "required"
    llm.chat_with_tools([ADD], user_msg="Numbers 1 and 2.", tool_choice="add")
    assert server.requests[-1].body["tool_choice"] == {
        "type": "function",
        "function": {"name": "add"},
    }


async def test_invalid_tool_arguments(server: MiniMaxServer, make_llm: LLMFactory) -> None:
    llm = make_llm()
    server.enqueue(
        ScriptedReply(
            reasoning="Cut short.", tool_calls=[ToolCallSpec("add", '{"a": 1, "b', id="call_x")]
        )
    )
    history = [ChatMessage(role="user", content="Please add(1, 2).")]
    broken = await llm.achat_with_tools([ADD], chat_history=history)
    with pytest.raises(ValueError, match=r"'add' \(call id 'call_x'\) with invalid arguments"):
        llm.get_tool_calls_from_response(broken)
    # The turn can still go back, with `{}` for the arguments, followed by its tool result.
    history += [
        broken.message,
        ChatMessage(
            role="tool",
            content="Error: bad arguments",
            additional_kwargs={"tool_call_id": "call_x"},
        ),
    ]
    await llm.achat_with_tools([ADD], chat_history=history)
    sent = server.requests[-1].body["messages"][1]
    assert sent["tool_calls"][0]["function"]["arguments"] == "{}"


async def test_streamed_invalid_arguments_are_lenient_until_the_end(
    server: MiniMaxServer, make_llm: LLMFactory
) -> None:
    llm = make_llm()
    server.enqueue(
        ScriptedReply(reasoning="Cut.", tool_calls=[ToolCallSpec("add", '{"a": 1, "b', id="c1")])
    )
    chunks = [c async for c in await llm.astream_chat_with_tools([ADD], user_msg="add(1, 2)")]
    for chunk in chunks[:-1]:
        llm.get_tool_calls_from_response(chunk, error_on_no_tool_call=False)
    with pytest.raises(ValueError, match="invalid arguments"):
        llm.get_tool_calls_from_response(chunks[-1])


PNG_URL = "https://example.com/cat.png"


async def test_m3_images_video_and_thinking_off(
    server: MiniMaxServer, make_llm: LLMFactory
) -> None:
    llm = make_llm(model="MiniMax-M3")
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="Describe these."),
            ImageBlock(url=PNG_URL, detail="low"),
            VideoBlock(url="https://example.com/clip.mp4", fps=2),
        ],
    )
    reply = await llm.achat([message])
    assert reply.message.content
    parts = server.requests[-1].body["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url", "video_url"]
    assert parts[2]["video_url"] == {"url": "https://example.com/clip.mp4", "fps": 2}

    quiet = make_llm(model="MiniMax-M3", thinking=False).chat(
        [ChatMessage(role="user", content="Hello")]
    )
    assert [type(b) for b in quiet.message.blocks] == [TextBlock]
    assert server.requests[-1].body["thinking"] == {"type": "disabled"}

    with pytest.raises(RequestValidationError, match="video"):
        make_llm(model="MiniMax-M2.5").chat(
            [ChatMessage(role="user", blocks=[VideoBlock(url="https://example.com/clip.mp4")])]
        )


async def test_history_from_other_providers_is_accepted(
    make_llm: LLMFactory, server: MiniMaxServer
) -> None:
    history = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", content="Hi"),
        ChatMessage(
            role="assistant",
            blocks=[
                ThinkingBlock(content="Claude thinking", additional_information={"signature": "s"}),
                TextBlock(text="Hello from another model."),
            ],
        ),
        ChatMessage(role="user", content="Hello"),
        ChatMessage(role="system", content="Answer now."),  # AgentWorkflow's early stop
    ]
    reply = make_llm().chat(history)
    assert reply.message.content == "Hello! How can I help you today?"
    assert server.requests[-1].body["messages"][2] == {
        "role": "assistant",
        "content": "Hello from another model.",
    }
