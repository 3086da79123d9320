"""MiniMax-M3's limits on image and video parts, enforced as the API does (HTTP 400, 2013).

`detail` low/default/high; `fps` 0.2 to 5; images JPEG/PNG/GIF/WEBP up to 10 MB and videos
MP4/AVI/MOV/MKV up to 50 MB as base64 (decoded size); the request body up to 64 MB;
`mm_file://{file_id}` must name a file this server holds. MB = 2^20 bytes. URLs are not
fetched. Standard library only.
"""

from __future__ import annotations

from typing import Any

from ._files import FileStore
from ._validate import ApiError

__all__ = ["BODY_LIMIT", "check_media"]

MB = 1 << 20
BODY_LIMIT = 64 * MB
IMAGE_LIMIT = 10 * MB
VIDEO_LIMIT = 50 * MB
_IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/gif", "image/webp"}
)
_VIDEO_TYPES = frozenset(
    {
        "video/mp4",
        "video/avi",
        "video/x-msvideo",
        "video/msvideo",
        "video/mov",
        "video/quicktime",
        "video/x-matroska",
        "video/mkv",
        "video/matroska",
    }
)


def _bad(message: str) -> ApiError:
    return ApiError(400, f"invalid params, {message}", 2013)


def check_media(body: Any, body_size: int, store: FileStore) -> None:
    """Refuse what MiniMax refuses in the media parts of a chat request."""
    if body_size > BODY_LIMIT:
        raise _bad(f"request body too large: {body_size} bytes, the limit is 64 MB")
    messages = body.get("messages") if isinstance(body, dict) else None
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else []:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind in ("image_url", "video_url"):
                _check_part(part.get(kind), kind, index, store)


def _check_part(spec: Any, kind: str, index: int, store: FileStore) -> None:
    where = f"messages[{index}].content {kind}"
    if isinstance(spec, str):
        spec = {"url": spec}
    url = spec.get("url") if isinstance(spec, dict) else None
    if not isinstance(url, str) or not url:
        raise _bad(f"{where}.url is required")
    detail = spec.get("detail")
    if detail is not None and detail not in ("low", "default", "high"):
        raise _bad(f"{where}.detail must be one of low, default, high")
    fps = spec.get("fps")
    if kind == "video_url" and fps is not None:
        if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0.2 <= fps <= 5:
            raise _bad(f"{where}.fps must be in [0.2, 5]")
    if url.startswith("mm_file://"):
        if store.get(url.removeprefix("mm_file://")) is None:
            raise _bad(f"{where}: file not found: {url}")
        return
    if not url.startswith("data:"):
        return
    comma = url.find(",")
    header = url[5:comma] if comma > 0 else ""
    if not header.endswith(";base64"):
        raise _bad(f"{where}: data URLs must be base64")
    mime = header.removesuffix(";base64").split(";")[0].strip().lower()
    allowed, limit = (
        (_IMAGE_TYPES, IMAGE_LIMIT) if kind == "image_url" else (_VIDEO_TYPES, VIDEO_LIMIT)
    )
    if mime not in allowed and not mime.endswith("/*"):
        raise _bad(f"{where}: unsupported format {mime}")
    length = len(url) - comma - 1
    size = length * 3 // 4 - (2 if url.endswith("==") else 1 if url.endswith("=") else 0)
    if size > limit:
        raise _bad(f"{where}: {size} bytes, over the {limit // MB} MB limit")
