"""Part 1: a LangChain agent (`create_agent`) with two tools, streamed step by step.

The model's reasoning streams in live; each finished step shows its tool calls and their
results, and the last one the answer. `ChatMiniMax` sends every earlier turn back with its
reasoning, which MiniMax needs for multi-step tool use.
"""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
from langchain_core.tools import tool

from langchain_minimax import ChatMiniMax

from ._console import Console, LiveField
from ._settings import Settings
from ._usage import Tally

__all__ = ["QUESTION", "run"]

QUESTION = "What is the weather in Paris right now? Then convert the result to Fahrenheit."

_WEATHER = {"paris": ("Sunny", 18), "london": ("Drizzle", 12), "tokyo": ("Clear", 22)}


@tool
def get_weather(city: str) -> str:
    """The current weather in a city: conditions and the temperature in degrees Celsius."""
    sky, celsius = _WEATHER.get(city.strip().lower(), ("Cloudy", 15))
    return f"{sky}, {celsius} °C in {city}"


@tool
def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from degrees Celsius to degrees Fahrenheit."""
    return round(celsius * 9 / 5 + 32, 1)


def run(console: Console, settings: Settings) -> Tally:
    """Run the agent on `QUESTION`, printing each step; return the token usage."""
    console.heading("1/3  LangChain: create_agent with two tools")
    llm = ChatMiniMax(
        model=settings.model,
        api_key=settings.api_key,
        base_url=settings.base_url,
        reasoning_effort=settings.reasoning_effort,
    )
    agent = create_agent(
        llm,
        tools=[get_weather, celsius_to_fahrenheit],
        system_prompt="You are a concise assistant. Use the tools; answer in one sentence.",
    )
    console.field("you", QUESTION)
    steps = _StepPrinter(console, Tally("LangChain agent"))
    # "messages" streams the model's tokens as they arrive; "updates" gives each finished step.
    for mode, data in agent.stream(
        {"messages": [{"role": "user", "content": QUESTION}]},
        stream_mode=["messages", "updates"],
    ):
        if mode == "messages":
            chunk, _metadata = data
            if isinstance(chunk, AIMessageChunk):
                steps.on_chunk(chunk)
        else:
            for update in data.values():
                for message in (update or {}).get("messages", []):
                    steps.on_message(message)
    return steps.tally


class _StepPrinter:
    """Turns the agent's stream into `step n / thinking / tool call / result / answer` lines."""

    def __init__(self, console: Console, tally: Tally) -> None:
        self.console = console
        self.tally = tally
        self.step = 0
        self.thinking: LiveField | None = None

    def _start_step(self) -> None:
        self.step += 1
        self.console.line(f"  step {self.step}")

    def on_chunk(self, chunk: AIMessageChunk) -> None:
        # Reasoning deltas are strings in `additional_kwargs["reasoning_content"]`.
        reasoning = chunk.additional_kwargs.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            if self.thinking is None:
                self._start_step()
                self.thinking = self.console.live("thinking", dim=True)
            self.thinking.write(reasoning)

    def on_message(self, message: Any) -> None:
        if isinstance(message, AIMessage):
            self._on_model_turn(message)
        elif isinstance(message, ToolMessage):
            self.console.field("result", f"{message.name}: {message.text}")

    def _on_model_turn(self, message: AIMessage) -> None:
        if self.thinking is not None:
            self.thinking.close()
            self.thinking = None
        else:  # not streamed (or no reasoning): show the whole step now
            self._start_step()
            reasoning = message.additional_kwargs.get("reasoning_content")
            if reasoning:
                self.console.field("thinking", str(reasoning), dim=True)
        self.tally.add_langchain(message.usage_metadata)
        if message.text:
            self.console.field("answer" if not message.tool_calls else "says", message.text)
        for call in message.tool_calls:
            args = ", ".join(f"{key}={value!r}" for key, value in call["args"].items())
            self.console.field("tool call", f"{call['name']}({args})")
