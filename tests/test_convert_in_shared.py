"""Inbound conversion cases both adapters answer alike, invoked and streamed.

Each case is the wire frames of one answer, folded by the core `Accumulator` as a stream would
be. A small driver per adapter turns the finished `Completion` into the framework's message
(invoked) and the stream's deltas into chunks (streamed), then reads the same neutral facts off
either: the answer text, the reasoning, the tool calls, and the assistant turn the adapter would
send back to MiniMax. Every case must give the same facts in both adapters and both modes, and
the turn sent back must be the core's `assistant_message` of the completion (a call whose
arguments are not a JSON object goes back as `{}`: `safe_arguments`).

One difference is LangChain's own and is pinned here: merging streamed chunks parses tool-call
arguments with `parse_partial_json`, which completes a truncated object, so a call cut off
mid-arguments is a valid call with the arguments so far in LangChain's streamed message
(ChatOpenAI's too), where the invoked message has it as invalid.

The framework-specific shapes (LangChain's `additional_kwargs` and content blocks, LlamaIndex's
blocks and snapshots) stay in `tests/langchain/test_convert_in.py` and
`tests/llamaindex/test_convert_in.py`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Protocol

import pytest
from langchain_core.utils.json import parse_partial_json

from minimax_core import DEFAULT_MODEL, Completion, StreamDelta
from minimax_core._accumulate import Accumulator
from minimax_core._reasoning import Prefill
from minimax_core.adapter_kit import safe_arguments, tool_call_wire
from minimax_core.replay import assistant_message

MODEL = DEFAULT_MODEL


@dataclass(frozen=True)
class Case:
    name: str
    frames: list[dict[str, Any]]
    prefill: Prefill | None = None
    """`None`: the case runs in both defaults of `think_prefill="auto"`, `"never"` (MiniMax's
    API) and `"maybe"` (any other server)."""
    text: str = ""
    reasoning: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Valid calls, `(name, args)`; ids are compared across drivers, not to a literal."""
    invalid: list[tuple[str, str]] = field(default_factory=list)
    """Calls whose arguments are not a JSON object, `(name, raw arguments)`."""


def _delta(**part: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": part}]}


def _finish(reason: str) -> dict[str, Any]:
    return {
        "choices": [{"index": 0, "delta": {}, "finish_reason": reason}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _details(text: str) -> list[dict[str, Any]]:
    return [{"type": "reasoning.text", "id": "r-1", "format": "MiniMax-response-v1", "text": text}]


def _call(index: int, arguments: str, call_id: str | None = None, name: str | None = None) -> Any:
    function: dict[str, Any] = {"arguments": arguments}
    if name:
        function["name"] = name
    return {"index": index, **({"id": call_id} if call_id else {}), "function": function}


WRITTEN = [
    Case(
        "reasoning-details-then-text",
        [
            _delta(reasoning_details=_details("Need the ")),
            _delta(reasoning_details=_details("weather.")),
            _delta(content="It is "),
            _delta(content="sunny."),
            _finish("stop"),
        ],
        text="It is sunny.",
        reasoning="Need the weather.",
    ),
    Case(
        "inline-think-block",
        [
            _delta(content="<think>\nNeed the weather.\n</think>\n\n"),
            _delta(content="It is sunny."),
            _finish("stop"),
        ],
        text="It is sunny.",
        reasoning="Need the weather.",
    ),
    Case(
        "reasoning-content-field",
        [_delta(reasoning_content="Plan."), _delta(content="Done."), _finish("stop")],
        text="Done.",
        reasoning="Plan.",
    ),
    Case(
        "valid-and-invalid-tool-calls",
        [
            _delta(reasoning_details=_details("Call both.")),
            _delta(tool_calls=[_call(0, '{"a": 1, ', "call_0", "add")]),
            _delta(tool_calls=[_call(0, '"b": 2}')]),
            _delta(tool_calls=[_call(1, '{"text": "unfinished', "call_1", "echo")]),
            _finish("tool_calls"),
        ],
        reasoning="Call both.",
        calls=[("add", {"a": 1, "b": 2})],
        invalid=[("echo", '{"text": "unfinished')],
    ),
    Case(
        "tool-call-without-id-then-a-late-id",
        [
            _delta(tool_calls=[_call(0, '{"city": ', name="get_weather")]),
            _delta(tool_calls=[_call(0, '"Paris"}', "late-id")]),
            _finish("tool_calls"),
        ],
        calls=[("get_weather", {"city": "Paris"})],
    ),
    # The server's template opened the think block, so the output starts inside it.
    *[
        Case(
            f"opening-think-tag-missing-{prefill}",
            [
                _delta(content="Let me think"),
                _delta(content=" it over.</think>"),
                _delta(content="Answer"),
                _finish("stop"),
            ],
            prefill=prefill,
            text="Answer",
            reasoning="Let me think it over.",
        )
        for prefill in ("maybe", "always")
    ],
]

CASES = [
    variant
    for case in WRITTEN
    for variant in (
        [case]
        if case.prefill
        else [
            dataclasses.replace(case, name=f"{case.name}-{where}", prefill=prefill)
            for where, prefill in (("api", "never"), ("self-hosted", "maybe"))
        ]
    )
]


@dataclass
class Facts:
    text: str
    reasoning: str
    calls: list[tuple[str, str, dict[str, Any]]]
    invalid: list[tuple[str, str, str]]
    sent_back: dict[str, Any]


class Driver(Protocol):
    def invoked(self, completion: Completion) -> Facts: ...

    def streamed(
        self, accumulator: Accumulator, deltas: list[StreamDelta], completion: Completion
    ) -> Facts: ...


class LangChainDriver:
    def invoked(self, completion: Completion) -> Facts:
        from langchain_minimax._messages_in import completion_to_message

        return self._facts(completion_to_message(completion, MODEL))

    def streamed(
        self, accumulator: Accumulator, deltas: list[StreamDelta], completion: Completion
    ) -> Facts:
        from langchain_core.messages import message_chunk_to_message

        from langchain_minimax._messages_in import ChunkBuilder

        builder = ChunkBuilder(MODEL)
        chunks = [builder.feed(delta).message for delta in deltas]
        chunks.append(builder.finish(completion).message)
        return self._facts(message_chunk_to_message(reduce(lambda a, b: a + b, chunks)))

    def _facts(self, message: Any) -> Facts:
        from langchain_minimax._messages_out import message_to_wire

        return Facts(
            text=message.text,
            reasoning=message.additional_kwargs.get("reasoning_content", ""),
            calls=[(c["id"], c["name"], c["args"]) for c in message.tool_calls],
            invalid=[(c["id"], c["name"], c["args"]) for c in message.invalid_tool_calls],
            sent_back=message_to_wire(message),
        )


class LlamaIndexDriver:
    def invoked(self, completion: Completion) -> Facts:
        from llamaindex_minimax._messages_in import completion_to_chat_response

        return self._facts(completion_to_chat_response(completion).message)

    def streamed(
        self, accumulator: Accumulator, deltas: list[StreamDelta], completion: Completion
    ) -> Facts:
        from llamaindex_minimax._messages_in import ChatStreamAccumulator

        chunks = ChatStreamAccumulator(accumulator.view)
        for delta in deltas:
            chunks.feed(delta)
        return self._facts(chunks.finish(completion).message)

    def _facts(self, message: Any) -> Facts:
        from llama_index.core.base.llms.types import ThinkingBlock, ToolCallBlock

        from llamaindex_minimax._messages_out import message_to_wire

        blocks = message.blocks
        thinking = [b.content or "" for b in blocks if isinstance(b, ThinkingBlock)]
        calls = [b for b in blocks if isinstance(b, ToolCallBlock)]
        return Facts(
            text=message.content or "",
            reasoning="".join(thinking),
            calls=[
                (b.tool_call_id, b.tool_name, b.tool_kwargs)
                for b in calls
                if isinstance(b.tool_kwargs, dict)
            ],
            invalid=[
                (b.tool_call_id, b.tool_name, b.tool_kwargs)
                for b in calls
                if not isinstance(b.tool_kwargs, dict)
            ],
            sent_back=message_to_wire(message),
        )


DRIVERS: dict[str, Driver] = {"langchain": LangChainDriver(), "llamaindex": LlamaIndexDriver()}


Fold = tuple[Accumulator, list[StreamDelta], Completion]


def _fold(case: Case) -> Fold:
    assert case.prefill is not None
    accumulator = Accumulator(prefill=case.prefill)
    deltas = [accumulator.feed(frame) for frame in case.frames]
    tail, completion = accumulator.finish(streamed=True)
    return accumulator, [d for d in [*deltas, tail] if d], completion


def _facts(driver: Driver, folded: Fold, mode: str) -> Facts:
    accumulator, deltas, completion = folded
    if mode == "invoked":
        return driver.invoked(completion)
    return driver.streamed(accumulator, deltas, completion)


@pytest.mark.parametrize("mode", ["invoked", "streamed"])
@pytest.mark.parametrize("adapter", sorted(DRIVERS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_case_reads_as_expected(case: Case, adapter: str, mode: str) -> None:
    facts = _facts(DRIVERS[adapter], _fold(case), mode)
    assert facts.text == case.text
    assert facts.reasoning == case.reasoning
    calls, invalid = case.calls, case.invalid
    if _lenient(adapter, mode):
        calls = calls + [(name, parse_partial_json(raw)) for name, raw in invalid]
        invalid = []
    assert [(name, args) for _, name, args in facts.calls] == calls
    assert [(name, raw) for _, name, raw in facts.invalid] == invalid
    ids = [call_id for call_id, _, _ in facts.calls + facts.invalid]
    assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids), ids


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_both_adapters_and_both_modes_agree(case: Case) -> None:
    """One fold of the stream, read by both adapters both ways: the same ids included."""
    folded = _fold(case)
    seen = {
        (adapter, mode): _facts(driver, folded, mode)
        for adapter, driver in DRIVERS.items()
        for mode in ("invoked", "streamed")
    }
    if case.invalid:
        del seen["langchain", "streamed"]  # LangChain's lenient merge: see the module docstring
    first = next(iter(seen.values()))
    for key, facts in seen.items():
        assert facts == first, key


@pytest.mark.parametrize("mode", ["invoked", "streamed"])
@pytest.mark.parametrize("adapter", sorted(DRIVERS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_turn_sent_back_is_the_cores(case: Case, adapter: str, mode: str) -> None:
    """What goes back to MiniMax is the core's own rebuild of the turn, reasoning and all."""
    folded = _fold(case)
    completion = folded[2]
    lenient = _lenient(adapter, mode)
    calls = [
        tool_call_wire(
            c.id,
            c.name,
            json.dumps(parse_partial_json(c.arguments))
            if lenient and not c.is_valid
            else safe_arguments(c.arguments),
        )
        for c in completion.tool_calls
    ]
    expected = assistant_message(completion.text, calls, completion.replay)
    assert _facts(DRIVERS[adapter], folded, mode).sent_back == expected


def _lenient(adapter: str, mode: str) -> bool:
    return (adapter, mode) == ("langchain", "streamed")
