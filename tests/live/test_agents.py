"""An agent loop per adapter, invoked and streamed: two tools, several steps, chain kept.

The prompt asks for a value from one tool and its conversion by the other, so the second call
needs the first one's result: at least two model steps with tool calls, then an answer.
Nothing is asserted about the wording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from minimax_core.recording import Exchange

from ._chain import assert_chain_kept

PROMPT = (
    "Use get_temperature to find the temperature in Paris in Celsius, then pass the result to "
    "celsius_to_fahrenheit. Tell me the temperature in Fahrenheit."
)


def get_temperature(city: str) -> str:
    """The current temperature in a city, in degrees Celsius."""
    return "18"


def celsius_to_fahrenheit(celsius: float) -> str:
    """Convert a temperature from degrees Celsius to degrees Fahrenheit."""
    return f"{float(celsius) * 9 / 5 + 32:.1f}"


TOOLS = [get_temperature, celsius_to_fahrenheit]
TOOL_NAMES = {"get_temperature", "celsius_to_fahrenheit"}


def _called(names: list[str]) -> None:
    assert TOOL_NAMES <= set(names), f"expected both tools to be called, got {names}"


def test_langchain_agent_invoke(make_chat: Callable[..., Any], wire: list[Exchange]) -> None:
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessage

    agent = create_agent(make_chat(), tools=TOOLS)
    result = agent.invoke({"messages": [("user", PROMPT)]})
    ai = [m for m in result["messages"] if isinstance(m, AIMessage)]
    _called([c["name"] for m in ai for c in m.tool_calls])
    assert ai[-1].text and not ai[-1].tool_calls
    assert all(m.additional_kwargs.get("reasoning_content") for m in ai)
    assert assert_chain_kept(wire) >= 2


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_langchain_agent_stream(
    make_chat: Callable[..., Any], wire: list[Exchange], mode: str
) -> None:
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessageChunk

    agent = create_agent(make_chat(), tools=TOOLS)
    chunks: list[Any] = []
    inputs = {"messages": [("user", PROMPT)]}
    if mode == "sync":
        for chunk, _meta in agent.stream(inputs, stream_mode="messages"):
            chunks.append(chunk)
    else:
        async for chunk, _meta in agent.astream(inputs, stream_mode="messages"):
            chunks.append(chunk)
    ai = [c for c in chunks if isinstance(c, AIMessageChunk)]
    assert any(c.additional_kwargs.get("reasoning_content") for c in ai), "no reasoning streamed"
    _called([c["name"] for m in ai for c in m.tool_call_chunks if c.get("name")])
    assert any(c.text for c in ai), "no answer text streamed"
    assert assert_chain_kept(wire) >= 2


async def test_llamaindex_function_agent(
    make_llm: Callable[..., Any], wire: list[Exchange]
) -> None:
    from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult

    agent = FunctionAgent(tools=TOOLS, llm=make_llm())
    handler = agent.run(PROMPT)
    thinking, text, called = "", "", []
    async for event in handler.stream_events():
        if isinstance(event, AgentStream):
            thinking += event.thinking_delta or ""
            text += event.delta or ""
        elif isinstance(event, ToolCallResult):
            called.append(event.tool_name)
    answer = await handler
    _called(called)
    assert thinking.strip(), "no reasoning streamed"
    assert str(answer).strip()
    assert assert_chain_kept(wire) >= 2


def test_llamaindex_chat_with_tools_loop(
    make_llm: Callable[..., Any], wire: list[Exchange]
) -> None:
    """The loop by hand, invoked: `chat_with_tools` until no tool is called."""
    from llama_index.core.llms import ChatMessage
    from llama_index.core.tools import FunctionTool

    llm = make_llm()
    tools = [FunctionTool.from_defaults(fn) for fn in TOOLS]
    by_name = {t.metadata.name: t for t in tools}
    history = [ChatMessage(role="user", content=PROMPT)]
    called: list[str] = []
    for _ in range(6):
        response = llm.chat_with_tools(tools, chat_history=history)
        history.append(response.message)
        calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
        if not calls:
            break
        for call in calls:
            called.append(call.tool_name)
            output = by_name[call.tool_name](**call.tool_kwargs)
            history.append(
                ChatMessage(
                    role="tool",
                    content=str(output),
                    additional_kwargs={"tool_call_id": call.tool_id},
                )
            )
    _called(called)
    assert history[-1].content
    assert assert_chain_kept(wire) >= 2
