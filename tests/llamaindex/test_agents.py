"""LlamaIndex agents, workflows, memory, programs and query engines on `MiniMax`, end to end
against the strict local server (which refuses any replayed turn whose reasoning changed)."""

from __future__ import annotations

import pytest
from llama_index.core import Document, SummaryIndex
from llama_index.core.agent.workflow import (
    AgentOutput,
    AgentStream,
    AgentWorkflow,
    FunctionAgent,
    ReActAgent,
    ToolCallResult,
)
from llama_index.core.base.llms.types import ChatMessage, TextBlock, ThinkingBlock
from llama_index.core.memory import Memory
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import create_async_engine

from minimax_server import DIALECTS, MiniMaxServer, ScriptedReply

from .conftest import LLMFactory


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


def assert_no_tags(text: str) -> None:
    assert "<think>" not in text and "</think>" not in text and "<minimax:tool_call>" not in text


def replayed_reasoning(message: dict[str, object]) -> bool:
    fields = {"reasoning_details", "reasoning_content", "reasoning"} & set(message)
    return bool(fields) or "</think>" in str(message.get("content"))


@pytest.mark.parametrize("streaming", [False, True], ids=["run", "streamed"])
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_function_agent_three_calls_two_tools(
    server: MiniMaxServer, make_llm: LLMFactory, dialect: str, streaming: bool
) -> None:
    server.set_dialect(dialect)
    agent = FunctionAgent(tools=[add, multiply], llm=make_llm(), streaming=streaming)
    handler = agent.run("Use add(2, 3), then multiply the result by 4.")
    results: list[tuple[str, dict[str, object], str]] = []
    thinking: list[str] = []
    deltas: list[str] = []
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            results.append((event.tool_name, event.tool_kwargs, str(event.tool_output.content)))
        elif isinstance(event, AgentStream):
            thinking.append(event.thinking_delta or "")
            deltas.append(event.delta)
            assert_no_tags(event.response)
    output = await handler
    assert results == [("add", {"a": 2, "b": 3}, "5"), ("multiply", {"a": 5, "b": 4}, "20")]
    assert str(output) == "The result of add is 5. The result of multiply is 20."
    assert isinstance(output.response.blocks[0], ThinkingBlock)
    assert len(server.requests) == 3
    last = server.requests[-1].body["messages"]
    assert [m["role"] for m in last] == ["user", "assistant", "tool", "assistant", "tool"]
    assert replayed_reasoning(last[1]) and replayed_reasoning(last[3])
    if streaming:
        assert "".join(thinking)  # thinking deltas reach AgentStream
        assert "".join(deltas).endswith("The result of multiply is 20.")
    else:
        assert not thinking


@pytest.mark.parametrize("streaming", [False, True], ids=["run", "streamed"])
@pytest.mark.parametrize("effort", [None, "low"])
async def test_m4_function_agent(
    server: MiniMaxServer, make_llm: LLMFactory, streaming: bool, effort: str | None
) -> None:
    """MiniMax-M4 always thinks: the agent runs at the effort asked for (`max` when unset)."""
    llm = make_llm(model="MiniMax-M4", reasoning_effort=effort)
    agent = FunctionAgent(tools=[add, multiply], llm=llm, streaming=streaming)
    handler = agent.run("Use add(2, 3), then multiply the result by 4.")
    thinking = ""
    async for event in handler.stream_events():
        if isinstance(event, AgentStream):
            thinking += event.thinking_delta or ""
            assert_no_tags(event.response)
    output = await handler
    assert str(output) == "The result of add is 5. The result of multiply is 20."
    first = output.response.blocks[0]
    assert isinstance(first, ThinkingBlock)
    assert f"Reasoning effort: {effort or 'max'}." in (first.content or "")
    assert len(server.requests) == 3
    for request in server.requests:
        assert request.body["model"] == "MiniMax-M4"
        assert request.body.get("reasoning_effort") == effort
        assert "thinking" not in request.body
    last = server.requests[-1].body["messages"]
    assert replayed_reasoning(last[1]) and replayed_reasoning(last[3])
    assert bool(thinking) is streaming


@pytest.mark.parametrize("streaming", [False, True], ids=["run", "streamed"])
async def test_agent_workflow_handoff(
    server: MiniMaxServer, make_llm: LLMFactory, streaming: bool
) -> None:
    llm = make_llm(reasoning_split=False)  # inline <think>: replay must keep content as sent
    router = FunctionAgent(
        name="router",
        description="Routes requests to the right agent.",
        system_prompt="You route requests.",
        llm=llm,
        can_handoff_to=["calculator"],
        streaming=streaming,
    )
    calculator = FunctionAgent(
        name="calculator",
        description="Does arithmetic.",
        system_prompt="You calculate.",
        tools=[add, multiply],
        llm=llm,
        streaming=streaming,
    )
    workflow = AgentWorkflow(agents=[router, calculator], root_agent="router")
    handler = workflow.run(
        'First handoff("calculator", "arithmetic"), then add(2, 3) and multiply(5, 4).'
    )
    calls: list[tuple[str, str]] = []
    thinking = ""
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            calls.append((event.tool_name, str(event.tool_output.content)[:23]))
        elif isinstance(event, AgentOutput):
            assert_no_tags(event.response.content or "")
        elif isinstance(event, AgentStream):
            thinking += event.thinking_delta or ""
    output = await handler
    assert calls == [
        ("handoff", "Agent calculator is now"),
        ("add", "5"),
        ("multiply", "20"),
    ]
    assert output.current_agent_name == "calculator"
    assert str(output).endswith("The result of add is 5. The result of multiply is 20.")
    assert len(server.requests) == 4
    assert bool(thinking) is streaming
    assert server.requests[-1].body["messages"][0] == {
        "role": "system",
        "content": "You calculate.",
    }


@pytest.mark.skipif(
    "early_stopping_method" not in FunctionAgent.model_fields,
    reason="FunctionAgent has early_stopping_method from llama-index-core 0.14.13 on",
)
async def test_early_stopping_sends_a_trailing_system_message(
    server: MiniMaxServer, make_llm: LLMFactory
) -> None:
    agent = FunctionAgent(tools=[add, multiply], llm=make_llm(), early_stopping_method="generate")
    output = await agent.run("Use add(2, 3), then multiply(5, 4).", max_iterations=1)
    assert server.requests[-1].body["messages"][-1]["role"] == "system"
    assert output.response.content


@pytest.mark.parametrize("streaming", [False, True], ids=["run", "streamed"])
async def test_memory_round_trip_across_two_runs(
    server: MiniMaxServer, make_llm: LLMFactory, streaming: bool
) -> None:
    # Our own engine, so the test can close it (LlamaIndex leaves its default one open).
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    memory = Memory.from_defaults(
        session_id="minimax-memory-test", token_limit=40_000, async_engine=engine
    )
    try:
        await _two_runs(server, make_llm, memory, streaming)
    finally:
        await engine.dispose()


async def _two_runs(
    server: MiniMaxServer, make_llm: LLMFactory, memory: Memory, streaming: bool
) -> None:
    agent = FunctionAgent(tools=[add, multiply], llm=make_llm(), streaming=streaming)
    first = await agent.run("Use add(2, 3).", memory=memory)
    assert str(first) == "The result of add is 5."
    second = await agent.run("Now multiply(6, 7).", memory=memory)
    assert str(second) == "The result of multiply is 42."
    sent = server.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
        "assistant",
        "tool",
    ]
    # The first run's turns came back from the SQL store with their reasoning intact.
    assert (
        replayed_reasoning(sent[1]) and replayed_reasoning(sent[3]) and replayed_reasoning(sent[5])
    )
    stored = await memory.aget()
    thinking = [b for m in stored for b in m.blocks if isinstance(b, ThinkingBlock)]
    assert len(thinking) == 4 and all(b.additional_information for b in thinking)


@pytest.mark.parametrize("dialect", ["minimax", "inline", "vllm"])
@pytest.mark.parametrize("streaming", [False, True], ids=["run", "streamed"])
async def test_react_agent(
    server: MiniMaxServer, make_llm: LLMFactory, dialect: str, streaming: bool
) -> None:
    server.set_dialect(dialect)
    for text in (
        'Thought: I need to add first.\nAction: add\nAction Input: {"a": 2, "b": 3}',
        'Thought: Now multiply.\nAction: multiply\nAction Input: {"a": 5, "b": 4}',
        "Thought: I can answer without using any more tools.\nAnswer: (2 + 3) * 4 = 20.",
    ):
        server.enqueue(ScriptedReply(text=text))  # with the server's usual reasoning
    agent = ReActAgent(
        tools=[add, multiply],
        llm=make_llm(reasoning_split=dialect == "minimax"),
        streaming=streaming,
    )
    handler = agent.run("What is (2 + 3) * 4?")
    results = [
        (event.tool_name, str(event.tool_output.content))
        async for event in handler.stream_events()
        if isinstance(event, ToolCallResult)
    ]
    output = await handler
    assert results == [("add", "5"), ("multiply", "20")]
    assert str(output) == "(2 + 3) * 4 = 20."
    for request in server.requests:
        for message in request.body["messages"]:
            assert_no_tags(str(message["content"]))


class Weather(BaseModel):
    """A weather report."""

    city: str = Field(description="The city")
    temperature: int = Field(description="Degrees Celsius")


async def test_structured_predict_and_structured_llm(
    server: MiniMaxServer, make_llm: LLMFactory
) -> None:
    from llama_index.core.prompts import PromptTemplate

    llm = make_llm()
    prompt = PromptTemplate("Report the weather in {city}: 21 degrees.")
    report = llm.structured_predict(Weather, prompt, city="Paris")
    assert report == Weather(city="Paris", temperature=21)
    assert server.requests[-1].body["tool_choice"] == "required"
    areport = await llm.astructured_predict(Weather, prompt, city="Lyon")
    assert areport == Weather(city="Lyon", temperature=21)

    # Streamed: LlamaIndex reads partial tool calls from every chunk.
    partials = list(llm.stream_structured_predict(Weather, prompt, city="Nice"))
    assert len(partials) > 2 and partials[-1] == Weather(city="Nice", temperature=21)
    apartials = [p async for p in await llm.astream_structured_predict(Weather, prompt, city="Pau")]
    assert apartials[-1] == Weather(city="Pau", temperature=21)

    structured = llm.as_structured_llm(Weather)
    question = [ChatMessage(role="user", content="The weather in Bergen is 9 degrees.")]
    streamed = list(structured.stream_chat(question))
    assert Weather.model_validate_json(streamed[-1].message.content or "") == Weather(
        city="Bergen", temperature=9
    )
    reply = structured.chat([ChatMessage(role="user", content="The weather in Oslo is 3 degrees.")])
    assert Weather.model_validate_json(reply.message.content or "") == Weather(
        city="Oslo", temperature=3
    )


async def test_predict_and_call(make_llm: LLMFactory) -> None:
    llm = make_llm()
    tools = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]
    response = llm.predict_and_call(tools, user_msg="Please multiply(6, 7).")
    assert response.response == "42"
    aresponse = await llm.apredict_and_call(tools, user_msg="Please add(6, 7).")
    assert aresponse.response == "13"


DOCUMENTS = [
    Document(text="The Eiffel Tower is in Paris. Its construction was finished in 1889."),
    Document(text="Mount Fuji is the highest mountain in Japan, at 3,776 metres."),
]


@pytest.mark.parametrize("streaming", [False, True], ids=["query", "streamed"])
async def test_query_engine(server: MiniMaxServer, make_llm: LLMFactory, streaming: bool) -> None:
    index = SummaryIndex.from_documents(DOCUMENTS)
    engine = index.as_query_engine(llm=make_llm(reasoning_split=False), streaming=streaming)
    server.enqueue(
        ScriptedReply(text="It was finished in 1889.", reasoning="The context gives 1889.")
    )
    response = await engine.aquery("When was the Eiffel Tower finished?")
    text = "".join([t async for t in response.async_response_gen()]) if streaming else str(response)
    assert text == "It was finished in 1889."
    prompt = server.requests[-1].body["messages"][-1]["content"]
    assert "finished in 1889" in prompt and "When was the Eiffel Tower finished?" in prompt
    sync_engine = index.as_query_engine(llm=make_llm(), streaming=streaming)
    sync = sync_engine.query("What is the highest mountain in Japan?")
    answer = "".join(sync.response_gen) if streaming else str(sync)
    assert "highest mountain in Japan" in answer
    assert_no_tags(answer)


async def test_chat_history_with_text_blocks_only(make_llm: LLMFactory) -> None:
    # A user-written history (no ThinkingBlocks at all) is accepted as it is.
    history = [
        ChatMessage(role="user", content="Hello"),
        ChatMessage(role="assistant", blocks=[TextBlock(text="Hi! What can I do?")]),
        ChatMessage(role="user", content="Hello again"),
    ]
    assert make_llm().chat(history).message.content == "Hello! How can I help you today?"
