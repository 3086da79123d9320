"""Constructor keywords users bring from `OpenAILike` and `llama-index-llms-minimax`.

`api_base=` means `base_url=`, as it does there; `context_window=`, `is_chat_model=` and
`is_function_calling_model=` are fields of `MiniMax` with the same meaning. `OpenAILike` options
with no MiniMax meaning are refused with what to do instead, and so is any other unknown
keyword: LlamaIndex models would otherwise drop it without a word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minimax_core import RequestValidationError

__all__ = ["NO_MEANING", "pick_base_url", "refuse_unknown"]

NO_MEANING: Mapping[str, str] = {
    "api_version": "an Azure API version has no meaning for MiniMax",
    "reuse_client": "clients are always pooled, one per event loop, and closed with it",
    "logprobs": "MiniMax returns no log probabilities",
    "top_logprobs": "MiniMax returns no log probabilities",
    "strict": "MiniMax's tool schema has no `strict` field, so strict tools cannot be honoured",
    "tokenizer": "MiniMax's tokenizer is not public; token counts come from the server's usage",
    "should_use_structured_outputs": "use as_structured_llm() or a tool-calling program",
    "modalities": "MiniMax chat answers are text",
    "audio_config": "MiniMax chat answers are text",
}
"""OpenAILike keywords refused outright, with the reason."""


def pick_base_url(base_url: str | None, api_base: str | None) -> str | None:
    """`base_url`, or OpenAILike's spelling `api_base`; both given and different is refused."""
    if api_base is None:
        return base_url
    if base_url is not None and base_url.rstrip("/") != api_base.rstrip("/"):
        raise RequestValidationError(
            f"MiniMax got base_url={base_url!r} and api_base={api_base!r}; pass only one "
            "(api_base is OpenAILike's name for base_url)"
        )
    return api_base


def refuse_unknown(kwargs: Mapping[str, Any], field_names: set[str]) -> None:
    """Raise for keywords `MiniMax` does not know, naming each and what to do instead."""
    for name in kwargs:
        if name in NO_MEANING:
            raise RequestValidationError(f"MiniMax does not take {name}=: {NO_MEANING[name]}")
        if name not in field_names:
            raise RequestValidationError(
                f"MiniMax got an unexpected keyword argument {name!r}; request fields MiniMax "
                "understands go in additional_kwargs={...}"
            )
