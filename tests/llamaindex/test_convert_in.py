"""Core results → LlamaIndex objects: the pure inbound converter and the stream accumulator.

The cases both adapters answer alike (invoked and streamed) are in
`tests/test_convert_in_shared.py`; this file holds what only this framework has.
"""

from __future__ import annotations

import copy
import gc
import pickle
import tracemalloc
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.llms.llm import ToolSelection

from llamaindex_minimax._lazy import is_pending
from llamaindex_minimax._messages_in import (
    ChatStreamAccumulator,
    chat_to_completion_chunk,
    completion_to_chat_response,
    completion_to_message,
    single_tool_call,
    tool_selections,
)
from llamaindex_minimax._messages_out import message_to_wire
from minimax_core import Completion, StreamDelta, ToolCall, ToolCallDelta, Usage

from .._fold import fold

DETAILS = [
    {
        "type": "reasoning.text",
        "id": "reasoning-text-1",
        "format": "MiniMax-response-v1",
        "index": 0,
        "text": "Think first.",
    }
]


def completion(**fields: Any) -> Completion:
    values: dict[str, Any] = {
        "id": "abc",
        "model": "MiniMax-M2.7",
        "text": "",
        "reasoning": "",
        "tool_calls": [],
        "finish_reason": "stop",
        "usage": None,
        "replay": {},
        "metadata": {},
    }
    values.update(fields)
    return Completion(**values)


def call(index: int, name: str, arguments: str, args: dict[str, Any] | None) -> ToolCall:
    error = None if args is not None else "arguments are not valid JSON"
    return ToolCall(f"call_{index}", name, arguments, args, error, index)


def test_reply_blocks_usage_and_raw() -> None:
    done = completion(
        text="Sunny.",
        reasoning="Think first.",
        usage=Usage(10, 20, 30, cached_tokens=4, reasoning_tokens=12),
        replay={"reasoning_details": DETAILS},
        metadata={"input_sensitive": False},
    )
    response = completion_to_chat_response(done)
    assert response.message == ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[
            ThinkingBlock(
                content="Think first.",
                num_tokens=12,
                additional_information={"reasoning_details": DETAILS},
            ),
            TextBlock(text="Sunny."),
        ],
    )
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 20,
        "total_tokens": 30,
        "cached_tokens": 4,
        "reasoning_tokens": 12,
    }
    assert response.additional_kwargs == usage
    assert response.raw == {
        "id": "abc",
        "model": "MiniMax-M2.7",
        "finish_reason": "stop",
        "usage": usage,
        "metadata": {"input_sensitive": False},
    }
    assert response.message.content == "Sunny."
    assert response.delta is None


def test_no_thinking_block_without_reasoning_or_replay() -> None:
    assert completion_to_message(completion(text="Hi")).blocks == [TextBlock(text="Hi")]
    # Replay data alone (raw content that differs from the text) still needs its block.
    raw = completion_to_message(completion(text="Hi", replay={"content": "\n\nHi"})).blocks
    assert raw == [
        ThinkingBlock(content="", additional_information={"content": "\n\nHi"}),
        TextBlock(text="Hi"),
    ]


def test_tool_calls_valid_and_invalid() -> None:
    done = completion(
        reasoning="Call both.",
        replay={"reasoning_content": "Call both."},
        tool_calls=[
            call(0, "add", '{"a": 1, "b": 2}', {"a": 1, "b": 2}),
            call(1, "echo", '{"text": "unfinished', None),
        ],
        finish_reason="length",
    )
    message = completion_to_message(done)
    assert message.blocks == [
        ThinkingBlock(
            content="Call both.", additional_information={"reasoning_content": "Call both."}
        ),
        ToolCallBlock(tool_call_id="call_0", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
        ToolCallBlock(tool_call_id="call_1", tool_name="echo", tool_kwargs='{"text": "unfinished'),
    ]
    # Also as wire dicts, where LlamaIndex's streaming structured output looks for calls.
    assert message.additional_kwargs == {
        "finish_reason": "length",
        "tool_calls": [
            {
                "id": "call_0",
                "type": "function",
                "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
            },
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "echo", "arguments": '{"text": "unfinished'},
            },
        ],
    }
    response = ChatResponse(message=message)
    with pytest.raises(
        ValueError, match=r"tool 'echo' \(call id 'call_1'\) with invalid arguments"
    ):
        tool_selections(response, error_on_no_tool_call=False)
    # Replayed, the broken call becomes `{}` so the tool result after it still matches.
    assert message_to_wire(message)["tool_calls"][1]["function"]["arguments"] == "{}"

    first = single_tool_call(response)
    assert tool_selections(first, error_on_no_tool_call=True) == [
        ToolSelection(tool_id="call_0", tool_name="add", tool_kwargs={"a": 1, "b": 2})
    ]
    assert [c["id"] for c in first.message.additional_kwargs["tool_calls"]] == ["call_0"]
    assert len(message.blocks) == 3  # the caller's response is left alone
    assert len(message.additional_kwargs["tool_calls"]) == 2


def test_no_tool_call() -> None:
    response = completion_to_chat_response(completion(text="Hi"))
    assert tool_selections(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="Expected at least one tool call"):
        tool_selections(response, error_on_no_tool_call=True)


# --- streaming ------------------------------------------------------------------------------


def stream_of(deltas: list[StreamDelta]) -> ChatStreamAccumulator:
    """The converter over the core's fold of `deltas` (fed to it with `feed`)."""
    return ChatStreamAccumulator(fold(deltas)[0])


def feed_all(deltas: list[StreamDelta], done: Completion) -> list[ChatResponse]:
    accumulator = stream_of(deltas)
    responses = [accumulator.feed(delta) for delta in deltas]
    responses.append(accumulator.finish(done))
    return responses


def test_stream_is_cumulative_with_deltas_and_a_reasoning_only_first_chunk() -> None:
    deltas = [
        StreamDelta(reasoning="Think"),
        StreamDelta(reasoning=" first."),
        StreamDelta(text="Sun"),
        StreamDelta(text="ny."),
    ]
    done = completion(
        text="Sunny.",
        reasoning="Think first.",
        replay={"reasoning_details": DETAILS},
        usage=Usage(1, 2, 3),
    )
    responses = feed_all(deltas, done)
    assert [r.delta for r in responses] == ["", "", "Sun", "ny.", ""]
    assert [r.additional_kwargs.get("thinking_delta") for r in responses] == [
        "Think",
        " first.",
        None,
        None,
        None,
    ]
    assert [r.message.blocks for r in responses[:4]] == [
        [ThinkingBlock(content="Think"), TextBlock(text="")],
        [ThinkingBlock(content="Think first."), TextBlock(text="")],
        [ThinkingBlock(content="Think first."), TextBlock(text="Sun")],
        [ThinkingBlock(content="Think first."), TextBlock(text="Sunny.")],
    ]
    # The last response is the finished turn, exactly as a non-streamed call returns it.
    assert responses[-1].message == completion_to_chat_response(done).message
    assert responses[-1].additional_kwargs == {
        "prompt_tokens": 1,
        "completion_tokens": 2,
        "total_tokens": 3,
    }


def test_each_chunk_is_a_snapshot_read_in_any_order() -> None:
    deltas = [StreamDelta(text=f"{i} ") for i in range(50)]
    accumulator = stream_of(deltas)
    responses = [accumulator.feed(delta) for delta in deltas]
    assert responses[-1].message.content == "".join(f"{i} " for i in range(50))
    assert responses[9].message.content == "".join(f"{i} " for i in range(10))
    assert responses[0].message.content == "0 "
    assert responses[30].message.content == "".join(f"{i} " for i in range(31))


def test_streamed_tool_calls_are_read_leniently_until_the_end() -> None:
    deltas = [
        StreamDelta(reasoning="Call add."),
        StreamDelta(tool_calls=[ToolCallDelta(0, "call_0", "add", "")]),
        StreamDelta(tool_calls=[ToolCallDelta(0, None, None, '{"a": 1, "b": ')]),
        StreamDelta(
            tool_calls=[
                ToolCallDelta(0, None, None, "2}"),
                ToolCallDelta(1, "call_1", "echo", '{"te'),
            ]
        ),
    ]
    done = completion(
        reasoning="Call add.",
        replay={"reasoning_content": "Call add."},
        tool_calls=[
            call(0, "add", '{"a": 1, "b": 2}', {"a": 1, "b": 2}),
            call(1, "echo", '{"te', None),
        ],
        finish_reason="tool_calls",
    )
    responses = feed_all(deltas, done)
    seen = [tool_selections(r, error_on_no_tool_call=False) for r in responses[:-1]]
    assert seen == [
        [],
        [ToolSelection(tool_id="call_0", tool_name="add", tool_kwargs={})],
        [ToolSelection(tool_id="call_0", tool_name="add", tool_kwargs={"a": 1, "b": None})],
        [
            ToolSelection(tool_id="call_0", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
            ToolSelection(tool_id="call_1", tool_name="echo", tool_kwargs={}),
        ],
    ]
    assert responses[1].message.additional_kwargs == {
        "tool_calls": [
            {"id": "call_0", "type": "function", "function": {"name": "add", "arguments": ""}},
        ]
    }
    assert responses[0].message.additional_kwargs == {}  # reasoning only, so far
    assert responses[2].message.blocks == [
        ThinkingBlock(content="Call add."),
        ToolCallBlock(tool_call_id="call_0", tool_name="add", tool_kwargs='{"a": 1, "b": '),
    ]
    # Read after its blocks were built, a streamed message is still treated as partial.
    assert tool_selections(responses[2], error_on_no_tool_call=False) == seen[2]
    with pytest.raises(ValueError, match="'echo'"):
        tool_selections(responses[-1], error_on_no_tool_call=False)


def unread_message() -> ChatMessage:
    """A streamed message whose blocks nobody has read yet."""
    deltas = [StreamDelta(reasoning="Plan."), StreamDelta(text="Answer.")]
    accumulator = stream_of(deltas)
    accumulator.feed(deltas[0])
    message = accumulator.feed(deltas[1]).message
    assert is_pending(message)
    return message


def test_streamed_messages_serialise_copy_and_pickle_like_plain_ones() -> None:
    plain = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[ThinkingBlock(content="Plan."), TextBlock(text="Answer.")],
    )
    assert unread_message().model_dump() == plain.model_dump()
    assert unread_message().model_dump_json() == plain.model_dump_json()
    assert ChatResponse(message=unread_message()).model_dump()["message"] == plain.model_dump()
    assert copy.deepcopy(unread_message()).blocks == plain.blocks
    assert unread_message().model_copy().blocks == plain.blocks
    assert pickle.loads(pickle.dumps(unread_message())).blocks == plain.blocks
    assert "Answer." in repr(unread_message())
    assert ChatMessage.model_validate(unread_message().model_dump(mode="json")) == plain
    edited = unread_message()
    edited.blocks = [TextBlock(text="Edited.")]
    assert edited.content == "Edited."
    assert edited.model_dump()["blocks"] == [{"block_type": "text", "text": "Edited."}]


def test_streamed_tool_call_message_serialises_like_a_plain_one() -> None:
    deltas = [
        StreamDelta(reasoning="Plan."),
        StreamDelta(tool_calls=[ToolCallDelta(0, "c1", "add", '{"a": 1')]),
    ]
    accumulator = stream_of(deltas)
    accumulator.feed(deltas[0])
    chunk = accumulator.feed(deltas[1])
    plain = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[
            ThinkingBlock(content="Plan."),
            ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs='{"a": 1'),
        ],
        additional_kwargs={
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 1'},
                }
            ]
        },
    )
    assert is_pending(chunk.message)
    assert (
        chunk.model_dump_json()
        == ChatResponse(message=plain, delta="", additional_kwargs={}).model_dump_json()
    )


def test_completion_chunks_mirror_the_chat_chunks() -> None:
    deltas = [
        StreamDelta(reasoning="Hmm."),
        StreamDelta(text="Hel"),
        StreamDelta(text="lo"),
        StreamDelta(text="!"),
    ]
    accumulator = stream_of(deltas)
    first = chat_to_completion_chunk(accumulator.feed(deltas[0]))
    second = chat_to_completion_chunk(accumulator.feed(deltas[1]))
    third = chat_to_completion_chunk(accumulator.feed(deltas[2]))
    last = chat_to_completion_chunk(
        accumulator.finish(completion(text="Hello", reasoning="Hmm.", replay={"reasoning": "Hmm."}))
    )
    assert isinstance(first, CompletionResponse)
    assert [(c.text, c.delta) for c in (first, second, third, last)] == [
        ("", ""),
        ("Hel", "Hel"),
        ("Hello", "lo"),
        ("Hello", ""),
    ]
    assert first.additional_kwargs == {"thinking_delta": "Hmm."}
    assert (
        CompletionResponse.model_validate(
            chat_to_completion_chunk(accumulator.feed(deltas[3])).model_dump()
        ).text
        == "Hello!"
    )


def _retained_per_chunk(chunks: int) -> float:
    """Bytes each streamed response keeps alive, all responses held (as a careless caller might)."""
    thinking = chunks // 4
    deltas = [StreamDelta(reasoning="why." * 4) for _ in range(thinking)]
    deltas += [StreamDelta(text="word " * 8) for _ in range(chunks - thinking)]
    turn, _ = fold(deltas)  # the core's fold holds the pieces, once per stream
    gc.collect()
    gc.disable()  # collections only slow this down: everything allocated stays reachable
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        accumulator = ChatStreamAccumulator(turn)
        responses = [accumulator.feed(delta) for delta in deltas]
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        gc.enable()
    # Nothing was joined while streaming: no message built its blocks, no prefix was joined.
    assert all(is_pending(r.message) for r in responses)
    assert turn._text._count == 0
    assert responses[-1].message.content == "word " * 8 * (chunks - thinking)
    return (after - before) / chunks


def test_per_chunk_cost_does_not_grow_with_the_answer() -> None:
    """By construction: a chunk refers to the shared pieces and joins nothing until read.

    Were each chunk to hold its own cumulative text, the bytes per chunk would grow with the
    stream (16x from 500 to 8k chunks); here they stay flat.
    """
    small = _retained_per_chunk(500)
    large = _retained_per_chunk(8_000)
    assert large < small * 1.5, (small, large)


def test_reading_every_chunk_extends_the_last_join() -> None:
    # FunctionAgent reads `.content` of every chunk: each read copies the text once (Python
    # strings are immutable) but never re-joins the pieces from the start.
    deltas = [StreamDelta(text="ab") for _ in range(200)]
    turn, _ = fold(deltas)
    accumulator = ChatStreamAccumulator(turn)
    pieces = turn._text  # the shared piece store under test
    for i, delta in enumerate(deltas):
        response = accumulator.feed(delta)
        assert response.message.content == "ab" * (i + 1)
        assert pieces._count == i + 1
