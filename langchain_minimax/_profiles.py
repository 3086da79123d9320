"""Model profiles (`ChatMiniMax.profile`), derived from the core's model catalog.

The catalog in `minimax_core.models` is the one source of limits and capabilities; this module
only reshapes it into LangChain's `ModelProfile` keys, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import get_type_hints

from langchain_core.language_models import ModelProfile

from minimax_core import MODELS, ModelInfo

__all__ = ["model_profile"]


_PROFILE_KEYS = frozenset(get_type_hints(ModelProfile))


def _profile(info: ModelInfo) -> ModelProfile:
    profile = ModelProfile(
        name=info.name,
        text_inputs=True,
        text_outputs=True,
        image_inputs=info.image_input,
        image_url_inputs=info.image_input,
        video_inputs=info.video_input,
        audio_inputs=False,
        pdf_inputs=False,
        reasoning_output=True,
        tool_calling=True,
        tool_choice=True,
        tool_call_streaming=True,
        # System messages are sent where they sit in the history, never hoisted.
        mid_conversation_system_messages=True,
        temperature=True,
    )
    # Keys with no source stay out: a profile is read as fact.
    if info.context_window is not None:
        profile["max_input_tokens"] = info.context_window
    if info.max_output_tokens is not None:
        profile["max_output_tokens"] = info.max_output_tokens
    if "tool_choice" in info.ignores:
        profile["tool_choice"] = False
    # Keys newer than the oldest langchain-core we support are set only where it has them.
    newer = {
        "reasoning_effort_levels": list(info.effort_levels) if info.effort_levels else None,
        "reasoning_effort_default": info.default_effort,
        "structured_output": True if info.json_schema_output else None,
        # MiniMax's chat completions answer in text only, and take no PDF anywhere.
        "image_outputs": False,
        "audio_outputs": False,
        "video_outputs": False,
        "pdf_tool_message": False,
        "status": "deprecated" if info.replaced_by else "active",
    }
    for key, value in newer.items():
        if value is not None and key in _PROFILE_KEYS:
            profile[key] = value  # type: ignore[literal-required]
    return profile


_PROFILES: dict[str, ModelProfile] = {name.lower(): _profile(info) for name, info in MODELS.items()}


def model_profile(model: str) -> ModelProfile | None:
    """The profile of a catalog model, or `None` for a name the catalog does not know.

    Self-hosted servers often use the Hugging Face id (`MiniMaxAI/MiniMax-M2.5`), so an
    organisation prefix is ignored. Unknown models get no profile rather than a guess that
    callers (summarisation middleware, for one) would trust as fact.
    """
    found = _PROFILES.get(model.rsplit("/", 1)[-1].lower())
    return ModelProfile(**found) if found is not None else None
