"""`ChatMiniMax` and the model catalog: limits, reasoning effort, refusals, unknown ids, warnings."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from pydantic import BaseModel

from langchain_minimax import ChatMiniMax
from minimax_core import EFFORT_LEVELS, MODELS, MiniMaxWarning, RequestValidationError
from minimax_server import MiniMaxServer

from .._model_cases import (
    EFFORT_MODELS,
    UNKNOWN_IDS,
)

MakeLLM = Callable[..., ChatMiniMax]


def _chat_requests(server: MiniMaxServer) -> list[dict]:
    return [r.body for r in server.requests if r.path.endswith("/chat/completions")]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_catalog_model_has_its_limits(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, name: str
) -> None:
    info = MODELS[name]
    profile = make_llm(model=name).profile
    assert profile is not None
    assert profile.get("max_input_tokens") == info.context_window
    assert profile.get("max_output_tokens") == info.max_output_tokens
    assert profile["image_inputs"] is info.image_input
    if info.effort_levels:
        assert profile["reasoning_effort_levels"] == list(info.effort_levels)
        assert profile["reasoning_effort_default"] == "max"
    else:
        assert "reasoning_effort_levels" not in profile
    limit = info.max_output_tokens
    # The largest the model takes goes out as asked; one more is refused before the network.
    make_llm(model=name, max_tokens=limit or 10**7).invoke("Hi")
    assert _chat_requests(minimax_server)[-1]["max_completion_tokens"] == (limit or 10**7)
    if limit is not None:
        sent = len(minimax_server.requests)
        with pytest.raises(RequestValidationError, match=f"from 1 to {limit} for {name}"):
            make_llm(model=name, max_tokens=limit + 1).invoke("Hi")
        with pytest.raises(RequestValidationError, match=f"from 1 to {limit}"):
            make_llm(model=name).invoke("Hi", max_tokens=limit + 1)
        assert len(minimax_server.requests) == sent


def test_the_issue_cases() -> None:
    """The reports of issue 20: M4's real limit, its profile, and the default model."""
    assert ChatMiniMax(model="MiniMax-M4", max_tokens=250_000).max_tokens == 250_000
    profile = ChatMiniMax(model="MiniMax-M4").profile
    assert profile is not None and profile["max_output_tokens"] == 262_144
    assert profile["max_input_tokens"] == 1_000_000
    assert ChatMiniMax().model_name == "MiniMax-M3"


@pytest.mark.parametrize("name", EFFORT_MODELS)
@pytest.mark.parametrize("effort", EFFORT_LEVELS)
def test_each_effort_level_is_sent_as_set_and_per_call(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, name: str, effort: str
) -> None:
    msg = make_llm(model=name, reasoning_effort=effort).invoke("Hi")
    assert _chat_requests(minimax_server)[-1]["reasoning_effort"] == effort
    assert f"Reasoning effort: {effort}." in msg.additional_kwargs["reasoning_content"]
    other = "low" if effort != "low" else "max"
    streamed = list(
        make_llm(model=name, reasoning_effort=other).stream("Hi", reasoning_effort=effort)
    )
    assert _chat_requests(minimax_server)[-1]["reasoning_effort"] == effort
    reasoning = "".join(c.additional_kwargs.get("reasoning_content", "") for c in streamed)
    assert f"Reasoning effort: {effort}." in reasoning


def test_unset_effort_is_not_sent_and_the_model_thinks_at_max(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    msg = make_llm(model="MiniMax-M4").invoke("Hi")
    assert "reasoning_effort" not in _chat_requests(minimax_server)[-1]
    assert "Reasoning effort: max." in msg.additional_kwargs["reasoning_content"]
    low = make_llm(model="MiniMax-M4").invoke("Hi", reasoning_effort="low")
    assert low.usage_metadata is not None and msg.usage_metadata is not None
    assert low.usage_metadata["output_tokens"] < msg.usage_metadata["output_tokens"]


@pytest.mark.parametrize("name", UNKNOWN_IDS)
def test_an_unknown_model_id_is_sent_as_written(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, name: str
) -> None:
    minimax_server.any_model = True
    llm = make_llm(model=name, max_tokens=3_000_000, reasoning_effort="turbo", thinking=False)
    if "/MiniMax-" not in name:  # a Hugging Face id shares its model's profile
        assert llm.profile is None  # no limits invented for it
    llm.invoke("Hi")
    body = _chat_requests(minimax_server)[-1]
    assert body["model"] == name
    assert body["max_completion_tokens"] == 3_000_000
    assert body["reasoning_effort"] == "turbo"
    assert body["thinking"] == {"type": "disabled"}


def test_the_always_thinking_family_rule_applies_to_unknown_m4_ids(make_llm: MakeLLM) -> None:
    with pytest.raises(RequestValidationError, match="MiniMax-M4-highspeed always thinks"):
        make_llm(model="MiniMax-M4-highspeed", thinking=False)
    with pytest.raises(RequestValidationError, match=r"MiniMax-M3\.1-Flash-Lite always thinks"):
        make_llm(model="MiniMax-M3.1-Flash-Lite", thinking=False)
    # No effort check for them: their levels are not known.
    assert make_llm(model="MiniMax-M4-highspeed", reasoning_effort="ultra").reasoning_effort


def test_a_per_call_model_is_checked_as_its_own(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    with pytest.raises(RequestValidationError, match="MiniMax-M4 always thinks"):
        make_llm(thinking=False).invoke("Hi", model="MiniMax-M4")
    with pytest.raises(RequestValidationError, match="MiniMax-M3 has no reasoning effort"):
        make_llm(model="MiniMax-M4", reasoning_effort="low").invoke("Hi", model="MiniMax-M3")
    assert not minimax_server.requests


@pytest.mark.parametrize("stream", [False, True])
def test_a_turn_whose_thinking_used_the_budget_warns(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, stream: bool
) -> None:
    llm = make_llm(model="MiniMax-M4", max_tokens=8)
    with pytest.warns(MiniMaxWarning, match=r"whole output budget thinking.*raise max_tokens"):
        if stream:
            chunks = list(llm.stream("Hi"))
            msg = chunks[0]
            for chunk in chunks[1:]:
                msg += chunk
        else:
            msg = llm.invoke("Hi")
    assert msg.content == ""
    assert msg.additional_kwargs["reasoning_content"]
    assert msg.response_metadata["finish_reason"] == "length"


def test_an_answer_cut_short_with_text_does_not_warn(make_llm: MakeLLM) -> None:
    llm = make_llm(model="MiniMax-M4", max_tokens=120)  # room for the reasoning, not the answer
    with warnings.catch_warnings():
        warnings.simplefilter("error", MiniMaxWarning)
        msg = llm.invoke("Tell me a long story about a lighthouse keeper and the sea.")
    assert msg.content and msg.response_metadata["finish_reason"] == "length"


def test_parameters_m31_flash_ignores_warn_and_are_still_sent(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return city

    llm = make_llm(model="MiniMax-M3.1-Flash", stop=["END"])
    bound = llm.bind_tools([get_weather], tool_choice="any", parallel_tool_calls=False)
    with pytest.warns(MiniMaxWarning) as caught:
        bound.invoke("What is the weather in Paris?")
    said = sorted(str(w.message) for w in caught)
    assert len(said) == 3
    for name in ("parallel_tool_calls=False", "stop=['END']", "tool_choice='required'"):
        assert any(name in text and "MiniMax-M3.1-Flash" in text for text in said), name
    body = _chat_requests(minimax_server)[-1]
    assert body["stop"] == ["END"] and body["parallel_tool_calls"] is False
    assert body["tool_choice"] == "required"
    with warnings.catch_warnings():
        warnings.simplefilter("error", MiniMaxWarning)
        make_llm(model="MiniMax-M3.1-Flash").bind_tools([get_weather]).invoke("Hi")
        make_llm(model="MiniMax-M4", stop=["END"]).invoke("Hi")  # M4 has no such note


def test_structured_output_uses_json_schema_where_tool_choice_is_not_honoured(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    class City(BaseModel):
        name: str

    with warnings.catch_warnings():
        warnings.simplefilter("error", MiniMaxWarning)
        flash = make_llm(model="MiniMax-M3.1-Flash").with_structured_output(City)
        assert isinstance(flash.invoke("Name a city."), City)
    body = _chat_requests(minimax_server)[-1]
    assert body["response_format"]["type"] == "json_schema" and "tool_choice" not in body
    profile = make_llm(model="MiniMax-M3.1-Flash").profile
    assert profile is not None and profile["structured_output"] and not profile["tool_choice"]
    assert isinstance(make_llm(model="MiniMax-M4").with_structured_output(City).invoke("x"), City)
    assert _chat_requests(minimax_server)[-1]["tool_choice"]["function"]["name"] == "City"
