"""Core results → LangChain messages, and the `minimax` block translator, on literal inputs.

The cases both adapters answer alike (invoked and streamed) are in
`tests/test_convert_in_shared.py`; this file holds what only this framework has.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import pytest
from langchain_core.load import dumpd, load
from langchain_core.messages import AIMessage, AIMessageChunk

import langchain_minimax  # noqa: F401  (registers the translator)
from langchain_minimax._messages_in import (
    ChunkBuilder,
    completion_to_message,
    token_usage,
    usage_metadata,
)
from langchain_minimax._translator import translate_content, translate_content_chunk
from minimax_core import Completion, StreamDelta, ToolCall, ToolCallDelta, Usage
from minimax_core._accumulate import Accumulator

from .._fold import frame

DETAILS = [
    {
        "type": "reasoning.text",
        "id": "reasoning-text-1",
        "format": "MiniMax-response-v1",
        "index": 0,
        "text": "Need the weather.",
    }
]


def completion(**overrides: Any) -> Completion:
    fields: dict[str, Any] = {
        "id": "resp-1",
        "model": "MiniMax-M2.7",
        "text": "It is sunny.",
        "reasoning": "Need the weather.",
        "tool_calls": [],
        "finish_reason": "stop",
        "usage": Usage(10, 5, 15, cached_tokens=4, reasoning_tokens=3),
        "replay": {"reasoning_details": DETAILS},
        "metadata": {"input_sensitive": False, "output_sensitive": False, "created": 1700000000},
    }
    fields.update(overrides)
    return Completion(**fields)


def merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    return reduce(lambda left, right: left + right, chunks)


def test_usage_metadata_maps_details_only_when_reported() -> None:
    assert usage_metadata(Usage(10, 5, 15, cached_tokens=4, reasoning_tokens=3)) == {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
        "input_token_details": {"cache_read": 4},
        "output_token_details": {"reasoning": 3},
    }
    assert usage_metadata(Usage(1, 2, 3)) == {
        "input_tokens": 1,
        "output_tokens": 2,
        "total_tokens": 3,
    }


def test_completion_to_message() -> None:
    message = completion_to_message(completion(), "MiniMax-M2.7")
    assert message.content == "It is sunny."
    assert message.additional_kwargs == {
        "reasoning_content": "Need the weather.",
        "reasoning_details": DETAILS,
    }
    assert message.response_metadata == {
        "model_provider": "minimax",
        "model_name": "MiniMax-M2.7",
        "finish_reason": "stop",
        "token_usage": token_usage(completion().usage),
        "id": "resp-1",
        "input_sensitive": False,
        "output_sensitive": False,
        "created": 1700000000,
    }
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_token_details"] == {"reasoning": 3}


def test_other_replay_fields_go_to_minimax_replay_only_when_present() -> None:
    raw = "<think>\nNeed the weather.\n</think>\n\nIt is sunny."
    inline = completion_to_message(completion(replay={"content": raw}), "m")
    assert inline.additional_kwargs == {
        "reasoning_content": "Need the weather.",
        "minimax_replay": {"content": raw},
    }
    bare = completion_to_message(completion(reasoning="", replay={}), "m")
    assert bare.additional_kwargs == {}


def test_requested_model_stands_in_when_the_server_names_none() -> None:
    message = completion_to_message(completion(model=None, id=None), "MiniMax-M3")
    assert message.response_metadata["model_name"] == "MiniMax-M3"
    assert "id" not in message.response_metadata


def test_valid_and_invalid_tool_calls() -> None:
    calls = [
        ToolCall("call_1", "get_weather", '{"city": "Paris"}', {"city": "Paris"}, index=0),
        ToolCall("call_2", "get_weather", '{"city": "Par', None, error="not JSON", index=1),
    ]
    message = completion_to_message(completion(tool_calls=calls, finish_reason="tool_calls"), "m")
    assert message.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
    ]
    assert message.invalid_tool_calls == [
        {
            "name": "get_weather",
            "args": '{"city": "Par',
            "id": "call_2",
            "error": "not JSON",
            "type": "invalid_tool_call",
        }
    ]


@pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
def test_additional_kwargs_survive_serialisation() -> None:
    message = completion_to_message(
        completion(replay={"reasoning_details": DETAILS, "content": "x"}), "m"
    )
    restored = load(dumpd(message), allowed_objects="all")
    assert restored.additional_kwargs == message.additional_kwargs


# --- streaming -------------------------------------------------------------------------------


def stream_chunks(deltas: list[StreamDelta], final: Completion) -> list[AIMessageChunk]:
    builder = ChunkBuilder("MiniMax-M2.7")
    chunks = [builder.feed(delta).message for delta in deltas] + [builder.finish(final).message]
    assert all(isinstance(chunk, AIMessageChunk) for chunk in chunks)
    return chunks  # type: ignore[return-value]


def test_repeated_fields_appear_once_after_merging() -> None:
    deltas = [
        StreamDelta(reasoning="Need the "),
        StreamDelta(reasoning="weather."),
        StreamDelta(
            text="It is ", tool_calls=[ToolCallDelta(0, "call_1", "get_weather", '{"city"')]
        ),
        StreamDelta(text="sunny.", tool_calls=[ToolCallDelta(0, None, None, ': "Paris"}')]),
    ]
    call = ToolCall("call_1", "get_weather", '{"city": "Paris"}', {"city": "Paris"}, index=0)
    chunks = stream_chunks(deltas, completion(tool_calls=[call], finish_reason="tool_calls"))
    assert all(chunk.response_metadata["model_provider"] == "minimax" for chunk in chunks)
    merged = merge(chunks)
    assert merged.content == "It is sunny."
    assert merged.additional_kwargs == {
        "reasoning_content": "Need the weather.",
        "reasoning_details": DETAILS,
    }
    assert merged.response_metadata["model_name"] == "MiniMax-M2.7"
    assert merged.response_metadata["finish_reason"] == "tool_calls"
    assert merged.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
    ]
    assert merged.usage_metadata is not None and merged.usage_metadata["input_tokens"] == 10
    assert merged.chunk_position == "last"


def test_streamed_and_invoked_messages_are_equal() -> None:
    deltas = [StreamDelta(reasoning="Need the weather."), StreamDelta(text="It is sunny.")]
    final = completion()
    merged = merge(stream_chunks(deltas, final))
    invoked = completion_to_message(final, "MiniMax-M2.7")
    for field in (
        "content",
        "additional_kwargs",
        "tool_calls",
        "usage_metadata",
        "response_metadata",
    ):
        assert getattr(merged, field) == getattr(invoked, field), field


def test_a_tool_call_the_server_sent_without_id_gets_one_id() -> None:
    # Through the core's fold, which gives the call its id on its first piece.
    accumulator = Accumulator()
    deltas = [
        accumulator.feed(frame(delta))
        for delta in [
            StreamDelta(tool_calls=[ToolCallDelta(0, None, "get_weather", '{"city": ')]),
            StreamDelta(tool_calls=[ToolCallDelta(0, "late-id", None, '"Paris"}')]),
        ]
    ]
    final = accumulator.finish()[1]
    merged = merge(stream_chunks(deltas, final))
    assert len(merged.tool_calls) == 1
    invented = merged.tool_calls[0]["id"]
    assert invented is not None and invented.startswith("call_")
    assert merged.tool_calls[0]["args"] == {"city": "Paris"}
    # The streamed message and the turn's `Completion` agree; the late id is only recorded.
    assert [call.id for call in final.tool_calls] == [invented]
    assert final.metadata["late_tool_call_ids"] == {invented: "late-id"}
    assert merged.tool_calls == completion_to_message(final, "MiniMax-M2.7").tool_calls


def test_usage_can_be_left_out_of_streams() -> None:
    builder = ChunkBuilder("m", include_usage=False)
    assert builder.finish(completion()).message.usage_metadata is None  # type: ignore[attr-defined]


# --- content blocks --------------------------------------------------------------------------


def test_content_blocks_of_a_message() -> None:
    calls = [ToolCall("call_1", "get_weather", "{}", {}, index=0)]
    message = completion_to_message(completion(tool_calls=calls), "m")
    assert message.content_blocks == [
        {"type": "reasoning", "reasoning": "Need the weather."},
        {"type": "text", "text": "It is sunny."},
        {"type": "tool_call", "id": "call_1", "name": "get_weather", "args": {}},
    ]


def test_content_blocks_of_chunks_merge_into_one_block_each() -> None:
    deltas = [
        StreamDelta(reasoning="Need the "),
        StreamDelta(reasoning="weather.", text="It is "),
        StreamDelta(text="sunny.", tool_calls=[ToolCallDelta(0, "call_1", "get_weather", "{}")]),
    ]
    chunks = stream_chunks(deltas, completion())
    assert translate_content_chunk(chunks[2]) == [
        {"type": "text", "text": "sunny.", "index": "lc_minimax_text"},
        {
            "type": "tool_call_chunk",
            "id": "call_1",
            "name": "get_weather",
            "args": "{}",
            "index": 0,
        },
    ]
    merged = merge(chunks)
    assert merged.content_blocks == [
        {"type": "reasoning", "reasoning": "Need the weather.", "index": "lc_minimax_reasoning"},
        {"type": "text", "text": "It is sunny.", "index": "lc_minimax_text"},
        {"type": "tool_call", "id": "call_1", "name": "get_weather", "args": {}},
    ]


def test_list_content_keeps_known_blocks_and_wraps_unknown_ones() -> None:
    message = AIMessage(
        content=[
            "plain",
            {"type": "text", "text": "t"},
            {"type": "tool_use", "id": "x"},
            {"type": "odd"},
        ],
        additional_kwargs={"reasoning_content": "r"},
        response_metadata={"model_provider": "minimax"},
    )
    assert translate_content(message) == [
        {"type": "reasoning", "reasoning": "r"},
        {"type": "text", "text": "plain"},
        {"type": "text", "text": "t"},
        {"type": "non_standard", "value": {"type": "tool_use", "id": "x"}},
        {"type": "non_standard", "value": {"type": "odd"}},
    ]
