"""Request validation like the real API, and strict mode's memory of produced turns."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from typing import Any

from ._model import ChatRequest, text_of
from ._models import KNOWN_MODELS, SERVED, ServedModel, served
from ._wire import Produced

__all__ = ["ApiError", "Memory", "check_strict", "parse_request"]

_ROLES = frozenset({"system", "user", "assistant", "tool"})
_THINK_RE = re.compile(r"<think>.*?</think>", re.S)


class ApiError(Exception):
    """An error answered with MiniMax's error body: `message (code)` inside `error`.

    `code=None` answers as a self-hosted engine does: the HTTP status in `error.code`."""

    def __init__(
        self,
        status: int,
        message: str,
        code: int | None,
        kind: str = "bad_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.kind = kind
        self.headers = headers or {}


def _bad(message: str) -> ApiError:
    return ApiError(400, f"invalid params, {message}", 2013)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_request(body: Any, *, any_model: bool) -> ChatRequest:
    """Validate a request body as MiniMax does and return what the model needs."""
    if not isinstance(body, dict):
        raise _bad("request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise _bad("model is required")
    if not any_model and model not in KNOWN_MODELS:
        raise _bad(f"unknown model '{model}'")
    if "functions" in body or "function_call" in body:
        raise _bad("functions and function_call are deprecated, use tools and tool_choice")
    n = body.get("n")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n != 1):
        raise _bad("the n parameter only supports value 1")
    temperature = body.get("temperature")
    if temperature is not None and (not _is_number(temperature) or not 0 <= temperature <= 2):
        raise _bad("temperature must be in [0, 2]")
    top_p = body.get("top_p")
    if top_p is not None and (not _is_number(top_p) or not 0 <= top_p <= 1):
        raise _bad("top_p must be in [0, 1]")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is not None and (
        not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1
    ):
        raise _bad("max_completion_tokens must be an integer >= 1")
    spec = served(model)
    if spec.max_output is not None and max_tokens is not None and max_tokens > spec.max_output:
        raise _bad(f"max_completion_tokens must be at most {spec.max_output} for {model}")

    tools = _parse_tools(body.get("tools"))
    names = [str(t["name"]) for t in tools]
    tool_choice = body.get("tool_choice")
    _check_tool_choice(tool_choice, names)
    messages = _parse_messages(body.get("messages"), model)

    fmt = body.get("response_format")
    if fmt is not None and (
        not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_object", "json_schema")
    ):
        raise _bad("response_format.type must be text, json_object or json_schema")
    stop = body.get("stop")
    if isinstance(stop, str):
        stops = [stop]
    elif isinstance(stop, list) and all(isinstance(s, str) for s in stop):
        stops = list(stop)
    elif stop is None:
        stops = []
    else:
        raise _bad("stop must be a string or a list of strings")
    options = body.get("stream_options")
    thinking = body.get("thinking")
    disabled = isinstance(thinking, dict) and thinking.get("type") == "disabled"
    if disabled and spec.thinking_off == "refused":
        raise _bad("model requires adaptive thinking")
    effort = _effort(body.get("reasoning_effort"), spec)
    parallel = body.get("parallel_tool_calls")
    return ChatRequest(
        model=model,
        messages=messages,
        tools=tools,
        tool_choice=tool_choice,
        parallel_tool_calls=parallel if isinstance(parallel, bool) else None,
        stream=bool(body.get("stream")),
        include_usage=isinstance(options, dict) and bool(options.get("include_usage")),
        reasoning_split=bool(body.get("reasoning_split")),
        thinking_disabled=disabled and spec.thinking_off == "honoured",
        response_format=fmt,
        stop=stops,
        max_tokens=max_tokens,
        reasoning_effort=effort,
    )


def _effort(sent: Any, spec: ServedModel) -> str | None:
    """The effort a request thinks at; MiniMax's models take only their documented levels.

    Models without effort control (M3, M2.x) think as they always do, whatever is sent.
    """
    if not spec.effort_levels:
        return None
    if sent is None:
        return spec.default_effort
    if spec.name in SERVED and sent not in spec.effort_levels:
        allowed = ", ".join(spec.effort_levels)
        raise _bad(f"invalid reasoning_effort: {json.dumps(sent)} (allowed: {allowed})")
    return str(sent)


def _parse_tools(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _bad("tools must be a list")
    tools: list[dict[str, Any]] = []
    for tool in raw:
        if not isinstance(tool, dict) or tool.get("type") != "function":
            kind = tool.get("type", "") if isinstance(tool, dict) else ""
            raise _bad(f"invalid tool type: {kind}")
        fn = tool.get("function")
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise _bad("tool function name is required")
        params = fn.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise _bad(f"tool {fn['name']} parameters must be a JSON schema object")
        tools.append(fn)
    return tools


def _check_tool_choice(choice: Any, names: list[str]) -> None:
    if choice is None or choice in ("auto", "none"):
        return
    if choice in ("required", "any"):
        if not names:
            raise _bad("tool_choice requires tools")
        return
    if isinstance(choice, dict):
        fn = choice.get("function")
        name = fn.get("name") if isinstance(fn, dict) else choice.get("name")
        if not isinstance(name, str) or name not in names:
            raise _bad(f"tool_choice function {name} not found in tools")
        return
    if isinstance(choice, str) and choice in names:
        return
    raise _bad(f"invalid tool_choice: {json.dumps(choice)}")


def _parse_messages(raw: Any, model: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise _bad("messages is empty")
    seen_ids: set[str] = set()
    for i, msg in enumerate(raw):
        if not isinstance(msg, dict):
            raise _bad(f"messages[{i}] must be an object")
        role = msg.get("role")
        if role not in _ROLES:
            raise _bad(f"invalid message role: {role}")
        _check_content(msg.get("content"), i, model)
        if role == "assistant":
            calls = msg.get("tool_calls") or []
            if not isinstance(calls, list):
                raise _bad(f"messages[{i}].tool_calls must be a list")
            for call in calls:
                call_id = str(call.get("id", "")) if isinstance(call, dict) else ""
                fn = call.get("function") if isinstance(call, dict) else None
                args = fn.get("arguments") if isinstance(fn, dict) else None
                if not isinstance(args, str) or not _valid_json(args):
                    raise _bad(f"invalid function arguments json string, tool_call_id: {call_id}")
                seen_ids.add(call_id)
        elif role == "tool":
            result_id = msg.get("tool_call_id")
            if not isinstance(result_id, str) or result_id not in seen_ids:
                raise _bad(f"tool result's tool id({result_id}) not found")
    return raw


def _valid_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _check_content(content: Any, index: int, model: str) -> None:
    if content is None or isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _bad(f"messages[{index}].content must be a string or a list of parts")
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            continue
        if kind in ("image_url", "video_url"):
            if not served(model).media:
                media = "image" if kind == "image_url" else "video"
                raise _bad(f"model {model} does not support {media} input")
            continue
        raise _bad(f"unsupported content type: {kind}")


# --- strict mode ------------------------------------------------------------------------


def clean_text(content: Any) -> str:
    """The answer text of a content: the `<think>` block removed, whitespace stripped."""
    text = text_of(content)
    if "</think>" in text:
        text = _THINK_RE.sub("", text, count=1) if "<think>" in text else text.split("</think>")[-1]
    return text.strip()


class Memory:
    """The assistant turns this server produced, by tool call id and by answer text."""

    def __init__(self, limit: int = 20_000) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._by_id: OrderedDict[str, Produced] = OrderedDict()
        self._by_text: OrderedDict[str, list[Produced]] = OrderedDict()

    def remember(self, produced: Produced) -> None:
        with self._lock:
            for call_id in produced.call_ids:
                self._by_id[call_id] = produced
            if not produced.call_ids:
                for text in produced.texts:
                    self._by_text.setdefault(text, []).insert(0, produced)
                    self._by_text.move_to_end(text)
            for table in (self._by_id, self._by_text):
                while len(table) > self._limit:
                    table.popitem(last=False)

    def lookup(self, msg: dict[str, Any]) -> list[Produced]:
        """The produced turns `msg` may be a replay of, most recent first."""
        with self._lock:
            for call in msg.get("tool_calls") or []:
                found = self._by_id.get(str(call.get("id")))
                if found is not None:
                    return [found]
            text = clean_text(msg.get("content"))
            return list(self._by_text.get(text, [])) if text else []

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()
            self._by_text.clear()


def check_strict(messages: list[dict[str, Any]], memory: Memory) -> None:
    """Refuse a replayed assistant turn whose reasoning was dropped, altered or moved."""
    for index, msg in enumerate(messages):
        if msg.get("role") != "assistant":
            continue
        candidates = memory.lookup(msg)
        if not candidates:
            continue
        problems = [_problem(msg, produced) for produced in candidates]
        if any(p is None for p in problems):
            continue
        raise _bad(f"strict reasoning check failed for messages[{index}]: {problems[0]}")


def _first_difference(expected: str, got: str) -> str:
    for i, (a, b) in enumerate(zip(expected, got, strict=False)):
        if a != b:
            return f"first difference at character {i}: expected {expected[i : i + 20]!r}, got {got[i : i + 20]!r}"
    return f"expected {len(expected)} characters, got {len(got)}"


def _problem(msg: dict[str, Any], produced: Produced) -> str | None:
    content = text_of(msg.get("content"))
    details = msg.get("reasoning_details")
    fields = [
        name for name in ("reasoning_details", "reasoning_content", "reasoning") if msg.get(name)
    ]
    if produced.form == "inline":
        if produced.think in content:
            return None
        # Without a reasoning parser the block has no opening tag (see `think_block`).
        marker = "<think>" if produced.think.startswith("<think>") else "</think>"
        if marker not in content:
            if fields:
                return (
                    f"reasoning moved: it came back in {fields[0]}, but this turn was produced with "
                    "<think>…</think> inline in content; send content back unchanged"
                )
            return (
                "reasoning dropped: content has no <think> block, but this turn was produced "
                "with one; send content back unchanged"
            )
        if marker == "</think>":
            got = content[: content.index(marker) + len(marker)]
        else:
            found = _THINK_RE.search(content)
            got = found.group() if found else content[content.index(marker) :]
        return "reasoning altered: the <think> block differs from the one produced; " + (
            _first_difference(produced.think, got)
        )
    if produced.form == "details":
        if "<think>" in content:
            return (
                "content contains <think>, but this turn was produced with reasoning_details "
                "(reasoning_split); send reasoning_details back and content unchanged"
            )
        if details == produced.details:
            return None
        if not details:
            return (
                "reasoning dropped: no reasoning_details, but this turn was produced with them "
                "(reasoning_split); send reasoning_details back verbatim"
            )
        expected = "".join(str(d.get("text", "")) for d in produced.details)
        got_text = (
            "".join(str(d.get("text", "")) for d in details if isinstance(d, dict))
            if isinstance(details, list)
            else repr(details)
        )
        if expected != got_text:
            return "reasoning altered: reasoning_details text differs; " + _first_difference(
                expected, got_text
            )
        return (
            "reasoning altered: reasoning_details must come back verbatim; expected "
            f"{json.dumps(produced.details)[:200]}, got {json.dumps(details)[:200]}"
        )
    if produced.form in ("reasoning", "reasoning_content"):
        name = produced.form
        value: Any = msg.get("reasoning_content")
        if name == "reasoning" and msg.get("reasoning") is not None:
            value = msg.get("reasoning")
        if value == produced.reasoning:
            return None
        if not value:
            return f"reasoning dropped: no {name}, but this turn was produced with it"
        return f"reasoning altered: {name} differs; " + _first_difference(
            produced.reasoning, str(value)
        )
    if fields or "<think>" in content:
        what = fields[0] if fields else "<think> in content"
        return (
            f"reasoning added: this turn was produced without reasoning, but came back with {what}"
        )
    return None
