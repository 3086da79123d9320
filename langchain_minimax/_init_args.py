"""Constructor keywords users bring from `ChatOpenAI` and `ChatDeepSeek`, mapped or refused.

People switching to `ChatMiniMax` keep their habits: `openai_api_key=`, `api_base=`,
`request_timeout=`. Each such spelling means here what it meant there (`ALIASES`). Settings
that have no MiniMax meaning (an OpenAI organization, a proxy, an Azure API version) are refused,
as is any other keyword whose name says it holds a credential: none of them may end up in a
request body. Every other unknown keyword follows LangChain's convention (a warning, then the
request body via `model_kwargs`), so MiniMax parameters this class has no field for still work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minimax_core import RequestValidationError
from minimax_core.adapter_kit import looks_secret

__all__ = ["ALIASES", "REFUSED", "REQUEST_FIELDS", "normalize_init_args"]

ALIASES: Mapping[str, str] = {
    "openai_api_key": "api_key",  # ChatOpenAI
    "minimax_api_key": "api_key",  # langchain-community's MiniMaxChat
    "openai_api_base": "base_url",  # ChatOpenAI
    "api_base": "base_url",  # ChatDeepSeek
    "request_timeout": "timeout",  # ChatOpenAI, ChatDeepSeek
}
"""Other libraries' spelling -> this class's field."""

_SDK_CLIENT = "an OpenAI SDK client has no use here; pass your own httpx client as http_client="
_RESPONSES_API = "MiniMax has no Responses API; ChatMiniMax speaks chat completions"
_NO_LOGPROBS = "MiniMax returns no log probabilities"

REFUSED: Mapping[str, str] = {
    "organization": "an OpenAI organization has no meaning for MiniMax",
    "openai_organization": "an OpenAI organization has no meaning for MiniMax",
    "openai_proxy": "pass your own httpx client with a proxy as http_client=",
    "api_version": "an Azure API version has no meaning for MiniMax",
    "openai_api_version": "an Azure API version has no meaning for MiniMax",
    "minimax_group_id": "MiniMax's OpenAI-compatible API needs no group id",
    # ChatOpenAI's constructor keywords with no MiniMax meaning (langchain-openai 1.8).
    "client": _SDK_CLIENT,
    "async_client": _SDK_CLIENT,
    "root_client": _SDK_CLIENT,
    "root_async_client": _SDK_CLIENT,
    "presence_penalty": "MiniMax documents presence_penalty as ignored",
    "frequency_penalty": "MiniMax documents frequency_penalty as ignored",
    "logit_bias": "MiniMax documents logit_bias as ignored",
    "seed": "MiniMax documents no seed, so answers cannot be made repeatable with one",
    "logprobs": _NO_LOGPROBS,
    "top_logprobs": _NO_LOGPROBS,
    "reasoning": "use reasoning_effort= (MiniMax-M4, MiniMax-M3.1-Flash) or thinking=",
    "verbosity": "MiniMax has no verbosity control; ask for brevity in the prompt",
    "tiktoken_model_name": "MiniMax's tokenizer is not tiktoken's; token counts are approximate",
    "context_management": _RESPONSES_API,
    "include": _RESPONSES_API,
    "prompt_cache_options": "MiniMax documents no prompt-cache options for chat completions",
    "store": _RESPONSES_API,
    "truncation": _RESPONSES_API,
    "use_previous_response_id": _RESPONSES_API,
    "use_responses_api": _RESPONSES_API,
}
"""Keywords refused outright, with what to do instead."""

REQUEST_FIELDS: Mapping[str, str] = {
    "n": "checked by build_request: MiniMax returns one choice, so only n=1 passes (not sent)",
    "service_tier": "MiniMax's own service_tier ('standard' or 'priority'), via model_kwargs",
}
"""ChatOpenAI keywords that are MiniMax request fields too: they go to `model_kwargs` (with
LangChain's warning) and are checked there like a named setting."""


def normalize_init_args(values: dict[str, Any], field_names: set[str]) -> dict[str, Any]:
    """`values` with aliases renamed to their field; refused keywords raise.

    Keywords that are neither fields nor aliases are left in place for LangChain's
    `model_kwargs` handling, unless their name marks them as a credential.
    """
    out = dict(values)
    for alias, field in ALIASES.items():
        if alias not in out:
            continue
        if field in out and out[field] is not None:
            raise RequestValidationError(
                f"ChatMiniMax got both {field}= and {alias}=; pass only {field}="
            )
        out[field] = out.pop(alias)
    for name in out:
        if name in REFUSED:
            raise RequestValidationError(f"ChatMiniMax does not take {name}=: {REFUSED[name]}")
    extra = [name for name in out if name not in field_names]
    extra += list(out.get("model_kwargs") or {})
    for name in extra:
        if looks_secret(name):
            raise RequestValidationError(
                f"ChatMiniMax does not take {name}=, which looks like a credential, and will "
                "not send it to MiniMax; pass the MiniMax key as api_key= or set MINIMAX_API_KEY"
            )
    return out
