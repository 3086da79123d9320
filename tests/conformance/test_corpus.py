"""Every case the engines publish for their MiniMax parsers, through the core and both adapters.

Each case runs invoked (one whole body) and streamed, cut per character, in two inside every
tag, and at random points; each prefill mode it applies to (`_corpus._modes`) runs alike, and so
does the default mode (`DEFAULT_MODE`: a self-hosted URL, a thinking model, `think_prefill` left
alone), which is what most users get. The streamed result must equal the invoked one, and both
must match what the engine's test expects, or what `choices.json` says we chose instead and why.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import reduce

import pytest
from langchain_core.messages import AIMessageChunk
from llama_index.core.base.llms.types import ThinkingBlock

from langchain_minimax import _messages_in as langchain_in
from llamaindex_minimax import _messages_in as llamaindex_in
from minimax_core import Completion, StreamDelta
from minimax_core._reasoning import Prefill

from ._corpus import (
    DEFAULT_MODE,
    HERE,
    SOURCES,
    Case,
    invoke,
    load,
    problems,
    splits,
    stream,
    through_client,
)

CASES = load()
APPLICABLE = [case for case in CASES if case.modes]
# A case that names the default mode among its own already runs in it.
RUNS = [
    *(pytest.param(case, mode, id=f"{case.id}[{mode}]") for case in CASES for mode in case.modes),
    *(
        pytest.param(case.in_default_mode(), DEFAULT_MODE, id=f"{case.id}[default]")
        for case in APPLICABLE
        if DEFAULT_MODE not in case.modes
    ),
]
NOT_APPLICABLE = [pytest.param(case, id=case.id) for case in CASES if not case.modes]


def _outcome(completion: Completion) -> tuple[object, ...]:
    calls = [(c.name, c.args, c.error is not None) for c in completion.tool_calls]
    return completion.text, completion.reasoning, calls, completion.finish_reason


def _content_of(case: Case) -> str:
    if case.data["form"] == "raw":
        return str(case.data["raw"])
    return ""


@pytest.mark.parametrize(("case", "mode"), RUNS)
def test_case_conforms_invoked_and_streamed_at_every_split(case: Case, mode: Prefill) -> None:
    invoked = invoke(case, mode)
    assert problems(case, invoked) == [], case.data.get("engine_says")
    whole = stream(case, mode)
    assert _outcome(whole.completion) == _outcome(invoked)  # type: ignore[arg-type]
    content = _content_of(case)
    for name, pieces in splits(content, case.id) if content else ():
        run = stream(case, mode, pieces)
        assert run.completion is not None
        assert _outcome(run.completion) == _outcome(invoked), name
        shown = "".join(d.text for d in run.deltas), "".join(d.reasoning for d in run.deltas)
        assert shown == (invoked.text, invoked.reasoning), name


@pytest.mark.parametrize(("case", "mode"), RUNS)
def test_langchain_streamed_message_equals_invoked(case: Case, mode: Prefill) -> None:
    invoked = langchain_in.completion_to_message(invoke(case, mode), "MiniMax-M2")
    content = _content_of(case)
    run = stream(case, mode, list(content) if content else None)
    assert run.completion is not None
    builder = langchain_in.ChunkBuilder("MiniMax-M2")
    chunks = [builder.feed(delta).message for delta in run.deltas]
    chunks.append(builder.finish(run.completion).message)
    merged = reduce(lambda left, right: left + right, chunks)
    assert isinstance(merged, AIMessageChunk)
    assert merged.content == invoked.content
    assert merged.additional_kwargs.get("reasoning_content") == invoked.additional_kwargs.get(
        "reasoning_content"
    )
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        (c["name"], c["args"]) for c in invoked.tool_calls
    ]
    assert len(merged.invalid_tool_calls) == len(invoked.invalid_tool_calls)
    assert merged.response_metadata["finish_reason"] == invoked.response_metadata["finish_reason"]


def _arguments(deltas: list[StreamDelta]) -> list[str]:
    """Each call's arguments as its pieces among `deltas` add up, in the order calls began."""
    joined: dict[int, str] = {}
    for delta in deltas:
        for piece in delta.tool_calls:
            joined[piece.index] = joined.get(piece.index, "") + piece.arguments
    return list(joined.values())


@pytest.mark.parametrize(("case", "mode"), RUNS)
def test_llamaindex_stream_shows_what_invoked_returns(case: Case, mode: Prefill) -> None:
    completion = invoke(case, mode)
    invoked = llamaindex_in.completion_to_message(completion)
    content = _content_of(case)
    run = stream(case, mode, list(content) if content else None)
    assert run.completion is not None and run.turn is not None
    accumulator = llamaindex_in.ChatStreamAccumulator(run.turn)
    responses = [accumulator.feed(delta) for delta in run.deltas]
    final = accumulator.finish(run.completion)
    assert "".join(r.delta or "" for r in responses) == (invoked.content or "")
    # Each chunk's message is the turn so far, read from the core's view of the stream.
    for n, response in enumerate(responses, 1):
        so_far = run.deltas[:n]
        assert (response.message.content or "") == "".join(d.text for d in so_far)
        calls = response.message.additional_kwargs.get("tool_calls", [])
        assert [c["function"]["arguments"] for c in calls] == _arguments(so_far)
    thinking = "".join(r.additional_kwargs.get("thinking_delta", "") for r in responses)
    blocks = [b for b in invoked.blocks if isinstance(b, ThinkingBlock)]
    assert thinking == (blocks[0].content if blocks else "")
    assert final.message.content == invoked.content
    if any(call.args is None for call in completion.tool_calls):
        with pytest.raises(ValueError, match="invalid arguments"):
            llamaindex_in.tool_selections(final, error_on_no_tool_call=False)
    else:
        selections = llamaindex_in.tool_selections(final, error_on_no_tool_call=False)
        assert [(s.tool_name, s.tool_kwargs) for s in selections] == [
            (c.name, c.args) for c in completion.tool_calls
        ]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in APPLICABLE])
@pytest.mark.parametrize("streamed", [False, True], ids=["invoked", "streamed"])
def test_a_self_hosted_client_left_at_its_defaults_gives_the_default_mode_result(
    case: Case, streamed: bool
) -> None:
    completion = through_client(case, streamed=streamed)
    assert problems(case.in_default_mode(), completion) == [], case.data.get("engine_says")


@pytest.mark.parametrize("case", NOT_APPLICABLE)
def test_not_applicable_cases_say_why(case: Case) -> None:
    assert case.why, f"{case.id} runs in no mode but gives no reason"
    pytest.skip(case.why)


def test_every_source_is_in_the_corpus_and_every_case_names_its_test() -> None:
    sizes = Counter(case.source for case in CASES)
    assert set(sizes) == set(SOURCES)
    for case in CASES:
        assert case.data["test"] and case.data.get("engine_says"), case.id
    assert len({case.id for case in CASES}) == len(CASES)
    for source in SOURCES:
        data = json.loads((HERE / "data" / f"{source}.json").read_text())
        assert data["source"] and data["revision"]
