"""Fixtures of the LlamaIndex tests: the local MiniMax server and LLMs pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from llamaindex_minimax import MiniMax
from minimax_server import MiniMaxServer

LLMFactory = Callable[..., MiniMax]


@pytest.fixture
def server(minimax_server: MiniMaxServer) -> MiniMaxServer:
    """The strict server, reset for this test."""
    return minimax_server


@pytest.fixture
async def make_llm(server: MiniMaxServer) -> AsyncIterator[LLMFactory]:
    """`make_llm(**settings)`: a `MiniMax` talking to the local server, closed afterwards."""
    made: list[MiniMax] = []

    def make(**settings: Any) -> MiniMax:
        settings.setdefault("max_retries", 0)
        made.append(MiniMax(base_url=server.base_url, api_key=server.api_key, **settings))
        return made[-1]

    yield make
    for llm in made:
        await llm.aclose()
