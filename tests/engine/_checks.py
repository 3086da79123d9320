"""The agent scenarios, the tools they call, and the checks only a real engine can make.

Each scenario's expectations come from its scripts, the ground truth of what the model wrote:
the reasoning of each step (between the pre-filled `<think>\\n` and `</think>`), the calls,
and the answer after `</think>\\n\\n`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._engine import LlamaServer, Proxy, Seen
from ._plays import (
    CHAIN_PROMPT,
    PARALLEL_PROMPT,
    PARALLEL_SPLIT_PROMPT,
    PLAYS,
    SCRIPTS,
    SYNTAX_PROMPT,
)

BY_NAME = {s.name: s for s in SCRIPTS}
WEATHER = {"Paris": "sunny, 18 °C", "Rome": "cloudy, 21 °C", "Oslo": "snow, -3 °C"}
WEATHER["Lima"] = "mild, 19 °C"


def get_weather(city: str) -> str:
    """The current weather in a city."""
    return WEATHER[city]


def get_forecast(city: str, days: int, metric: bool) -> str:
    """The forecast for a city: `days` ahead, in metric units or not."""
    # The typed parameters must arrive typed, not as the strings of the XML.
    assert isinstance(days, int) and not isinstance(days, bool), days
    assert isinstance(metric, bool), metric
    return f"{days} cold days in {city}" + (" (°C)" if metric else "")


TOOLS = [get_weather, get_forecast]
Call = tuple[str, dict[str, Any]]


def generated_thinking(script: str) -> str:
    """What the model generated between `<think>` and `</think>` (the `\\n` is the prompt's)."""
    return "\n" + BY_NAME[script].text.split("</think>", 1)[0]


def reasoning_of(script: str) -> str:
    """The reasoning as a client shows it."""
    return generated_thinking(script).strip()


def answer_of(script: str) -> str:
    return BY_NAME[script].text.split("</think>\n\n", 1)[1]


@dataclass(frozen=True)
class Scenario:
    name: str
    prompt: str
    calls: tuple[tuple[Call, ...], ...]  # the calls of each step that calls tools

    @property
    def steps(self) -> tuple[str, ...]:
        return PLAYS[self.prompt]

    @property
    def answer(self) -> str:
        return answer_of(self.steps[-1])

    @property
    def parallel(self) -> bool:
        return any(len(step) > 1 for step in self.calls)


SCENARIOS = {
    "chain": Scenario(
        "chain",
        CHAIN_PROMPT,
        (
            (("get_weather", {"city": "Oslo"}),),
            (("get_forecast", {"city": "Oslo", "days": 3, "metric": True}),),
        ),
    ),
    "parallel": Scenario(
        "parallel",
        PARALLEL_PROMPT,
        ((("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})),),
    ),
    "parallel_split": Scenario(
        "parallel_split",
        PARALLEL_SPLIT_PROMPT,
        ((("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})),),
    ),
    "syntax": Scenario("syntax", SYNTAX_PROMPT, ((("get_weather", {"city": "Lima"}),),)),
}


def assert_clean(text: str) -> None:
    for leak in ("<think>", "</think>", "<minimax:", "<invoke", "<parameter", "]~b]", "[e~["):
        assert leak not in text, f"{leak!r} leaked into the answer: {text!r}"


def assert_prompts_hold_the_thinking(engine: LlamaServer, chats: Sequence[Seen]) -> int:
    """Each request's rendered prompt holds every earlier step's thinking once, byte for byte.

    The k-th request of a conversation follows k answers; the thinking of each is what its
    script made the model generate between `<think>` and `</think>`. Returns how many earlier
    steps were checked.
    """
    checked = 0
    for k, chat in enumerate(chats):
        prompt = engine.apply_template(chat.sent)
        for earlier in chats[:k]:
            assert earlier.script is not None
            block = f"<think>{generated_thinking(earlier.script)}</think>"
            count = prompt.count(block)
            assert count == 1, (
                f"request {k} ({chat.script}) renders the thinking of {earlier.script} {count} "
                f"times, expected once: {block!r} in {prompt[-1500:]!r}"
            )
            checked += 1
    return checked


def sent_tool_calls(seen: Seen) -> list[dict[str, Any]]:
    """The tool calls the engine answered with, read from the raw bytes (JSON or SSE)."""
    if "text/event-stream" not in seen.content_type:
        message = json.loads(seen.body)["choices"][0]["message"]
        calls: list[dict[str, Any]] = message.get("tool_calls") or []
        return calls
    merged: dict[int, dict[str, Any]] = {}
    for line in seen.body.decode().splitlines():
        if not line.startswith("data: ") or line == "data: [DONE]":
            continue
        for choice in json.loads(line[6:]).get("choices") or []:
            for part in (choice.get("delta") or {}).get("tool_calls") or []:
                slot = merged.setdefault(part.get("index", 0), {"name": "", "arguments": ""})
                function = part.get("function") or {}
                slot["name"] += function.get("name") or ""
                slot["arguments"] += function.get("arguments") or ""
    return [{"function": v} for _, v in sorted(merged.items())]


def assert_calls(executed: Sequence[Call], scenario: Scenario, kept: bool) -> None:
    """The tools ran the scenario's calls; a step's calls may run in any order (concurrently)."""
    expected = [call for step in expected_calls(scenario, kept) for call in step]
    assert sorted(map(repr, executed)) == sorted(map(repr, expected)), executed


def expected_calls(scenario: Scenario, kept: bool) -> list[list[Call]]:
    """The calls per step: all of them, or, where the engine drops the second of a block, one."""
    return [list(step) if kept else list(step[:1]) for step in scenario.calls]


def mapping(value: Any) -> dict[str, Any]:
    assert isinstance(value, Mapping), value
    return dict(value)


def chats_of(proxy: Proxy) -> list[Seen]:
    return proxy.chats()
