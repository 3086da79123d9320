"""The scripted model: read a validated request, decide a deterministic reply.

Everything here is pure; the rules are listed in the package docstring.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ._extract import context_answer, split_retrieval_prompt
from ._schema import CoercionError, InstanceMaker, JsonSchema, coerce, humanize, parse_literal

__all__ = [
    "ChatRequest",
    "Reply",
    "ReplyCall",
    "apply_limits",
    "count_tokens",
    "decide",
    "is_m3",
    "text_of",
]


@dataclass
class ChatRequest:
    """The parts of a validated request body the model and the renderers use."""

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    tool_choice: Any
    parallel_tool_calls: bool | None
    stream: bool
    include_usage: bool
    reasoning_split: bool
    thinking_disabled: bool
    response_format: dict[str, Any] | None
    stop: list[str]
    max_tokens: int | None
    reasoning_effort: str | None = None
    """The effort the model thinks at: the one sent, else the model's default (M4: `max`)."""

    @property
    def fingerprint(self) -> str:
        """8 hex digits that identify the conversation so far."""
        raw = json.dumps(self.messages, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()[:8]


@dataclass
class ReplyCall:
    """A tool call of a reply; `id` is set by the renderer in the dialect's format."""

    name: str
    arguments: str
    id: str | None = None


@dataclass
class Reply:
    """A dialect-neutral assistant turn."""

    reasoning: str
    text: str
    tool_calls: list[ReplyCall] = field(default_factory=list)
    finish_reason: str = "stop"


def text_of(content: Any) -> str:
    """The text of a message `content`: a string, or the text parts of a list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            str(p.get("text", ""))
            for p in content
            if isinstance(p, dict) and p.get("type") in ("text", None) and "text" in p
        ]
        return "".join(parts)
    return ""


def is_m3(model: str) -> bool:
    """Whether a model name is MiniMax-M3 (or a self-hosted name for it), not M3.1."""
    lower = model.lower()
    return "m3" in lower and "m3.1" not in lower


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: about four characters a token."""
    return math.ceil(len(text) / 4)


# --- reading the prompt -------------------------------------------------------------------

_NUMBER_RE = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?!\w)")
_QUOTED_RE = re.compile(r"(?<!\w)'([^'\n]+?)'(?!\w)|\"([^\"\n]+?)\"|“([^”]+)”|「([^」]+)」")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]+")
_PLACE_RE = re.compile(
    r"\b(?:in|at|for|near|from|of)\s+"
    r"([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*(?:,\s*[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)*)"
)
_PARALLEL_RE = re.compile(
    r"\b(in parallel|at the same time|simultaneously|all at once|in one go)\b", re.I
)
_USE_TOOL_RE = re.compile(r"\b(use|using|call|with)\s+(the|a|your)\s+tool\b", re.I)
_USE_TOOLS_RE = re.compile(
    r"\b(use|using|call)\s+(?:(?:the|all|all the|all of the|your|both|these)\s+)?tools\b", re.I
)
_RESULT_RE = re.compile(r"\bresults?\b", re.I)
_GREETING_RE = re.compile(r"^\W*(hello|hi|hey|good (morning|afternoon|evening))\b", re.I)
_NEGATION_RE = re.compile(r"\b(no|not|without|don't|do not|never)\s+(\w+\s+){0,2}$", re.I)
# Words in tool names that say nothing about what the user asked for.
_GENERIC_WORDS = frozenset(
    "get set fetch call run do make tool tools function func my the a an of to for and "
    "by with from find lookup search query api data info create update delete list".split()
)
_PLACE_WORDS = ("location", "city", "place", "country", "address", "region", "where", "town")


def _find_call_spans(text: str, name: str) -> list[tuple[int, int, str]]:
    """Each `name(...)` in `text` as (start, end, inside-of-parentheses)."""
    spans: list[tuple[int, int, str]] = []
    for match in re.finditer(rf"(?<![\w.]){re.escape(name)}\s*\(", text):
        depth, quote, i = 1, "", match.end()
        while i < len(text) and depth:
            ch = text[i]
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            i += 1
        if depth == 0:
            spans.append((match.start(), i, text[match.end() : i - 1]))
    return spans


def _split_args(inside: str) -> list[str]:
    """Split `a, "b, c", [1, 2]` on top-level commas."""
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(inside):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inside[start:i])
            start = i + 1
    parts.append(inside[start:])
    return [p.strip() for p in parts if p.strip()]


@dataclass
class _Requested:
    name: str
    pos: int
    explicit: dict[str, Any] | None = None


def _tool_words(name: str) -> list[str]:
    words = humanize(name).split()
    return [w for w in words if w not in _GENERIC_WORDS and len(w) >= 3]


def _requested_calls(text: str, tools: list[dict[str, Any]]) -> list[_Requested]:
    """The tool calls the user message asks for, in the order they are mentioned."""
    found: list[_Requested] = []
    lowered = text.lower()
    for tool in tools:
        name = str(tool.get("name", ""))
        if not name:
            continue
        spans = _find_call_spans(text, name)
        if spans:
            for start, _end, inside in spans:
                found.append(_Requested(name, start, _explicit_args(inside, tool)))
            continue
        mention = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, re.I)
        if mention:
            found.append(_Requested(name, mention.start()))
            continue
        for word in _tool_words(name):
            hit = re.search(rf"\b{re.escape(word)}(s|es)?\b", lowered)
            if hit:
                found.append(_Requested(name, hit.start()))
                break
    if not found and len(tools) == 1 and _USE_TOOL_RE.search(text):
        found.append(_Requested(str(tools[0].get("name", "")), len(text)))
    elif _USE_TOOLS_RE.search(text):
        named = {r.name for r in found}
        found.extend(
            _Requested(str(t.get("name", "")), len(text) + i)
            for i, t in enumerate(tools)
            if t.get("name") not in named
        )
    found.sort(key=lambda r: r.pos)
    return found


def _explicit_args(inside: str, tool: dict[str, Any]) -> dict[str, Any]:
    """Map `name(3, "x", key=value)` onto the tool's properties (positional in order)."""
    props = list((tool.get("parameters") or {}).get("properties") or {})
    out: dict[str, Any] = {}
    positional = 0
    for part in _split_args(inside):
        kw = re.match(r"^([A-Za-z_][\w]*)\s*[=:]\s*(.+)$", part, re.S)
        if kw and kw.group(1) in props:
            out[kw.group(1)] = parse_literal(kw.group(2))
        elif positional < len(props):
            out[props[positional]] = parse_literal(part)
            positional += 1
    return out


class _Prompt:
    """The values one tool call (or one JSON answer) draws from the prompt, each used once."""

    def __init__(self, text: str, excluded: list[tuple[int, int]], result: float | None) -> None:
        self.text = text
        self._result = result
        self._numbers: list[tuple[int, str]] = [
            (m.start(), m.group())
            for m in _NUMBER_RE.finditer(text)
            if not any(a <= m.start() < b for a, b in excluded)
        ]
        self._quoted = [next(g for g in m.groups() if g) for m in _QUOTED_RE.finditer(text)]
        quoted_text = " ".join(self._quoted)
        self._cjk = [c for c in _CJK_RE.findall(text) if c not in quoted_text]
        self._snippet = _snippet(text, 60)

    def keyword(self, prop: str) -> Any:
        """`prop=value` or `prop: value` written in the prompt, else None."""
        pattern = (
            rf"(?<![\w]){re.escape(prop)}\s*(?:=|:)\s*"
            r"(\"[^\"]*\"|'[^']*'|\[[^\]]*\]|\{[^}]*\}|[^\s,;)]+)"
        )
        match = re.search(pattern, self.text)
        if not match:
            return None
        self._drop_numbers(match.start(1), match.end(1))
        return parse_literal(match.group(1))

    def _drop_numbers(self, start: int, end: int) -> None:
        self._numbers = [(pos, raw) for pos, raw in self._numbers if not start <= pos < end]

    def string(self, prop: str, schema: JsonSchema) -> str:
        if any(word in prop.lower() for word in _PLACE_WORDS):
            place = _PLACE_RE.search(self.text)
            if place:
                return place.group(1)
        if self._quoted:
            return str(self._quoted.pop(0))
        if self._cjk:
            return str(self._cjk.pop(0))
        # Only the property's name ignores case: the value must be a capitalised word.
        after = re.search(
            rf"(?i:\b{re.escape(humanize(prop))}\s+(?:is\s+|named\s+|called\s+|of\s+)?)"
            r"([A-Z][\w-]*)",
            self.text,
        )
        if after:
            return after.group(1)
        return f"{humanize(prop)}: {self._snippet}" if self._snippet else humanize(prop)

    def number(self, prop: str, schema: JsonSchema, integer: bool) -> int | float | None:
        if self._result is not None:
            value, self._result = self._result, None
            return int(value) if integer else value
        after = re.search(
            rf"\b{re.escape(humanize(prop))}\s+(?:is\s+|of\s+)?(-?\d+(?:\.\d+)?)(?!\w)",
            self.text,
            re.I,
        )
        candidates = [(after.start(1), after.group(1))] if after else []
        for pos, raw in candidates + self._numbers:
            number = float(raw)
            if integer and not number.is_integer():
                continue
            self._drop_numbers(pos, pos + 1)
            return int(number) if integer or number.is_integer() else number
        return None

    def boolean(self, prop: str) -> bool:
        words = humanize(prop)
        match = re.search(rf"\b{re.escape(words)}\b", self.text, re.I)
        if not match:
            return False
        return not _NEGATION_RE.search(self.text[: match.start()])

    def enum(self, options: list[Any]) -> Any:
        for option in options:
            if re.search(rf"(?<![\w]){re.escape(str(option))}(?![\w])", self.text, re.I):
                return option
        return options[0]


def _snippet(text: str, limit: int) -> str:
    flat = " ".join(text.split()).strip()
    flat = flat.rstrip("?.!")
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _maker(root: JsonSchema, prompt: _Prompt, *, fill_optional: bool) -> InstanceMaker:
    return InstanceMaker(
        root,
        strings=prompt.string,
        numbers=prompt.number,
        booleans=prompt.boolean,
        enums=prompt.enum,
        fill_optional=fill_optional,
    )


def _numeric_result(content: str) -> float | None:
    """The number a tool result carries: a bare number, `{"result": 3}`, or the first one."""
    try:
        value = json.loads(content)
    except (ValueError, TypeError):
        value = None
    if isinstance(value, bool):
        value = None
    if isinstance(value, dict):
        numbers = [
            v for v in value.values() if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        value = numbers[0] if len(numbers) == 1 else None
    if isinstance(value, int | float):
        return float(value)
    match = _NUMBER_RE.search(content)
    return float(match.group()) if match else None


def _build_arguments(
    tool: dict[str, Any],
    explicit: dict[str, Any] | None,
    prompt: _Prompt,
) -> dict[str, Any]:
    schema: JsonSchema = tool.get("parameters") or {"type": "object", "properties": {}}
    props: dict[str, Any] = schema.get("properties") or {}
    given: dict[str, Any] = dict(explicit or {})
    for prop in props:
        if prop not in given:
            value = prompt.keyword(prop)
            if value is not None:
                given[prop] = value
    maker = _maker(schema, prompt, fill_optional=False)
    args = maker.make_object(schema, given=given)
    for prop, value in given.items():
        if prop in props and prop not in args:
            try:
                args[prop] = coerce(value, props[prop], schema)
            except CoercionError:
                continue
    return args


# --- deciding ---------------------------------------------------------------------------


@dataclass
class _History:
    user_text: str
    user_index: int
    calls_since: list[str]
    results_since: list[tuple[str, str]]


def _history(messages: list[dict[str, Any]]) -> _History:
    user_index = -1
    for i, msg in enumerate(messages):
        if msg.get("role") == "user":
            user_index = i
    user_text = text_of(messages[user_index].get("content")) if user_index >= 0 else ""
    names: dict[str, str] = {}
    calls_since: list[str] = []
    results_since: list[tuple[str, str]] = []
    for i, msg in enumerate(messages):
        if msg.get("role") == "assistant":
            for call in msg.get("tool_calls") or []:
                fn = call.get("function") or {}
                names[str(call.get("id"))] = str(fn.get("name", ""))
                if i > user_index:
                    calls_since.append(str(fn.get("name", "")))
        elif msg.get("role") == "tool" and i > user_index:
            name = names.get(str(msg.get("tool_call_id")), "") or str(msg.get("name") or "tool")
            results_since.append((name, text_of(msg.get("content"))))
    return _History(user_text, user_index, calls_since, results_since)


def _pending(requested: list[_Requested], calls_since: list[str]) -> list[_Requested]:
    """Requests not yet answered: the k-th request of a tool needs k calls of it."""
    done: dict[str, int] = {}
    for name in calls_since:
        done[name] = done.get(name, 0) + 1
    pending: list[_Requested] = []
    for req in requested:
        if done.get(req.name, 0) > 0:
            done[req.name] -= 1
        else:
            pending.append(req)
    return pending


def _choice(tool_choice: Any, tool_names: list[str]) -> tuple[str, str | None]:
    """("none" | "auto" | "required" | "named", name)."""
    if isinstance(tool_choice, dict):
        fn = tool_choice.get("function") or {}
        name = fn.get("name") if isinstance(fn, dict) else None
        name = name or tool_choice.get("name")
        if isinstance(name, str):
            return "named", name
        return "auto", None
    if tool_choice in ("none", "required", "auto"):
        return str(tool_choice), None
    if tool_choice == "any":
        return "required", None
    if isinstance(tool_choice, str) and tool_choice in tool_names:
        return "named", tool_choice
    return "auto", None


def decide(req: ChatRequest) -> Reply:
    """The scripted reply to `req` (reasoning included; the renderer drops it if disabled)."""
    hist = _history(req.messages)
    tools = [t for t in req.tools if t.get("name")]
    by_name = {str(t["name"]): t for t in tools}
    mode, forced = _choice(req.tool_choice, list(by_name))
    requested = _requested_calls(hist.user_text, tools) if tools else []
    pending = _pending(requested, hist.calls_since)
    parallel = bool(_PARALLEL_RE.search(hist.user_text)) and req.parallel_tool_calls is not False

    targets: list[_Requested] = []
    if tools and mode == "named" and forced in by_name:
        match = [r for r in pending if r.name == forced] or [
            r for r in requested if r.name == forced
        ]
        targets = [match[0] if match else _Requested(forced, 0)]
    elif tools and mode == "required":
        if pending:
            targets = pending if parallel else pending[:1]
        elif not hist.calls_since:
            targets = [requested[0] if requested else _Requested(str(tools[0]["name"]), 0)]
        else:
            # Everything asked for has run: a forced call now goes to a tool not used yet (say,
            # the structured-output tool an agent appends), so the loop can end.
            unused = [str(t["name"]) for t in tools if str(t["name"]) not in hist.calls_since]
            targets = [_Requested(unused[0] if unused else str(tools[-1]["name"]), 0)]
    elif tools and mode == "auto" and pending:
        targets = pending if parallel else pending[:1]

    if targets:
        return _tool_reply(req, hist, targets, by_name, mode)
    return _answer_reply(req, hist)


def _tool_reply(
    req: ChatRequest,
    hist: _History,
    targets: list[_Requested],
    by_name: dict[str, dict[str, Any]],
    mode: str,
) -> Reply:
    spans = [(a, b) for name in by_name for a, b, _ in _find_call_spans(hist.user_text, name)]
    last_result: float | None = None
    if hist.results_since and _RESULT_RE.search(hist.user_text):
        for _name, content in reversed(hist.results_since):
            last_result = _numeric_result(content)
            if last_result is not None:
                break
    calls: list[ReplyCall] = []
    for target in targets:
        prompt = _Prompt(hist.user_text, spans, last_result if not target.explicit else None)
        args = _build_arguments(by_name[target.name], target.explicit, prompt)
        calls.append(ReplyCall(target.name, json.dumps(args, ensure_ascii=False)))
    plan = "; ".join(f"{c.name} with {c.arguments}" for c in calls)
    why = {
        "named": "The request forces this tool through tool_choice",
        "required": "The request requires a tool call",
    }.get(mode, "The user asked for this tool and it has not been called since their message")
    together = " All of them go in this one turn, in parallel." if len(calls) > 1 else ""
    reasoning = _reasoning(req, hist, f"{why}. I will call {plan}.{together}")
    return Reply(reasoning=reasoning, text="", tool_calls=calls, finish_reason="tool_calls")


def _answer_reply(req: ChatRequest, hist: _History) -> Reply:
    fmt = req.response_format or {}
    if fmt.get("type") in ("json_schema", "json_object"):
        value = _json_answer(req, hist)
        text = json.dumps(value, ensure_ascii=False)
        keys = ", ".join(value) if isinstance(value, dict) else "none"
        decision = f"The answer must be JSON, so I will return an object with the keys {keys}."
    elif hist.results_since:
        text = " ".join(
            f"The result of {name} is {content.strip().rstrip('.')}."
            for name, content in hist.results_since
        )
        names = ", ".join(dict.fromkeys(name for name, _ in hist.results_since))
        decision = f"The tool results for {names} are in, so I can answer with them."
    elif (retrieval := split_retrieval_prompt(hist.user_text)) is not None:
        found = context_answer(*retrieval)
        text = found or "The context given does not answer this question."
        decision = (
            f'The prompt holds retrieved context and the question "{_snippet(retrieval[1], 80)}"; '
            + (
                "I will answer with the context's sentences that match it."
                if found
                else "no sentence of the context matches it, so I will say so."
            )
        )
    elif _GREETING_RE.search(hist.user_text) and "?" not in hist.user_text:
        # "Hello! What about rye bread?" is a question, not a greeting.
        text = "Hello! How can I help you today?"
        decision = "This is a greeting; no tool is needed, so I will greet back."
    else:
        snippet = _snippet(hist.user_text, 200) or "(nothing)"
        text = (
            f'You said: "{snippet}". This is a scripted answer from the local '
            "MiniMax-compatible server."
        )
        decision = "No tool is needed here; I will answer directly from the prompt."
    return Reply(reasoning=_reasoning(req, hist, decision), text=text)


def _json_answer(req: ChatRequest, hist: _History) -> Any:
    fmt = req.response_format or {}
    prompt = _Prompt(hist.user_text, [], None)
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        schema = spec.get("schema") if isinstance(spec, dict) else None
        if isinstance(schema, dict):
            return _maker(schema, prompt, fill_optional=True).make(schema, "answer")
    texts = [hist.user_text] + [
        text_of(m.get("content")) for m in req.messages if m.get("role") == "system"
    ]
    keys: list[str] = []
    for text in texts:
        for m in _QUOTED_RE.finditer(text):
            key = next(g for g in m.groups() if g)
            if re.fullmatch(r"[A-Za-z_]\w*", key) and key not in keys:
                keys.append(key)
    if not keys:
        return {"answer": f'You said: "{_snippet(hist.user_text, 120)}".'}
    topic = _snippet(hist.user_text, 60)
    return {key: f"{humanize(key)} for: {topic}" for key in keys}


# A higher effort thinks longer: each level above `low` adds one more check to the reasoning,
# so usage (and a small output budget) shows which effort a request ran at.
_EFFORT_DEPTH = {"low": 0, "medium": 1, "high": 2, "xhigh": 3, "max": 4}


def _reasoning(req: ChatRequest, hist: _History, decision: str) -> str:
    snippet = _snippet(hist.user_text, 80) or "nothing yet"
    turns = len(req.messages)
    tools = ", ".join(str(t.get("name")) for t in req.tools) or "no tools"
    effort = ""
    if req.reasoning_effort is not None:
        depth = _EFFORT_DEPTH.get(req.reasoning_effort, 0)
        effort = f" Reasoning effort: {req.reasoning_effort}." + " Let me check that again." * depth
    return (
        f'The user wrote: "{snippet}". '
        f"The conversation has {turns} message{'s' if turns != 1 else ''} "
        f"(fingerprint {req.fingerprint}) and offers {tools}. "
        f"{decision} "
        f"I will keep the reply short and exact, as a scripted model should.{effort}"
    )


def apply_limits(req: ChatRequest, reply: Reply) -> Reply:
    """Cut at a `stop` sequence, and at `max_tokens` (finish_reason "length")."""
    text = reply.text
    for stop in req.stop:
        if stop and stop in text:
            text = text[: text.index(stop)]
    reply = Reply(reply.reasoning, text, reply.tool_calls, reply.finish_reason)
    if req.max_tokens is None:
        return reply
    budget = req.max_tokens * 4
    used = len(reply.reasoning) + len(reply.text) + sum(len(c.arguments) for c in reply.tool_calls)
    if used <= budget:
        return reply
    reasoning = reply.reasoning[:budget]
    text = reply.text[: max(budget - len(reasoning), 0)]
    return Reply(reasoning, text, [], "length")
