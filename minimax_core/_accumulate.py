"""One accumulator for every response shape: streamed chunks and whole bodies alike.

`Accumulator.feed(payload)` takes one decoded SSE frame (or a whole non-streamed body) and
returns the `StreamDelta` it adds; `finish()` returns the rest and the final `Completion`.
Non-streamed bodies go through the same code as a single frame, so a streamed and an invoked
answer cannot drift apart.

Stream quirks handled here (each described in ARCHITECTURE.md): deltas are incremental; `finish_reason` rides on the
last content chunk; a usage-only chunk has `choices: []`; ordinary chunks may carry zero usage;
a final chunk may carry a whole `message` (used only when nothing came as deltas); `role: ""`;
tool calls arrive whole or in fragments, and a new `id` at a reused `index` is a new call;
`base_resp` is checked on every frame; reasoning comes as `reasoning_details`,
`reasoning_content`, vLLM's `reasoning`, or inline `<think>` in `content`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ._exceptions import StreamError, base_resp_error
from ._reasoning import Prefill, ThinkParser
from ._toolcalls import new_tool_call_id, parse_arguments, parse_tool_xml
from .replay import build_replay
from .types import Completion, StreamDelta, ToolCall, ToolCallDelta, Usage

__all__ = ["Accumulator", "TurnView", "completed_view", "completion_from_body", "usage_from_wire"]

_METADATA_KEYS = (
    "input_sensitive",
    "input_sensitive_type",
    "output_sensitive",
    "output_sensitive_type",
    "output_sensitive_int",
    "created",
    "system_fingerprint",
    "service_tier",
)


# A frame of the wrong shape fails deep inside the fold; catching these around it keeps the hot
# path free of per-field type checks while still failing with the library's own error.
_SHAPE_ERRORS = (AttributeError, TypeError, KeyError, ValueError, IndexError)

# Where the displayed reasoning comes from: the first source to show any is the only one shown.
_NOWHERE, _INLINE, _FIELD = 0, 1, 2


def _malformed(exc: Exception) -> StreamError:
    return StreamError(f"MiniMax sent a response of unexpected shape ({type(exc).__name__}: {exc})")


class _ToolSlot:
    """One tool call as it accumulates.

    `id` is fixed on the call's first piece: the server's, or one minted here (the one place a
    streamed call's id is made), so the first `ToolCallDelta` of every call carries it.
    `sent_id` is the id the server gave, used to tell a new call at a reused `index`.
    """

    __slots__ = ("args", "id", "name", "ordinal", "sent_id")

    def __init__(self, ordinal: int, call_id: str | None, name: str | None) -> None:
        self.ordinal = ordinal
        self.id = call_id or new_tool_call_id()
        self.sent_id = call_id
        self.name = name
        self.args: list[str] = []


class Accumulator:
    """Fold response frames into deltas and one final `Completion`.

    `tools` are the request's tool definitions, used to type arguments of raw XML tool calls;
    `prefill` says whether `content` may start inside an unopened think block (`_reasoning`).
    """

    __slots__ = (
        "_content",
        "_details",
        "_display",
        "_final_message",
        "_first_frame",
        "_last_frame",
        "_parser",
        "_reasoning",
        "_reasoning_content",
        "_reasoning_parser",
        "_shown_from",
        "_slots",
        "_slots_by_index",
        "_structured",
        "_text",
        "_tools",
        "finish_reason",
        "id",
        "metadata",
        "model",
        "usage",
    )

    def __init__(
        self, tools: Sequence[Mapping[str, Any]] | None = None, *, prefill: Prefill = "never"
    ) -> None:
        self._tools = tools
        self.id: str | None = None
        self.model: str | None = None
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.metadata: dict[str, Any] = {}
        self._content: list[str] = []
        self._text: list[str] = []
        self._display: list[str] = []
        self._reasoning_content = _FlatReasoning()
        self._reasoning = _FlatReasoning()
        self._details: dict[int, dict[str, Any]] = {}
        self._structured = False
        self._shown_from = _NOWHERE
        self._parser = ThinkParser(prefill=prefill)
        self._reasoning_parser: ThinkParser | None = None  # made when a reasoning field arrives
        self._slots: list[_ToolSlot] = []
        self._slots_by_index: dict[int, _ToolSlot] = {}
        self._final_message: Mapping[str, Any] | None = None
        self._first_frame: Mapping[str, Any] | None = None
        self._last_frame: Mapping[str, Any] | None = None

    @property
    def view(self) -> TurnView:
        """The turn folded so far, read-only (see `TurnView`)."""
        return TurnView(self._text, self._display, self._slots)

    @property
    def started(self) -> bool:
        """Whether any answer content has arrived yet."""
        return bool(self._content or self._display or self._slots or self._details)

    def feed(self, payload: Mapping[str, Any]) -> StreamDelta:
        try:
            return self._feed(payload)
        except _SHAPE_ERRORS as exc:
            raise _malformed(exc) from exc

    def _feed(self, payload: Mapping[str, Any]) -> StreamDelta:
        if "base_resp" in payload or "error" in payload:
            error = base_resp_error(payload)
            if error is not None:
                raise error
        if self.id is None and payload.get("id"):
            self.id = str(payload["id"])
        if self.model is None and payload.get("model"):
            self.model = str(payload["model"])
        usage = payload.get("usage")
        if usage:
            parsed = usage_from_wire(usage)
            if parsed.total_tokens or parsed.prompt_tokens or parsed.completion_tokens:
                self.usage = parsed
        # Servers repeat the same envelope on every frame: its flags are read from the first and
        # the last frame when the turn is finished, not copied per chunk.
        if self._first_frame is None:
            self._first_frame = payload
        self._last_frame = payload
        delta = StreamDelta()
        for choice in payload.get("choices") or ():
            if choice.get("index", 0) not in (0, None):
                continue
            message = choice.get("message")
            part = choice.get("delta")
            if message is not None and part is None:
                if self.started:
                    # A trailing whole-message chunk repeats what the deltas said.
                    self._final_message = message
                else:
                    self._apply(message, delta)
            elif part:
                self._apply(part, delta)
            finish = choice.get("finish_reason")
            if finish:
                self.finish_reason = str(finish)
        return delta

    def _apply(self, part: Mapping[str, Any], delta: StreamDelta) -> None:
        # Reasoning fields first: a frame that carries both tells the content parser that the
        # server splits reasoning out, before it reads the content.
        shown = self._read_reasoning(part)
        if shown:
            parser = self._reasoning_parser
            if parser is None:
                parser = self._reasoning_parser = ThinkParser(in_think=True)
            text, reasoning = parser.feed(shown)
            if text or reasoning:
                shown = reasoning + text if text else reasoning
                if self._shown_from == _FIELD:  # the usual case, inlined: it runs per chunk
                    self._display.append(shown)
                    delta.reasoning += shown
                else:
                    self._show(shown, _FIELD, delta)
        content = part.get("content")
        if content:
            self._content.append(content)
            text, reasoning = self._parser.feed(content)
            if text:
                self._text.append(text)
                delta.text = text
            if reasoning:
                self._show(reasoning, _INLINE, delta)
        calls = part.get("tool_calls")
        if calls:
            for call in calls:
                self._apply_tool_call(call, delta)

    def _show(self, reasoning: str, source: int, delta: StreamDelta) -> None:
        """Display reasoning from one source only: some servers send the same thinking both
        inline and in a field, and it must be shown once (both are still replayed)."""
        if not reasoning or self._shown_from not in (_NOWHERE, source):
            return
        self._shown_from = source
        self._display.append(reasoning)
        delta.reasoning += reasoning

    def _read_reasoning(self, part: Mapping[str, Any]) -> str:
        """Record every structured reasoning field; return this frame's reasoning to display.

        When a frame carries the same thinking twice (`reasoning_content` and
        `reasoning_details`), the flat string is shown and the details are kept for replay.
        """
        details = part.get("reasoning_details")
        detail_text = ""
        if isinstance(details, str):
            # Some gateways flatten the list to its text.
            details = [{"type": "reasoning.text", "text": details}]
        if details:
            for item in details:
                if not isinstance(item, Mapping):
                    continue
                position = item.get("index", 0)
                key = position if isinstance(position, int) else 0
                piece = item.get("text") or ""
                held = self._details.get(key)
                if held is None:
                    self._details[key] = {**item, "text": piece}
                else:
                    held["text"] += piece
                detail_text += piece
        flat = part.get("reasoning_content")
        flat = self._reasoning_content.add(flat) if flat else ""
        vllm = part.get("reasoning")
        vllm = self._reasoning.add(vllm) if vllm else ""
        if (details or flat or vllm) and not self._structured:
            self._structured = True
            self._parser.structured()
        return flat or detail_text or vllm

    def _apply_tool_call(self, call: Mapping[str, Any], delta: StreamDelta) -> None:
        function = call.get("function") or {}
        call_id = call.get("id") or None
        name = function.get("name") or None
        arguments = function.get("arguments") or ""
        if not isinstance(arguments, str):
            # Some servers send the arguments as an object rather than JSON text.
            arguments = json.dumps(arguments, ensure_ascii=False)
        index = call.get("index")
        if not isinstance(index, int):
            index = len(self._slots) if (call_id or not self._slots) else self._slots[-1].ordinal
        slot = self._slots_by_index.get(index)
        if slot is None or (call_id and slot.sent_id and call_id != slot.sent_id):
            slot = _ToolSlot(len(self._slots), call_id, name)
            self._slots.append(slot)
            self._slots_by_index[index] = slot
            out_id: str | None = slot.id
            out_name = name
        else:
            out_id = out_name = None
            if call_id and slot.sent_id is None:
                # An id sent after the call's first piece: the call keeps the id it was given
                # there (already handed out), and the server's is recorded, not swapped in.
                slot.sent_id = call_id
                self.metadata.setdefault("late_tool_call_ids", {})[slot.id] = call_id
            if slot.name is None and name:
                slot.name = out_name = name
        if arguments:
            slot.args.append(arguments)
        delta.tool_calls.append(ToolCallDelta(slot.ordinal, out_id, out_name, arguments))

    def finish(self, *, streamed: bool = False) -> tuple[StreamDelta, Completion]:
        """Release held text and build the final `Completion`.

        A stream must have delivered a `finish_reason`: without one the answer may be cut short,
        whether or not `[DONE]` came, so it raises `StreamError` rather than return a part.
        """
        try:
            return self._finish(streamed)
        except _SHAPE_ERRORS as exc:
            raise _malformed(exc) from exc

    def _finish(self, streamed: bool) -> tuple[StreamDelta, Completion]:
        if streamed and self.finish_reason is None and self._final_message is None:
            raise StreamError(
                "the stream ended before MiniMax finished the answer (no finish_reason); "
                "the partial answer was discarded"
            )
        delta = StreamDelta()
        if self._reasoning_parser is not None:
            text, reasoning = self._reasoning_parser.flush()
            self._show(reasoning + text, _FIELD, delta)
        text, reasoning = self._parser.flush()
        if text:
            self._text.append(text)
            delta.text = text
        self._show(reasoning, _INLINE, delta)

        calls = [self._finish_slot(slot) for slot in self._slots]
        if self._parser.tool_xml:
            xml_calls = parse_tool_xml(self._parser.tool_xml, self._tools, first_index=len(calls))
            for call in xml_calls:
                delta.tool_calls.append(
                    ToolCallDelta(call.index, call.id, call.name, call.arguments)
                )
                self._slots.append(_whole_slot(call))
            calls.extend(xml_calls)
        # The finish reason says what was parsed: servers without a tool parser say `stop` for
        # raw XML calls, and some say `tool_calls` when no call could be read.
        if calls and self.finish_reason == "stop":
            self.finish_reason = "tool_calls"
        elif not calls and self.finish_reason == "tool_calls":
            self.finish_reason = "stop"

        raw_content = "".join(self._content)
        answer = "".join(self._text)
        shown = "".join(self._display)
        first, last = self._first_frame, self._last_frame
        for frame in (first,) if first is last else (first, last):
            if frame is not None:
                for key in _METADATA_KEYS:
                    if key in frame:
                        self.metadata[key] = frame[key]
        if self._final_message is not None and self.usage is None:
            usage = self._final_message.get("usage")
            if usage:
                self.usage = usage_from_wire(usage)
        return delta, Completion(
            id=self.id,
            model=self.model,
            text=answer,
            reasoning=shown,
            tool_calls=calls,
            finish_reason=self.finish_reason,
            usage=self.usage,
            replay=self._replay(raw_content, answer),
            metadata=self.metadata,
        )

    def _finish_slot(self, slot: _ToolSlot) -> ToolCall:
        arguments = "".join(slot.args)
        args, error = parse_arguments(arguments)
        if args is not None and not arguments.strip():
            arguments = "{}"
        return ToolCall(
            id=slot.id,
            name=slot.name or "",
            arguments=arguments,
            args=args,
            error=error if slot.name else (error or "the tool call has no function name"),
            index=slot.ordinal,
        )

    def _replay(self, raw_content: str, answer: str) -> dict[str, Any]:
        return build_replay(
            reasoning_details=[self._details[k] for k in sorted(self._details)],
            reasoning_content=self._reasoning_content.text(),
            reasoning=self._reasoning.text(),
            raw_content=raw_content,
            answer=answer,
            tool_xml=self._parser.tool_xml,
        )


def _whole_slot(call: ToolCall) -> _ToolSlot:
    """A finished call as a slot of one piece (raw-XML calls, whole answers)."""
    slot = _ToolSlot(call.index, call.id, call.name)
    if call.arguments:
        slot.args.append(call.arguments)
    return slot


class _Prefix:
    """Joins a prefix of an append-only list of pieces, extending the last join when it can."""

    __slots__ = ("_count", "_joined", "parts")

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts
        self._joined = ""
        self._count = 0

    def upto(self, count: int) -> str:
        if count == self._count:
            return self._joined
        if count > self._count:
            joined = self._joined + "".join(self.parts[self._count : count])
            self._joined, self._count = joined, count
            return joined
        return "".join(self.parts[:count])


class TurnView:
    """A read-only view of the turn a stream has folded so far, over the accumulator's pieces.

    Each delta the accumulator returns adds exactly one piece to what it carries: its `text` one
    piece of the text, its `reasoning` one of the reasoning, and each `ToolCallDelta` with
    arguments one piece of that call's (calls are numbered by `ToolCallDelta.index`, from 0). So
    a reader that counts the pieces of the deltas it has seen reads the turn as of any of them,
    at O(1) per delta: nothing is joined until asked for, and a longer prefix extends the last
    join. A call's id and name are the ones its deltas carry (the id from its first piece).
    """

    __slots__ = ("_args", "_calls", "_reasoning", "_text")

    def __init__(self, text: list[str], reasoning: list[str], calls: list[_ToolSlot]) -> None:
        self._text = _Prefix(text)
        self._reasoning = _Prefix(reasoning)
        self._calls = calls
        self._args: dict[int, _Prefix] = {}

    def text(self, pieces: int) -> str:
        """The answer text of the first `pieces` text pieces."""
        return self._text.upto(pieces)

    def reasoning(self, pieces: int) -> str:
        """The display reasoning of the first `pieces` reasoning pieces."""
        return self._reasoning.upto(pieces)

    def tool_call(self, index: int, pieces: int) -> tuple[str, str, str]:
        """`(id, name, arguments)` of call `index`, its arguments from its first `pieces`."""
        slot = self._calls[index]
        joined = self._args.get(index)
        if joined is None:
            joined = self._args[index] = _Prefix(slot.args)
        return slot.id, slot.name or "", joined.upto(pieces)


def completed_view(completion: Completion | None) -> TurnView:
    """The view of a finished turn given whole, as one delta carries it (`_delta_of`)."""
    if completion is None:
        return TurnView([], [], [])
    return TurnView(
        [completion.text] if completion.text else [],
        [completion.reasoning] if completion.reasoning else [],
        [_whole_slot(call) for call in completion.tool_calls],
    )


class _FlatReasoning:
    """One flat reasoning field (`reasoning_content` or `reasoning`) as it accumulates.

    Some servers (MiniMax-M3 behind some gateways) send in each frame the whole reasoning so
    far rather than the new part. A frame that repeats everything held is such a snapshot: it
    replaces what is held and only its tail is new. Incremental frames are shorter than what
    is held, so the usual path never joins the pieces.
    """

    __slots__ = ("pieces", "size")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.size = 0

    def add(self, value: Any) -> str:
        """Record one frame's value; return the reasoning it adds."""
        if not isinstance(value, str) or not value:
            return ""
        if self.size and len(value) >= self.size:
            held = "".join(self.pieces)
            if value.startswith(held):
                self.pieces = [value]
                self.size = len(value)
                return value[len(held) :]
        self.pieces.append(value)
        self.size += len(value)
        return value

    def text(self) -> str:
        return "".join(self.pieces)


def usage_from_wire(usage: Mapping[str, Any]) -> Usage:
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    cached = prompt_details.get("cached_tokens") if isinstance(prompt_details, Mapping) else None
    reasoning = (
        completion_details.get("reasoning_tokens")
        if isinstance(completion_details, Mapping)
        else None
    )
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=int(usage.get("total_tokens") or (prompt + completion)),
        cached_tokens=int(cached) if cached is not None else None,
        reasoning_tokens=int(reasoning) if reasoning is not None else None,
    )


def completion_from_body(
    body: Mapping[str, Any],
    tools: Sequence[Mapping[str, Any]] | None = None,
    *,
    prefill: Prefill = "never",
) -> Completion:
    """The `Completion` of a whole (non-streamed) response body."""
    accumulator = Accumulator(tools, prefill=prefill)
    accumulator.feed(body)
    if not body.get("choices"):
        raise StreamError("the response has no choices")
    return accumulator.finish()[1]
