"""Every test runs offline, against the bundled MiniMax-compatible server on 127.0.0.1."""

from __future__ import annotations

import pytest

pytest_plugins = ["minimax_server.pytest_plugin"]

# The live suite needs a key and runs only through `make test-live`, the engine suite only
# through `make test-engine` (each has its own pytest.ini).
collect_ignore = ["live", "engine"]


@pytest.fixture(autouse=True)
def _no_real_minimax(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real key or endpoint must never leak into a test run."""
    monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
    monkeypatch.delenv("MINIMAX_BASE_URL", raising=False)
