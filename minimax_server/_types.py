"""Public value types of the local server: faults, scripted replies, recorded requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from ._models import KNOWN_MODELS

__all__ = [
    "DIALECTS",
    "FAULT_KINDS",
    "KNOWN_MODELS",
    "Dialect",
    "Fault",
    "FaultKind",
    "RecordedRequest",
    "ScriptedReply",
    "ToolCallSpec",
]

Dialect = Literal["minimax", "vllm", "sglang", "inline", "raw_xml", "raw_no_parser", "proxy"]
"""Wire dialects the server can speak (see the package docstring)."""

DIALECTS: tuple[str, ...] = get_args(Dialect)

FaultKind = Literal[
    "http_status",
    "base_resp",
    "drop_mid_stream",
    "stall",
    "no_done",
    "eof_before_finish",
    "final_message_chunk",
    "usage_chunk",
    "reused_index_new_id",
    "late_tool_call_id",
    "fragmented_tool_args",
    "whole_tool_args",
    "sse_error_frame",
]
"""Faults that `MiniMaxServer.inject` accepts."""

FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


# Faults that only make sense while an SSE stream is being written; a non-streaming
# request leaves them queued for the next streaming one.
STREAM_FAULTS: frozenset[str] = frozenset(FAULT_KINDS) - {"http_status", "base_resp"}


@dataclass
class Fault:
    """A failure to inject into the next `count` requests, or into a random fraction of them.

    - `http_status`: answer `status` with a MiniMax-like error body; `retry_after` (seconds)
      and `retry_after_ms` set the `Retry-After` / `retry-after-ms` headers. With
      `engine_body` the body is shaped as self-hosted engines shape theirs (vLLM, SGLang,
      llama.cpp: `{"error": {"code": <status>, "message": ..., "type": ...}}`, no MiniMax code).
    - `base_resp`: HTTP 200 whose `base_resp.status_code` is `code` (1026 also sets
      `input_sensitive: true`, 1027 `output_sensitive: true`).
    - `drop_mid_stream`: close the connection after `after_chunks` SSE events (for a Files API
      upload: after `after_chunks` MiB of its body, before answering).
    - `stall`: pause `seconds` after `after_chunks` events, then continue (or hang if `hang`).
    - `no_done`: end the stream without `data: [DONE]`.
    - `eof_before_finish`: end the stream cleanly before any `finish_reason` (no usage either).
    - `final_message_chunk`: append a chunk whose choice carries the whole `message` and usage.
    - `usage_chunk`: send the trailing `choices: []` usage chunk even without `include_usage`.
    - `reused_index_new_id`: every streamed tool call at `index` 0, each with its own `id`.
    - `late_tool_call_id`: each streamed tool call's `id` left off its first piece (which has
      the name) and sent on the next one.
    - `fragmented_tool_args` / `whole_tool_args`: tool arguments in many small fragments, or
      whole in one delta, whatever the dialect's habit.
    - `sse_error_frame`: after `after_chunks` events, an SSE frame with a non-zero
      `base_resp` (`code`), then the stream ends.

    With `probability` set the fault applies to that fraction of eligible requests (drawn from
    a generator seeded with `seed`) until `reset()`, and `count` is ignored.
    """

    kind: FaultKind
    status: int = 500
    code: int | None = None
    message: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    after_chunks: int = 2
    seconds: float = 1.0
    hang: bool = False
    engine_body: bool = False
    count: int = 1
    probability: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        if self.count < 1:
            raise ValueError("count must be >= 1")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """Build a fault from the JSON body of `POST /_control/fault`."""
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return cls(**data)


@dataclass
class ToolCallSpec:
    """One tool call of a `ScriptedReply`.

    `arguments` may be a raw string, even invalid JSON, to test how clients cope.
    """

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str | None = None


@dataclass
class ScriptedReply:
    """An exact answer for the next request, rendered in that request's dialect and shape.

    `reasoning=None` lets the server write its usual reasoning; `""` sends none.
    `finish_reason=None` means `"tool_calls"` when there are tool calls, else `"stop"`.
    """

    text: str = ""
    reasoning: str | None = None
    tool_calls: list[ToolCallSpec] = field(default_factory=list)
    finish_reason: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScriptedReply:
        """Build a reply from the JSON body of `POST /_control/reply`."""
        calls = [ToolCallSpec(**c) for c in data.get("tool_calls") or []]
        return cls(
            text=str(data.get("text", "")),
            reasoning=data.get("reasoning"),
            tool_calls=calls,
            finish_reason=data.get("finish_reason"),
        )


@dataclass
class RecordedRequest:
    """One request the server received on `/v1/...`, with `Authorization` redacted."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    stream: bool
    method: str = "POST"
