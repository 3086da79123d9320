"""Pytest fixtures for the local server: `pytest_plugins = ["minimax_server.pytest_plugin"]`.

- `minimax_server_session`: one strict server (api_key `"test-key"`) for the whole session.
- `minimax_server`: the same server, `reset()` before each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._lifecycle import MiniMaxServer

__all__ = ["minimax_server", "minimax_server_session"]


@pytest.fixture(scope="session")
def minimax_server_session() -> Iterator[MiniMaxServer]:
    """A strict MiniMax-compatible server shared by the session."""
    with MiniMaxServer(api_key="test-key", strict=True) as server:
        yield server


@pytest.fixture
def minimax_server(minimax_server_session: MiniMaxServer) -> Iterator[MiniMaxServer]:
    """The session's server, reset (requests, faults, replies, memory, settings) for this test."""
    minimax_server_session.reset()
    yield minimax_server_session
