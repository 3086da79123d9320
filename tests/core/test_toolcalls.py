"""Raw `<minimax:tool_call>` XML: typed by schema, and any split of the stream agrees."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minimax_core import MiniMaxError
from minimax_core._accumulate import Accumulator
from minimax_core._toolcalls import coerce_value, parse_tool_xml

SCHEMA = {
    "type": "function",
    "function": {
        "name": "search_web",
        "parameters": {
            "type": "object",
            "properties": {
                "query_list": {"type": "array", "items": {"type": "string"}},
                "limit": {"type": "integer"},
                "ratio": {"type": "number"},
                "fresh": {"type": "boolean"},
                "note": {"type": ["string", "null"]},
                "mode": {"enum": ["fast", "deep"]},
            },
        },
    },
}

XML = (
    "<minimax:tool_call>\n"
    '<invoke name="search_web">\n'
    '<parameter name="query_list">["\\"OpenAI\\" latest", "MiniMax"]</parameter>\n'
    '<parameter name="limit">5</parameter>\n'
    '<parameter name="ratio">0.5</parameter>\n'
    '<parameter name="fresh">yes</parameter>\n'
    '<parameter name="note">null</parameter>\n'
    '<parameter name="mode">deep</parameter>\n'
    "</invoke>\n"
    "<invoke name='search_web'>\n"
    '<parameter name="limit">2.0</parameter>\n'
    "</invoke>\n"
    "</minimax:tool_call>"
)


def test_two_invokes_typed_by_schema() -> None:
    first, second = parse_tool_xml([XML], [SCHEMA])
    assert first.name == second.name == "search_web"
    assert first.args == {
        "query_list": ['"OpenAI" latest', "MiniMax"],
        "limit": 5,
        "ratio": 0.5,
        "fresh": True,
        "note": None,
        "mode": "deep",
    }
    assert second.args == {"limit": 2}
    assert json.loads(first.arguments) == first.args
    assert (first.index, second.index) == (0, 1)
    assert first.id != second.id


@pytest.mark.parametrize(
    ("raw", "schema", "value"),
    [
        ("42", {"type": "integer"}, 42),
        ("4.0", {"type": "integer"}, 4),
        ("x", {"type": "integer"}, "x"),
        ("3", {"type": "number"}, 3),
        ("3.5", {"type": "number"}, 3.5),
        ("off", {"type": "boolean"}, False),
        ('{"a": 1}', {"type": "object"}, {"a": 1}),
        ("plain text", {"type": "string"}, "plain text"),
        ("007", {"type": "string"}, "007"),
        ("nil", {"anyOf": [{"type": "integer"}, {"type": "null"}]}, None),
        ("7", {"anyOf": [{"type": "integer"}, {"type": "null"}]}, 7),
        # Undescribed parameters stay text (MiniMax's reference parser, vLLM).
        ("[1, 2]", None, "[1, 2]"),
        ("5", {}, "5"),
        ("free", None, "free"),
    ],
)
def test_coerce_value(raw: str, schema: dict | None, value: object) -> None:
    assert coerce_value(raw, schema) == value


def _stream(pieces: list[str]) -> tuple[str, list[tuple[str, object]]]:
    accumulator = Accumulator([SCHEMA])
    text = []
    for number, piece in enumerate(pieces):
        finish = "stop" if number == len(pieces) - 1 else None
        frame = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": finish}]}
        text.append(accumulator.feed(frame).text)
    tail, done = accumulator.finish(streamed=True)
    return "".join(text) + tail.text, [(c.name, c.args) for c in done.tool_calls]


CONTENT = "<think>\nsearch twice\n</think>\n\nSearching now.\n" + XML


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, len(CONTENT)), max_size=10))
def test_arbitrary_splits_of_an_xml_stream_agree(cuts: list[int]) -> None:
    bounds = sorted(set(cuts))
    pieces, last = [], 0
    for bound in bounds:
        pieces.append(CONTENT[last:bound])
        last = bound
    pieces.append(CONTENT[last:])
    assert _stream(pieces) == _stream([CONTENT])
    assert _stream([CONTENT])[0] == "Searching now.\n"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("<>/=\"' \nabcinvokeparametrnm:_{}[]0123")), max_size=200)
)
def test_arbitrary_xml_never_crashes(text: str) -> None:
    for call in parse_tool_xml(["<minimax:tool_call>" + text], [SCHEMA]):
        # Either a call with arguments, or an invalid call that says why.
        assert isinstance(call.args, dict) or (call.args is None and call.error)
        assert json.loads(call.arguments) == call.args if call.args is not None else True


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_frames_fail_only_with_our_errors(raw: bytes) -> None:
    from ._helpers import run_stream

    try:
        run_stream(b"data: " + raw + b"\n\n")
    except MiniMaxError:
        pass


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "choices",
                    "delta",
                    "message",
                    "content",
                    "index",
                    "tool_calls",
                    "function",
                    "arguments",
                    "name",
                    "id",
                    "usage",
                    "base_resp",
                    "status_code",
                    "reasoning_details",
                    "reasoning_content",
                    "text",
                    "finish_reason",
                    "prompt_tokens",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_json, min_size=1, max_size=4))
def test_arbitrary_json_frames_fail_only_with_our_errors(frames: list[object]) -> None:
    from ._helpers import run_stream

    data = b"".join(b"data: " + json.dumps(frame).encode() + b"\n\n" for frame in frames)
    try:
        run_stream(data)
    except MiniMaxError:
        pass
