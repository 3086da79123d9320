"""MiniMax-M3's documented media limits as test cases, at the boundary and one past it.

Both adapters turn each case into their own content blocks; a case with `refused` must fail
before the network with that phrase, one without must reach the local server and be answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MB = 1 << 20
BODY_LIMIT = 64 * MB
UPLOAD_HINT = "`mm_file://<file_id>`"


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    """`image` or `video`."""
    url: str | None = None
    """A URL, or None for inline (base64) data of `size` bytes typed `mime`."""
    mime: str = ""
    size: int = 16
    options: dict[str, Any] = field(default_factory=dict)
    refused: tuple[str, ...] = ()
    """Phrases of the refusal; empty when MiniMax accepts the part."""

    @property
    def data(self) -> bytes:
        return bytes(self.size)


CLIP = "https://example.com/clip.mp4"
PHOTO = "https://example.com/photo.jpg"
FPS = "MiniMax accepts fps from 0.2 to 5 (default 1)"
DETAIL = "MiniMax accepts 'low', 'default' or 'high'"

CASES = [
    Case("fps-lowest", "video", CLIP, options={"fps": 0.2}),
    Case("fps-below", "video", CLIP, options={"fps": 0.19}, refused=(FPS,)),
    Case("fps-highest", "video", CLIP, options={"fps": 5}),
    Case("fps-above", "video", CLIP, options={"fps": 5.01}, refused=(FPS,)),
    Case("fps-whole-above", "video", CLIP, options={"fps": 6}, refused=(FPS,)),
    Case("detail-high", "image", PHOTO, options={"detail": "high"}),
    Case("detail-ultra", "image", PHOTO, options={"detail": "ultra"}, refused=(DETAIL,)),
    Case("video-detail-low", "video", CLIP, options={"detail": "low"}),
    Case("video-detail-ultra", "video", CLIP, options={"detail": "ultra"}, refused=(DETAIL,)),
    Case("image-webp", "image", mime="image/webp"),
    Case(
        "image-bmp", "image", mime="image/bmp", refused=("MiniMax takes JPEG, PNG, GIF and WEBP",)
    ),
    Case("image-tiff-url", "image", "https://example.com/scan.tiff", refused=("ending in .tiff",)),
    Case("video-mkv", "video", mime="video/x-matroska"),
    Case("video-mov", "video", mime="video/quicktime"),
    Case(
        "video-webm", "video", mime="video/webm", refused=("MiniMax takes MP4, AVI, MOV and MKV",)
    ),
    Case("image-10mb", "image", mime="image/jpeg", size=10 * MB),
    Case(
        "image-10mb-and-1",
        "image",
        mime="image/jpeg",
        size=10 * MB + 1,
        refused=("images are limited to 10 MB", "resize or recompress it"),
    ),
    # 50 MB is within the video limit, but its base64 alone is over the 64 MB body limit.
    Case(
        "video-50mb",
        "video",
        mime="video/mp4",
        size=50 * MB,
        refused=("MiniMax accepts at most 64 MB per request", UPLOAD_HINT),
    ),
    Case(
        "video-50mb-and-1",
        "video",
        mime="video/mp4",
        size=50 * MB + 1,
        refused=("inline videos are limited to 50 MB; upload it with the Files API", UPLOAD_HINT),
    ),
    Case(
        "video-55mb",
        "video",
        mime="video/mp4",
        size=55 * MB,
        refused=("this video is 55.0 MB; inline videos are limited to 50 MB",),
    ),
]


def sparse_video(directory: Path, size: int, name: str = "lecture.mp4") -> Path:
    """A file of `size` bytes that takes no disk space or time to make (a hole of zeros)."""
    path = directory / name
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def body_size(body: dict[str, Any]) -> int:
    """The bytes of `body` as the client sends it."""
    return len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
