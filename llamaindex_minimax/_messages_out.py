"""LlamaIndex objects → MiniMax wire dicts.

- `messages_to_wire(messages)`: `ChatMessage`s as the OpenAI-shaped dicts `build_request` takes.
  Assistant turns MiniMax produced are rebuilt with `minimax_core.assistant_message`, their
  reasoning exactly as the server gave it (the ThinkingBlock's `additional_information`);
  ThinkingBlocks from other providers are dropped; invalid tool-call arguments are replaced by
  `{}` so the tool result that follows still matches its call id.
- `tools_to_wire(tools)` and `tool_choice_to_wire(choice, required=...)`: tools in OpenAI
  function form.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from llama_index.core.base.llms.types import (
    CachePoint,
    ChatMessage,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from minimax_core import FileObject, RequestValidationError, safe_arguments
from minimax_core.adapter_kit import (
    arguments_json,
    check_inline_size,
    data_url,
    file_url,
    guess_media_type,
    media_part,
    named_tool_choice,
    text_or_parts,
    tool_call_wire,
)
from minimax_core.replay import is_replay, new_tool_call_id, owned_assistant_message

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "file_block",
    "is_minimax_thinking",
    "message_to_wire",
    "messages_to_wire",
    "tool_choice_to_wire",
    "tools_to_wire",
]

_ROLES = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}


def messages_to_wire(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    return [message_to_wire(message, position) for position, message in enumerate(messages)]


def message_to_wire(message: ChatMessage, position: int = 0) -> dict[str, Any]:
    role = _ROLES.get(message.role)
    if role is None:  # pragma: no cover - MessageRole is a closed enum
        raise RequestValidationError(f"messages[{position}] has unknown role {message.role!r}")
    if role == "assistant":
        return _assistant(message, position)
    if role == "user":
        return {"role": "user", "content": _user_content(message, position)}
    text = _text_only(message, position, role)
    if role == "system":
        return {"role": "system", "content": text}
    call_id = message.additional_kwargs.get("tool_call_id")
    if not call_id:
        raise RequestValidationError(
            f"messages[{position}] is a tool result without additional_kwargs['tool_call_id']; "
            "MiniMax needs the id of the call it answers"
        )
    return {"role": "tool", "tool_call_id": str(call_id), "content": text}


def is_minimax_thinking(block: ThinkingBlock) -> bool:
    """Whether `block` came from MiniMax: its extras are `Completion.replay` data.

    Other providers leave `additional_information` empty (OpenAI-likes, Ollama) or put their own
    keys there (Anthropic's `signature`); their reasoning must never be sent to MiniMax.
    """
    return is_replay(block.additional_information)


def _assistant(message: ChatMessage, position: int) -> dict[str, Any]:
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    replay: Mapping[str, Any] | None = None
    for block in message.blocks:
        kind = type(block)
        if kind not in _BLOCK_CLASSES:
            kind = _kind(block)
        if kind is TextBlock:
            texts.append(cast(TextBlock, block).text)
        elif kind is ToolCallBlock:
            calls.append(_tool_call(cast(ToolCallBlock, block), position, len(calls)))
        elif kind is ThinkingBlock:
            thinking = cast(ThinkingBlock, block)
            if replay is None and is_minimax_thinking(thinking):
                replay = thinking.additional_information
        elif kind is not CachePoint:
            raise RequestValidationError(
                f"messages[{position}] is an assistant message with a {type(block).__name__}; "
                "MiniMax assistant turns hold text, thinking and tool calls only"
            )
    if not calls:
        calls = _legacy_tool_calls(message.additional_kwargs.get("tool_calls"))
    # Joined like `ChatMessage.content`, so MiniMax's own single-block text comes back unchanged
    # and `assistant_message` can recognise it and restore the raw `<think>` content.
    return owned_assistant_message("\n".join(texts), calls, replay)


def _tool_call(block: ToolCallBlock, position: int, number: int) -> dict[str, Any]:
    kwargs = block.tool_kwargs
    if isinstance(kwargs, str):
        arguments = safe_arguments(kwargs)
    else:
        arguments = arguments_json(kwargs)
    # The same id each time the history is sent, so the request stays byte-identical.
    call_id = block.tool_call_id or new_tool_call_id(f"messages[{position}].tool_calls[{number}]")
    return tool_call_wire(call_id, block.tool_name, arguments)


def _legacy_tool_calls(raw: Any) -> list[dict[str, Any]]:
    """OpenAI-style `additional_kwargs["tool_calls"]` (dicts or SDK objects) of older messages."""
    if not isinstance(raw, list):
        return []
    calls: list[dict[str, Any]] = []
    for item in raw:
        function = _field(item, "function")
        arguments = _field(function, "arguments")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments or {}, ensure_ascii=False)
        calls.append(
            tool_call_wire(
                str(_field(item, "id") or ""),
                str(_field(function, "name") or ""),
                safe_arguments(arguments),
            )
        )
    return calls


_BLOCK_CLASSES = (TextBlock, ToolCallBlock, ThinkingBlock, CachePoint, ImageBlock, VideoBlock)


def _kind(block: object) -> type:
    """Which of `_BLOCK_CLASSES` a block of a subclass is (its own class when none).

    The callers try the exact class first: `isinstance` on a pydantic class goes through
    `ABCMeta` and costs more than the rest of a block's conversion, hundreds of times in a long
    history.
    """
    return next((base for base in _BLOCK_CLASSES if isinstance(block, base)), type(block))


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _text_only(message: ChatMessage, position: int, role: str) -> str:
    texts: list[str] = []
    for block in message.blocks:
        kind = type(block)
        if kind not in _BLOCK_CLASSES:
            kind = _kind(block)
        if kind is TextBlock:
            texts.append(cast(TextBlock, block).text)
        elif kind is not CachePoint and kind is not ThinkingBlock:
            raise RequestValidationError(
                f"messages[{position}] is a {role} message with a {type(block).__name__}; "
                f"MiniMax takes text only in {role} messages"
            )
    return "\n".join(texts)


def _user_content(message: ChatMessage, position: int) -> str | list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    media = False
    for block in message.blocks:
        kind = type(block)
        if kind not in _BLOCK_CLASSES:
            kind = _kind(block)
        if kind is TextBlock:
            parts.append({"type": "text", "text": cast(TextBlock, block).text})
        elif kind is ImageBlock:
            parts.append(_image_part(cast(ImageBlock, block), position))
            media = True
        elif kind is VideoBlock:
            parts.append(_video_part(cast(VideoBlock, block), position))
            media = True
        elif kind is not CachePoint and kind is not ThinkingBlock:
            raise RequestValidationError(
                f"messages[{position}] has a {type(block).__name__}; MiniMax accepts text, "
                "images and video (MiniMax-M3) in user messages, not audio or documents"
            )
    return text_or_parts(parts, media=media)


def file_block(
    file: FileObject | str | int, *, fps: float | None = None, detail: str | None = None
) -> VideoBlock:
    """A `VideoBlock` for a video uploaded with the Files API (`llm.files.upload(path)`).

    `VideoBlock(url="mm_file://...")` cannot be written directly: pydantic refuses the `_` in
    the URL scheme, and `VideoBlock.fps` takes whole numbers only while MiniMax takes 0.2 to 5.
    This builds the block without that validation; the adapter sends it as `mm_file://{id}`.
    """
    file_id = file.file_id if isinstance(file, FileObject) else str(file)
    return VideoBlock.model_construct(url=file_url(file_id), fps=fps, detail=detail)


def _image_part(block: ImageBlock, position: int) -> dict[str, Any]:
    if block.url is not None:
        url = str(block.url)
    else:
        data = _base64(block.image, block.path, "image", position)
        mime = block.image_mimetype or guess_media_type(data, "image")
        if not mime:
            raise RequestValidationError(
                f"messages[{position}] has an image whose format is unknown; "
                "set ImageBlock(image_mimetype='image/png') (MiniMax takes JPEG, PNG, GIF, WEBP)"
            )
        url = data_url(mime, data)
    image_url: dict[str, Any] = {"url": url}
    if block.detail:
        image_url["detail"] = block.detail
    return media_part("image", image_url)


def _video_part(block: VideoBlock, position: int) -> dict[str, Any]:
    if block.url is not None:
        url = str(block.url)
    else:
        data = _base64(block.video, block.path, "video", position)
        mime = block.video_mimetype or guess_media_type(data, "video")
        if not mime:
            raise RequestValidationError(
                f"messages[{position}] has a video whose format is unknown; "
                "set VideoBlock(video_mimetype='video/mp4') (MiniMax takes MP4, AVI, MOV, MKV)"
            )
        url = data_url(mime, data)
    video_url: dict[str, Any] = {"url": url}
    if block.detail:
        video_url["detail"] = block.detail
    if block.fps is not None:
        video_url["fps"] = block.fps
    return media_part("video", video_url)


def _base64(data: Any, path: Any, kind: str, position: int) -> str:
    """The media as base64 text: LlamaIndex stores given bytes already base64-encoded."""
    if isinstance(data, bytes) and data:
        return data.decode("ascii")
    if data is not None and hasattr(data, "read"):
        data.seek(0)
        return base64.b64encode(data.read()).decode("ascii")
    if path is not None:
        # Refused before reading: a file over the limit is never loaded and encoded.
        check_inline_size(os.path.getsize(path), kind, f"messages[{position}]")
        with open(path, "rb") as handle:
            return base64.b64encode(handle.read()).decode("ascii")
    raise RequestValidationError(f"messages[{position}] has an empty {kind} block")


def tools_to_wire(tools: Sequence[BaseTool]) -> list[dict[str, Any]]:
    """Tools in OpenAI function form (MiniMax has no `strict` field; it is left out)."""
    return [tool.metadata.to_openai_tool(skip_length_check=True) for tool in tools]


def tool_choice_to_wire(
    choice: str | dict[str, Any] | None, *, required: bool
) -> str | dict[str, Any]:
    """`None` → "auto" (or "required" when `required`); a tool name → that tool forced."""
    if choice is None:
        return "required" if required else "auto"
    if isinstance(choice, str) and choice not in ("auto", "none", "required"):
        return named_tool_choice(choice)
    return choice
