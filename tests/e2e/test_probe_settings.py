"""The settings `minimax-probe` recommends keep the reasoning chain in both adapters.

`tests/core/test_probe.py` tests the probe itself (framework-free); this runs its advice through
LangChain and LlamaIndex on every dialect of the strict local server, which refuses any turn
sent back without its reasoning.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain.agents import create_agent
from llama_index.core.llms import ChatMessage
from llama_index.core.tools import FunctionTool

from langchain_minimax import ChatMiniMax
from llamaindex_minimax import MiniMax
from minimax_core.probe import probe
from minimax_server import DIALECTS, MiniMaxServer


@pytest.fixture
def server(
    minimax_server: MiniMaxServer, request: pytest.FixtureRequest
) -> Iterator[MiniMaxServer]:
    """The strict session server, switched to the test's dialect."""
    minimax_server.set_dialect(request.param)
    yield minimax_server
    minimax_server.set_dialect("minimax")


@pytest.mark.parametrize("server", list(DIALECTS), indirect=True)
def test_recommended_settings_keep_the_chain_in_both_adapters(server: MiniMaxServer) -> None:
    """The strict server refuses any turn sent back without its reasoning."""
    settings = probe(base_url=server.base_url, model="MiniMax-M2.7", api_key="test-key").settings

    def get_weather(city: str) -> str:
        """The current weather in a city."""
        return f"Sunny in {city}"

    llm = ChatMiniMax(api_key=server.api_key, **settings)
    result = create_agent(llm, tools=[get_weather]).invoke(
        {"messages": [("user", "What is the weather in Paris?")]}
    )
    assert "Sunny in Paris" in result["messages"][-1].text

    li = MiniMax(api_key=server.api_key, **settings)
    tool = FunctionTool.from_defaults(get_weather)
    history = [ChatMessage(role="user", content="What is the weather in Rome?")]
    first = li.chat_with_tools([tool], chat_history=history)
    [call] = li.get_tool_calls_from_response(first)
    history += [
        first.message,
        ChatMessage(
            role="tool",
            content=get_weather(**call.tool_kwargs),
            additional_kwargs={"tool_call_id": call.tool_id},
        ),
    ]
    assert "Sunny in Rome" in (
        li.chat_with_tools([tool], chat_history=history).message.content or ""
    )


def test_the_fix_for_lost_parallel_calls_keeps_both_in_both_adapters(
    minimax_server: MiniMaxServer,
) -> None:
    """The probe's fix for llama.cpp (`--skip-chat-parsing`, `think_prefill=True`) means raw
    output starting inside the reasoning, tool calls as XML: the local server's
    `raw_no_parser` dialect. Both calls of one block arrive in both adapters."""
    from minimax_core.probe import LLAMA_CPP_FIX, TWO_CALLS_QUESTION

    minimax_server.set_dialect("raw_no_parser")
    try:
        settings = {
            **probe(
                base_url=minimax_server.base_url, model="MiniMax-M2.7", api_key="test-key"
            ).settings,
            **LLAMA_CPP_FIX["settings"],
        }

        def get_weather(city: str) -> str:
            """The current weather in a city."""
            return f"Sunny in {city}"

        llm = ChatMiniMax(api_key=minimax_server.api_key, **settings).bind_tools([get_weather])
        message = llm.invoke(TWO_CALLS_QUESTION)
        assert sorted(c["args"]["city"] for c in message.tool_calls) == ["Paris", "Rome"]
        assert "<minimax:" not in message.text and message.additional_kwargs["reasoning_content"]

        li = MiniMax(api_key=minimax_server.api_key, **settings)
        response = li.chat_with_tools(
            [FunctionTool.from_defaults(get_weather)],
            user_msg=TWO_CALLS_QUESTION,
            allow_parallel_tool_calls=True,
        )
        calls = li.get_tool_calls_from_response(response)
        assert sorted(c.tool_kwargs["city"] for c in calls) == ["Paris", "Rome"]
    finally:
        minimax_server.set_dialect("minimax")
