"""Streamed agents on a self-hosted server with no reasoning or tool parser (`raw_no_parser`).

Such a server sends output that starts inside the reasoning (the chat template opened the think
block) and leaves tool calls as XML in `content`. A chat UI must see the reasoning streamed as
reasoning and the answer as text, and the strict server must get every turn back whole: it
refuses (HTTP 400) a replayed turn whose reasoning was dropped or moved into the answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from minimax_server import MiniMaxServer

from .. import _stripped_reasoning as stripped
from .test_agents import FOLLOW_UP, PROMPT, TOOLS, MakeLLM
from .test_chat_model import collect

# The scripted model's reasoning always opens with this; its answers never contain it.
REASONING_MARK = "The user wrote"


@pytest.fixture
def no_parser(minimax_server: MiniMaxServer) -> MiniMaxServer:
    minimax_server.set_dialect("raw_no_parser")
    return minimax_server


def check_chunks(chunks: list[AIMessageChunk]) -> None:
    """Per message: reasoning streams as reasoning first; no answer chunk carries any of it."""
    by_id: dict[str, list[AIMessageChunk]] = {}
    for chunk in chunks:
        assert REASONING_MARK not in str(chunk.content), chunk
        assert "</think>" not in str(chunk.content) and "minimax:tool_call" not in str(
            chunk.content
        )
        by_id.setdefault(chunk.id or "", []).append(chunk)
    assert by_id
    for pieces in by_id.values():
        shown = [c for c in pieces if c.content or c.additional_kwargs.get("reasoning_content")]
        assert shown[0].additional_kwargs.get("reasoning_content"), "reasoning comes first"
        reasoning = "".join(c.additional_kwargs.get("reasoning_content", "") for c in pieces)
        assert reasoning.startswith(REASONING_MARK)


def check_turns(messages: list[BaseMessage]) -> None:
    answers = [m for m in messages if isinstance(m, AIMessage)]
    assert answers
    for answer in answers:
        assert REASONING_MARK not in str(answer.content)
        assert answer.additional_kwargs["reasoning_content"].startswith(REASONING_MARK)


def test_create_agent_streams_reasoning_then_answer(
    no_parser: MiniMaxServer, make_llm: MakeLLM
) -> None:
    agent = create_agent(make_llm(), TOOLS)
    chunks: list[AIMessageChunk] = []
    final: list[BaseMessage] = []
    for mode, data in agent.stream(
        {"messages": [HumanMessage(PROMPT)]}, stream_mode=["messages", "values"]
    ):
        if mode == "values":
            final = data["messages"]
        elif isinstance(data[0], AIMessageChunk):
            chunks.append(data[0])
    check_chunks(chunks)
    check_turns(final)
    assert "magic_function is 5" in str(final[-1].content)
    assert len(no_parser.requests) == 3


async def test_astream_events_and_a_checkpointed_second_turn(
    no_parser: MiniMaxServer, make_llm: MakeLLM
) -> None:
    agent = create_agent(make_llm(), TOOLS, checkpointer=InMemorySaver())
    config: Any = {"configurable": {"thread_id": "ui"}}
    chunks: list[AIMessageChunk] = []
    async for event in agent.astream_events(
        {"messages": [HumanMessage(PROMPT)]}, config, version="v2"
    ):
        if event["event"] == "on_chat_model_stream":
            chunks.append(event["data"]["chunk"])
    check_chunks(chunks)
    # The second turn replays the checkpointed first one: the strict server would refuse it
    # with 400 if any reasoning had landed in `content` or been dropped.
    second: list[AIMessageChunk] = []
    async for message, _meta in agent.astream(
        {"messages": [HumanMessage(FOLLOW_UP)]}, config, stream_mode="messages"
    ):
        if isinstance(message, AIMessageChunk):
            second.append(message)
    check_chunks(second)
    state = await agent.aget_state(config)
    check_turns(state.values["messages"])
    assert "magic_function is 12" in str(state.values["messages"][-1].content)


def test_subagent_inside_a_streamed_graph(no_parser: MiniMaxServer, make_llm: MakeLLM) -> None:
    from langchain_core.tools import tool

    inner = create_agent(make_llm(), TOOLS)

    @tool
    def research(question: str) -> str:
        """Ask the research subagent a question."""
        result = inner.invoke({"messages": [HumanMessage(question)]})
        return str(result["messages"][-1].content)

    outer = create_agent(make_llm(), [research])
    chunks: list[AIMessageChunk] = []
    for message, _meta in outer.stream(
        {"messages": [HumanMessage("Use research('" + PROMPT + "')")]}, stream_mode="messages"
    ):
        if isinstance(message, AIMessageChunk):
            chunks.append(message)
    check_chunks(chunks)


def test_provider_strategy_structured_output_on_a_streamed_agent(
    no_parser: MiniMaxServer, make_llm: MakeLLM
) -> None:
    class Greeting(BaseModel):
        greeting: str

    agent = create_agent(make_llm(), [], response_format=ProviderStrategy(Greeting))
    final: dict[str, Any] = {}
    for mode, data in agent.stream(
        {"messages": [HumanMessage("Hello")]}, stream_mode=["messages", "values"]
    ):
        if mode == "values":
            final = data
    # The JSON follows the thinking: parsed only if the reasoning stayed out of the answer.
    assert isinstance(final["structured_response"], Greeting)


@pytest.mark.parametrize("streamed", [False, True], ids=["invoked", "streamed"])
def test_a_tool_call_whose_reasoning_was_stripped_is_still_a_call(
    minimax_server: MiniMaxServer, make_llm: MakeLLM, streamed: bool
) -> None:
    stripped.enqueue_stripped_tool_call(minimax_server)
    llm = make_llm()
    message = collect(list(llm.stream("Save it."))) if streamed else llm.invoke("Save it.")
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        (stripped.NAME, stripped.ARGUMENTS)
    ]
    assert message.content == ""
    assert not message.additional_kwargs.get("reasoning_content")
