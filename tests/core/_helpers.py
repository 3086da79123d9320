"""Feeding the stream quirks' transcripts through the core without a network."""

from __future__ import annotations

from minimax_core._reasoning import Prefill
from minimax_core._streaming import _StreamReader
from minimax_core.recording import load_transcript
from minimax_core.types import Completion, StreamDelta
from tests.recorded.record_local import DEFAULT_DIRECTORY


def quirk(name: str) -> bytes:
    """The answer bytes of `tests/fixtures/recorded/quirk-{name}.json`, a stream quirk written
    by hand in the transcript format, which the transcript suite also replays through both
    adapters."""
    return load_transcript(DEFAULT_DIRECTORY / f"quirk-{name}.json").response


def run_stream(
    data: bytes,
    *,
    piece: int | None = None,
    tools: list[dict] | None = None,
    prefill: Prefill = "never",
) -> tuple[list[StreamDelta], Completion]:
    """Decode a whole transcript, fed in pieces of `piece` bytes (all at once when None).

    `prefill` defaults to what MiniMax's own API needs; self-hosted transcripts pass theirs.
    """
    reader = _StreamReader(tools, prefill)
    deltas: list[StreamDelta] = []
    step = piece or len(data) or 1
    for start in range(0, len(data), step):
        deltas.extend(reader.feed(data[start : start + step]))
    tail, completion = reader.end()
    return deltas + tail, completion


def joined(deltas: list[StreamDelta]) -> tuple[str, str]:
    return "".join(d.text for d in deltas), "".join(d.reasoning for d in deltas)
