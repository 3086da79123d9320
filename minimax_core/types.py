"""Neutral result types shared by both adapters.

These are plain dataclasses, not pydantic models: they are built once per streamed chunk on the
hot path, where validation would cost more than the HTTP and JSON work together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Completion",
    "StreamDelta",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "tool_call_wire",
]


def tool_call_wire(call_id: str | None, name: str, arguments: str) -> dict[str, Any]:
    """The OpenAI-shaped `tool_calls` item of an assistant message: the one place it is written.

    `arguments` is JSON text; `call_id` may be `None` (a streamed call whose id has not come).
    """
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


@dataclass(slots=True)
class Usage:
    """Token counts as MiniMax reports them; details are `None` when the server omits them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None

    def to_dict(self) -> dict[str, int]:
        """The counts as a plain dict, details included only when known."""
        out = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }
        if self.cached_tokens is not None:
            out["cached_tokens"] = self.cached_tokens
        if self.reasoning_tokens is not None:
            out["reasoning_tokens"] = self.reasoning_tokens
        return out


@dataclass(slots=True)
class ToolCall:
    """One complete tool call.

    `arguments` is the JSON text exactly as the server sent it. `args` is its parsed object, or
    `None` when the text is not a JSON object; then `error` says why. Invalid calls must never be
    replayed as they are: MiniMax rejects the whole request (code 2013).
    """

    id: str
    name: str
    arguments: str
    args: dict[str, Any] | None
    error: str | None = None
    index: int = 0

    @property
    def is_valid(self) -> bool:
        return self.args is not None

    def to_wire(self) -> dict[str, Any]:
        """The OpenAI-shaped `tool_calls` item for an assistant message in history."""
        return tool_call_wire(self.id, self.name, self.arguments)


@dataclass(slots=True)
class ToolCallDelta:
    """A streamed piece of a tool call.

    `id` and `name` are set only on the first delta of a call, so frameworks that concatenate
    string fields when merging chunks never see them twice.
    """

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(slots=True)
class StreamDelta:
    """What one SSE frame adds: clean answer text, display reasoning, tool-call pieces."""

    text: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCallDelta] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.text or self.reasoning or self.tool_calls)


@dataclass(slots=True)
class Completion:
    """A finished assistant turn, the same whether it was streamed or not.

    - `text`: the answer with no `<think>` block and no raw tool-call XML.
    - `reasoning`: the thinking as text for display (`""` when there was none).
    - `replay`: the exact wire fields to send back with this turn so the reasoning chain stays
      intact (see `minimax_core.replay`): some of `reasoning_details`, `reasoning_content`,
      `reasoning` and `content` (the raw content, when it held an inline `<think>` block).
    - `metadata`: MiniMax's extra envelope fields (sensitivity flags, request id, ...).
    """

    id: str | None
    model: str | None
    text: str
    reasoning: str
    tool_calls: list[ToolCall]
    finish_reason: str | None
    usage: Usage | None
    replay: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def valid_tool_calls(self) -> list[ToolCall]:
        return [call for call in self.tool_calls if call.is_valid]

    @property
    def invalid_tool_calls(self) -> list[ToolCall]:
        return [call for call in self.tool_calls if not call.is_valid]
