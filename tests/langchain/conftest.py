"""Fixtures for the LangChain adapter tests: the local MiniMax server and models pointed at it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from langchain_minimax import ChatMiniMax
from minimax_server import MiniMaxServer


@pytest.fixture
def make_llm(minimax_server: MiniMaxServer) -> Callable[..., ChatMiniMax]:
    """A factory of `ChatMiniMax` instances talking to the local server."""

    def make(**kwargs: Any) -> ChatMiniMax:
        options: dict[str, Any] = {
            "base_url": minimax_server.base_url,
            "api_key": minimax_server.api_key,
            "max_retries": 0,
        }
        options.update(kwargs)
        return ChatMiniMax(**options)

    return make
