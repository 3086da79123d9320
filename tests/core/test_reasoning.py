"""The `<think>` splitter: a table of whole contents, and any split of a stream agrees with it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minimax_core._reasoning import ThinkParser, split_content

CASES = [
    # content, text, reasoning
    ("Plain answer.", "Plain answer.", ""),
    ("<think>\nhmm\n</think>\n\nAnswer", "Answer", "hmm"),
    ("<think>\nline one\n\nline two\n</think>\n\nA\nB", "A\nB", "line one\n\nline two"),
    (
        "<think>\nonly thinking, cut by the length limit",
        "",
        "only thinking, cut by the length limit",
    ),
    ("<think>\nthe tool call turn\n</think>\n\n\n", "", "the tool call turn"),
    ("pre-filled opening tag</think>\n\nAnswer", "Answer", "pre-filled opening tag"),
    ("x < y and a<b", "x < y and a<b", ""),
    ("<think>a < b</think>ok", "ok", "a < b"),
    ("\n", "", ""),
    ("<thinking>not a tag</thinking>", "<thinking>not a tag</thinking>", ""),
    ("<think></think>Answer", "Answer", ""),
]


@pytest.mark.parametrize(("content", "text", "reasoning"), CASES)
def test_split_content(content: str, text: str, reasoning: str) -> None:
    assert split_content(content)[:2] == (text, reasoning)


def _streamed(pieces: list[str]) -> tuple[str, str]:
    parser = ThinkParser()
    text, reasoning = [], []
    for piece in pieces:
        t, r = parser.feed(piece)
        text.append(t)
        reasoning.append(r)
    t, r = parser.flush()
    return "".join(text) + t, "".join(reasoning) + r


@pytest.mark.parametrize(
    ("content", "text", "reasoning"),
    [c for c in CASES if "</think>" not in c[0] or "<think>" in c[0]],
)
def test_every_two_way_split_gives_the_same_result(content: str, text: str, reasoning: str) -> None:
    for cut in range(len(content) + 1):
        assert _streamed([content[:cut], content[cut:]]) == (text, reasoning), cut


_alphabet = st.sampled_from(
    ["<think>", "</think>", "<", ">", "\n", " ", "a", "b", "</", "think", "é"]
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_alphabet, max_size=30), cuts=st.lists(st.integers(0, 400), max_size=6))
def test_arbitrary_splits_match_the_unsplit_stream(parts: list[str], cuts: list[int]) -> None:
    content = "".join(parts)
    whole = _streamed([content])
    bounds = sorted({min(c, len(content)) for c in cuts})
    pieces, last = [], 0
    for bound in bounds:
        pieces.append(content[last:bound])
        last = bound
    pieces.append(content[last:])
    assert _streamed(pieces) == whole


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(content: str) -> None:
    text, reasoning, _ = split_content(content)
    assert reasoning == reasoning.strip()
    assert text == text.lstrip()
    assert "<think>" not in text or "<think>" in content
