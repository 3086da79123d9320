"""Deltas folded by the core, as a stream yields them, for the adapters' stream converters.

The adapters read a stream's turn from the core's `TurnView`; these helpers turn each
`StreamDelta` of a test into the wire frame that carries it, feed it to a core `Accumulator`,
and check that the fold gives the same delta back.
"""

from __future__ import annotations

from typing import Any

from minimax_core import StreamDelta, TurnView
from minimax_core._accumulate import Accumulator


def frame(delta: StreamDelta) -> dict[str, Any]:
    """The wire frame (MiniMax's `reasoning_details`) that carries `delta`."""
    part: dict[str, Any] = {}
    if delta.reasoning:
        part["reasoning_details"] = [{"type": "reasoning.text", "text": delta.reasoning}]
    if delta.text:
        part["content"] = delta.text
    if delta.tool_calls:
        part["tool_calls"] = [
            {
                "index": call.index,
                **({"id": call.id} if call.id else {}),
                "function": {
                    **({"name": call.name} if call.name else {}),
                    "arguments": call.arguments,
                },
            }
            for call in delta.tool_calls
        ]
    return {"choices": [{"index": 0, "delta": part}]}


def fold(deltas: list[StreamDelta]) -> tuple[TurnView, list[StreamDelta]]:
    """The core's view of the stream of `deltas`, and the deltas as the core yields them."""
    accumulator = Accumulator()
    folded = [accumulator.feed(frame(delta)) for delta in deltas]
    assert folded == deltas, "a delta the core's fold would not yield"
    return accumulator.view, folded
