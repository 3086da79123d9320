"""Model profiles (`ChatMiniMax.profile`), derived from the core's model catalog.

The catalog in `minimax_core.models` is the one source of limits and capabilities; this module
only reshapes it into LangChain's `ModelProfile` keys, so the two cannot drift apart.
"""

from __future__ import annotations

from langchain_core.language_models import ModelProfile

from minimax_core import MODELS, ModelInfo

__all__ = ["model_profile"]


def _profile(info: ModelInfo) -> ModelProfile:
    return ModelProfile(
        name=info.name,
        max_input_tokens=info.context_window,
        max_output_tokens=info.max_output_tokens,
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


_PROFILES: dict[str, ModelProfile] = {name.lower(): _profile(info) for name, info in MODELS.items()}


def model_profile(model: str) -> ModelProfile | None:
    """The profile of a catalog model, or `None` for a name the catalog does not know.

    Self-hosted servers often use the Hugging Face id (`MiniMaxAI/MiniMax-M2.5`), so an
    organisation prefix is ignored. Unknown models get no profile rather than a guess that
    callers (summarisation middleware, for one) would trust as fact.
    """
    found = _PROFILES.get(model.rsplit("/", 1)[-1].lower())
    return ModelProfile(**found) if found is not None else None
