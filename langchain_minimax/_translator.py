"""The `minimax` block translator: what `msg.content_blocks` shows for MiniMax messages.

Registered on import of `langchain_minimax`. LangChain picks it from
`response_metadata["model_provider"]`, for plain messages, stream chunks and (with
`output_version="v1"`) the content it stores; once a provider translator answers, nothing else
is added, so reasoning, text and tool calls all come from here.

Streamed blocks carry fixed indices, so merged chunks give one reasoning block, one text block
and one block per tool call. The reasoning and text indices are `lc_`-prefixed strings, which
LangChain merges by equality and can never collide with a tool call's integer index.
Invalid tool calls are left out, as in LangChain's own translators: its event bridge appends
them itself and would otherwise show them twice.
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import register_translator

from ._messages_in import PROVIDER

__all__ = ["register", "translate_content", "translate_content_chunk"]

REASONING_INDEX = "lc_minimax_reasoning"
TEXT_INDEX = "lc_minimax_text"
_TOOL_BLOCKS = frozenset({"tool_call", "tool_call_chunk", "invalid_tool_call"})


def _content_blocks(message: AIMessage, indexed: bool) -> list[types.ContentBlock]:
    blocks: list[types.ContentBlock] = []
    content = message.content
    if isinstance(content, str):
        if content:
            text = types.TextContentBlock(type="text", text=content)
            if indexed:
                text["index"] = TEXT_INDEX
            blocks.append(text)
    else:
        for item in content:
            if isinstance(item, str):
                if item:
                    blocks.append(types.TextContentBlock(type="text", text=item))
            elif isinstance(item, dict):
                kind = item.get("type")
                if kind in _TOOL_BLOCKS:
                    continue  # rebuilt from the message's own tool-call fields below
                if kind in types.KNOWN_BLOCK_TYPES:
                    blocks.append(cast("types.ContentBlock", dict(item)))
                else:
                    blocks.append(types.NonStandardContentBlock(type="non_standard", value=item))
    reasoning = message.additional_kwargs.get("reasoning_content")
    if (
        isinstance(reasoning, str)
        and reasoning
        and not any(block.get("type") == "reasoning" for block in blocks)
    ):
        block = types.ReasoningContentBlock(type="reasoning", reasoning=reasoning)
        if indexed:
            block["index"] = REASONING_INDEX
        blocks.insert(0, block)
    return blocks


def _tool_call_blocks(message: AIMessage) -> list[types.ContentBlock]:
    return [
        types.ToolCall(type="tool_call", id=call.get("id"), name=call["name"], args=call["args"])
        for call in message.tool_calls
    ]


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """Reasoning, text and tool-call blocks of a finished MiniMax message."""
    return _content_blocks(message, indexed=False) + _tool_call_blocks(message)


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    """Blocks of a stream chunk, indexed so that merging chunks merges the blocks.

    An aggregated chunk (`chunk_position="last"`) shows its parsed tool calls; a single chunk
    shows its tool-call pieces.
    """
    blocks = _content_blocks(message, indexed=True)
    if message.chunk_position == "last":
        return blocks + _tool_call_blocks(message)
    for piece in message.tool_call_chunks:
        block: dict[str, Any] = {
            "type": "tool_call_chunk",
            "id": piece.get("id"),
            "name": piece.get("name"),
            "args": piece.get("args"),
        }
        if piece.get("index") is not None:
            block["index"] = piece["index"]
        blocks.append(cast("types.ToolCallChunk", block))
    return blocks


def register() -> None:
    """Register the translator under `model_provider="minimax"` (idempotent)."""
    register_translator(PROVIDER, translate_content, translate_content_chunk)


register()
