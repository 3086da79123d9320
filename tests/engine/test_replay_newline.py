"""The replay newline: a replayed turn's think block renders exactly as the model wrote it.

The model generated, between `<think>` and `</think>`, the template's pre-filled `\\n`, its
reasoning, and the newline it writes before `</think>`. The MiniMax-M2 template renders a
replayed `reasoning_content` as `<think>\\n` + it + `\\n</think>`, and llama.cpp's reasoning
parser (`--jinja`) returns the reasoning with that last newline kept: sent back verbatim, the
model would see one newline more than it wrote. Checked per mode and client, on the prompt
the engine renders (`/apply-template`) for the request the client actually sent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from minimax_core import MiniMaxClient, build_request
from minimax_core import probe as probe_module
from minimax_core.replay import assistant_message

from ._checks import generated_thinking
from ._engine import Proxy
from .test_transcripts import WEATHER_TOOL

QUESTION = probe_module.WEATHER_QUESTION
RESULT = "sunny, 18 °C"


def _core(proxy: Proxy) -> None:
    with MiniMaxClient(base_url=proxy.base_url, api_key="EMPTY", max_retries=0) as client:
        history: list[dict[str, Any]] = [{"role": "user", "content": QUESTION}]
        first = client.create(build_request(history, model="MiniMax-M2", tools=[WEATHER_TOOL]))
        [call] = first.valid_tool_calls
        history.append(assistant_message(first.text, [call.to_wire()], first.replay))
        history.append({"role": "tool", "tool_call_id": call.id, "content": RESULT})
        client.create(build_request(history, model="MiniMax-M2", tools=[WEATHER_TOOL]))


def _langchain(proxy: Proxy) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage

    from langchain_minimax import ChatMiniMax

    llm = ChatMiniMax(model="MiniMax-M2", base_url=proxy.base_url, api_key="EMPTY")
    model = llm.bind_tools([WEATHER_TOOL])
    history: list[Any] = [HumanMessage(QUESTION)]
    first = model.invoke(history)
    history += [first, ToolMessage(RESULT, tool_call_id=first.tool_calls[0]["id"])]
    model.invoke(history)


def _llamaindex(proxy: Proxy) -> None:
    from llama_index.core.llms import ChatMessage

    from llamaindex_minimax import MiniMax

    llm = MiniMax(model="MiniMax-M2", base_url=proxy.base_url, api_key="EMPTY")
    history = [ChatMessage(role="user", content=QUESTION)]
    first = llm.chat(history, tools=[WEATHER_TOOL])
    [call] = llm.get_tool_calls_from_response(first)
    history += [
        first.message,
        ChatMessage(role="tool", content=RESULT, additional_kwargs={"tool_call_id": call.tool_id}),
    ]
    llm.chat(history, tools=[WEATHER_TOOL])


CLIENTS = {"core": _core, "langchain": _langchain, "llamaindex": _llamaindex}


@pytest.mark.parametrize("client", list(CLIENTS))
def test_the_replayed_think_block_is_what_the_model_generated(engine: Proxy, client: str) -> None:
    CLIENTS[client](engine)
    first, second = engine.chats()
    assert (first.script, second.script) == ("weather_call", "weather_answer")
    generated = generated_thinking("weather_call")
    prompt = engine.engine.apply_template(second.sent)
    assert prompt.count(f"<think>{generated}</think>") == 1, prompt[-700:]
    if engine.mode == "jinja":
        # The engine's reasoning field keeps the newline before `</think>` ...
        message = json.loads(first.body)["choices"][0]["message"]
        assert message["reasoning_content"] == generated[1:]
        # ... and the turn goes back without it, the template adding its own.
        [sent] = [m for m in second.sent["messages"] if m["role"] == "assistant"]
        assert sent["reasoning_content"] == generated[1:-1]
