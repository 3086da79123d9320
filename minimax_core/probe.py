"""`python -m minimax_core.probe` (or `minimax-probe`): what dialect does this endpoint speak?

It sends a handful of small requests to a MiniMax-compatible endpoint (MiniMax's API, or
MiniMax-M2 on vLLM, SGLang, llama.cpp...) and reports where the reasoning comes, how tool calls
arrive, whether usage and `[DONE]` arrive, whether `tool_choice` and `response_format` are
accepted, whether both calls of one turn arrive (llama.cpp's own tool parsing loses the second:
the report then names the server flags and settings that keep it), and which adapter settings
keep the reasoning chain there, proven by a tool loop.

Where `GET /models` lists models of the catalog (MiniMax's API), it also checks the catalog
against the key: which models are listed, which `reasoning_effort` levels M4 (else M3.1-Flash)
takes, whether it refuses `thinking` disabled, where its reasoning comes invoked and streamed,
and whether the ids reported retired still answer. Each finding that contradicts the catalog
is one line of the report.

```bash
minimax-probe --base-url http://localhost:8000/v1 --api-key EMPTY --model MiniMaxAI/MiniMax-M2
minimax-probe --json   # MINIMAX_API_KEY / MINIMAX_BASE_URL from the environment
```

Exit status: 0 when the tool loop kept the reasoning chain with the recommended settings and
both calls of one turn arrived, 1 when not, 2 when the endpoint could not be used at all
(wrong key, wrong region, unreachable host); the key is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

import httpx

from ._client import MiniMaxClient, resolve_base_url
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    MiniMaxError,
    NotFoundError,
    RequestValidationError,
)
from ._request import build_request
from ._settings import other_region_url
from .models import DEFAULT_MODEL, MODELS, ModelInfo
from .recording import CaptureTransport, Exchange
from .replay import REPLAY_FIELDS, assistant_message
from .types import Completion

__all__ = [
    "DIALECTS",
    "Check",
    "ModelFindings",
    "ProbeFailure",
    "ProbeReport",
    "WireView",
    "catalog_contradictions",
    "dialect_of",
    "explain_failure",
    "judge_two_calls",
    "main",
    "parallel_call_fix",
    "probe",
    "read_wire",
    "recommended_settings",
]

DIALECTS = ("minimax", "vllm", "sglang", "inline", "raw_no_parser", "unknown")
"""What `probe` can name: see `dialect_of`."""

_DESCRIPTIONS = {
    "minimax": "MiniMax's API: `reasoning_details` when split, inline `<think>` otherwise",
    "vllm": "vLLM with a reasoning parser: a `reasoning` field",
    "sglang": "a `reasoning_content` field (SGLang, llama.cpp --jinja with a reasoning format)",
    "inline": "`<think>…</think>` inline in the content, even when split is asked for "
    "(llama.cpp --reasoning-format none)",
    "raw_no_parser": "no reasoning parser: no opening `<think>`, reasoning ends at `</think>` "
    "(vLLM/SGLang without one, llama.cpp --skip-chat-parsing)",
    "unknown": "no reasoning seen in any known place",
}
_WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city name."}},
            "required": ["city"],
        },
    },
}
# The probe's questions, named so a scripted test model can recognise each request.
PLAIN_QUESTION = "What is 17 + 25? Answer with the number."
WEATHER_QUESTION = "What is the weather in Paris? Use get_weather."
JSON_QUESTION = "Reply in JSON: what is the capital of France?"
GOODBYE = "Thank you. Say goodbye in one word."
TWO_CALLS_QUESTION = (
    'What is the weather in Paris and in Rome? Call get_weather(city="Paris") and '
    'get_weather(city="Rome") in parallel, both in this one turn.'
)
TWO_CALLS_CITIES = ("Paris", "Rome")
# llama.cpp's errors when its tool-call grammar or parser cannot take the model's output (two
# calls in one block): the grammar's when the second call came in the token that triggered it,
# the parser's when no grammar constrained the output.
LLAMA_CPP_TOOL_ERRORS = (
    "Unexpected empty grammar stack after accepting piece",
    "does not match the expected peg-native format",
)
# What keeps both calls of a block on llama.cpp: its own tool parser loses the second one, so
# the raw output goes through and the client reads the XML; the output then starts inside the
# think block the template pre-filled.
LLAMA_CPP_FIX: dict[str, Any] = {
    "server_flags": ["--jinja", "--skip-chat-parsing"],
    "settings": {"think_prefill": True, "reasoning_split": None},
}
_ANSWER_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "answer",
        "schema": {
            "type": "object",
            "properties": {"answer": {"type": "string"}},
            "required": ["answer"],
        },
    },
}


# --- reading the wire (pure) -------------------------------------------------------------------


@dataclass
class WireView:
    """What one raw answer holds, read straight from its JSON or SSE bytes (no accumulator)."""

    content: str = ""
    reasoning_details: bool = False
    reasoning: bool = False
    reasoning_content: bool = False
    native_tool_calls: bool = False
    usage: bool = False
    done: bool = False
    frames: int = 0
    llama_cpp: bool = False  # llama.cpp's server adds `timings` to its answers

    @property
    def reasoning_location(self) -> str:
        """`reasoning_details`, `reasoning`, `reasoning_content`, `inline`,
        `inline_without_opening_tag` or `none`."""
        if self.reasoning_details:
            return "reasoning_details"
        if self.reasoning:
            return "reasoning"
        if self.reasoning_content:
            return "reasoning_content"
        if "<think>" in self.content:
            return "inline"
        if "</think>" in self.content:
            return "inline_without_opening_tag"
        return "none"

    @property
    def tool_call_form(self) -> str:
        """`native` (a `tool_calls` field), `xml_in_content` or `none`."""
        if self.native_tool_calls:
            return "native"
        if "<minimax:tool_call>" in self.content:
            return "xml_in_content"
        return "none"


def _read_part(view: WireView, part: Mapping[str, Any]) -> None:
    if part.get("reasoning_details"):
        view.reasoning_details = True
    if isinstance(part.get("reasoning"), str) and part["reasoning"]:
        view.reasoning = True
    if isinstance(part.get("reasoning_content"), str) and part["reasoning_content"]:
        view.reasoning_content = True
    if part.get("tool_calls"):
        view.native_tool_calls = True
    if isinstance(part.get("content"), str):
        view.content += part["content"]


def _has_usage(payload: Mapping[str, Any]) -> bool:
    usage = payload.get("usage")
    return isinstance(usage, Mapping) and bool(
        usage.get("total_tokens") or usage.get("completion_tokens")
    )


def read_wire(content_type: str, body: bytes) -> WireView:
    """A `WireView` of a response body: a JSON completion or an SSE stream of chunks."""
    view = WireView()
    if "text/event-stream" not in content_type:
        try:
            payload = json.loads(body)
        except ValueError:
            return view
        if not isinstance(payload, Mapping):
            return view
        view.frames = 1
        view.usage = _has_usage(payload)
        view.llama_cpp = "timings" in payload
        for choice in payload.get("choices") or []:
            if isinstance(choice, Mapping) and isinstance(choice.get("message"), Mapping):
                _read_part(view, choice["message"])
        return view
    whole_messages: list[Mapping[str, Any]] = []
    for line in body.decode("utf-8", "replace").splitlines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            view.done = True
            continue
        try:
            payload = json.loads(data)
        except ValueError:
            continue
        if not isinstance(payload, Mapping):
            continue
        view.frames += 1
        view.usage = view.usage or _has_usage(payload)
        view.llama_cpp = view.llama_cpp or "timings" in payload
        for choice in payload.get("choices") or []:
            if not isinstance(choice, Mapping):
                continue
            if isinstance(choice.get("delta"), Mapping):
                _read_part(view, choice["delta"])
            elif isinstance(choice.get("message"), Mapping):
                whole_messages.append(choice["message"])
    if not view.content and whole_messages:
        # A final whole-message chunk counts only when no delta came (as in the accumulator).
        for message in whole_messages:
            _read_part(view, message)
    return view


def dialect_of(split_on: str | None, split_off: str | None) -> str:
    """The dialect from where the reasoning came with `reasoning_split` on and off.

    Each argument is a `WireView.reasoning_location`, or `None` when that request failed.
    """
    seen = {split_on, split_off}
    if "inline_without_opening_tag" in seen:
        return "raw_no_parser"
    if split_on == "reasoning_details":
        return "minimax"
    if "reasoning" in seen:
        return "vllm"
    if "reasoning_content" in seen:
        return "sglang"
    if "inline" in seen and seen <= {"inline", None}:
        return "inline"
    return "unknown"


def recommended_settings(dialect: str, *, base_url: str, model: str) -> dict[str, Any]:
    """Constructor keyword arguments for `ChatMiniMax(...)` and `MiniMax(...)` on this endpoint.

    - `reasoning_split`: only MiniMax's API reads it; elsewhere it is left out of requests
      (`None`), since the reasoning arrives in one place whatever is asked and strict servers
      refuse unknown fields. The reasoning is replayed in whatever form it came.
    - `think_prefill`: `True` where the output starts inside an unopened think block (a server
      with no reasoning parser), so streamed reasoning is never shown as answer text (a request
      with thinking disabled still starts with the answer). `False` where the probe saw the
      reasoning delimited, so nothing is held back; `"auto"` for an unknown dialect.
    """
    settings: dict[str, Any] = {
        "base_url": base_url,
        "model": model,
        "reasoning_split": True if dialect == "minimax" else None,
    }
    if dialect == "raw_no_parser":
        settings["think_prefill"] = True
    elif dialect != "unknown":
        settings["think_prefill"] = False
    return settings


def judge_two_calls(
    calls: Sequence[Mapping[str, Any]] | None, error: MiniMaxError | None
) -> tuple[str, str]:
    """Whether a turn asked for two calls kept both: `kept`, `dropped`, `failed` or `none`.

    `calls` are the valid calls' arguments, `error` the server's refusal instead. The detail is
    one line for the report.
    """
    if error is not None:
        status = getattr(error, "status_code", None)
        if isinstance(error, APIStatusError) and status is not None and status >= 500:
            known = any(marker in str(error) for marker in LLAMA_CPP_TOOL_ERRORS)
            why = "its tool-call grammar or parser" if known else "it"
            return "failed", (
                f"two calls in one turn made the server fail (HTTP {status}): {why} could not "
                "read the model's output"
            )
        return "none", f"refused: {error}"
    cities = [str(args.get("city", "")) for args in calls or ()]
    if sorted(cities) == sorted(TWO_CALLS_CITIES):
        return "kept", "both calls of one turn arrived"
    if len(cities) == 1:
        return "dropped", (
            f"asked for two calls in one turn, got one ({cities[0] or '?'}): the server lost "
            "the second"
        )
    return "none", f"asked for two calls in one turn, got {len(cities)}"


def parallel_call_fix(outcome: str, llama_cpp: bool) -> dict[str, Any] | None:
    """The server flags and library settings that keep both calls, where they were lost.

    On llama.cpp: `--skip-chat-parsing` (its tool parser loses the second call), with
    `think_prefill=True`. Elsewhere: start the server without its tool-call parser, so the raw
    XML reaches the client, which reads every call (no flags can be named for an unknown one).
    """
    if outcome not in ("dropped", "failed"):
        return None
    if llama_cpp:
        return {k: (list(v) if isinstance(v, list) else dict(v)) for k, v in LLAMA_CPP_FIX.items()}
    return {
        "server_flags": [],
        "settings": {"think_prefill": True, "reasoning_split": None},
        "advice": "start the server without its tool-call parser; the library reads the raw XML",
    }


# Reported closed to new users on 2026-10-19 and retired on 2026-11-18 (AIHubMix, quoting a
# MiniMax page: https://dev.to/aihubmix/fixing-requires-adaptive-thinking-2013-when-moving-from-minimax-m27-to-m31-flash-1iif);
# MiniMax's own pages do not say so yet, so the probe asks the key.
REPORTED_RETIRED = ("MiniMax-M2.7", "MiniMax-M2.5")
# The effort model the probe checks: the first of these the key lists.
_EFFORT_MODELS = ("MiniMax-M4", "MiniMax-M3.1-Flash")
# Not a level MiniMax documents: whether it is refused says if levels are checked at all.
_UNDOCUMENTED_EFFORT = "none"
# Output tokens per catalog check (a refusal or an answer is all they look for).
_CHECK_BUDGET = 2048


@dataclass
class ModelFindings:
    """What the key showed about the catalog's models (`None`: not checked)."""

    listed: list[str] | None = None
    effort_model: str | None = None
    effort_accepted: dict[str, bool] = field(default_factory=dict)
    """Each level tried (the catalog's, then one it does not list) and whether it was taken."""
    effort_output_tokens: dict[str, int] = field(default_factory=dict)
    """The output tokens each taken level spent on the same question (capped at 2048)."""
    thinking_off_refused: bool | None = None
    reasoning_invoked: str | None = None
    reasoning_streamed: str | None = None
    answers: dict[str, str | None] = field(default_factory=dict)
    """Each id reported retired: `None` when it answered, else why it did not."""

    def to_json(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "effort_model": self.effort_model,
            "effort_accepted": self.effort_accepted,
            "effort_output_tokens": self.effort_output_tokens,
            "thinking_off_refused": self.thinking_off_refused,
            "reasoning": {"invoked": self.reasoning_invoked, "streamed": self.reasoning_streamed},
            "retired_ids_answer": {k: v is None for k, v in self.answers.items()},
        }


def catalog_contradictions(
    found: ModelFindings, catalog: Mapping[str, ModelInfo] = MODELS
) -> list[str]:
    """One sentence per finding that says the catalog is wrong for this key's endpoint."""
    out: list[str] = []
    effort = catalog.get(found.effort_model or "")
    if effort is not None:
        for level in effort.effort_levels:
            if found.effort_accepted.get(level) is False:
                out.append(
                    f"{effort.name} refused reasoning_effort={level!r}, a level the catalog lists"
                )
        if found.thinking_off_refused is False and effort.always_thinks:
            out.append(
                f"{effort.name} accepted thinking disabled, which the catalog says it refuses"
            )
        if found.thinking_off_refused is True and effort.thinking_off == "honoured":
            out.append(f"{effort.name} refused thinking disabled, which the catalog says it takes")
    for name, why in found.answers.items():
        info = catalog.get(name)
        if info is None:
            continue
        if why is not None and info.replaced_by is None:
            out.append(f"{name} did not answer ({why}); the catalog does not mark it retired")
        if why is None and info.replaced_by is not None:
            out.append(f"{name} answered, though the catalog marks it retired")
    for name in found.listed or ():
        info = catalog.get(name)
        if info is not None and info.replaced_by is not None:
            out.append(f"{name} is listed by GET /models, though the catalog marks it retired")
    return out


def explain_failure(error: MiniMaxError, base_url: str) -> str:
    """One sentence saying why the endpoint cannot be used, never quoting the key."""
    if isinstance(error, AuthenticationError):
        how = [f"HTTP {error.status_code}"] if error.status_code not in (None, 200) else []
        how += [f"code {error.code}"] if error.code is not None else []
        sentence = f"{base_url} refused the API key ({', '.join(how) or 'no code given'})"
        other = other_region_url(base_url)
        if other is not None:
            return (
                f"{sentence}: MiniMax keys are bound to a region, so if this key comes from the "
                f"other platform, retry with --base-url {other}."
            )
        return f"{sentence}: check --api-key or MINIMAX_API_KEY."
    if isinstance(error, APIConnectionError):
        cause = error.__cause__
        why = f"{type(cause).__name__}: {cause}" if cause is not None else str(error)
        return f"could not reach {base_url} ({why}); check --base-url and that the server is up."
    if isinstance(error, NotFoundError):
        return (
            f"{base_url}/chat/completions was not found (HTTP 404): check --base-url "
            "(it usually ends in /v1) and --model."
        )
    if isinstance(error, APIStatusError):
        return (
            f"{base_url} refused a plain chat request (HTTP {error.status_code}, code "
            f"{error.code}): {error}; check --model."
        )
    return f"{base_url} could not be probed: {error}"


# --- the probe (I/O) ----------------------------------------------------------------------------


@dataclass
class Check:
    """One line of the report."""

    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class ProbeReport:
    """What `probe` found; `to_json()` is the `--json` output."""

    base_url: str
    model: str
    dialect: str = "unknown"
    ok: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    reasoning: dict[str, str | None] = field(default_factory=dict)
    tool_calls: str = "none"
    usage: bool = False
    done: bool = False
    tool_choice_accepted: bool = False
    response_format_accepted: bool = False
    engine: str | None = None
    parallel_calls: str = "none"
    fix: dict[str, Any] | None = None
    models: ModelFindings | None = None
    contradictions: list[str] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def to_json(self) -> dict[str, Any]:
        return {
            "dialect": self.dialect,
            "ok": self.ok,
            "settings": self.settings,
            "checks": [c.to_json() for c in self.checks],
            "base_url": self.base_url,
            "model": self.model,
            "reasoning": self.reasoning,
            "tool_calls": self.tool_calls,
            "usage": self.usage,
            "done": self.done,
            "tool_choice_accepted": self.tool_choice_accepted,
            "response_format_accepted": self.response_format_accepted,
            "engine": self.engine,
            "parallel_calls": self.parallel_calls,
            "fix": self.fix,
            "models": self.models.to_json() if self.models is not None else None,
            "contradictions": self.contradictions,
        }

    def table(self) -> str:
        """The short human-readable report."""
        width = max(len(c.name) for c in self.checks) if self.checks else 10
        lines = [
            f"endpoint  {self.base_url}  model {self.model}",
            *([f"engine    {self.engine}"] if self.engine else []),
            f"dialect   {self.dialect} ({_DESCRIPTIONS[self.dialect]})",
            f"ok        {'yes' if self.ok else 'no'}",
            "",
            f"{'check'.ljust(width)}  ok   detail",
        ]
        for check in self.checks:
            mark = "yes" if check.ok else "NO "
            lines.append(f"{check.name.ljust(width)}  {mark}  {check.detail}")
        args = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        lines += ["", f"settings  {args}", "          (for both ChatMiniMax(...) and MiniMax(...))"]
        if self.fix is not None:
            flags = " ".join(self.fix["server_flags"]) or self.fix.get("advice", "")
            fixed = ", ".join(f"{k}={v!r}" for k, v in self.fix["settings"].items())
            lines.append(f"parallel  calls are lost here; to keep them: {flags}, then {fixed}")
        if self.models is not None:
            found = [f"catalog   contradicted: {sentence}" for sentence in self.contradictions]
            lines += ["", *(found or ["catalog   no finding contradicts minimax_core.MODELS"])]
        return "\n".join(lines)


class ProbeFailure(Exception):
    """The endpoint could not be used at all; the message is one sentence for the user."""


class _Session:
    """A client whose every exchange is kept, so each answer can be read from its raw bytes."""

    def __init__(self, client_options: Mapping[str, Any], transport: httpx.BaseTransport | None):
        self.base_url = str(client_options["base_url"])
        self._key = client_options.get("api_key")
        self.exchanges: list[Exchange] = []
        self._http = httpx.Client(
            transport=CaptureTransport(self.exchanges.append, transport), timeout=None
        )
        self.client = MiniMaxClient(http_client=self._http, max_retries=1, **client_options)
        self.think_prefill: bool | Literal["auto"] = "auto"

    def last_view(self) -> WireView:
        exchange = self.exchanges[-1]
        return read_wire(exchange.headers.get("content-type", ""), exchange.body)

    def sent_body(self) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.exchanges[-1].request_body)
        return body

    def create(self, request: Mapping[str, Any]) -> tuple[Completion, WireView]:
        completion = self.client.create(request, think_prefill=self.think_prefill)
        return completion, self.last_view()

    def stream(self, request: Mapping[str, Any]) -> tuple[Completion, WireView, str]:
        """The finished turn, its wire view, and the answer text as the deltas showed it."""
        shown: list[str] = []
        with self.client.stream(request, think_prefill=self.think_prefill) as stream:
            for delta in stream:
                shown.append(delta.text)
        assert stream.completion is not None
        return stream.completion, self.last_view(), "".join(shown)

    def list_models(self) -> list[str] | None:
        """The ids `GET /models` lists, or `None` when the endpoint has no such listing."""
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        try:
            response = self._http.get(f"{self.base_url}/models", headers=headers)
            data = response.json().get("data") if response.is_success else None
        except (httpx.HTTPError, ValueError, AttributeError):
            return None
        if not isinstance(data, list):
            return None
        return [str(item["id"]) for item in data if isinstance(item, Mapping) and "id" in item]

    def close(self) -> None:
        self.client.close()
        self._http.close()


_T = TypeVar("_T")


def _attempt(report: ProbeReport, name: str, call: Callable[[], _T]) -> _T | None:
    """Run one probe request; a refusal becomes a failed check instead of an exception."""
    try:
        return call()
    except (APIStatusError, RequestValidationError) as exc:
        report.add(name, False, f"refused: {exc}")
    except MiniMaxError as exc:
        report.add(name, False, f"failed: {exc}")
    return None


def _shows_no_reasoning(answer: str, view: WireView) -> bool:
    """Whether `answer` is free of the inline reasoning the raw content held."""
    if "</think>" in answer:
        return False
    if "</think>" not in view.content:
        return True
    thought = view.content.split("</think>", 1)[0].replace("<think>", "").strip()
    return not thought or thought[:60] not in answer


def _carries_reasoning(message: Mapping[str, Any]) -> bool:
    """Whether an assistant turn as sent holds its reasoning in any form MiniMax reads."""
    if any(message.get(key) for key in REPLAY_FIELDS):
        return True
    content = message.get("content")
    return isinstance(content, str) and "</think>" in content


def probe(
    *,
    base_url: str | None = None,
    model: str = DEFAULT_MODEL,
    api_key: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> ProbeReport:
    """Probe the endpoint; raises `ProbeFailure` when even a plain request cannot be made.

    `base_url` and `api_key` default to `MINIMAX_BASE_URL` and `MINIMAX_API_KEY`, as in the
    adapters.
    """
    base_url = resolve_base_url(base_url)
    report = ProbeReport(base_url=base_url, model=model)
    session = _Session({"api_key": api_key, "base_url": base_url}, transport)
    try:
        _run(report, session)
    finally:
        session.close()
    return report


def _run(report: ProbeReport, session: _Session) -> None:
    model = report.model
    question = [{"role": "user", "content": PLAIN_QUESTION}]

    # 1. A plain question with reasoning_split off: it must work, or nothing else will.
    try:
        off = session.create(build_request(question, model=model, reasoning_split=False))
    except MiniMaxError as exc:
        raise ProbeFailure(explain_failure(exc, report.base_url)) from None
    off_where = off[1].reasoning_location
    report.add("plain, reasoning_split off", True, f"reasoning: {off_where}")

    # 2. The same with reasoning_split on.
    on = _attempt(
        report,
        "plain, reasoning_split on",
        lambda: session.create(build_request(question, model=model, reasoning_split=True)),
    )
    on_where = on[1].reasoning_location if on else None
    if on:
        report.add("plain, reasoning_split on", True, f"reasoning: {on_where}")
    report.reasoning = {"split_on": on_where, "split_off": off_where}
    report.dialect = dialect_of(on_where, off_where)
    settings = recommended_settings(report.dialect, base_url=report.base_url, model=model)
    report.settings = settings
    split = settings["reasoning_split"]
    session.think_prefill = settings.get("think_prefill", "auto")

    # 3. Streamed, with the recommended settings.
    streamed = _attempt(
        report,
        "stream",
        lambda: session.stream(build_request(question, model=model, reasoning_split=split)),
    )
    if streamed:
        completion, view, shown = streamed
        report.usage, report.done = view.usage, view.done
        report.add(
            "stream",
            bool(completion.text or completion.reasoning),
            f"{view.frames} frames, reasoning: {view.reasoning_location}",
        )
        clean = _shows_no_reasoning(shown, view) and _shows_no_reasoning(completion.text, view)
        report.add(
            "stream shows no reasoning as answer",
            clean,
            "the answer text holds none of the reasoning"
            if clean
            else "reasoning was streamed as answer text before it could be recognised",
        )
        report.add("stream usage", view.usage, "reported" if view.usage else "missing or zero")
        report.add("stream [DONE]", view.done, "sent" if view.done else "missing")

    # 4. tool_choice and response_format.
    weather = [{"role": "user", "content": WEATHER_QUESTION}]
    named = {"type": "function", "function": {"name": "get_weather"}}
    forced = _attempt(
        report,
        "tool_choice",
        lambda: session.create(
            build_request(
                weather,
                model=model,
                reasoning_split=split,
                tools=[_WEATHER_TOOL],
                tool_choice=named,
            )
        ),
    )
    if forced:
        report.tool_choice_accepted = True
        called = [c.name for c in forced[0].valid_tool_calls]
        report.add("tool_choice", True, f"accepted; called {called or 'nothing'}")
    formatted = _attempt(
        report,
        "response_format",
        lambda: session.create(
            build_request(
                [{"role": "user", "content": JSON_QUESTION}],
                model=model,
                reasoning_split=split,
                response_format=_ANSWER_SCHEMA,
            )
        ),
    )
    if formatted:
        report.response_format_accepted = True
        try:
            json.loads(formatted[0].text)
            detail = "accepted; the answer is JSON"
        except ValueError:
            detail = "accepted; the answer is not plain JSON"
        report.add("response_format", True, detail)

    # 5. The tool loop with the recommended settings: call, result, answer, one more turn.
    chain_kept = _tool_loop(report, session, weather, split)

    # 6. Two calls in one turn: some servers' tool parsers lose the second.
    _two_calls(report, session, split)
    report.engine = "llama.cpp" if any(_is_llama_cpp(e) for e in session.exchanges) else None
    report.fix = parallel_call_fix(report.parallel_calls, report.engine == "llama.cpp")
    report.ok = chain_kept and report.fix is None

    # 7. The catalog against this key, where the endpoint lists catalog models.
    _check_models(report, session, question)


def _is_llama_cpp(exchange: Exchange) -> bool:
    if read_wire(exchange.headers.get("content-type", ""), exchange.body).llama_cpp:
        return True
    return exchange.status >= 500 and any(
        m.encode() in exchange.body for m in LLAMA_CPP_TOOL_ERRORS
    )


def _two_calls(report: ProbeReport, session: _Session, split: bool | None) -> None:
    request = build_request(
        [{"role": "user", "content": TWO_CALLS_QUESTION}],
        model=report.model,
        reasoning_split=split,
        tools=[_WEATHER_TOOL],
    )
    error: MiniMaxError | None = None
    calls: list[dict[str, Any]] | None = None
    try:
        completion, _view = session.create(request)
        calls = [c.args for c in completion.valid_tool_calls if c.args is not None]
    except MiniMaxError as exc:
        error = exc
    report.parallel_calls, detail = judge_two_calls(calls, error)
    report.add(
        "two calls in one turn",
        report.parallel_calls != "dropped" and report.parallel_calls != "failed",
        detail,
    )


def _refusal(call: Callable[[], object]) -> str | None:
    """`None` when the request was answered, else the one-line reason it was not."""
    try:
        call()
    except MiniMaxError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_models(report: ProbeReport, session: _Session, question: list[dict[str, Any]]) -> None:
    listed = session.list_models()
    known = [name for name in listed or () if name in MODELS]
    if not known:
        return  # a self-hosted server or a gateway: the catalog is not about it
    found = ModelFindings(listed=listed)
    report.models = found
    missing = [name for name in MODELS if name not in known]
    report.add(
        "models listed",
        True,
        f"{len(listed or ())} listed, {len(known)} of the catalog's {len(MODELS)}"
        + (f"; not listed: {', '.join(missing)}" if missing else ""),
    )

    def ask(model: str, stream: bool = False, **extra: Any) -> Completion:
        # `extra` is set after `build_request`, whose checks would refuse it: the point is to
        # hear what the server says. The cap bounds what `max` effort costs; only whether a
        # request is taken matters here.
        request = build_request(
            question, model=model, stream=stream, max_completion_tokens=_CHECK_BUDGET
        )
        request.update(extra)
        if stream:
            return session.stream(request)[0]
        return session.create(request)[0]

    effort_model = next((m for m in _EFFORT_MODELS if m in known), None)
    if effort_model is not None:
        found.effort_model = effort_model
        for level in (*MODELS[effort_model].effort_levels, _UNDOCUMENTED_EFFORT):
            try:
                answered = ask(effort_model, reasoning_effort=level)
            except MiniMaxError:
                found.effort_accepted[level] = False
                continue
            found.effort_accepted[level] = True
            if answered.usage is not None:
                found.effort_output_tokens[level] = answered.usage.completion_tokens
        taken = [level for level, ok in found.effort_accepted.items() if ok]
        spent = found.effort_output_tokens
        # A server that ignores the field takes every value: the tokens say whether it reads it.
        read = ""
        if "low" in spent and "max" in spent:
            read = f"; output tokens at low {spent['low']}, at max {spent['max']}"
        report.add(
            f"{effort_model} reasoning_effort",
            all(found.effort_accepted[level] for level in MODELS[effort_model].effort_levels),
            f"taken: {', '.join(taken) or 'none'} (top-level field){read}",
        )
        off = _refusal(partial(ask, effort_model, thinking={"type": "disabled"}))
        found.thinking_off_refused = off is not None
        report.add(
            f"{effort_model} thinking disabled",
            True,
            f"refused ({off})" if off is not None else "accepted",
        )
        where: list[str | None] = []
        for stream in (False, True):
            shown = _attempt(
                report,
                f"{effort_model} reasoning field",
                partial(ask, effort_model, stream, reasoning_effort="low"),
            )
            where.append(session.last_view().reasoning_location if shown else None)
        found.reasoning_invoked, found.reasoning_streamed = where
        report.add(
            f"{effort_model} reasoning field",
            found.reasoning_invoked is not None,
            f"invoked: {found.reasoning_invoked}, streamed: {found.reasoning_streamed}",
        )
    for name in REPORTED_RETIRED:
        found.answers[name] = _refusal(partial(ask, name))
        why = found.answers[name]
        report.add(f"{name} answers", True, "yes" if why is None else f"no: {why}")
    report.contradictions = catalog_contradictions(found)


def _tool_loop(
    report: ProbeReport, session: _Session, weather: list[dict[str, Any]], split: bool | None
) -> bool:
    model = report.model
    messages: list[dict[str, Any]] = list(weather)

    def ask() -> tuple[Completion, WireView]:
        return session.create(
            build_request(messages, model=model, reasoning_split=split, tools=[_WEATHER_TOOL])
        )

    first = _attempt(report, "tool call", ask)
    if not first:
        return False
    completion, view = first
    report.tool_calls = view.tool_call_form
    calls = completion.valid_tool_calls
    if not calls:
        report.add("tool call", False, f"no well-formed tool call (answer: {completion.text!r})")
        return False
    report.add("tool call", True, f"{len(calls)} call(s), {view.tool_call_form}")
    had_reasoning = bool(completion.reasoning)
    messages.append(
        assistant_message(completion.text, [c.to_wire() for c in calls], completion.replay)
    )
    messages += [
        {"role": "tool", "tool_call_id": c.id, "content": "Sunny, 18 °C in Paris"} for c in calls
    ]
    second = _attempt(report, "tool result", ask)
    if not second:
        return False
    sent = session.sent_body()["messages"][1]
    kept = had_reasoning and _carries_reasoning(sent)
    report.add(
        "tool loop keeps reasoning",
        kept,
        "the assistant turn went back with its reasoning and was accepted"
        if kept
        else "no reasoning to send back"
        if not had_reasoning
        else "the assistant turn went back without its reasoning",
    )
    answer = second[0]
    report.add(
        "tool result",
        bool(answer.text or answer.tool_calls),
        f"answered, reasoning: {second[1].reasoning_location}",
    )
    messages.append(
        assistant_message(
            answer.text, [c.to_wire() for c in answer.valid_tool_calls], answer.replay
        )
    )
    messages += [
        {"role": "tool", "tool_call_id": c.id, "content": "Sunny, 18 °C in Paris"}
        for c in answer.valid_tool_calls
    ]
    messages.append({"role": "user", "content": GOODBYE})
    third = _attempt(report, "replayed history accepted", ask)
    if third:
        report.add("replayed history accepted", True, "the whole history was accepted back")
    return kept and third is not None


# --- command line -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, *, transport: httpx.BaseTransport | None = None) -> int:
    """The `minimax-probe` command; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="minimax-probe",
        description="Probe a MiniMax-compatible endpoint: where its reasoning comes, how tool "
        "calls arrive, and which settings keep the reasoning chain.",
    )
    parser.add_argument("--base-url", help="default: MINIMAX_BASE_URL, else MiniMax's global API")
    parser.add_argument("--region", help="'global' or 'cn' (ignored when --base-url is given)")
    parser.add_argument("--api-key", help="default: MINIMAX_API_KEY (never printed)")
    parser.add_argument(
        "--model",
        default=os.environ.get("MINIMAX_MODEL") or DEFAULT_MODEL,
        help=f"default: MINIMAX_MODEL, else {DEFAULT_MODEL}",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        base_url = resolve_base_url(args.base_url, args.region)
    except RequestValidationError as exc:
        print(f"minimax-probe: {exc}", file=sys.stderr)
        return 2
    api_key = args.api_key if args.api_key is not None else os.environ.get("MINIMAX_API_KEY")
    if not api_key:
        print(
            "minimax-probe: no API key: pass --api-key or set MINIMAX_API_KEY "
            "(self-hosted servers without a key accept any value, e.g. EMPTY).",
            file=sys.stderr,
        )
        return 2
    try:
        report = probe(base_url=base_url, model=args.model, api_key=api_key, transport=transport)
    except ProbeFailure as exc:
        print(f"minimax-probe: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.table())
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
