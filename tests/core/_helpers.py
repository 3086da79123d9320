"""Feeding SSE transcripts through the core without a network."""

from __future__ import annotations

from pathlib import Path

from minimax_core._reasoning import Prefill
from minimax_core._streaming import _StreamReader
from minimax_core.types import Completion, StreamDelta

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sse"


def transcript(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


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
