"""The control API: the server's Python API over HTTP, for servers run in another process."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ._state import ServerState
from ._types import Fault, ScriptedReply

__all__ = ["control"]

_SETTINGS = frozenset({"dialect", "strict", "any_model", "send_done", "chunk_delay"})


def control(state: ServerState, method: str, path: str, raw: bytes) -> tuple[int, Any]:
    """Answer `/_control/<name>`: HTTP status and JSON body."""
    name = path.removeprefix("/_control/")
    try:
        data: Any = json.loads(raw) if raw else {}
        if method == "GET" and name == "requests":
            return 200, [asdict(r) for r in state.requests]
        if method == "GET" and name == "stats":
            return 200, {
                "connections_opened": state.connections_opened,
                "connections_open": state.connections_open,
                "requests": len(state.requests),
                "dialect": state.dialect,
                "strict": state.strict,
            }
        if method != "POST" or not isinstance(data, dict):
            return 400, {"error": "expected POST with a JSON object body"}
        if name == "fault":
            state.faults.add(Fault.from_dict(data))
        elif name == "reply":
            state.enqueue(ScriptedReply.from_dict(data))
        elif name == "reset":
            state.reset()
        elif name == "config":
            _configure(state, data)
        else:
            return 404, {"error": f"unknown control endpoint {name!r}"}
    except (ValueError, TypeError) as exc:
        return 400, {"error": str(exc)}
    return 200, {"ok": True}


def _configure(state: ServerState, data: dict[str, Any]) -> None:
    unknown = set(data) - _SETTINGS
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    if "dialect" in data:
        state.set_dialect(str(data["dialect"]))
    if "strict" in data:
        state.strict = bool(data["strict"])
    if "any_model" in data:
        state.any_model = None if data["any_model"] is None else bool(data["any_model"])
    if "send_done" in data:
        state.send_done = None if data["send_done"] is None else bool(data["send_done"])
    if "chunk_delay" in data:
        state.chunk_delay = float(data["chunk_delay"])
