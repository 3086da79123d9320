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


# --- thinking-first output (the chat template opened the think block) -----------------------

from minimax_core._reasoning import PREFILL_HOLD, Prefill, resolve_prefill  # noqa: E402

PREFILL_CASES: list[tuple[str, Prefill, str, str]] = [
    # content, mode, text, reasoning
    ("thinking</think>\n\nAnswer", "maybe", "Answer", "thinking"),
    ("thinking</think>\n\nAnswer", "always", "Answer", "thinking"),
    # Told the template never opens it, a stray `</think>` is dropped; nothing else moves.
    ("thinking</think>\n\nAnswer", "never", "thinking\n\nAnswer", ""),
    ("<think>a</think>b", "never", "b", "a"),
    ("<think>a</think>b", "maybe", "b", "a"),
    ("<think>a</think>b", "always", "b", "a"),
    ("Short answer with no think block.", "maybe", "Short answer with no think block.", ""),
    ("Short unfinished thought", "always", "", "Short unfinished thought"),
    # Past the hold, output with no `</think>` yet is reasoning.
    ("x" * (PREFILL_HOLD + 1), "maybe", "", "x" * (PREFILL_HOLD + 1)),
    ("x" * PREFILL_HOLD, "maybe", "x" * PREFILL_HOLD, ""),
    # Inside the reasoning a tool call's syntax is text; after it, a real block is diverted.
    (
        "I could use <minimax:tool_call> here</think>Done.",
        "maybe",
        "Done.",
        "I could use <minimax:tool_call> here",
    ),
    (
        "plan</think><minimax:tool_call><invoke name='f'></invoke></minimax:tool_call>",
        "maybe",
        "",
        "plan",
    ),
    ("Answer with <minimax:tool_call>x</minimax:tool_call>", "maybe", "Answer with ", ""),
]


@pytest.mark.parametrize(("content", "mode", "text", "reasoning"), PREFILL_CASES)
def test_prefill_modes(content: str, mode: Prefill, text: str, reasoning: str) -> None:
    assert split_content(content, mode)[:2] == (text, reasoning)
    for cut in range(len(content) + 1):
        parser = ThinkParser(prefill=mode)
        t1, r1 = parser.feed(content[:cut])
        t2, r2 = parser.feed(content[cut:])
        t3, r3 = parser.flush()
        assert (t1 + t2 + t3, r1 + r2 + r3) == (text, reasoning), cut


def test_a_reasoning_field_means_content_is_the_answer() -> None:
    parser = ThinkParser(prefill="always")
    parser.structured()
    assert parser.feed("Answer") == ("Answer", "")
    # Held presumed reasoning is released as the answer once a field shows up.
    parser = ThinkParser(prefill="maybe")
    assert parser.feed("Answer, ") == ("", "")
    parser.structured()
    assert parser.feed("go on") == ("Answer, go on", "")


_prefill_alphabet = st.sampled_from(
    [
        "<think>",
        "</think>",
        "</thi",
        "nk>",
        "<minimax:tool_call>",
        "</minimax:tool_call>",
        "<",
        " ",
        "\n",
        "ab",
        "x" * 40,
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(_prefill_alphabet, max_size=30),
    cuts=st.lists(st.integers(0, 1500), max_size=8),
    mode=st.sampled_from(["never", "maybe", "always"]),
)
def test_prefill_modes_never_depend_on_chunking(
    parts: list[str], cuts: list[int], mode: Prefill
) -> None:
    content = "".join(parts)
    whole = split_content(content, mode)[:2]
    bounds = sorted({min(c, len(content)) for c in cuts})
    parser = ThinkParser(prefill=mode)
    text, reasoning, last = [], [], 0
    for bound in [*bounds, len(content)]:
        t, r = parser.feed(content[last:bound])
        text.append(t)
        reasoning.append(r)
        last = bound
    t, r = parser.flush()
    assert ("".join(text) + t, "".join(reasoning) + r) == whole


@pytest.mark.parametrize(
    ("setting", "request_body", "base_url", "mode"),
    [
        ("auto", {"model": "MiniMax-M2.7"}, "https://api.minimax.io/v1", "never"),
        ("auto", {"model": "MiniMax-M2.7"}, "https://api.minimaxi.com/v1", "never"),
        ("auto", {"model": "MiniMax-M4"}, "https://api.minimax.cn/v1", "never"),
        ("auto", {"model": "MiniMax-M2.7"}, "http://127.0.0.1:8000/v1", "maybe"),
        ("auto", {"model": "MiniMaxAI/MiniMax-M2"}, "http://gpu-box:8000/v1", "maybe"),
        (
            "auto",
            {"model": "MiniMax-M3", "thinking": {"type": "disabled"}},
            "http://127.0.0.1/v1",
            "never",
        ),
        # M2 cannot turn thinking off: the flag changes nothing.
        (
            "auto",
            {"model": "MiniMax-M2.7", "thinking": {"type": "disabled"}},
            "http://127.0.0.1/v1",
            "maybe",
        ),
        (True, {"model": "MiniMax-M2.7"}, "https://api.minimax.io/v1", "always"),
        # A model told not to think opens no think block, whatever the setting.
        (
            True,
            {"model": "MiniMax-M3", "thinking": {"type": "disabled"}},
            "http://127.0.0.1/v1",
            "never",
        ),
        (False, {"model": "MiniMax-M2.7"}, "http://127.0.0.1/v1", "never"),
    ],
)
def test_resolve_prefill(
    setting: bool | str, request_body: dict[str, object], base_url: str, mode: Prefill
) -> None:
    assert resolve_prefill(setting, request_body, base_url) == mode  # type: ignore[arg-type]
