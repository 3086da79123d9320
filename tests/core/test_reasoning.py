"""The `<think>` splitter: a table of whole contents, and any split of a stream agrees with it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minimax_core._reasoning import Prefill, ThinkParser, split_content

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


def _streamed(pieces: list[str], mode: Prefill = "never") -> tuple[str, str, list[str]]:
    """`split_content`'s result, had the content come in `pieces`."""
    parser = ThinkParser(prefill=mode)
    text, reasoning = [], []
    for piece in [*pieces, None]:
        t, r = parser.feed(piece) if piece is not None else parser.flush()
        text.append(t)
        reasoning.append(r)
    return "".join(text), "".join(reasoning), parser.tool_xml


@pytest.mark.parametrize(
    ("content", "text", "reasoning"),
    [c for c in CASES if "</think>" not in c[0] or "<think>" in c[0]],
)
def test_every_two_way_split_gives_the_same_result(content: str, text: str, reasoning: str) -> None:
    for cut in range(len(content) + 1):
        assert _streamed([content[:cut], content[cut:]])[:2] == (text, reasoning), cut


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

from minimax_core._reasoning import PREFILL_HOLD, TOOL_CALL_HOLD, resolve_prefill  # noqa: E402

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
        assert _streamed([content[:cut], content[cut:]], mode)[:2] == (text, reasoning), cut


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
        "<mini",
        "<minimax:tool_call>",
        "</minimax:tool_call>",
        "<",
        " ",
        "\n",
        "ab",
        "x" * 40,
        "y" * 1500,  # past the tool-call hold in a few pieces
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(_prefill_alphabet, max_size=30),
    cuts=st.lists(st.floats(0, 1), max_size=8),
    mode=st.sampled_from(["never", "maybe", "always"]),
)
def test_prefill_modes_never_depend_on_chunking(
    parts: list[str], cuts: list[float], mode: Prefill
) -> None:
    content = "".join(parts)
    bounds = sorted({int(cut * len(content)) for cut in cuts})
    pieces = [content[a:b] for a, b in zip([0, *bounds], [*bounds, len(content)], strict=True)]
    assert _streamed(pieces, mode) == split_content(content, mode)


# --- a tool call in the default mode: never taken for reasoning unless a `</think>` follows ---

OPEN, CLOSE = "<minimax:tool_call>", "</minimax:tool_call>"


def _block(value_size: int) -> str:
    value = "v" * value_size
    return f'{OPEN}<invoke name="f"><parameter name="a">{value}</parameter></invoke>{CLOSE}'


LONG_BLOCK = _block(PREFILL_HOLD)  # runs past the prose hold by itself
HUGE_BLOCK = _block(TOOL_CALL_HOLD)  # runs past the tool-call hold by itself
PROSE = "p" * 100
LONG_PROSE = "q" * (PREFILL_HOLD + 1)  # shown as reasoning before any tag comes

TOOL_CALL_CASES: list[tuple[str, str, str, str, list[str]]] = [
    # name, content, text, reasoning, tool_xml
    ("starts with a call", f"\n  {LONG_BLOCK}", "", "", [LONG_BLOCK]),
    ("two blocks", f"{LONG_BLOCK}\n{LONG_BLOCK}", "", "", [LONG_BLOCK, LONG_BLOCK]),
    ("prose, then a call", f"{PROSE} {LONG_BLOCK}", PROSE + " ", "", [LONG_BLOCK]),
    ("prose, a call, more prose", f"{PROSE}{LONG_BLOCK}after", PROSE + "after", "", [LONG_BLOCK]),
    ("still open at the hold", f"{'p' * 250}{LONG_BLOCK}", "p" * 250, "", [LONG_BLOCK]),
    ("past the tool-call hold", HUGE_BLOCK, "", "", [HUGE_BLOCK]),
    (
        "past the tool-call hold, a late </think> is stray",
        f"{HUGE_BLOCK}</think>Done",
        "Done",
        "",
        [HUGE_BLOCK],
    ),
    ("cut off inside the call", LONG_BLOCK[:-30], "", "", [LONG_BLOCK[:-30]]),
    # Reasoning that quotes the syntax: a `</think>` after the block keeps it reasoning.
    (
        "prose, a call, </think>",
        f"{PROSE} {LONG_BLOCK} so</think>Answer",
        "Answer",
        f"{PROSE} {LONG_BLOCK} so",
        [],
    ),
    (
        "a call, long thought, </think>",
        f"{LONG_BLOCK}{'t' * 1000}</think>Answer",
        "Answer",
        f"{LONG_BLOCK}{'t' * 1000}",
        [],
    ),
    (
        "an unclosed mention, </think>",
        f"use {OPEN} {'t' * 500}</think>Answer",
        "Answer",
        f"use {OPEN} {'t' * 500}",
        [],
    ),
    # Long output already shown as reasoning holds a later block back the same way.
    ("long prose, then a call", f"{LONG_PROSE} {LONG_BLOCK}", "", LONG_PROSE, [LONG_BLOCK]),
    (
        "long prose, a call, </think>",
        f"{LONG_PROSE} {LONG_BLOCK}</think>Answer",
        "Answer",
        f"{LONG_PROSE} {LONG_BLOCK}",
        [],
    ),
    (
        "long prose, </think>, a call",
        f"{LONG_PROSE}</think>{LONG_BLOCK}",
        "",
        LONG_PROSE,
        [LONG_BLOCK],
    ),
]


@pytest.mark.parametrize(
    ("content", "text", "reasoning", "tool_xml"),
    [pytest.param(*case[1:], id=case[0]) for case in TOOL_CALL_CASES],
)
def test_a_tool_call_is_a_tool_call_in_maybe_mode_at_every_split(
    content: str, text: str, reasoning: str, tool_xml: list[str]
) -> None:
    assert split_content(content, "maybe") == (text, reasoning, tool_xml)
    for pieces in ([content[:cut], content[cut:]] for cut in range(len(content) + 1)):
        assert _streamed(pieces, "maybe") == (text, reasoning, tool_xml), len(pieces[0])
    assert _streamed(list(content), "maybe") == (text, reasoning, tool_xml)


def test_told_the_template_opens_the_think_block_a_call_before_it_closes_is_reasoning() -> None:
    assert split_content(LONG_BLOCK, "always") == ("", LONG_BLOCK, [])


def test_a_reasoning_field_releases_a_held_call() -> None:
    parser = ThinkParser(prefill="maybe")
    assert parser.feed(LONG_BLOCK[:100]) == ("", "")
    parser.structured()
    assert parser.feed(LONG_BLOCK[100:] + " ok") == ("ok", "")
    assert parser.tool_xml == [LONG_BLOCK]


def test_nothing_is_held_past_the_tool_call_hold() -> None:
    parser = ThinkParser(prefill="maybe")
    fed = OPEN + "v" * (TOOL_CALL_HOLD - len(OPEN))  # the hold counts from the tag on
    for char in fed:
        parser.feed(char)
    assert parser.tool_xml == []  # up to the limit, a `</think>` could still come
    parser.feed("v")
    assert parser.tool_xml == [fed + "v"]
    # Before any tag, prose is shown as reasoning once it passes its own hold.
    parser = ThinkParser(prefill="maybe")
    shown = "".join(parser.feed(char)[1] for char in "r" * (PREFILL_HOLD + 1))
    assert shown == "r" * (PREFILL_HOLD + 1)


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
