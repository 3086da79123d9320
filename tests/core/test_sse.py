"""The SSE decoder: frames split anywhere decode the same."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from minimax_core._sse import SSEDecoder

from ._helpers import quirk


def _decode(pieces: list[bytes]) -> list[str]:
    decoder = SSEDecoder()
    out: list[str] = []
    for piece in pieces:
        out.extend(decoder.decode(piece))
    return out + decoder.flush()


def test_fields_comments_and_line_endings() -> None:
    data = b': keep-alive\r\nevent: message\r\ndata: {"a": 1}\r\n\r\ndata:{"b": 2}\n\nid: 3\ndata: x\ndata: y\n\n'
    assert _decode([data]) == ['{"a": 1}', '{"b": 2}', "x\ny"]


def test_last_frame_without_newline_is_flushed() -> None:
    assert _decode([b'data: {"a": 1}\n\ndata: {"b": 2}']) == ['{"a": 1}', '{"b": 2}']


def test_crlf_split_between_reads() -> None:
    assert _decode([b"data: a\r", b"\n\r", b"\n"]) == ["a"]


def test_multibyte_character_split_between_reads() -> None:
    data = "data: 你好\n\n".encode()
    assert _decode([data[:8], data[8:]]) == ["你好"]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_split_of_a_real_transcript_decodes_the_same(data: st.DataObject) -> None:
    raw = quirk("inline-think") + quirk("vllm-reasoning")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=12)))
    pieces, last = [], 0
    for cut in cuts:
        pieces.append(raw[last:cut])
        last = cut
    pieces.append(raw[last:])
    assert _decode(pieces) == _decode([raw])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    assert all(isinstance(event, str) for event in _decode([raw]))
