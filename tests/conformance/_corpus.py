"""The conformance corpus: what real engines' MiniMax parsers publish, as data.

`data/<source>.json` holds the cases collected from each engine's own parser tests, and from
MiniMax's own tool calling guide (`minimax`); the repository, revision and test are named in
each file and case. `choices.json` holds the
cases where we decided otherwise, each with its reason (`why`): what we expect instead
(`expected`), the case's input as a client receives it (`data`, e.g. a server-side parser's
output), or the prefill modes it applies to (`modes`; none: not applicable to this library).
Every applicable case also runs in `DEFAULT_MODE`, what a user who sets nothing gets from a
self-hosted server; a case's `default` holds what it gives there instead (`expected`), where
one rule cannot serve both it and another case, and why (`why`).

A `raw` case is model output as a server without parsers would put it in `content`; `prefill`
says whether the chat template opened the think block (`open`) or not (`none`). A `frames`
case is a gateway's deltas (`frames`) or whole message (`message`).
"""

from __future__ import annotations

import inspect
import itertools
import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from minimax_core import Completion, MiniMaxClient, StreamDelta, TurnView
from minimax_core._accumulate import Accumulator
from minimax_core._reasoning import Prefill, resolve_prefill

HERE = Path(__file__).resolve().parent
SOURCES = ("vllm", "sglang", "llamacpp", "mlxlm", "tensorrt_llm", "rtp_llm", "gateways", "minimax")

SELF_HOSTED = "http://localhost:8000/v1"
THINKING_MODEL = "MiniMax-M2"
DEFAULT_SETTING = inspect.signature(MiniMaxClient.create).parameters["think_prefill"].default
DEFAULT_MODE: Prefill = resolve_prefill(DEFAULT_SETTING, {"model": THINKING_MODEL}, SELF_HOSTED)
"""The mode of a user who sets nothing: a self-hosted URL, a thinking model, the default
`think_prefill` (read from the client, so a changed default changes what the corpus checks)."""


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    data: Mapping[str, Any]
    expected: Mapping[str, Any]
    modes: tuple[Prefill, ...]
    why: str | None = None
    """Set when `choices.json` overrides what the engine expects."""
    default: Mapping[str, Any] | None = None
    """`choices.json`'s `default`: what the case gives in `DEFAULT_MODE` instead, and why."""

    def in_default_mode(self) -> Case:
        """The case as `DEFAULT_MODE` must give it."""
        if self.default is None:
            return self
        expected = {**self.expected, **self.default["expected"]}
        return replace(self, expected=expected, why=self.default["why"])

    @property
    def tools(self) -> list[dict[str, Any]] | None:
        tools = self.data.get("tools")
        return list(tools) if tools else None


@dataclass
class Run:
    """One way of feeding a case: its deltas and the final completion."""

    deltas: list[StreamDelta] = field(default_factory=list)
    completion: Completion | None = None
    turn: TurnView | None = None


def _modes(case: Mapping[str, Any]) -> tuple[Prefill, ...]:
    if case["form"] != "raw":
        return ("maybe",)
    if case.get("prefill") == "open":
        return ("maybe", "always")
    if case["raw"].lstrip().startswith("<think>"):
        return ("never", "maybe", "always")
    return ("never",)


def load() -> list[Case]:
    choices: dict[str, dict[str, Any]] = json.loads((HERE / "choices.json").read_text())
    cases: list[Case] = []
    for source in SOURCES:
        data = json.loads((HERE / "data" / f"{source}.json").read_text())
        for raw_case in data["cases"]:
            choice = choices.pop(raw_case["id"], None)
            expected = dict(raw_case["expected"])
            why = None
            if choice is not None:
                raw_case = {**raw_case, **choice.get("data", {})}
                expected.update(choice.get("expected", {}))
                why = choice["why"]
            modes = _modes(raw_case)
            if choice is not None and "modes" in choice:
                modes = tuple(choice["modes"])
            default = choice.get("default") if choice is not None else None
            assert default is None or (modes and DEFAULT_MODE not in modes), raw_case["id"]
            cases.append(Case(raw_case["id"], source, raw_case, expected, modes, why, default))
    assert not choices, f"choices.json names cases that are not in the corpus: {sorted(choices)}"
    return cases


# --- feeding -----------------------------------------------------------------------------------


def _frame(delta: Mapping[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": dict(delta), "finish_reason": finish}]}


def frames_of(case: Case, pieces: list[str] | None = None) -> list[dict[str, Any]]:
    """The stream frames of a case; a raw case's content is cut into `pieces`."""
    if case.data["form"] == "raw":
        parts = pieces if pieces is not None else [case.data["raw"]]
        frames = [_frame({"content": part}) for part in parts if part]
        return [*frames, _frame({}, "stop")]
    if "frames" in case.data:
        deltas = [dict(d) for d in case.data["frames"]]
        return [*(_frame(d) for d in deltas), _frame({}, "stop")]
    return [_frame(case.data["message"], "stop")]


def body_of(case: Case) -> dict[str, Any]:
    """The whole (non-streamed) response body of a case."""
    if case.data["form"] == "raw":
        message: dict[str, Any] = {"role": "assistant", "content": case.data["raw"]}
    elif "message" in case.data:
        message = dict(case.data["message"])
    else:
        message = _merged_message(case.data["frames"])
    return {"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}


def _merged_message(deltas: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The message a gateway's deltas add up to (strings concatenated, lists appended; a
    string that repeats all that came before is a snapshot and replaces it)."""
    message: dict[str, Any] = {"role": "assistant"}
    for delta in deltas:
        for key, value in delta.items():
            if isinstance(value, str) and key != "role":
                held = message.get(key, "")
                message[key] = value if held and value.startswith(held) else held + value
            elif isinstance(value, list):
                message[key] = [*message.get(key, []), *value]
    return message


def stream(case: Case, mode: Prefill, pieces: list[str] | None = None) -> Run:
    accumulator = Accumulator(case.tools, prefill=mode)
    run = Run(turn=accumulator.view)
    for frame in frames_of(case, pieces):
        delta = accumulator.feed(frame)
        if delta:
            run.deltas.append(delta)
    last, run.completion = accumulator.finish(streamed=True)
    if last:
        run.deltas.append(last)
    return run


def invoke(case: Case, mode: Prefill) -> Completion:
    accumulator = Accumulator(case.tools, prefill=mode)
    accumulator.feed(body_of(case))
    return accumulator.finish()[1]


def through_client(case: Case, *, streamed: bool) -> Completion:
    """The case as a `MiniMaxClient` at `SELF_HOSTED` returns it, every setting at its default."""

    def answer(request: httpx.Request) -> httpx.Response:
        if not streamed:
            return httpx.Response(200, json=body_of(case))
        events = [f"data: {json.dumps(frame)}\n\n" for frame in frames_of(case)]
        sse = "".join([*events, "data: [DONE]\n\n"]).encode()
        return httpx.Response(200, content=sse, headers={"content-type": "text/event-stream"})

    request: dict[str, Any] = {
        "model": THINKING_MODEL,
        "messages": [{"role": "user", "content": "hi"}],
    }
    if case.tools:
        request["tools"] = case.tools
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        MiniMaxClient(api_key="test-key", base_url=SELF_HOSTED, http_client=http) as client,
    ):
        if not streamed:
            return client.create(request)
        with client.stream(request) as chunks:
            for _ in chunks:
                pass
            return chunks.completion


def splits(text: str, seed: str) -> Iterator[tuple[str, list[str]]]:
    """Ways to cut a stream: per character, two pieces inside every tag, random cuts."""
    yield "per-char", list(text)
    start = text.find("<")
    while start >= 0:
        end = text.find(">", start)
        if end < 0:
            end = len(text) - 1
        for cut in range(start + 1, end + 1):
            yield f"cut@{cut}", [text[:cut], text[cut:]]
        start = text.find("<", end + 1)
    rng = random.Random(seed)
    for n in range(3):
        cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 12))))
        bounds = [0, *cuts, len(text)]
        yield f"random{n}", [text[a:b] for a, b in itertools.pairwise(bounds)]


# --- checking ----------------------------------------------------------------------------------


def problems(case: Case, completion: Completion) -> list[str]:
    """How `completion` differs from what the case expects (empty when it conforms)."""
    expected = case.expected
    found: list[str] = []
    text = completion.text
    want_text = (expected.get("text") or "").strip()
    match = expected.get("text_match", "exact")
    if match in ("exact", "strip") and text.strip() != want_text:
        found.append(f"text {text!r} != {want_text!r}")
    for piece in expected.get("text_contains") or ():
        if piece not in text:
            found.append(f"text {text!r} lacks {piece!r}")
    for piece in expected.get("text_not_contains") or ():
        if piece in text:
            found.append(f"text {text!r} holds {piece!r}")
    if expected.get("reasoning_match", "exact") != "unchecked":
        want = (expected.get("reasoning") or "").strip()
        if completion.reasoning.strip() != want:
            found.append(f"reasoning {completion.reasoning!r} != {want!r}")
    if "tool_calls" in expected:
        want_calls = expected["tool_calls"]
        got = [(call.name, call.args) for call in completion.tool_calls]
        if len(got) != len(want_calls):
            found.append(f"tool calls {got!r} != {want_calls!r}")
        else:
            for (name, args), want_call in zip(got, want_calls, strict=True):
                if name != want_call["name"]:
                    found.append(f"tool name {name!r} != {want_call['name']!r}")
                if want_call.get("arguments") is not None and args != want_call["arguments"]:
                    found.append(f"{name} arguments {args!r} != {want_call['arguments']!r}")
        parsed = bool(completion.tool_calls)
        if parsed != (completion.finish_reason == "tool_calls"):
            found.append(f"finish_reason {completion.finish_reason!r} with {len(got)} calls")
    for call in completion.tool_calls:
        if call.args is None and not call.error:
            found.append(f"invalid call {call.name!r} without an error")
    for leaked in ("<minimax:tool_call>", "<invoke", "</think>"):
        if leaked in text and leaked not in want_text:
            found.append(f"{leaked} leaked into the text")
    return found
