"""Streaming on a self-hosted server with no reasoning or tool parser (`raw_no_parser`).

Its output starts inside the reasoning and holds tool calls as XML. A chat UI reading
`AgentStream.delta` / `stream_chat()` deltas must never show the thoughts as the reply, and must
get them as `thinking_delta`; the strict server refuses any replayed turn that lost them.
"""

from __future__ import annotations

import pytest
from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock

from minimax_server import MiniMaxServer

from .. import _stripped_reasoning as stripped
from .conftest import LLMFactory
from .test_agents import add, multiply, replayed_reasoning

REASONING_MARK = "The user wrote"


@pytest.fixture
def no_parser(server: MiniMaxServer) -> MiniMaxServer:
    server.set_dialect("raw_no_parser")
    return server


async def test_function_agent_stream_events_show_thinking_apart(
    no_parser: MiniMaxServer, make_llm: LLMFactory
) -> None:
    agent = FunctionAgent(tools=[add, multiply], llm=make_llm(), streaming=True)
    handler = agent.run("Use add(2, 3), then multiply the result by 4.")
    thinking: list[str] = []
    deltas: list[str] = []
    results: list[str] = []
    async for event in handler.stream_events():
        if isinstance(event, AgentStream):
            assert REASONING_MARK not in event.delta
            deltas.append(event.delta)
            thinking.append(event.thinking_delta or "")
        elif isinstance(event, ToolCallResult):
            results.append(event.tool_name)
    output = await handler
    assert results == ["add", "multiply"]
    assert str(output) == "The result of add is 5. The result of multiply is 20."
    assert REASONING_MARK not in "".join(deltas)
    assert "".join(thinking).count(REASONING_MARK) == 3  # one per model call
    last = no_parser.requests[-1].body["messages"]
    assert replayed_reasoning(last[1]) and replayed_reasoning(last[3])


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_stream_chat_deltas_are_the_answer_only(
    no_parser: MiniMaxServer, make_llm: LLMFactory, mode: str
) -> None:
    llm = make_llm()
    messages = [ChatMessage(role="user", content="Hello")]
    if mode == "stream":
        chunks = list(llm.stream_chat(messages))
    else:
        chunks = [chunk async for chunk in await llm.astream_chat(messages)]
    text = "".join(chunk.delta or "" for chunk in chunks)
    thinking = "".join(chunk.additional_kwargs.get("thinking_delta", "") for chunk in chunks)
    final = chunks[-1].message
    assert text == final.content == "Hello! How can I help you today?"
    assert thinking.startswith(REASONING_MARK)
    blocks = [b for b in final.blocks if isinstance(b, ThinkingBlock)]
    assert blocks and blocks[0].content == thinking
    invoked = llm.chat(messages).message
    assert invoked.content == final.content
    assert [b.content for b in invoked.blocks if isinstance(b, ThinkingBlock)] == [thinking]


@pytest.mark.parametrize("streamed", [False, True], ids=["invoked", "streamed"])
def test_a_tool_call_whose_reasoning_was_stripped_is_still_a_call(
    server: MiniMaxServer, make_llm: LLMFactory, streamed: bool
) -> None:
    stripped.enqueue_stripped_tool_call(server)
    llm = make_llm()
    messages = [ChatMessage(role="user", content="Save it.")]
    response = list(llm.stream_chat(messages))[-1] if streamed else llm.chat(messages)
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [(stripped.NAME, stripped.ARGUMENTS)]
    assert not response.message.content
    assert not [b for b in response.message.blocks if isinstance(b, ThinkingBlock) and b.content]
