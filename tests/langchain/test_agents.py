"""End to end: `create_agent` and a hand-built LangGraph loop on the strict local server.

Each run calls two tools over three model calls. The server is strict: it refuses (HTTP 400,
code 2013) any replayed assistant turn whose reasoning was dropped or altered, so a run that
completes proves the reasoning contract for that path. Every dialect, `reasoning_split` on
and off, and four ways of driving the graph: `invoke`, `stream(stream_mode="messages")`,
`ainvoke`, and a second turn on a thread restored from an `InMemorySaver` checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from langchain_minimax import ChatMiniMax, MiniMaxBadRequestError
from minimax_server import DIALECTS, MiniMaxServer

MakeLLM = Callable[..., ChatMiniMax]
Mode = Literal["invoke", "stream", "async", "checkpoint"]

PROMPT = "First use magic_function(3), then get_weather for Paris."
FOLLOW_UP = "Now use magic_function(10)."


@tool
def magic_function(input: int) -> int:
    """Apply a magic function to an input."""
    return input + 2


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"Sunny in {city}"


TOOLS = [magic_function, get_weather]


def build_langgraph(llm: ChatMiniMax, checkpointer: InMemorySaver | None) -> Any:
    model = llm.bind_tools(TOOLS)

    def call_model(state: MessagesState) -> dict[str, list[BaseMessage]]:
        return {"messages": [model.invoke(state["messages"])]}

    async def acall_model(state: MessagesState) -> dict[str, list[BaseMessage]]:
        return {"messages": [await model.ainvoke(state["messages"])]}

    def compile(node: Callable[..., Any]) -> Any:
        graph = StateGraph(MessagesState)
        graph.add_node("agent", node)
        graph.add_node("tools", ToolNode(TOOLS))
        graph.add_edge(START, "agent")
        graph.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: END})
        graph.add_edge("tools", "agent")
        return graph.compile(checkpointer=checkpointer)

    # The async graph awaits the model, so `ainvoke` exercises the native async path.
    return compile(call_model), compile(acall_model)


def build(
    kind: str, llm: ChatMiniMax, checkpointer: InMemorySaver | None = None
) -> tuple[Any, Any]:
    if kind == "create_agent":
        agent = create_agent(llm, TOOLS, checkpointer=checkpointer)
        return agent, agent
    graphs: tuple[Any, Any] = build_langgraph(llm, checkpointer)
    return graphs


async def run(kind: str, mode: Mode, llm: ChatMiniMax) -> list[BaseMessage]:
    """Drive the graph; return the final message list."""
    if mode == "checkpoint":
        saver = InMemorySaver()
        graph, _ = build(kind, llm, saver)
        config: Any = {"configurable": {"thread_id": "t1"}}
        graph.invoke({"messages": [HumanMessage(PROMPT)]}, config)
        # The second turn rebuilds the whole history from the serialised checkpoint.
        restored = graph.get_state(config).values["messages"]
        assert all(isinstance(m, BaseMessage) for m in restored)
        state = graph.invoke({"messages": [HumanMessage(FOLLOW_UP)]}, config)
        messages: list[BaseMessage] = state["messages"]
        return messages
    graph, async_graph = build(kind, llm)
    inputs = {"messages": [HumanMessage(PROMPT)]}
    if mode == "invoke":
        return list(graph.invoke(inputs)["messages"])
    if mode == "async":
        return list((await async_graph.ainvoke(inputs))["messages"])
    chunks: dict[str, AIMessageChunk] = {}
    final: list[BaseMessage] = []
    for stream_mode, data in graph.stream(inputs, stream_mode=["messages", "values"]):
        if stream_mode == "values":
            final = data["messages"]
            continue
        message, _meta = data
        if isinstance(message, AIMessageChunk):
            assert message.id is not None
            chunks[message.id] = chunks[message.id] + message if message.id in chunks else message
    # What the caller saw streamed merges into exactly the turns the graph kept.
    kept = [m for m in final if isinstance(m, AIMessage)]
    assert [m.id for m in kept] == list(chunks)
    for message in kept:
        merged = chunks[message.id or ""]
        assert merged.content_blocks[0]["type"] == "reasoning"
        assert merged.response_metadata["model_name"] == llm.model_name
        for field in ("content", "additional_kwargs", "tool_calls", "usage_metadata"):
            assert getattr(merged, field) == getattr(message, field), field
    return list(final)


def check_run(messages: list[BaseMessage], server: MiniMaxServer, mode: Mode) -> None:
    answers = [m for m in messages if isinstance(m, AIMessage)]
    calls = [call["name"] for m in answers for call in m.tool_calls]
    expected_calls = ["magic_function", "get_weather"] + (
        ["magic_function"] if mode == "checkpoint" else []
    )
    assert sorted(calls) == sorted(expected_calls)
    for answer in answers:
        assert "<think>" not in str(answer.content) and "</think>" not in str(answer.content)
        assert "minimax:tool_call" not in str(answer.content)
        blocks = answer.content_blocks
        assert blocks[0]["type"] == "reasoning" and blocks[0].get("reasoning"), blocks
    final = answers[-1].text
    if mode == "checkpoint":
        assert "magic_function is 12" in final, final
    else:
        assert "magic_function is 5" in final and "Sunny in Paris" in final, final
    model_calls = [r for r in server.requests if r.path.endswith("/chat/completions")]
    assert len(model_calls) == (5 if mode == "checkpoint" else 3)
    # The last request replays every earlier assistant turn with its reasoning.
    replayed = [m for m in model_calls[-1].body["messages"] if m["role"] == "assistant"]
    assert len(replayed) == len(model_calls) - 1
    for turn in replayed:
        carries = {"reasoning_details", "reasoning", "reasoning_content"} & turn.keys()
        assert carries or "</think>" in turn["content"], turn


@pytest.mark.parametrize("mode", ["invoke", "stream", "async", "checkpoint"])
@pytest.mark.parametrize("split", [True, False], ids=["split", "inline"])
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("kind", ["create_agent", "langgraph"])
async def test_agent_loop_keeps_reasoning(
    make_llm: MakeLLM,
    minimax_server: MiniMaxServer,
    kind: str,
    dialect: str,
    split: bool,
    mode: Mode,
) -> None:
    minimax_server.set_dialect(dialect)
    llm = make_llm(reasoning_split=split)
    messages = await run(kind, mode, llm)
    check_run(messages, minimax_server, mode)


@pytest.mark.parametrize("mode", ["stream", "checkpoint"])
async def test_agent_loop_with_v1_output(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, mode: Mode
) -> None:
    llm = make_llm(output_version="v1")
    messages = await run("create_agent", mode, llm)
    check_run(messages, minimax_server, mode)


@pytest.mark.parametrize("mode", ["invoke", "stream", "async", "checkpoint"])
@pytest.mark.parametrize("effort", [None, "low"])
async def test_m4_agent_loop(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, mode: Mode, effort: str | None
) -> None:
    """MiniMax-M4 always thinks: the loop runs at the effort asked for (`max` when unset)."""
    llm = make_llm(model="MiniMax-M4", reasoning_effort=effort)
    messages = await run("create_agent", mode, llm)
    check_run(messages, minimax_server, mode)
    model_calls = [r for r in minimax_server.requests if r.path.endswith("/chat/completions")]
    assert all(r.body["model"] == "MiniMax-M4" for r in model_calls)
    assert all(r.body.get("reasoning_effort") == effort for r in model_calls)
    assert all("thinking" not in r.body for r in model_calls)
    thought = [
        m.additional_kwargs["reasoning_content"] for m in messages if isinstance(m, AIMessage)
    ]
    assert all(f"Reasoning effort: {effort or 'max'}." in text for text in thought)


def test_strict_server_refuses_a_turn_whose_reasoning_was_dropped(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    """The control for the tests above: dropping the reasoning does fail."""
    llm = make_llm().bind_tools(TOOLS)
    first = llm.invoke(PROMPT)
    assert first.tool_calls
    stripped = first.model_copy(update={"additional_kwargs": {}})
    result = magic_function.invoke(first.tool_calls[0])
    with pytest.raises(MiniMaxBadRequestError, match=r"2013|reasoning"):
        llm.invoke([HumanMessage(PROMPT), stripped, result])


@pytest.mark.parametrize("split", [True, False], ids=["split", "inline"])
def test_create_agent_with_structured_response(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, split: bool
) -> None:
    """The agent calls its tools, then the structured-output tool, and ends with the object."""
    from pydantic import BaseModel

    class Report(BaseModel):
        city: str
        summary: str

    agent = create_agent(make_llm(reasoning_split=split), TOOLS, response_format=Report)
    out = agent.invoke({"messages": [HumanMessage(PROMPT)]})
    report = out["structured_response"]
    assert isinstance(report, Report) and report.city == "Paris"
    names = [
        call["name"] for m in out["messages"] if isinstance(m, AIMessage) for call in m.tool_calls
    ]
    assert names == ["magic_function", "get_weather", "Report"]
    assert len(minimax_server.requests) == 3  # every turn replayed whole (strict server)
