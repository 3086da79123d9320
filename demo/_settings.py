"""Where the demo sends its requests: the MiniMax API, or the bundled local server."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    model: str
    api_key: str
    base_url: str
    offline: bool
    """True when talking to the bundled local server (scripted answers)."""
    reasoning_effort: str | None = None
    """`--reasoning-effort`, for the models that take one (M4, M3.1-Flash)."""
