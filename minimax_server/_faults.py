"""Fault injection: which faults a request gets, and what each one changes in the answer.

The dispatcher asks `FaultQueue.take` once per request and follows the returned
`RequestFaults`; the transport side (aborting, stalling, writing) stays with the dispatcher.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from ._errors import HTTP_ERRORS, OVERLOADED, STATUS_MESSAGES
from ._types import STREAM_FAULTS, Fault
from ._validate import ApiError
from ._wire import Rendered, StreamOptions, ToolArgStyle

__all__ = ["FaultQueue", "RequestFaults"]


@dataclass
class _ActiveFault:
    fault: Fault
    remaining: int
    rng: random.Random


class FaultQueue:
    """Faults injected and not yet used up, consumed in the order they were injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: list[_ActiveFault] = []

    def add(self, fault: Fault) -> None:
        """Queue `fault` for the next `fault.count` requests (or a random fraction)."""
        with self._lock:
            self._active.append(_ActiveFault(fault, fault.count, random.Random(fault.seed)))

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._active.clear()

    def take(self, stream: bool) -> RequestFaults:
        """The faults this request gets: one HTTP-level fault, else one of each stream kind."""
        with self._lock:
            for active in [a for a in self._active if a.fault.kind not in STREAM_FAULTS]:
                if self._consume(active):
                    return RequestFaults({active.fault.kind: active.fault})
            if not stream:
                return RequestFaults({})
            taken: dict[str, Fault] = {}
            for active in [a for a in self._active if a.fault.kind in STREAM_FAULTS]:
                if active.fault.kind not in taken and self._consume(active):
                    taken[active.fault.kind] = active.fault
            return RequestFaults(taken)

    def _consume(self, active: _ActiveFault) -> bool:
        fault = active.fault
        if fault.probability is not None:
            return active.rng.random() < fault.probability
        active.remaining -= 1
        if active.remaining <= 0:
            self._active.remove(active)
        return True


@dataclass(frozen=True)
class RequestFaults:
    """The faults one request gets, by kind."""

    by_kind: dict[str, Fault]

    def error(self) -> ApiError | None:
        """The HTTP error to answer with instead of a completion, if any."""
        fault = self.by_kind.get("http_status")
        if fault is None:
            return None
        kind, default_code = HTTP_ERRORS.get(fault.status, ("api_error", 1000))
        code = None if fault.engine_body else fault.code or default_code
        if fault.engine_body:
            kind = "server_error" if fault.status >= 500 else "invalid_request_error"
        message = fault.message or (
            OVERLOADED
            if fault.status == 529
            else STATUS_MESSAGES.get(code or default_code, "unknown error")
        )
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            value = fault.retry_after
            headers["Retry-After"] = str(int(value)) if float(value).is_integer() else str(value)
        if fault.retry_after_ms is not None:
            headers["retry-after-ms"] = str(fault.retry_after_ms)
        return ApiError(fault.status, message, code, kind, headers)

    def base_resp_body(self, body: Any) -> dict[str, Any] | None:
        """The HTTP 200 body with a non-zero `base_resp` to answer with, if any."""
        fault = self.by_kind.get("base_resp")
        if fault is None:
            return None
        model = body.get("model") if isinstance(body, dict) else None
        return {
            "id": uuid.uuid4().hex,
            "choices": None,
            "created": 0,
            "model": model or "",
            "object": "chat.completion",
            "usage": {"total_tokens": 0, "total_characters": 0},
            **_base_resp_fields(fault),
        }

    def stream_options(self) -> StreamOptions:
        """How the renderer must shape tool-call deltas for these faults."""
        kinds = self.by_kind
        tool_args: ToolArgStyle | None = (
            "fragments"
            if "fragmented_tool_args" in kinds
            else "whole"
            if "whole_tool_args" in kinds
            else None
        )
        return StreamOptions(
            tool_args=tool_args,
            reused_index="reused_index_new_id" in kinds,
            late_id="late_tool_call_id" in kinds,
        )

    def stream_events(
        self, rendered: Rendered, *, include_usage: bool, send_done: bool, dialect: str
    ) -> list[str]:
        """The SSE `data` payloads to write, `[DONE]` included when it is sent."""
        kinds = self.by_kind
        frames: list[dict[str, Any]] = list(rendered.chunks)
        if include_usage or "usage_chunk" in kinds:
            frames.append(rendered.usage_chunk)
        if "final_message_chunk" in kinds:
            frames.append(copy.deepcopy(rendered.body))
        done = send_done and "no_done" not in kinds
        if "eof_before_finish" in kinds:
            frames = [copy.deepcopy(c) for c in rendered.chunks]
            for choice in frames[-1]["choices"]:
                if "message" not in choice:
                    choice.pop("finish_reason", None)
                    if dialect != "minimax":
                        choice["finish_reason"] = None
            done = False
        events = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in frames]
        if done:
            events.append("[DONE]")
        return events

    def before_event(self, kind: str, sent: int) -> Fault | None:
        """The fault of `kind` that strikes once `sent` events have been written, if any."""
        fault = self.by_kind.get(kind)
        return fault if fault is not None and sent == fault.after_chunks else None

    def error_event(self, rendered: Rendered, fault: Fault) -> str:
        """The `sse_error_frame` payload: a chunk with no choices and a non-zero `base_resp`."""
        first = rendered.chunks[0]
        frame = {
            "id": first["id"],
            "choices": [],
            "created": first["created"],
            "model": first["model"],
            "object": "chat.completion.chunk",
            "usage": None,
            **_base_resp_fields(fault),
        }
        return json.dumps(frame, separators=(",", ":"))


def _base_resp_fields(fault: Fault) -> dict[str, Any]:
    """The sensitivity flags and `base_resp` of a MiniMax error answered with HTTP 200."""
    code = fault.code or 1002
    return {
        "input_sensitive": code == 1026,
        "output_sensitive": code == 1027,
        "input_sensitive_type": 1 if code == 1026 else 0,
        "output_sensitive_type": 1 if code == 1027 else 0,
        "output_sensitive_int": 0,
        "base_resp": {
            "status_code": code,
            "status_msg": fault.message or STATUS_MESSAGES.get(code, "unknown error"),
        },
    }
