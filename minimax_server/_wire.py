"""Render a dialect-neutral `Reply` in each dialect's wire shape, whole or as SSE chunks."""

from __future__ import annotations

import json
import random
import string
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from ._model import ChatRequest, Reply, ReplyCall, is_m3

__all__ = ["Produced", "Rendered", "StreamOptions", "render", "think_block"]

ToolArgStyle = Literal["whole", "fragments", "params", "name_then_params", "name_then_whole"]

_DEFAULT_ARG_STYLE: dict[str, ToolArgStyle] = {
    "minimax": "whole",
    "vllm": "params",
    "inline": "params",
    "sglang": "name_then_params",
    "proxy": "name_then_whole",
    "raw_xml": "whole",
    "raw_no_parser": "whole",
}
_SENSITIVE = {
    "input_sensitive": False,
    "output_sensitive": False,
    "input_sensitive_type": 0,
    "output_sensitive_type": 0,
    "output_sensitive_int": 0,
}
_OK = {"status_code": 0, "status_msg": ""}
_ALNUM = string.ascii_lowercase + string.digits


def think_block(reasoning: str, *, opened: bool = True) -> str:
    """The inline form of `reasoning`, exactly as MiniMax puts it in `content`.

    `opened=False` is a self-hosted server without a reasoning parser: the chat template put the
    opening tag in the prompt, so the output holds only the closing one.
    """
    return f"<think>\n{reasoning}\n</think>" if opened else f"{reasoning}\n</think>"


@dataclass
class Produced:
    """What strict mode remembers of one produced assistant turn.

    `form` is how its reasoning must come back: `inline` (`think` inside `content`),
    `details` (`reasoning_details` equal to `details`), `reasoning` (vLLM's field, or
    `reasoning_content`), `reasoning_content` (SGLang), or `none` (no reasoning at all).
    """

    form: str
    think: str = ""
    details: list[dict[str, Any]] = field(default_factory=list)
    reasoning: str = ""
    call_ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class StreamOptions:
    """Per-request stream shaping that faults can change."""

    tool_args: ToolArgStyle | None = None
    reused_index: bool = False
    late_id: bool = False
    """Each call's `id` on its second piece, not its first."""


@dataclass
class Rendered:
    """A reply in one dialect: the non-stream body, the stream chunks, and its memory."""

    body: dict[str, Any]
    chunks: list[dict[str, Any]]
    usage_chunk: dict[str, Any]
    produced: Produced


def _call_id(dialect: str, n: int) -> str:
    if dialect == "minimax":
        tail = "".join(random.choices(_ALNUM, k=12))
        return f"call_function_{tail}_{n}"
    return f"call_{uuid.uuid4().hex[:24]}"


def _pieces(text: str, rng: random.Random) -> list[str]:
    """Realistic fragments: 2-14 characters, `</think>` always split as `</thi` + `nk>`."""
    if not text:
        return []
    forced: set[int] = set()
    start = text.find("</think>")
    while start >= 0:
        forced.add(start + 5)
        start = text.find("</think>", start + 1)
    out: list[str] = []
    i = 0
    if text.startswith("<think>\n"):
        # The first chunk MiniMax sends is the opening tag plus the first word.
        end = text.find(" ", 8)
        i = end if 8 < end < 40 else 8
        out.append(text[:i])
    while i < len(text):
        j = min(len(text), i + rng.randint(2, 14))
        for b in sorted(forced):
            if i < b < j:
                j = b
                break
            if b - 5 < j < b:
                # Never cut inside `</thi`, so the tag always arrives as `</thi` + `nk>`.
                j = b
                break
        out.append(text[i:j])
        i = j
    return out


def _arg_pieces(arguments: str, style: ToolArgStyle, rng: random.Random) -> list[str]:
    if style == "fragments":
        return _pieces(arguments, rng) or [""]
    if style in ("params", "name_then_params"):
        try:
            parsed = json.loads(arguments)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not parsed:
            return [arguments]
        items = [
            f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in parsed.items()
        ]
        pieces = ["{" + items[0]] + [", " + item for item in items[1:]] + ["}"]
        if "".join(pieces) != arguments:
            return [arguments]
        return pieces
    return [arguments]


def _raw_xml(calls: list[ReplyCall]) -> str:
    lines = ["<minimax:tool_call>"]
    for call in calls:
        lines.append(f'<invoke name="{call.name}">')
        try:
            args = json.loads(call.arguments)
        except ValueError:
            args = None
        if isinstance(args, dict):
            for key, value in args.items():
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                lines.append(f'<parameter name="{key}">{text}</parameter>')
        else:
            lines.append(call.arguments)
        lines.append("</invoke>")
    lines.append("</minimax:tool_call>")
    return "\n".join(lines)


def _usage(dialect: str, prompt: int, completion: int, reasoning: int, cached: int) -> Any:
    if dialect == "proxy":
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    if dialect == "minimax":
        usage: dict[str, Any] = {
            "total_tokens": prompt + completion,
            "total_characters": 0,
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "prompt_tokens_details": {"cached_tokens": cached},
        }
        if reasoning:
            usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
        return usage
    return {
        "prompt_tokens": prompt,
        "total_tokens": prompt + completion,
        "completion_tokens": completion,
        "prompt_tokens_details": {"cached_tokens": cached} if cached else None,
    }


def render(
    dialect: str,
    req: ChatRequest,
    reply: Reply,
    *,
    prompt_tokens: int,
    cached_tokens: int,
    options: StreamOptions | None = None,
) -> Rendered:
    """Lay `reply` out as `dialect` would, for this request's flags."""
    options = options or StreamOptions()
    rng = random.Random(req.fingerprint + dialect)
    reasoning = "" if req.thinking_disabled else reply.reasoning
    calls = [
        ReplyCall(c.name, c.arguments, c.id or _call_id(dialect, n))
        for n, c in enumerate(reply.tool_calls, start=1)
    ]
    created = int(time.time())
    split = req.reasoning_split and dialect in ("minimax", "proxy")
    text = reply.text
    finish = reply.finish_reason

    content = text
    details: list[dict[str, Any]] = []
    field_reasoning = ""
    produced = Produced(form="none", call_ids=[c.id or "" for c in calls])
    if dialect == "minimax" and not text and calls:
        content = "\n"
    if dialect in ("raw_xml", "raw_no_parser") and calls:
        content = (content + "\n" if content else "") + _raw_xml(calls)
        calls = []
        produced.call_ids = []
        finish = "stop" if finish == "tool_calls" else finish
    if reasoning:
        if dialect in ("vllm", "sglang"):
            field_reasoning = reasoning
            produced.form = "reasoning" if dialect == "vllm" else "reasoning_content"
            produced.reasoning = reasoning
        elif split and dialect == "minimax":
            # Observed on M3: the split reasoning keeps a literal closing tag at its end.
            field_reasoning = reasoning + ("\n</think>" if is_m3(req.model) else "")
            details = [_detail(field_reasoning)]
            produced.form = "details"
        elif split:
            field_reasoning = reasoning
            details = [{"type": "chain_of_thought", "text": reasoning}]
            produced.form = "details"
        else:
            # With no reasoning parser, the template's pre-filled `<think>` never reaches the
            # client: the output starts inside the reasoning.
            block = think_block(reasoning, opened=dialect != "raw_no_parser")
            content = f"{block}\n\n{content}"
            produced.form = "inline"
            produced.think = block
        produced.details = [dict(d) for d in details]
    clean = content.split("</think>", 1)[-1].strip() if produced.form == "inline" else content
    produced.texts = [t for t in dict.fromkeys([clean.strip(), text.strip()]) if t]

    rid = uuid.uuid4().hex if dialect == "minimax" else f"chatcmpl-{uuid.uuid4().hex}"
    completion = _completion_tokens(reasoning, content, calls)
    reasoning_tokens = -(-len(reasoning) // 4) if reasoning else 0
    usage = _usage(dialect, prompt_tokens, completion, reasoning_tokens, cached_tokens)
    message = _message(dialect, content, calls, field_reasoning, details)
    body = _envelope(dialect, rid, created, req.model, finish, message, usage)

    deltas = _deltas(dialect, content, calls, field_reasoning, details, rng, options)
    chunks = [_chunk(dialect, rid, created, req.model, delta) for delta in deltas]
    last = chunks[-1]["choices"][0]
    last["finish_reason"] = finish
    if dialect == "minimax":
        # MiniMax puts finish_reason first in the choice; keep the captured key order.
        chunks[-1]["choices"][0] = {"finish_reason": finish, **last}
    usage_chunk = _usage_chunk(dialect, rid, created, req.model, usage)
    return Rendered(body=body, chunks=chunks, usage_chunk=usage_chunk, produced=produced)


def _detail(text: str) -> dict[str, Any]:
    return {
        "type": "reasoning.text",
        "id": "reasoning-text-1",
        "format": "MiniMax-response-v1",
        "index": 0,
        "text": text,
    }


def _completion_tokens(reasoning: str, content: str, calls: list[ReplyCall]) -> int:
    chars = len(content) + sum(len(c.name) + len(c.arguments) for c in calls)
    if reasoning and reasoning not in content:
        chars += len(reasoning)
    return max(1, -(-chars // 4))


def _tool_call(dialect: str, call: ReplyCall, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }
    if dialect == "minimax":
        out["index"] = index
    return out


def _message(
    dialect: str,
    content: str,
    calls: list[ReplyCall],
    reasoning: str,
    details: list[dict[str, Any]],
) -> dict[str, Any]:
    tool_calls = [_tool_call(dialect, c, i) for i, c in enumerate(calls)]
    if dialect == "minimax":
        msg: dict[str, Any] = {"content": content, "role": "assistant", "name": "MiniMax AI"}
        if tool_calls:
            msg["tool_calls"] = tool_calls
        msg["audio_content"] = ""
        if details:
            msg["reasoning_content"] = reasoning
            msg["reasoning_details"] = details
        return msg
    if dialect == "proxy":
        msg = {"role": "assistant", "content": content}
        if tool_calls:
            msg["tool_calls"] = tool_calls
        if details:
            msg["reasoning_details"] = details
        return msg
    body_content: str | None = content if content or not tool_calls else None
    if dialect == "sglang":
        return {
            "role": "assistant",
            "content": body_content,
            "reasoning_content": reasoning or None,
            "tool_calls": tool_calls or None,
        }
    msg = {
        "role": "assistant",
        "content": body_content,
        "refusal": None,
        "annotations": None,
        "audio": None,
        "function_call": None,
        "tool_calls": tool_calls,
        "reasoning": reasoning or None,
    }
    if dialect == "raw_xml":
        # Without a tool parser the calls stay XML in `content`; there is no tool_calls field.
        del msg["tool_calls"]
    return msg


def _envelope(
    dialect: str,
    rid: str,
    created: int,
    model: str,
    finish: str,
    message: dict[str, Any],
    usage: Any,
) -> dict[str, Any]:
    if dialect == "minimax":
        return {
            "id": rid,
            "choices": [{"finish_reason": finish, "index": 0, "message": message}],
            "created": created,
            "model": model,
            "object": "chat.completion",
            "usage": usage,
            **_SENSITIVE,
            "base_resp": dict(_OK),
        }
    choice: dict[str, Any] = {"index": 0, "message": message}
    if dialect != "proxy":
        choice["logprobs"] = None
    choice["finish_reason"] = finish
    if dialect in ("vllm", "inline", "raw_xml", "raw_no_parser"):
        choice["stop_reason"] = None
    elif dialect == "sglang":
        choice["matched_stop"] = None
    out: dict[str, Any] = {
        "id": rid,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [choice],
        "usage": usage,
    }
    if dialect in ("vllm", "inline", "raw_xml", "raw_no_parser"):
        out.update(service_tier=None, system_fingerprint=None, prompt_logprobs=None)
    return out


def _deltas(
    dialect: str,
    content: str,
    calls: list[ReplyCall],
    reasoning: str,
    details: list[dict[str, Any]],
    rng: random.Random,
    options: StreamOptions,
) -> list[dict[str, Any]]:
    deltas: list[dict[str, Any]] = []
    if reasoning:
        for piece in _pieces(reasoning, rng):
            if dialect == "minimax" and details:
                deltas.append({"reasoning_content": piece, "reasoning_details": [_detail(piece)]})
            elif dialect == "proxy":
                deltas.append({"reasoning_details": [{"type": "chain_of_thought", "text": piece}]})
            elif dialect == "sglang":
                deltas.append({"reasoning_content": piece})
            else:
                deltas.append({"reasoning": piece})
    deltas.extend({"content": piece} for piece in _pieces(content, rng))
    style = options.tool_args or _DEFAULT_ARG_STYLE.get(dialect, "whole")
    for index, call in enumerate(calls):
        slot = 0 if options.reused_index else index
        head: dict[str, Any] = {"index": slot, "type": "function"}
        if not options.late_id:
            head["id"] = call.id
        pieces = _arg_pieces(call.arguments, style, rng)
        if style in ("name_then_params", "name_then_whole") or options.late_id:
            pieces = ["", *pieces]
        for n, piece in enumerate(pieces):
            fn: dict[str, Any] = {"arguments": piece}
            if n == 0:
                deltas.append({"tool_calls": [{**head, "function": {"name": call.name, **fn}}]})
            elif n == 1 and options.late_id:
                deltas.append({"tool_calls": [{"index": slot, "id": call.id, "function": fn}]})
            else:
                deltas.append({"tool_calls": [{"index": slot, "function": fn}]})
    if not deltas:
        deltas.append({"content": ""})
    if dialect == "minimax":
        extras = {"role": "assistant", "name": "MiniMax AI", "audio_content": ""}
        if details:
            deltas[0] = {"content": "", **deltas[0]}
        deltas = [{**extras, **d} for d in deltas]
    elif dialect in ("vllm", "sglang", "inline", "raw_xml", "raw_no_parser", "proxy"):
        deltas.insert(0, {"role": "assistant", "content": ""})
    return deltas


def _chunk(
    dialect: str,
    rid: str,
    created: int,
    model: str,
    delta: dict[str, Any],
) -> dict[str, Any]:
    if dialect == "minimax":
        return {
            "id": rid,
            "choices": [{"index": 0, "delta": delta}],
            "created": created,
            "model": model,
            "object": "chat.completion.chunk",
            "usage": None,
            **_SENSITIVE,
        }
    choice: dict[str, Any] = {"index": 0, "delta": delta}
    if dialect != "proxy":
        choice["logprobs"] = None
    choice["finish_reason"] = None
    return {
        "id": rid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [choice],
    }


def _usage_chunk(dialect: str, rid: str, created: int, model: str, usage: Any) -> dict[str, Any]:
    if dialect == "minimax":
        return {
            "id": rid,
            "choices": [],
            "created": created,
            "model": model,
            "object": "chat.completion.chunk",
            "usage": usage,
            **_SENSITIVE,
            "base_resp": dict(_OK),
        }
    return {
        "id": rid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [],
        "usage": usage,
    }
