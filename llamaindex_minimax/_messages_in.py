"""MiniMax results → LlamaIndex objects.

- `completion_to_chat_response(completion)`: a finished turn as a `ChatResponse` whose message is
  `[ThinkingBlock(reasoning, additional_information=replay), TextBlock(text), ToolCallBlock…]`,
  with the calls also in `additional_kwargs["tool_calls"]` (wire dicts), where LlamaIndex's
  streaming structured output looks for them.
- `ChatStreamAccumulator`: one `ChatResponse` per `StreamDelta`, each carrying the whole message so
  far, read from the core stream's `TurnView` (the stream is folded once, in the core) at a cost
  per chunk that does not grow with the answer (see `_lazy`); then the final response, built
  from the `Completion` exactly as a non-streamed one.
- `tool_selections(response)`: the tool calls of a response, partial ones included mid-stream.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    ContentBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from minimax_core import Completion, StreamDelta, TurnView, Usage
from minimax_core.adapter_kit import parse_arguments, tool_call_wire, warn_if_thinking_used_budget

from ._lazy import Deferred, construct, deferred, is_pending

__all__ = [
    "ChatStreamAccumulator",
    "StreamedChatMessage",
    "StreamedCompletionResponse",
    "chat_to_completion_chunk",
    "chat_to_completion_response",
    "completion_to_chat_response",
    "completion_to_message",
    "raw_of",
    "single_tool_call",
    "tool_selections",
    "usage_kwargs",
]


def usage_kwargs(usage: Usage | None) -> dict[str, int]:
    """Token counts for `ChatResponse.additional_kwargs` (cached and reasoning when known)."""
    return usage.to_dict() if usage is not None else {}


def raw_of(completion: Completion) -> dict[str, Any]:
    """`ChatResponse.raw`: JSON-plain, with `usage` where LlamaIndex's token counter looks."""
    return {
        "id": completion.id,
        "model": completion.model,
        "finish_reason": completion.finish_reason,
        "usage": completion.usage.to_dict() if completion.usage is not None else None,
        "metadata": dict(completion.metadata),
    }


def completion_to_message(completion: Completion) -> ChatMessage:
    """The assistant turn; its ThinkingBlock holds the exact replay data in
    `additional_information` (omitted when there is neither reasoning nor replay data)."""
    blocks: list[ContentBlock] = []
    if completion.reasoning or completion.replay:
        usage = completion.usage
        blocks.append(
            ThinkingBlock(
                content=completion.reasoning,
                num_tokens=usage.reasoning_tokens if usage is not None else None,
                additional_information=dict(completion.replay),
            )
        )
    if completion.text or not completion.tool_calls:
        blocks.append(TextBlock(text=completion.text))
    for call in completion.tool_calls:
        # Invalid arguments stay raw text, so `tool_selections` can say what was wrong.
        kwargs: dict[str, Any] | str = call.args if call.args is not None else call.arguments
        blocks.append(ToolCallBlock(tool_call_id=call.id, tool_name=call.name, tool_kwargs=kwargs))
    extra: dict[str, Any] = {}
    if completion.tool_calls:
        extra["tool_calls"] = [call.to_wire() for call in completion.tool_calls]
    if completion.finish_reason == "length":
        # A cut-off answer says so on the message itself, not only in `ChatResponse.raw`.
        extra["finish_reason"] = "length"
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)


def completion_to_chat_response(
    completion: Completion, *, delta: str | None = None
) -> ChatResponse:
    """The `ChatResponse` of a finished turn; warns when the thinking used up the budget."""
    warn_if_thinking_used_budget(completion)
    raw = raw_of(completion)
    usage = raw["usage"]
    return ChatResponse(
        message=completion_to_message(completion),
        raw=raw,
        delta=delta,
        additional_kwargs=dict(usage) if usage is not None else {},
    )


def chat_to_completion_response(response: ChatResponse) -> CompletionResponse:
    """The `CompletionResponse` of `complete()`: a `ChatResponse`'s text, raw data and delta."""
    return CompletionResponse(
        text=response.message.content or "",
        raw=response.raw,
        delta=response.delta,
        additional_kwargs=dict(response.additional_kwargs),
    )


# --- streaming ------------------------------------------------------------------------------


_CallCounts = tuple[tuple[int, int], ...]


class _Snapshot:
    """What one streamed chunk's message covers: piece counts over the core's `TurnView`."""

    __slots__ = ("_calls", "_reasoning_count", "_text_count", "_turn")

    def __init__(
        self, turn: TurnView, text_count: int, reasoning_count: int, calls: _CallCounts
    ) -> None:
        self._turn = turn
        self._text_count = text_count
        self._reasoning_count = reasoning_count
        self._calls = calls

    def text(self) -> str:
        return self._turn.text(self._text_count)

    def tool_calls(self) -> list[tuple[str, str, str]]:
        """`(id, name, arguments so far)` of each call begun by this chunk."""
        turn = self._turn
        return [turn.tool_call(index, count) for index, count in self._calls]

    def additional_kwargs(self) -> dict[str, Any]:
        return {
            "tool_calls": [
                tool_call_wire(call_id, name, args) for call_id, name, args in self.tool_calls()
            ]
        }

    def blocks(self) -> list[ContentBlock]:
        blocks: list[ContentBlock] = []
        if self._reasoning_count:
            blocks.append(ThinkingBlock(content=self._turn.reasoning(self._reasoning_count)))
        if self._text_count or not self._calls:
            blocks.append(TextBlock(text=self.text()))
        blocks.extend(
            ToolCallBlock(tool_call_id=call_id, tool_name=name, tool_kwargs=arguments)
            for call_id, name, arguments in self.tool_calls()
        )
        return blocks


class StreamedChatMessage(Deferred, ChatMessage):
    """A streamed, unfinished assistant message; its blocks are built when first read."""

    __slots__ = ("_snapshot", "_thunks")


class StreamedCompletionResponse(Deferred, CompletionResponse):
    """A streamed completion chunk; its cumulative `text` is joined when first read."""

    __slots__ = ("_thunks",)


def _snapshot_of(message: ChatMessage) -> _Snapshot | None:
    """The snapshot of a streamed message nobody has read yet (its blocks are still virtual)."""
    if not isinstance(message, StreamedChatMessage) or not is_pending(message):
        return None
    try:
        snapshot: _Snapshot = object.__getattribute__(message, "_snapshot")
    except AttributeError:  # a copy: pydantic does not copy slots
        return None
    return snapshot


class ChatStreamAccumulator:
    """Turns one stream's `StreamDelta`s into cumulative `ChatResponse`s; sync and async alike.

    The stream is folded once, by the core: `turn` is the stream's read-only `TurnView`, and
    this only counts the pieces of the deltas it has seen, so `feed` does O(1) work whatever the
    length of the answer (the chunk's message is materialised only if read). `finish` builds the
    last response from the `Completion`, so a streamed answer ends exactly like a non-streamed
    one (with the replay data, usage and parsed tool arguments).
    """

    __slots__ = ("_args", "_calls", "_reasoning_count", "_text_count", "_turn")

    def __init__(self, turn: TurnView) -> None:
        self._turn = turn
        self._text_count = 0
        self._reasoning_count = 0
        self._args: dict[int, int] = {}
        self._calls: _CallCounts = ()

    def feed(self, delta: StreamDelta) -> ChatResponse:
        text, reasoning = delta.text, delta.reasoning
        if text:
            self._text_count += 1
        if reasoning:
            self._reasoning_count += 1
        if delta.tool_calls:
            args = self._args
            for piece in delta.tool_calls:
                args[piece.index] = args.get(piece.index, 0) + (1 if piece.arguments else 0)
            self._calls = tuple(args.items())
        snapshot = _Snapshot(self._turn, self._text_count, self._reasoning_count, self._calls)
        if self._calls:
            message = deferred(
                StreamedChatMessage,
                {"role": MessageRole.ASSISTANT},
                {"blocks": snapshot.blocks, "additional_kwargs": snapshot.additional_kwargs},
            )
        else:
            message = deferred(
                StreamedChatMessage,
                {"role": MessageRole.ASSISTANT, "additional_kwargs": {}},
                {"blocks": snapshot.blocks},
            )
        object.__setattr__(message, "_snapshot", snapshot)
        # Not validated: ChatMessage's model validator reads `additional_kwargs`, which would
        # build the deferred tool-call list for every chunk.
        return construct(
            ChatResponse,
            {
                "message": message,
                "raw": None,
                "delta": text,
                "logprobs": None,
                "additional_kwargs": {"thinking_delta": reasoning} if reasoning else {},
            },
        )

    def finish(self, completion: Completion) -> ChatResponse:
        return completion_to_chat_response(completion, delta="")


def chat_to_completion_chunk(response: ChatResponse) -> CompletionResponse:
    """A streamed `CompletionResponse`, as cheap per chunk as the `ChatResponse` it mirrors."""
    snapshot = _snapshot_of(response.message)
    if snapshot is None:
        return chat_to_completion_response(response)
    return deferred(
        StreamedCompletionResponse,
        {
            "additional_kwargs": dict(response.additional_kwargs),
            "raw": response.raw,
            "logprobs": None,
            "delta": response.delta,
        },
        {"text": snapshot.text},
    )


# --- tool calls -----------------------------------------------------------------------------


def tool_selections(response: ChatResponse, *, error_on_no_tool_call: bool) -> list[ToolSelection]:
    """The tool calls of `response`.

    Mid-stream, arguments are partial JSON and are read leniently (a call whose name has not
    arrived is left out). In a finished message, arguments that are not a JSON object raise a
    `ValueError` naming the tool, the call id and the problem.
    """
    message = response.message
    snapshot = _snapshot_of(message)
    calls: list[tuple[str | None, str, dict[str, Any] | str]]
    if snapshot is not None:
        calls = list(snapshot.tool_calls())
    else:
        calls = [
            (block.tool_call_id, block.tool_name, block.tool_kwargs)
            for block in message.blocks
            if isinstance(block, ToolCallBlock)
        ]
    partial = isinstance(message, StreamedChatMessage)
    selections = [
        ToolSelection(
            tool_id=call_id or "",
            tool_name=name,
            tool_kwargs=_arguments(arguments, partial=partial, name=name, call_id=call_id),
        )
        for call_id, name, arguments in calls
        if name or not partial
    ]
    if error_on_no_tool_call and not selections:
        raise ValueError("Expected at least one tool call, but got 0 tool calls.")
    return selections


def _arguments(
    arguments: dict[str, Any] | str, *, partial: bool, name: str, call_id: str | None
) -> dict[str, Any]:
    if isinstance(arguments, dict):
        return arguments
    if partial:
        return _partial_json(arguments)
    parsed, error = parse_arguments(arguments)
    if parsed is None:
        shown = arguments if len(arguments) <= 200 else arguments[:200] + "…"
        raise ValueError(
            f"MiniMax called tool {name!r} (call id {call_id!r}) with invalid arguments: "
            f"{error}. Arguments as received: {shown!r}"
        )
    return parsed


def _partial_json(arguments: str) -> dict[str, Any]:
    if not arguments.strip():
        return {}
    try:
        value = parse_partial_json(arguments)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def single_tool_call(response: ChatResponse) -> ChatResponse:
    """`response` with only its first tool call, for callers that forbid parallel calls."""
    blocks = response.message.blocks
    calls = [block for block in blocks if isinstance(block, ToolCallBlock)]
    if len(calls) <= 1:
        return response
    first = calls[0]
    kept = [block for block in blocks if not isinstance(block, ToolCallBlock) or block is first]
    extra = dict(response.message.additional_kwargs)
    if isinstance(extra.get("tool_calls"), list):
        extra["tool_calls"] = [
            call
            for call in extra["tool_calls"]
            if isinstance(call, dict) and call.get("id") == first.tool_call_id
        ]
    message = response.message.model_copy(update={"blocks": kept, "additional_kwargs": extra})
    return response.model_copy(update={"message": message})
