"""Small helpers shared by the server tests: SSE parsing and request bodies."""

from __future__ import annotations

import json
from typing import Any

AUTH = {"Authorization": "Bearer test-key"}
HEX32 = r"[0-9a-f]{32}"

MAGIC = {
    "type": "function",
    "function": {
        "name": "magic_function",
        "description": "Apply a magic function to an input.",
        "parameters": {
            "type": "object",
            "properties": {"input": {"type": "integer", "exclusiveMinimum": -1000}},
            "required": ["input"],
        },
    },
}
ADD_TEN = {
    "type": "function",
    "function": {
        "name": "add_ten",
        "description": "Add ten to a number.",
        "parameters": {
            "type": "object",
            "properties": {"x": {"type": "integer"}},
            "required": ["x"],
        },
    },
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location", "unit"],
        },
    },
}
MAGIC_PROMPT = "What is the value of magic_function(3)? Use the tool."


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def body(*messages: dict[str, Any], model: str = "MiniMax-M2.7", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": list(messages), **extra}


def sse(text: str) -> list[Any]:
    """The `data:` payloads of an SSE body: dicts, or the string `[DONE]`."""
    out: list[Any] = []
    for block in text.split("\n\n"):
        for line in block.splitlines():
            if line.startswith("data: "):
                data = line[len("data: ") :]
                out.append(data if data == "[DONE]" else json.loads(data))
    return out


def choice_chunks(events: list[Any]) -> list[dict[str, Any]]:
    """The chunks that carry a choice (not usage-only, not `[DONE]`)."""
    return [e for e in events if isinstance(e, dict) and e.get("choices")]


def joined(events: list[Any], key: str) -> str:
    """Concatenate a delta field over the stream."""
    return "".join(
        str(c["choices"][0]["delta"].get(key) or "")
        for c in choice_chunks(events)
        if "delta" in c["choices"][0]
    )


def tool_args(events: list[Any]) -> dict[int, dict[str, Any]]:
    """Assemble streamed tool calls per index: id, name and concatenated arguments."""
    calls: dict[int, dict[str, Any]] = {}
    for chunk in choice_chunks(events):
        for tc in chunk["choices"][0].get("delta", {}).get("tool_calls") or []:
            slot = calls.setdefault(tc["index"], {"id": None, "name": None, "arguments": ""})
            slot["id"] = tc.get("id") or slot["id"]
            fn = tc.get("function") or {}
            slot["name"] = fn.get("name") or slot["name"]
            slot["arguments"] += fn.get("arguments") or ""
    return calls
