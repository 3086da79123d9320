"""The reasoning-replay contract: what of an assistant turn must go back to MiniMax, and how.

MiniMax's reasoning models expect each earlier assistant turn of a conversation back with its
reasoning exactly as they produced it; a turn sent back without it, or altered, degrades
multi-step tool use (and a strict server refuses it). `Completion.replay` holds what must go
back, and this module is the one place that knows its shape:

- `REPLAY_FIELDS`: the reasoning fields a dialect sends, `reasoning_details` (MiniMax with
  `reasoning_split`), `reasoning_content` (SGLang, DeepSeek-style servers) or `reasoning` (vLLM);
  `REPLAY_KEYS` adds `content`, the raw content when it differs from the clean answer (an
  inline `<think>` block).
- `build_replay`: the replay of a finished answer (used by the accumulator);
  `template_reasoning_content` takes the newline the model wrote before `</think>` (and one
  after `<think>`) off a `reasoning_content` field, since the template writes them itself.
- `assistant_message`: the assistant turn rebuilt for the wire from its text, calls and replay.
- `is_replay`: whether some data (a LlamaIndex ThinkingBlock's extras, a LangChain message's
  kwargs) is replay data, so other providers' reasoning is never sent to MiniMax.
- `new_tool_call_id`: the id given to a tool call that arrived without one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from ._reasoning import split_content

__all__ = [
    "REPLAY_FIELDS",
    "REPLAY_KEYS",
    "assistant_message",
    "build_replay",
    "is_replay",
    "new_tool_call_id",
    "template_reasoning_content",
]

REPLAY_FIELDS = ("reasoning_details", "reasoning_content", "reasoning")
"""The reasoning fields of an assistant turn, in the order one is preferred over the next."""

REPLAY_KEYS = frozenset({*REPLAY_FIELDS, "content"})
"""Every key `Completion.replay` can hold."""


def build_replay(
    *,
    reasoning_details: Sequence[Mapping[str, Any]] = (),
    reasoning_content: str = "",
    reasoning: str = "",
    raw_content: str,
    answer: str,
    tool_xml: Sequence[str] = (),
) -> dict[str, Any]:
    """The replay of a finished answer.

    One reasoning field is kept, the first present of `REPLAY_FIELDS` (the server sent one
    form); `reasoning_content` as `template_reasoning_content` gives it. The raw content is kept
    when it differs from the clean answer, once any raw `<minimax:tool_call>` blocks
    (`tool_xml`) are taken out: the calls go back as `tool_calls`.
    """
    replay: dict[str, Any] = {}
    if reasoning_details:
        replay["reasoning_details"] = list(reasoning_details)
    elif template_reasoning_content(reasoning_content):
        replay["reasoning_content"] = template_reasoning_content(reasoning_content)
    elif reasoning:
        replay["reasoning"] = reasoning
    for block in tool_xml:
        raw_content = raw_content.replace(block, "", 1)
    if raw_content != answer:
        replay["content"] = raw_content
    return replay


def template_reasoning_content(reasoning: str) -> str:
    """A `reasoning_content` field as it must go back: without one edge newline on each side.

    The MiniMax-M2 chat template renders a replayed `reasoning_content` as `<think>\\n` + it +
    `\\n</think>`: those two newlines are the ones the model wrote around its reasoning.
    llama.cpp (`--jinja`) keeps the one before `</think>` in the field, so sent back verbatim
    the model would see one newline more than it wrote; `tests/engine` checks the rendered
    prompt byte for byte. Only this field is changed: `reasoning_details` is MiniMax's own, and
    inline content is split by the template itself (which strips the newlines).
    """
    if reasoning.startswith("\n"):
        reasoning = reasoning[1:]
    if reasoning.endswith("\n"):
        reasoning = reasoning[:-1]
    return reasoning


def assistant_message(
    text: str | None,
    tool_calls: Sequence[Mapping[str, Any]] = (),
    replay: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The assistant turn to send back, with its reasoning exactly as the server gave it.

    `replay` is `Completion.replay`. Its raw `content` (an inline `<think>` block and all) is sent
    only while the answer text is unchanged; if a caller edited the text, the edit wins.
    """
    return owned_assistant_message(text, [dict(call) for call in tool_calls], replay)


def owned_assistant_message(
    text: str | None,
    tool_calls: list[dict[str, Any]],
    replay: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`assistant_message` for call dicts made for this message alone: they are not copied.

    The adapters build each call's wire dict afresh for every request; copying it again would
    only cost time on every assistant turn of a long history.
    """
    answer = text or ""
    message: dict[str, Any] = {"role": "assistant", "content": answer}
    if replay:
        raw = replay.get("content")
        if isinstance(raw, str) and _answer_unchanged(raw, answer):
            message["content"] = raw
        for field in REPLAY_FIELDS:
            if field in replay:
                message[field] = replay[field]
    if tool_calls:
        message["tool_calls"] = tool_calls
    return message


def is_replay(data: Any) -> TypeGuard[Mapping[str, Any]]:
    """Whether `data` is replay data: a non-empty mapping whose keys are all `REPLAY_KEYS`.

    Other providers leave their reasoning extras empty or put their own keys there (Anthropic's
    `signature`); such data is not MiniMax's and must never be sent to it.
    """
    # `None` and plain dicts, the usual cases, are answered without the costly `Mapping` ABC
    # check: it runs for every assistant turn of a history.
    if data is None or (type(data) is not dict and not isinstance(data, Mapping)):
        return False
    return bool(data) and data.keys() <= REPLAY_KEYS


def new_tool_call_id(stable_key: str | None = None) -> str:
    """An id, in OpenAI's `call_...` form, for a tool call that came without one.

    Fresh each time, or, given a `stable_key`, the same for the same key: a call rebuilt for
    every request of a conversation then keeps one id, and the request stays byte-identical
    (which MiniMax's prompt cache relies on).
    """
    if stable_key is None:
        return f"call_{secrets.token_hex(12)}"
    return f"call_{hashlib.sha256(stable_key.encode()).hexdigest()[:24]}"


def _answer_unchanged(raw: str, answer: str) -> bool:
    """Whether `answer` is still the answer the server's raw `content` gave.

    The answer was split out in the request's prefill mode, which the turn does not record;
    an answer any mode gives is unchanged (an edit gives none of them).
    """
    return any(split_content(raw, mode)[0] == answer for mode in ("maybe", "always", "never"))
