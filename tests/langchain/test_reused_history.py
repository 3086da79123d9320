"""A history reused call after call, as agents do: every call sends the messages as they are now."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_minimax import ChatMiniMax
from minimax_server import MiniMaxServer

MakeLLM = Callable[..., ChatMiniMax]


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"Sunny in {city}"


def _sent(server: MiniMaxServer) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = server.requests[-1].body["messages"]
    return messages


@pytest.mark.parametrize("streamed", [False, True], ids=["invoked", "streamed"])
def test_an_edited_message_in_a_reused_history_is_sent_as_edited(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, streamed: bool
) -> None:
    minimax_server.strict = False  # the edits below change turns the server produced
    model = make_llm().bind_tools([get_weather])

    def send(history: list[BaseMessage]) -> list[dict[str, Any]]:
        if streamed:
            for _chunk in model.stream(history):
                pass
        else:
            model.invoke(history)
        return _sent(minimax_server)

    asked = model.invoke([HumanMessage("What is the weather in Paris? Use get_weather.")])
    assert isinstance(asked, AIMessage) and asked.tool_calls
    assert asked.additional_kwargs["reasoning_details"]
    history: list[BaseMessage] = [
        HumanMessage("What is the weather in Paris? Use get_weather."),
        asked,
        ToolMessage("sunny", tool_call_id=asked.tool_calls[0]["id"]),
    ]
    before = send(history)
    assert json.loads(before[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}

    # Edited in place, the way a caller or a middleware would: nothing in the objects' identity
    # changes, so a conversion kept from the previous call would be stale.
    history[0].content = "What is the weather in Rome? Use get_weather."
    asked.tool_calls[0]["args"]["city"] = "Rome"
    asked.additional_kwargs["reasoning_details"][0]["text"] = "Edited reasoning."
    asked.content = "Checking Rome."
    history[2].content = "rainy"
    after = send(history)
    assert after[0]["content"] == "What is the weather in Rome? Use get_weather."
    assert json.loads(after[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Rome"}
    assert after[1]["reasoning_details"][0]["text"] == "Edited reasoning."
    assert after[1]["content"] == "Checking Rome."
    assert after[2]["content"] == "rainy"

    # A message replaced by another at the same place, and an edit undone.
    history[2] = ToolMessage("foggy", tool_call_id=asked.tool_calls[0]["id"])
    asked.tool_calls[0]["args"]["city"] = "Paris"
    again = send(history)
    assert again[2]["content"] == "foggy"
    assert json.loads(again[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert again[1]["reasoning_details"][0]["text"] == "Edited reasoning."
