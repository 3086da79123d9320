"""The models the local server serves, and what MiniMax does with each one's settings.

The server imports nothing from the client, so it keeps its own table; the figures are the
ones `minimax_core.models` cites (the test suite checks that the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EFFORT_LEVELS", "KNOWN_MODELS", "SERVED", "ServedModel", "served"]

EFFORT_LEVELS: tuple[str, ...] = ("low", "medium", "high", "xhigh", "max")


@dataclass(frozen=True)
class ServedModel:
    """One model: output limit, media input, thinking switch, effort levels."""

    name: str
    max_output: int | None
    """The largest `max_completion_tokens` accepted (`None`: not checked)."""
    media: bool
    thinking_off: str
    """`honoured` (M3), `ignored` (M2.x), `refused` (M4, M3.1-Flash: HTTP 400, code 2013)."""
    effort_levels: tuple[str, ...] = ()
    default_effort: str | None = None
    """The effort used when a request sends none (`max` on the always-thinking models)."""


def _m2(name: str) -> ServedModel:
    return ServedModel(name, 204_800, False, "ignored")


def _always_thinking(name: str, max_output: int | None) -> ServedModel:
    return ServedModel(name, max_output, True, "refused", EFFORT_LEVELS, "max")


SERVED: dict[str, ServedModel] = {
    model.name: model
    for model in (
        _always_thinking("MiniMax-M4", 262_144),
        _always_thinking("MiniMax-M3.1-Flash", 524_288),
        _always_thinking("MiniMax-M3.1-Flash-Preview", None),
        ServedModel("MiniMax-M3", 524_288, True, "honoured"),
        _m2("MiniMax-M2.7"),
        _m2("MiniMax-M2.7-highspeed"),
        _m2("MiniMax-M2.5"),
        _m2("MiniMax-M2.5-highspeed"),
        _m2("MiniMax-M2.1"),
        _m2("MiniMax-M2.1-highspeed"),
        _m2("MiniMax-M2"),
        _m2("MiniMax-M2-Stable"),
    )
}

KNOWN_MODELS: tuple[str, ...] = tuple(SERVED)
"""Every model id `GET /v1/models` lists and the `minimax` dialect accepts."""


def served(model: str) -> ServedModel:
    """The entry for `model`; a name the table lacks (self-hosted dialects) is read by family.

    M3-named models take media and can stop thinking; M4- and M3.1-Flash-named ones take media
    and think at `max` unless told otherwise; anything else is treated like M2. Refusals
    (thinking off, effort levels, output limits) are MiniMax's, so they apply to its ids only.
    """
    found = SERVED.get(model)
    if found is not None:
        return found
    lower = model.lower()
    if "m4" in lower or "m3.1-flash" in lower:
        return ServedModel(model, None, True, "ignored", EFFORT_LEVELS, "max")
    if "m3" in lower:
        return ServedModel(model, None, True, "honoured")
    return ServedModel(model, None, False, "ignored")
