"""The catalog and the request checks that read it: pure functions, no server."""

from __future__ import annotations

import dataclasses
import warnings

import pytest

from minimax_core import (
    DEFAULT_MODEL,
    EFFORT_LEVELS,
    MODELS,
    Completion,
    MiniMaxWarning,
    RequestValidationError,
    ToolCall,
    build_request,
    model_info,
)
from minimax_core import models as catalog
from minimax_core._budget import thinking_used_budget
from minimax_core._request import ignored_parameter_warnings

HI = [{"role": "user", "content": "Hi"}]


def test_every_entry_is_whole() -> None:
    assert DEFAULT_MODEL in MODELS
    for name, info in MODELS.items():
        assert info.name == name and info.known
        assert info.context_window is not None
        assert info.thinking_off in ("honoured", "ignored", "refused")
        assert bool(info.effort_levels) == (info.default_effort is not None)
        assert set(info.effort_levels) <= set(EFFORT_LEVELS)
        assert info.replaced_by is None or info.replaced_by in MODELS
        if info.max_output_tokens is not None and info.recommended_output_tokens is not None:
            assert info.recommended_output_tokens <= info.max_output_tokens


@pytest.mark.parametrize(
    ("name", "limit"),
    [("MiniMax-M4", 262_144), ("MiniMax-M3.1-Flash", 524_288), ("MiniMax-M3", 524_288)],
)
def test_the_new_limits(name: str, limit: int) -> None:
    assert build_request(HI, model=name, max_completion_tokens=limit)["max_completion_tokens"]
    with pytest.raises(RequestValidationError, match=f"from 1 to {limit} for {name}"):
        build_request(HI, model=name, max_completion_tokens=limit + 1)


def test_unknown_ids_get_nothing_invented() -> None:
    info = model_info("MiniMax-M5")
    assert not info.known
    assert (info.context_window, info.max_output_tokens, info.effort_levels) == (None, None, ())
    body = build_request(HI, model="MiniMax-M5", max_completion_tokens=10**8, reasoning_effort="x")
    assert body["max_completion_tokens"] == 10**8 and body["reasoning_effort"] == "x"
    with pytest.raises(RequestValidationError, match="at least 1"):
        build_request(HI, model="MiniMax-M5", max_completion_tokens=0)
    assert model_info("minimax-m4-turbo").always_thinks  # the family rule
    assert model_info("MiniMax-M3.1-Flash-Lite").always_thinks
    assert not model_info("MiniMaxAI/MiniMax-M4").always_thinks  # self-hosted: as written


def test_effort_goes_on_the_wire_at_the_top_level() -> None:
    body = build_request(HI, model="MiniMax-M4", reasoning_effort="medium")
    assert body["reasoning_effort"] == "medium"
    assert "reasoning_effort" not in build_request(HI, model="MiniMax-M4")


def test_ignored_parameter_sentences() -> None:
    flash = MODELS["MiniMax-M3.1-Flash"]
    given = {"stop": ["x"], "parallel_tool_calls": False, "tool_choice": "auto"}
    said = ignored_parameter_warnings(flash, given)
    assert len(said) == 2  # "auto" is what it does honour
    assert ignored_parameter_warnings(flash, {"stop": None, "parallel_tool_calls": True}) == []
    assert ignored_parameter_warnings(MODELS["MiniMax-M4"], given) == []


def test_a_retired_model_warns_naming_its_successor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No entry is retired today (no source we trust says so); the rule is checked anyway."""
    retired = dataclasses.replace(MODELS["MiniMax-M2.5"], replaced_by="MiniMax-M3")
    monkeypatch.setitem(catalog._LOWER, "minimax-m2.5", retired)
    with pytest.warns(MiniMaxWarning, match="retired MiniMax-M2.5; move to MiniMax-M3"):
        body = build_request(HI, model="MiniMax-M2.5")
    assert body["model"] == "MiniMax-M2.5"  # warned, never refused
    with warnings.catch_warnings():
        warnings.simplefilter("error", MiniMaxWarning)
        build_request(HI, model="MiniMax-M2.7")


def _completion(text: str, reasoning: str, finish: str | None, calls: int = 0) -> Completion:
    tool_calls = [ToolCall(id=f"c{i}", name="f", arguments="{}", args={}) for i in range(calls)]
    return Completion(None, "MiniMax-M4", text, reasoning, tool_calls, finish, None, {})


def test_thinking_used_budget() -> None:
    assert thinking_used_budget(_completion("", "thinking...", "length"))
    assert not thinking_used_budget(_completion("an answer", "thinking...", "length"))
    assert not thinking_used_budget(_completion("", "", "length"))
    assert not thinking_used_budget(_completion("", "thinking...", "stop"))
    assert not thinking_used_budget(_completion("", "thinking...", "length", calls=1))
