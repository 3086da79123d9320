"""The LlamaIndex adapter's equivalent of LangChain's standard suite, against the live endpoint.

Invoke, stream (sync and async), completion, tool calling (auto and forced), a tool-result
history, structured output and usage: each answer checked against what its raw bytes said.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from minimax_core.recording import Exchange
from tests.guarantees import assert_llamaindex_response, view_of

from ._chain import assert_chain_kept, content_type

LLM = Callable[..., Any]


def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"Sunny, 18 °C in {city}"


def _view(wire: list[Exchange]) -> Any:
    last = wire[-1]
    assert last.status == 200, last.body[:300]
    return view_of(content_type(last), last.body)


def _messages(text: str) -> list[Any]:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role="user", content=text)]


def test_chat(make_llm: LLM, wire: list[Exchange]) -> None:
    response = make_llm().chat(_messages("Why is the sky blue? One sentence."))
    assert response.message.content
    assert_llamaindex_response(response, _view(wire))


async def test_achat(make_llm: LLM, wire: list[Exchange]) -> None:
    response = await make_llm().achat(_messages("Name a prime number below 10."))
    assert response.message.content
    assert_llamaindex_response(response, _view(wire))


def test_stream_chat(make_llm: LLM, wire: list[Exchange]) -> None:
    chunks = list(make_llm().stream_chat(_messages("Count from 1 to 5.")))
    text = "".join(c.delta or "" for c in chunks)
    thinking = "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks)
    last = chunks[-1]
    assert text.strip() and last.message.content == text
    view = _view(wire)
    assert_llamaindex_response(last, view)
    if view.reasoning_location != "none":
        assert thinking.strip()


async def test_astream_chat(make_llm: LLM, wire: list[Exchange]) -> None:
    chunks = [c async for c in await make_llm().astream_chat(_messages("Say hello."))]
    assert "".join(c.delta or "" for c in chunks).strip()
    assert_llamaindex_response(chunks[-1], _view(wire))


def test_complete(make_llm: LLM) -> None:
    response = make_llm().complete("Complete this: the capital of France is")
    assert response.text.strip()
    assert "<think>" not in response.text


def test_tool_call(make_llm: LLM, wire: list[Exchange]) -> None:
    from llama_index.core.tools import FunctionTool

    llm = make_llm()
    tool = FunctionTool.from_defaults(get_weather)
    response = llm.chat_with_tools([tool], user_msg="What is the weather in Paris?")
    calls = llm.get_tool_calls_from_response(response)
    assert [c.tool_name for c in calls][:1] == ["get_weather"]
    assert isinstance(calls[0].tool_kwargs, dict) and calls[0].tool_kwargs
    assert_llamaindex_response(response, _view(wire), tool_names={"get_weather"})


def test_tool_call_forced(make_llm: LLM, wire: list[Exchange]) -> None:
    from llama_index.core.tools import FunctionTool

    llm = make_llm()
    tool = FunctionTool.from_defaults(get_weather)
    response = llm.chat_with_tools(
        [tool], user_msg="I am going to Oslo. What is the weather there?", tool_required=True
    )
    calls = llm.get_tool_calls_from_response(response)
    assert calls and calls[0].tool_name == "get_weather"
    assert_llamaindex_response(response, _view(wire), tool_names={"get_weather"})


def test_tool_call_streamed(make_llm: LLM, wire: list[Exchange]) -> None:
    from llama_index.core.tools import FunctionTool

    llm = make_llm()
    tool = FunctionTool.from_defaults(get_weather)
    chunks = list(llm.stream_chat_with_tools([tool], user_msg="What is the weather in Rome?"))
    calls = llm.get_tool_calls_from_response(chunks[-1])
    assert calls and calls[0].tool_name == "get_weather"
    assert_llamaindex_response(chunks[-1], _view(wire), tool_names={"get_weather"})


def test_tool_result_history(make_llm: LLM, wire: list[Exchange]) -> None:
    """A tool call, its result, and the answer: the call's turn goes back with its reasoning."""
    from llama_index.core.llms import ChatMessage
    from llama_index.core.tools import FunctionTool

    llm = make_llm()
    tool = FunctionTool.from_defaults(get_weather)
    history = _messages("What is the weather in Paris?")
    first = llm.chat_with_tools([tool], chat_history=history)
    history.append(first.message)
    for call in llm.get_tool_calls_from_response(first):
        history.append(
            ChatMessage(
                role="tool",
                content=get_weather(**call.tool_kwargs),
                additional_kwargs={"tool_call_id": call.tool_id},
            )
        )
    second = llm.chat_with_tools([tool], chat_history=history)
    assert second.message.content or second.message.blocks
    assert_llamaindex_response(second, _view(wire), tool_names={"get_weather"})
    assert assert_chain_kept(wire) == 1


class Capital(BaseModel):
    """A country and its capital city."""

    country: str
    capital: str


def test_structured_predict(make_llm: LLM) -> None:
    from llama_index.core.prompts import PromptTemplate

    result = make_llm().structured_predict(
        Capital, PromptTemplate("What is the capital of {country}?"), country="France"
    )
    assert isinstance(result, Capital) and result.capital


async def test_structured_llm(make_llm: LLM) -> None:
    structured = make_llm().as_structured_llm(Capital)
    response = await structured.achat(_messages("What is the capital of Italy?"))
    assert isinstance(response.raw, Capital) and response.raw.capital
