"""The MiniMax model catalog: limits and capabilities, as data, each figure with its source.

A model the catalog does not know is never blocked: its request goes out as written, with no
limit the library would have to invent. The one family rule applied to unknown ids is that
`MiniMax-M4*` and `MiniMax-M3.1-Flash*` ids always think (every published member does, and
MiniMax refuses `thinking` disabled on them with code 2013).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "DEFAULT_MODEL",
    "EFFORT_LEVELS",
    "MODELS",
    "ModelInfo",
    "ThinkingOff",
    "approximate_tokens",
    "model_info",
]

DEFAULT_MODEL = "MiniMax-M3"
"""The model used when none is named.

MiniMax-M3 is the newest model MiniMax's own pages list as available on the OpenAI-compatible
endpoint to pay-as-you-go keys, under that exact id (https://platform.minimax.io/docs/api-reference/text-openai-api,
https://platform.minimax.io/docs/guides/text-generation). It honours `tool_choice` and
`thinking`, and has no effort dial that defaults to the most expensive setting. M4 and
M3.1-Flash are in the catalog, but only gateways document them so far; MiniMax-M2.7 is reported
closed to new users (see the M2 entries).
"""

EFFORT_LEVELS: tuple[str, ...] = ("low", "medium", "high", "xhigh", "max")
"""The reasoning-effort levels of MiniMax-M3.1-Flash and MiniMax-M4, least thinking first.

https://platform.minimax.io/docs/guides/text-generation (M3.1-Flash-Preview period) and
https://docs.aimlapi.com/api-references/text-models-llm/minimax/minimax-m3.1-flash; `max` when
the field is left out (same sources, and https://docs.venice.ai/models/minimax-m3-1-flash).
"""

ThinkingOff = Literal["honoured", "ignored", "refused"]
"""What MiniMax does with `thinking: {"type": "disabled"}` for a model."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What one model accepts and produces; `None` where no source gives a figure."""

    name: str
    context_window: int | None
    max_output_tokens: int | None
    """The largest `max_completion_tokens` the API accepts (`None`: not checked)."""
    recommended_output_tokens: int | None
    thinking_off: ThinkingOff | None
    """`None`: not known (an id the catalog does not know)."""
    image_input: bool
    video_input: bool
    default_top_p: float | None
    effort_levels: tuple[str, ...] = ()
    """The `reasoning_effort` values it takes; empty: no effort control."""
    default_effort: str | None = None
    """The level MiniMax uses when the request names none."""
    ignores: frozenset[str] = frozenset()
    """Request parameters documented as not honoured for this model (a warning each)."""
    json_schema_output: bool = False
    """Whether a source documents `response_format` with a JSON schema for this model."""
    replaced_by: str | None = None
    """Set only once a source we trust says MiniMax retired the model: the one to move to."""
    known: bool = True
    """False for an id not in the catalog (a new, self-hosted or gateway model)."""

    @property
    def can_disable_thinking(self) -> bool:
        """Whether `thinking` disabled makes the model answer without thinking."""
        return self.thinking_off == "honoured"

    @property
    def always_thinks(self) -> bool:
        """Whether MiniMax refuses a request that turns thinking off (code 2013)."""
        return self.thinking_off == "refused"


# MiniMax's model table, https://platform.minimax.io/docs/api-reference/text-openai-api
# (context windows, and: "For M2.x models, thinking cannot be disabled; `disabled` is accepted
# but thinking remains on"); output limits from the `max_completion_tokens` field of MiniMax's
# chat-completions reference (M3 at most 524,288, other models 204,800, 65,536 recommended).
def _m2(name: str) -> ModelInfo:
    return ModelInfo(name, 204_800, 204_800, 65_536, "ignored", False, False, 0.9)


# Always-thinking models: `thinking` disabled answers HTTP 400, code 2013 "invalid params,
# model requires adaptive thinking (2013)" (measured by AIHubMix:
# https://dev.to/aihubmix/fixing-requires-adaptive-thinking-2013-when-moving-from-minimax-m27-to-m31-flash-1iif,
# https://qiita.com/AIHubMix/items/3a11ef2c449092568f28). They take every level of
# `EFFORT_LEVELS` and think at `max` when none is sent. No recommended output size is
# published for them, and `top_p` is left to MiniMax.
_ALWAYS_THINKS: ThinkingOff = "refused"


def _always_thinking(
    name: str,
    max_output_tokens: int | None,
    *,
    ignores: frozenset[str] = frozenset(),
    json_schema_output: bool = False,
) -> ModelInfo:
    return ModelInfo(
        name,
        context_window=1_000_000,
        max_output_tokens=max_output_tokens,
        recommended_output_tokens=None,
        thinking_off=_ALWAYS_THINKS,
        image_input=True,
        video_input=True,
        default_top_p=None,
        effort_levels=EFFORT_LEVELS,
        default_effort="max",
        ignores=ignores,
        json_schema_output=json_schema_output,
    )


MODELS: dict[str, ModelInfo] = {
    info.name: info
    for info in (
        # Context 1,000,000 (https://vercel.com/ai-gateway/models/minimax/minimax-m4,
        # https://openrouter.ai/compare/minimax/minimax-m4/mistralai/mistral-large-4-0); output
        # 262,144 (Vercel); text, image and video input (https://runware.ai/docs/models/minimax-m4,
        # OpenRouter; Vercel lists text and image). No MiniMax page on M4 was found yet.
        _always_thinking("MiniMax-M4", 262_144),
        # Context 1,000,000 (https://help.aliyun.com/zh/model-studio/minimax-m3-1-flash,
        # https://docs.sim.ai/models/minimax/minimax-m3-1-flash); output 524,288
        # (https://vercel.com/ai-gateway/models/minimax-m3.1-flash,
        # https://runware.ai/docs/models/minimax-m3-1-flash, Sim); text, image and video (Alibaba,
        # Runware). Alibaba, whose provider is MiniMax itself, documents that `stop` is not
        # honoured, `parallel_tool_calls: false` does not keep calls serial, and only
        # `tool_choice: "auto"` is supported. Sim lists structured outputs as supported.
        _always_thinking(
            "MiniMax-M3.1-Flash",
            524_288,
            ignores=frozenset({"stop", "parallel_tool_calls", "tool_choice"}),
            json_schema_output=True,
        ),
        # Context, input and effort from https://platform.minimax.io/docs/guides/text-generation
        # (the Preview period); no output limit is published, so none is checked. Plan keys only.
        _always_thinking("MiniMax-M3.1-Flash-Preview", None),
        # https://platform.minimax.io/docs/guides/text-generation: context 1,000,000, output
        # 131,072 recommended and 524,288 at most, images and video, `thinking` adaptive or
        # disabled. MiniMax documents no effort for M3 on this endpoint, and one client reports
        # M3 rejects the field (https://github.com/esengine/DeepSeek-Reasonix/issues/3594).
        ModelInfo("MiniMax-M3", 1_000_000, 524_288, 131_072, "honoured", True, True, 0.95),
        # MiniMax-M2.7 and M2.5 are reported closed to new users on 2026-10-19 and retired on
        # 2026-11-18 (AIHubMix, quoting a MiniMax page, link above). MiniMax's own pages found
        # still list them as available, so they are not marked retired here; `minimax-probe`
        # reports it when a key's endpoint no longer answers them.
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
_ALWAYS_THINKING_FAMILIES = ("minimax-m4", "minimax-m3.1-flash")


def model_info(name: str) -> ModelInfo:
    """The catalog entry for `name` (case-insensitive), or what is known of an unknown id.

    Unknown ids are never refused: self-hosted servers and gateways use their own names, and
    MiniMax ships new models. They get no limits (`None`), no effort check, and image and video
    input allowed, since only the server knows what it takes. `MiniMax-M4*` and
    `MiniMax-M3.1-Flash*` ids are known to always think.
    """
    found = _LOWER.get(name.lower())
    if found is not None:
        return found
    lower = name.lower()
    always = lower.startswith(_ALWAYS_THINKING_FAMILIES)
    m3_like = lower.startswith("minimax-m3")
    return ModelInfo(
        name,
        context_window=None,
        max_output_tokens=None,
        recommended_output_tokens=None,
        # Besides the family rule, only the prefill decision reads this: an M3-like id told
        # not to think is taken at its word, as before these models existed.
        thinking_off=_ALWAYS_THINKS if always else ("honoured" if m3_like else None),
        image_input=True,
        video_input=True,
        default_top_p=None,
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


# ChatOpenAI's approximations (langchain-openai's `get_num_tokens_from_messages`): a few tokens
# of framing per message and for the reply, and OpenAI's image figures. MiniMax publishes none.
_PER_MESSAGE = 3
_PER_REPLY = 3
_PER_TOOL_RESULT = 3
_LOW_DETAIL_IMAGE = 85
_IMAGE = 765  # OpenAI's count for a 1024x1024 image at high detail; images are not fetched


def approximate_request_tokens(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] = (),
    count: Callable[[str], int] = approximate_tokens,
) -> int:
    """A rough token count for wire `messages` and `tools`, the way ChatOpenAI approximates.

    Text through `count`; each message, the reply and each tool result add a few tokens of
    framing; tool calls count their name and arguments; each tool its JSON schema; an image
    85 at `detail: "low"`, else 765 (images are not fetched or decoded); a video nothing (no
    published figure). The exact count is in the usage of an answer.
    """
    total = _PER_REPLY
    for message in messages:
        total += _PER_MESSAGE
        for key, value in message.items():
            if key == "tool_call_id":
                total += _PER_TOOL_RESULT
            elif key == "content" and isinstance(value, list):
                total += sum(_part_tokens(part, count) for part in value)
            elif key == "tool_calls" and isinstance(value, list):
                for call in value:
                    function = call.get("function") or {}
                    total += count(str(function.get("name", "")))
                    total += count(str(function.get("arguments", "")))
            elif isinstance(value, str) and value:
                total += count(value)
    for tool in tools:
        total += count(json.dumps(tool, ensure_ascii=False, separators=(",", ":")))
    return total


def _part_tokens(part: Any, count: Callable[[str], int]) -> int:
    if isinstance(part, str):
        return count(part)
    kind = part.get("type") if isinstance(part, Mapping) else None
    if kind == "text":
        return count(str(part.get("text", "")))
    if kind == "image_url":
        image = part.get("image_url")
        low = isinstance(image, Mapping) and image.get("detail") == "low"
        return _LOW_DETAIL_IMAGE if low else _IMAGE
    return 0
