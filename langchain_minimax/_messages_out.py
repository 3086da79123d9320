"""LangChain messages → MiniMax wire messages (the outbound direction).

Assistant turns are rebuilt with `minimax_core.assistant_message`, so the reasoning goes back
exactly as the server gave it. Which turns get their reasoning back:

- the message's `response_metadata["model_provider"]` is `"minimax"`, or
- it names no provider at all (a message restored from a dict or an older checkpoint loses
  `response_metadata` but keeps `additional_kwargs`), and it carries our keys
  (`reasoning_details`, `minimax_replay`).

A message from any other provider never sends reasoning: its thinking (Anthropic `thinking`
blocks, DeepSeek's `reasoning_content`, v1 `reasoning` blocks) is dropped, its text and tool
calls are kept. `additional_kwargs["reasoning_content"]` is display text and is never sent:
whatever must go back is in the two keys above.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from minimax_core import RequestValidationError, safe_arguments
from minimax_core.adapter_kit import (
    FILE_URL_SCHEME,
    arguments_json,
    data_url,
    file_url,
    guess_media_type,
    media_part,
    text_or_parts,
    tool_call_wire,
)
from minimax_core.replay import is_replay, owned_assistant_message

from ._messages_in import PROVIDER, REPLAY_KEY

__all__ = [
    "content_parts",
    "message_to_wire",
    "messages_to_wire",
    "replay_of",
]

_DETAILS_KEY = "reasoning_details"
_CHAT_ROLES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "tool": "tool",
}
# Options MiniMax-M3 reads on image parts (`detail`, `max_long_side_pixel`) and video parts
# (also `fps`, 0.2 to 5 frames a second).
_IMAGE_OPTIONS = ("detail", "max_long_side_pixel")
_VIDEO_OPTIONS = ("detail", "fps", "max_long_side_pixel")
# Blocks that carry no text for MiniMax: other providers' reasoning and tool-call blocks
# (tool calls travel in `tool_calls`), and citations/annotations.
_SKIPPED_BLOCKS = frozenset(
    {
        "reasoning",
        "thinking",
        "redacted_thinking",
        "reasoning_content",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "tool_use",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_result",
        "server_tool_use",
        "web_search_tool_result",
        "non_standard",
    }
)


def messages_to_wire(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """The `messages` array for MiniMax; inputs are not modified."""
    return [message_to_wire(message, position) for position, message in enumerate(messages)]


def message_to_wire(message: BaseMessage, position: int = 0) -> dict[str, Any]:
    """One wire message; `position` only names the message in errors."""
    # The exact class first: `isinstance` on a pydantic class goes through `ABCMeta` and costs
    # more than converting a tool result, and a long history holds hundreds of messages.
    convert = _BY_CLASS.get(type(message))
    if convert is not None:
        return convert(message, position)
    if isinstance(message, AIMessage):
        return _assistant(message)
    if isinstance(message, HumanMessage):
        return _user(message, position)
    if isinstance(message, SystemMessage):
        return _system(message, position)
    if isinstance(message, ToolMessage):
        return _tool(message, position)
    if isinstance(message, ChatMessage):
        role = _CHAT_ROLES.get(message.role.lower())
        if role is None:
            raise RequestValidationError(
                f"messages[{position}] is a ChatMessage with role {message.role!r}; MiniMax "
                f"takes only {sorted(set(_CHAT_ROLES.values()))}"
            )
        if role == "assistant":
            return _assistant(
                AIMessage(
                    content=message.content,
                    additional_kwargs=message.additional_kwargs,
                    response_metadata=message.response_metadata,
                )
            )
        if role == "tool":
            raise RequestValidationError(
                f"messages[{position}] is a ChatMessage with role 'tool'; use ToolMessage, "
                "which carries the tool_call_id MiniMax needs"
            )
        content = (
            content_parts(message.content, position)
            if role == "user"
            else _text_only(message, position)
        )
        return {"role": role, "content": content}
    if isinstance(message, FunctionMessage):
        raise RequestValidationError(
            f"messages[{position}] is a FunctionMessage (legacy function calling), which MiniMax "
            "does not support; use tools and ToolMessage"
        )
    raise RequestValidationError(
        f"messages[{position}] has unsupported type {type(message).__name__}"
    )


def _named(wire: dict[str, Any], message: BaseMessage) -> dict[str, Any]:
    if message.name:
        wire["name"] = message.name
    return wire


def _user(message: BaseMessage, position: int) -> dict[str, Any]:
    return _named({"role": "user", "content": content_parts(message.content, position)}, message)


def _system(message: BaseMessage, position: int) -> dict[str, Any]:
    return _named({"role": "system", "content": _text_only(message, position)}, message)


def _tool(message: ToolMessage, position: int) -> dict[str, Any]:
    return {
        "role": "tool",
        "tool_call_id": message.tool_call_id,
        "content": _tool_content(message.content, position),
    }


# --- assistant turns -------------------------------------------------------------------------


def replay_of(message: AIMessage) -> dict[str, Any] | None:
    """The replay fields to send back with this turn, or `None` (see the module docstring)."""
    provider = message.response_metadata.get("model_provider")
    if provider is not None and provider != PROVIDER:
        return None
    kwargs = message.additional_kwargs
    replay: dict[str, Any] = {}
    rest = kwargs.get(REPLAY_KEY)
    if is_replay(rest):
        replay.update(rest)
    details = kwargs.get(_DETAILS_KEY)
    if isinstance(details, list) and details:
        replay[_DETAILS_KEY] = details
    return replay or None


def _assistant(message: AIMessage, position: int = 0) -> dict[str, Any]:
    content, invalid = message.content, message.invalid_tool_calls
    calls: list[dict[str, Any]] = [
        tool_call_wire(call.get("id"), call["name"], arguments_json(call["args"]))
        for call in message.tool_calls
    ]
    if not calls and not invalid:
        calls = _calls_from_content(content)
    for bad in invalid:
        # An invalid call stays in history (a ToolMessage may answer its id), but with
        # arguments MiniMax accepts: it refuses the whole request over bad JSON (2013).
        if bad.get("id"):
            calls.append(
                tool_call_wire(
                    bad["id"], bad.get("name") or "", safe_arguments(bad.get("args") or "")
                )
            )
    text = content if isinstance(content, str) else _assistant_text(content)
    return owned_assistant_message(text, calls, replay_of(message))


def _calls_from_content(content: str | list[str | dict[Any, Any]]) -> list[dict[str, Any]]:
    """Tool calls that live only in list content (Anthropic `tool_use`, v1 `tool_call`)."""
    if isinstance(content, str):
        return []
    calls = []
    for block in content:
        if not isinstance(block, dict) or block.get("type") not in ("tool_use", "tool_call"):
            continue
        args = block.get("input", block.get("args"))
        if isinstance(args, dict) and block.get("id") and block.get("name"):
            calls.append(tool_call_wire(block["id"], block["name"], arguments_json(args)))
    return calls


def _assistant_text(content: str | list[str | dict[Any, Any]]) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            texts.append(str(block.get("text") or ""))
    return "".join(texts)


_BY_CLASS: dict[type[BaseMessage], Callable[[Any, int], dict[str, Any]]] = {
    AIMessage: _assistant,
    HumanMessage: _user,
    SystemMessage: _system,
    ToolMessage: _tool,
}
"""The converter of each message class, for exactly that class (subclasses take the
`isinstance` path, in the same order)."""


# --- user, system and tool content -----------------------------------------------------------


def content_parts(
    content: str | list[str | dict[Any, Any]], position: int = 0
) -> str | list[dict[str, Any]]:
    """User content: a string, or MiniMax parts when there are images or video.

    Text-only lists become one string (joined by newlines), which every MiniMax model and
    self-hosted server accepts; media become `image_url` / `video_url` parts, and
    `minimax_core.build_request` then checks the model can take them.
    """
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    media = False
    for block in content:
        part = _part(block, position)
        if part is None:
            continue
        media = media or part["type"] != "text"
        parts.append(part)
    return text_or_parts(parts, media=media)


def _part(block: str | dict[Any, Any], position: int) -> dict[str, Any] | None:
    if isinstance(block, str):
        return {"type": "text", "text": block}
    kind = block.get("type")
    if kind == "text":
        return {"type": "text", "text": str(block.get("text") or "")}
    if kind in ("image_url", "video_url"):
        return _openai_media(block, kind, position)
    if kind in ("image", "video"):
        return _standard_media(block, kind, position)
    if kind == "file":
        media = _file_media(block)
        if media is not None:
            return _standard_media(block, media, position)
    if kind in _SKIPPED_BLOCKS:
        return None
    if kind in ("audio", "input_audio", "file", "text-plain", "document"):
        raise RequestValidationError(
            f"messages[{position}] has a {kind!r} block; MiniMax takes text, images and video only"
        )
    raise RequestValidationError(
        f"messages[{position}] has a content block of unsupported type {kind!r}"
    )


def _openai_media(block: Mapping[str, Any], kind: str, position: int) -> dict[str, Any]:
    value = block.get(kind)
    spec = dict(value) if isinstance(value, Mapping) else {"url": value}
    if not isinstance(spec.get("url"), str) or not spec["url"]:
        raise RequestValidationError(f"messages[{position}] has an {kind!r} part with no url")
    return media_part(kind.removesuffix("_url"), spec)


def _standard_media(block: Mapping[str, Any], kind: str, position: int) -> dict[str, Any]:
    """A LangChain image/video block (v1, or v0 with `source_type`, or Anthropic `source`)."""
    url = _media_url(block, kind)
    if url is None:
        raise RequestValidationError(
            f"messages[{position}] has a {kind!r} block with no url, base64 data or file id"
        )
    spec: dict[str, Any] = {"url": url}
    extras = block.get("extras")
    for option in _IMAGE_OPTIONS if kind == "image" else _VIDEO_OPTIONS:
        value = block.get(option)
        if value is None and isinstance(extras, Mapping):
            value = extras.get(option)
        if value is not None:
            spec[option] = value
    return media_part(kind, spec)


def _file_media(block: Mapping[str, Any]) -> str | None:
    """What a `file` block holds for MiniMax: `image`, `video`, or None (a document).

    Its MIME type decides; without one, a Files API reference (`file_id`, `mm_file://`) is a
    video, the only kind MiniMax's Files API stores for chat (`video_understanding`).
    """
    mime = block.get("mime_type")
    if isinstance(mime, str) and mime.split("/")[0] in ("image", "video"):
        return mime.split("/")[0]
    if mime:
        return None
    url = block.get("url")
    if block.get("file_id") or block.get("source_type") == "id":
        return "video"
    if isinstance(url, str) and url.startswith(FILE_URL_SCHEME):
        return "video"
    return None


def _media_url(block: Mapping[str, Any], kind: str) -> str | None:
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic: {"type": "base64"|"url", ...}
        if source.get("type") == "url" and source.get("url"):
            return str(source["url"])
        if source.get("type") == "base64" and source.get("data"):
            return _data_url(source.get("media_type"), kind, str(source["data"]))
        return None
    source_type = block.get("source_type")  # LangChain v0
    if source_type == "url" and block.get("url"):
        return str(block["url"])
    if source_type == "base64" and block.get("data"):
        return _data_url(block.get("mime_type"), kind, str(block["data"]))
    if source_type == "id" and block.get("id"):
        return file_url(str(block["id"]))
    if block.get("url"):  # LangChain v1
        return str(block["url"])
    if block.get("base64"):
        return _data_url(block.get("mime_type"), kind, str(block["base64"]))
    if block.get("file_id"):
        return file_url(str(block["file_id"]))
    return None


def _data_url(mime_type: Any, kind: str, data: str) -> str:
    """A base64 data URL; without a MIME type, the type is read from the data's first bytes."""
    if data.startswith("data:"):
        return data
    mime = mime_type if isinstance(mime_type, str) and mime_type else guess_media_type(data, kind)
    return data_url(mime or f"{kind}/*", data)


def _text_only(message: BaseMessage, position: int) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    texts = []
    for block in content:
        part = _part(block, position)
        if part is None:
            continue
        if part["type"] != "text":
            raise RequestValidationError(
                f"messages[{position}] is a {message.type} message with media; MiniMax takes "
                "images and video only in user messages"
            )
        texts.append(part["text"])
    return "\n".join(texts)


def _tool_content(
    content: str | list[str | dict[Any, Any]], position: int
) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    media = False
    for block in content:
        if isinstance(block, dict) and block.get("type") not in (
            "text",
            "image",
            "video",
            "image_url",
            "video_url",
            *_SKIPPED_BLOCKS,
        ):
            # Tools may return arbitrary JSON; the model reads it as text.
            parts.append({"type": "text", "text": json.dumps(block, ensure_ascii=False)})
            continue
        part = _part(block, position)
        if part is None:
            continue
        media = media or part["type"] != "text"
        parts.append(part)
    return text_or_parts(parts, media=media)
