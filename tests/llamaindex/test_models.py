"""`MiniMax` and the model catalog: metadata, reasoning effort, refusals, unknown ids, warnings."""

from __future__ import annotations

import warnings

import pytest
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW
from llama_index.core.tools import FunctionTool

from llamaindex_minimax import MiniMax
from minimax_core import EFFORT_LEVELS, MODELS, MiniMaxWarning, RequestValidationError
from minimax_server import MiniMaxServer

from .._model_cases import (
    EFFORT_MODELS,
    UNKNOWN_IDS,
)
from .conftest import LLMFactory

HI = [ChatMessage(role="user", content="Hi")]


def _thinking(message: ChatMessage) -> str:
    return "".join(b.content or "" for b in message.blocks if isinstance(b, ThinkingBlock))


@pytest.mark.parametrize("name", sorted(MODELS))
async def test_each_catalog_model_has_its_limits(
    make_llm: LLMFactory, server: MiniMaxServer, name: str
) -> None:
    info = MODELS[name]
    llm = make_llm(model=name)
    assert llm.metadata.context_window == info.context_window
    expected = info.recommended_output_tokens or info.max_output_tokens
    if expected is not None:
        assert llm.metadata.num_output == expected
    limit = info.max_output_tokens
    llm.chat(HI, max_tokens=limit or 10**7)
    assert server.requests[-1].body["max_completion_tokens"] == (limit or 10**7)
    if limit is not None:
        sent = len(server.requests)
        with pytest.raises(RequestValidationError, match=f"from 1 to {limit} for {name}"):
            make_llm(model=name, max_tokens=limit + 1).chat(HI)
        with pytest.raises(RequestValidationError, match=f"from 1 to {limit}"):
            await llm.achat(HI, max_tokens=limit + 1)
        assert len(server.requests) == sent


def test_the_issue_cases() -> None:
    metadata = MiniMax(model="MiniMax-M4", api_key="k").metadata
    assert (metadata.context_window, metadata.num_output) == (1_000_000, 262_144)
    assert MiniMax(model="MiniMax-M4", api_key="k", reasoning_effort="low").reasoning_effort
    assert MiniMax(api_key="k").model == "MiniMax-M3"


@pytest.mark.parametrize("name", EFFORT_MODELS)
@pytest.mark.parametrize("effort", EFFORT_LEVELS)
async def test_each_effort_level_is_sent_as_set_and_per_call(
    make_llm: LLMFactory, server: MiniMaxServer, name: str, effort: str
) -> None:
    reply = make_llm(model=name, reasoning_effort=effort).chat(HI)
    assert server.requests[-1].body["reasoning_effort"] == effort
    assert f"Reasoning effort: {effort}." in _thinking(reply.message)
    other = "low" if effort != "low" else "max"
    stream = await make_llm(model=name, reasoning_effort=other).astream_chat(
        HI, reasoning_effort=effort
    )
    last = [response async for response in stream][-1]
    assert f"Reasoning effort: {effort}." in _thinking(last.message)
    assert server.requests[-1].body["reasoning_effort"] == effort


def test_unset_effort_is_not_sent_and_the_model_thinks_at_max(
    make_llm: LLMFactory, server: MiniMaxServer
) -> None:
    reply = make_llm(model="MiniMax-M3.1-Flash").chat(HI)
    assert "reasoning_effort" not in server.requests[-1].body
    assert "Reasoning effort: max." in _thinking(reply.message)
    completion = make_llm(model="MiniMax-M3.1-Flash").complete("Hi", reasoning_effort="low")
    assert "Reasoning effort: low." in completion.additional_kwargs["thinking_delta"]


@pytest.mark.parametrize("name", UNKNOWN_IDS)
def test_an_unknown_model_id_is_sent_as_written(
    make_llm: LLMFactory, server: MiniMaxServer, name: str
) -> None:
    server.any_model = True
    llm = make_llm(model=name, max_tokens=3_000_000, reasoning_effort="turbo", thinking=False)
    # LlamaIndex's own default, not a figure made up for the model; `context_window=` sets it.
    assert llm.metadata.context_window == DEFAULT_CONTEXT_WINDOW
    assert make_llm(model=name, context_window=2_000_000).metadata.context_window == 2_000_000
    llm.chat(HI)
    body = server.requests[-1].body
    assert body["model"] == name and body["max_completion_tokens"] == 3_000_000
    assert body["reasoning_effort"] == "turbo" and body["thinking"] == {"type": "disabled"}


@pytest.mark.parametrize("stream", [False, True])
async def test_a_turn_whose_thinking_used_the_budget_warns(
    make_llm: LLMFactory, stream: bool
) -> None:
    llm = make_llm(model="MiniMax-M4", max_tokens=8)
    with pytest.warns(MiniMaxWarning, match=r"whole output budget thinking.*reasoning_effort"):
        if stream:
            response = [r async for r in await llm.astream_chat(HI)][-1]
        else:
            response = llm.chat(HI)
    assert response.message.content == ""
    assert _thinking(response.message)
    assert response.message.additional_kwargs["finish_reason"] == "length"
    assert response.raw is not None and response.raw["finish_reason"] == "length"


def test_parameters_m31_flash_ignores_warn_but_the_agent_default_does_not(
    make_llm: LLMFactory, server: MiniMaxServer
) -> None:
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    tool = FunctionTool.from_defaults(add)
    llm = make_llm(model="MiniMax-M3.1-Flash")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MiniMaxWarning)
        llm.chat_with_tools([tool], user_msg="Use add(2, 3).")  # one call at a time: a default
    assert "parallel_tool_calls" not in server.requests[-1].body
    with pytest.warns(MiniMaxWarning) as caught:
        llm.chat_with_tools([tool], user_msg="Use add(2, 3).", tool_required=True)
        llm.chat(HI, stop=["END"])
    said = [str(w.message) for w in caught]
    assert any("tool_choice='required'" in text and "MiniMax-M3.1-Flash" in text for text in said)
    assert any("stop=['END']" in text for text in said)
    assert server.requests[-1].body["stop"] == ["END"]
    # A model that honours it still gets the framework's one-call request.
    make_llm(model="MiniMax-M4").chat_with_tools([tool], user_msg="Use add(2, 3).")
    assert server.requests[-1].body["parallel_tool_calls"] is False
