"""A history reused call after call, as agents do: every call sends the messages as they are now."""

from __future__ import annotations

import json
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    MessageRole,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from llamaindex_minimax import MiniMax
from minimax_server import MiniMaxServer

from .conftest import LLMFactory


def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"Sunny in {city}"


def _sent(server: MiniMaxServer) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = server.requests[-1].body["messages"]
    return messages


def _send(llm: MiniMax, history: list[ChatMessage], streamed: bool) -> None:
    tools = [FunctionTool.from_defaults(fn=get_weather)]
    if streamed:
        for _response in llm.stream_chat_with_tools(tools, chat_history=history):
            pass
    else:
        llm.chat_with_tools(tools, chat_history=history)


@pytest.mark.parametrize("streamed", [False, True], ids=["invoked", "streamed"])
def test_an_edited_message_in_a_reused_history_is_sent_as_edited(
    make_llm: LLMFactory, server: MiniMaxServer, streamed: bool
) -> None:
    server.strict = False  # the edits below change turns the server produced
    llm = make_llm()
    question = ChatMessage(
        role=MessageRole.USER, content="What is the weather in Paris? Use get_weather."
    )
    asked = llm.chat_with_tools(
        [FunctionTool.from_defaults(fn=get_weather)], chat_history=[question]
    )
    call = llm.get_tool_calls_from_response(asked)[0]
    turn = asked.message
    result = ChatMessage(
        role=MessageRole.TOOL, content="sunny", additional_kwargs={"tool_call_id": call.tool_id}
    )
    history = [question, turn, result]
    _send(llm, history, streamed)
    before = _sent(server)
    assert json.loads(before[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert before[1]["reasoning_details"]

    # Edited in place: nothing in the objects' identity changes, so a conversion kept from the
    # previous call would be stale.
    question.content = "What is the weather in Rome? Use get_weather."
    thinking = next(b for b in turn.blocks if isinstance(b, ThinkingBlock))
    thinking.additional_information["reasoning_details"][0]["text"] = "Edited reasoning."
    tool_call = next(b for b in turn.blocks if isinstance(b, ToolCallBlock))
    tool_call.tool_kwargs = {"city": "Rome"}
    result.content = "rainy"
    _send(llm, history, streamed)
    after = _sent(server)
    assert after[0]["content"] == "What is the weather in Rome? Use get_weather."
    assert json.loads(after[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Rome"}
    assert after[1]["reasoning_details"][0]["text"] == "Edited reasoning."
    assert after[2]["content"] == "rainy"

    # A message replaced by another at the same place, and an edit undone in place.
    history[2] = ChatMessage(
        role=MessageRole.TOOL, content="foggy", additional_kwargs={"tool_call_id": call.tool_id}
    )
    assert isinstance(tool_call.tool_kwargs, dict)
    tool_call.tool_kwargs["city"] = "Paris"
    _send(llm, history, streamed)
    again = _sent(server)
    assert again[2]["content"] == "foggy"
    assert json.loads(again[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert again[1]["reasoning_details"][0]["text"] == "Edited reasoning."
