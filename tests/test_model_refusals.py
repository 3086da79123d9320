"""What the catalog refuses, in both adapters alike: when the model is made, and per call.

The refusals come from the core (`minimax_core._request`); each adapter must reach them on
both paths, and nothing may reach the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_minimax import ChatMiniMax
from llamaindex_minimax import MiniMax
from minimax_core import RequestValidationError
from minimax_server import MiniMaxServer

from ._model_cases import (
    ALWAYS_THINKING,
    EFFORT_MODELS,
    LEVELS,
    NO_EFFORT_MODELS,
    THINKING_OFF,
    UNDOCUMENTED_LEVELS,
)

Make = Callable[..., Any]
Call = Callable[[Any, dict[str, Any]], Any]


def _langchain_call(llm: ChatMiniMax, options: dict[str, Any]) -> Any:
    return llm.invoke("Hi", **options)


def _llamaindex_call(llm: MiniMax, options: dict[str, Any]) -> Any:
    return llm.chat([ChatMessage(role="user", content="Hi")], **options)


ADAPTERS: dict[str, tuple[type, Call]] = {
    "langchain": (ChatMiniMax, _langchain_call),
    "llamaindex": (MiniMax, _llamaindex_call),
}


@pytest.fixture(params=list(ADAPTERS))
def adapter(
    request: pytest.FixtureRequest, minimax_server: MiniMaxServer
) -> tuple[Make, Call, MiniMaxServer]:
    cls, call = ADAPTERS[request.param]

    def make(**settings: Any) -> Any:
        return cls(base_url=minimax_server.base_url, api_key=minimax_server.api_key, **settings)

    return make, call, minimax_server


@pytest.mark.parametrize("name", ALWAYS_THINKING)
@pytest.mark.parametrize("off", THINKING_OFF)
def test_thinking_off_is_refused_for_models_that_always_think(
    adapter: tuple[Make, Call, MiniMaxServer], name: str, off: object
) -> None:
    make, call, server = adapter
    with pytest.raises(RequestValidationError, match=r'always thinks.*reasoning_effort="low"'):
        make(model=name, thinking=off)
    with pytest.raises(RequestValidationError, match="code 2013"):
        call(make(model=name), {"thinking": off})
    assert not server.requests
    call(make(model=name, thinking=True), {})  # on is fine (sent as adaptive)


@pytest.mark.parametrize("name", EFFORT_MODELS)
@pytest.mark.parametrize("effort", [*UNDOCUMENTED_LEVELS, ""])
def test_a_level_the_model_does_not_take_is_refused_naming_the_levels(
    adapter: tuple[Make, Call, MiniMaxServer], name: str, effort: str
) -> None:
    make, call, server = adapter
    with pytest.raises(RequestValidationError, match=f"{name} takes reasoning_effort {LEVELS}"):
        make(model=name, reasoning_effort=effort)
    with pytest.raises(RequestValidationError, match=f"got {effort!r}"):
        call(make(model=name), {"reasoning_effort": effort})
    assert not server.requests


@pytest.mark.parametrize("name", NO_EFFORT_MODELS)
def test_any_effort_is_refused_for_a_model_without_effort_control(
    adapter: tuple[Make, Call, MiniMaxServer], name: str
) -> None:
    make, call, server = adapter
    with pytest.raises(RequestValidationError, match=f"{name} has no reasoning effort control"):
        make(model=name, reasoning_effort="low")
    with pytest.raises(RequestValidationError, match=r"MiniMax-M4 and MiniMax-M3\.1-Flash"):
        call(make(model=name), {"reasoning_effort": "high"})
    assert not server.requests
