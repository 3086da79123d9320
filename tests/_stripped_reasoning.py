"""A reply both adapters must read alike: a tool call whose reasoning a proxy stripped.

At a self-hosted URL with every setting at its default, output that is only a tool call's XML,
longer than the prefill hold, once came out as reasoning: no call, and the agent stopped
without acting (issue 21).
"""

from __future__ import annotations

from typing import Any

from minimax_server import MiniMaxServer, ScriptedReply, ToolCallSpec

NAME = "save_note"
ARGUMENTS: dict[str, Any] = {
    # Long enough that the call's XML runs past the prefill hold (`PREFILL_HOLD`).
    "text": " ".join(["A note long enough to run past what the prefill hold keeps back."] * 6)
}


def enqueue_stripped_tool_call(server: MiniMaxServer) -> None:
    """The next reply as such a proxy passes it on: the call's raw XML, nothing else."""
    server.set_dialect("raw_xml")
    call = ToolCallSpec(name=NAME, arguments=ARGUMENTS, id="c1")
    server.enqueue(ScriptedReply(reasoning="", tool_calls=[call]))
