"""The MiniMax model catalog: limits and capabilities, from MiniMax's own model table."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_MODEL", "MODELS", "ModelInfo", "approximate_tokens", "model_info"]

DEFAULT_MODEL = "MiniMax-M2.7"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What one model accepts and produces."""

    name: str
    context_window: int
    max_output_tokens: int
    """The largest `max_completion_tokens` the API accepts."""
    recommended_output_tokens: int
    can_disable_thinking: bool
    image_input: bool
    video_input: bool
    default_top_p: float
    known: bool = True
    """False for a name not in the catalog (a new or self-hosted model): limits are guesses."""


def _m2(name: str) -> ModelInfo:
    return ModelInfo(name, 204_800, 204_800, 65_536, False, False, False, 0.9)


MODELS: dict[str, ModelInfo] = {
    info.name: info
    for info in (
        ModelInfo("MiniMax-M3", 1_000_000, 524_288, 131_072, True, True, True, 0.95),
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

_LOWER = {name.lower(): info for name, info in MODELS.items()}


def model_info(name: str) -> ModelInfo:
    """The catalog entry for `name` (case-insensitive), or a conservative guess for others.

    Unknown names are not rejected: self-hosted servers use their own names, and MiniMax ships
    new models. The guess takes the smaller M2 limits and assumes thinking is always on; image
    and video input are allowed, since only the server knows what it can take.
    """
    found = _LOWER.get(name.lower())
    if found is not None:
        return found
    m3_like = name.lower().startswith("minimax-m3")
    return ModelInfo(
        name,
        context_window=204_800,
        max_output_tokens=204_800,
        recommended_output_tokens=65_536,
        can_disable_thinking=m3_like,
        image_input=True,
        video_input=True,
        default_top_p=0.95 if m3_like else 0.9,
        known=False,
    )


def approximate_tokens(text: str) -> int:
    """A rough token count for `text`, made offline: MiniMax's tokenizer is not published.

    About four characters per token for alphabetic scripts, one per character for CJK and
    other wide scripts. Good enough to trim a history or budget a prompt; the exact count of
    a request is in the usage MiniMax returns with every answer.
    """
    wide = sum(1 for char in text if ord(char) >= 0x2E80)
    return wide + -(-(len(text) - wide) // 4)
