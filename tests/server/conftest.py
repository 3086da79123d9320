"""Fixtures of the server tests: the project's plugin fixtures plus an httpx client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from minimax_server import MiniMaxServer

from ._helpers import AUTH


@pytest.fixture
def server(minimax_server: MiniMaxServer) -> MiniMaxServer:
    return minimax_server


@pytest.fixture
def client(server: MiniMaxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=AUTH, timeout=10) as c:
        yield c
