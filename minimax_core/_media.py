"""MiniMax-M3's documented limits on image and video parts, checked before anything is sent.

MiniMax documents (OpenAI-compatible API, "Multimodal Input"):

- `detail` is `low`, `default` or `high`; `fps` (videos) goes from 0.2 to 5, 1 by default;
  `max_long_side_pixel` caps the longest side.
- Images: JPEG, PNG, GIF, WEBP, up to 10 MB. Videos: MP4, AVI, MOV, MKV, up to 50 MB by URL or
  base64. The whole request body: up to 64 MB.
- Larger videos (up to 512 MB) go through the Files API and are referenced as
  `mm_file://{file_id}`.

**MB means MiB (2^20 bytes) here.** MiniMax does not say which it means. Reading it as the larger
unit means a payload MiniMax accepts is never refused locally; one between 50 x 10^6 and
50 x 2^20 bytes may still be refused by MiniMax itself, which then names the limit.

Sizes come from base64 arithmetic (4 characters carry 3 bytes), never from decoding, and nothing
here runs for plain-text messages. URLs are not fetched: their size is the server's business;
only a file extension that names another format is refused.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ._exceptions import RequestValidationError

__all__ = [
    "BODY_LIMIT",
    "DETAILS",
    "FILES_VIDEO_LIMIT",
    "FILE_URL_SCHEME",
    "FPS_RANGE",
    "IMAGE_LIMIT",
    "MB",
    "VIDEO_LIMIT",
    "MediaCheck",
    "base64_size",
    "check_body_size",
    "check_inline_size",
    "check_media_part",
    "data_url",
    "describe_size",
    "file_url",
    "guess_media_type",
    "media_part",
    "video_format_of",
    "wire_media_type",
]

FILE_URL_SCHEME = "mm_file://"
"""How a chat message names a file uploaded with the Files API: `mm_file://{file_id}`."""

MB = 1 << 20
"""MiniMax's "MB", read as MiB (see the module docstring)."""
IMAGE_LIMIT = 10 * MB
VIDEO_LIMIT = 50 * MB
BODY_LIMIT = 64 * MB
FILES_VIDEO_LIMIT = 512 * MB
FPS_RANGE = (0.2, 5.0)
DETAILS = ("low", "default", "high")

_UPLOAD_HINT = (
    "with the Files API (`.files.upload(path)` on the client or chat model) and pass "
    "`mm_file://<file_id>` as the video URL"
)
# Canonical format name per MIME type, including the aliases browsers and `mimetypes` produce.
_IMAGE_TYPES = {
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
_VIDEO_TYPES = {
    "video/mp4": "MP4",
    "video/avi": "AVI",
    "video/x-msvideo": "AVI",
    "video/msvideo": "AVI",
    "video/mov": "MOV",
    "video/quicktime": "MOV",
    "video/x-matroska": "MKV",
    "video/mkv": "MKV",
    "video/matroska": "MKV",
}
_IMAGE_EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
_VIDEO_EXTENSIONS = {"mp4": "MP4", "avi": "AVI", "mov": "MOV", "mkv": "MKV"}
# Extensions that certainly name an unsupported format. Anything else in a URL (`.php`, no
# extension at all) may still serve a supported file, so it is left to the server.
_OTHER_IMAGE_EXTENSIONS = frozenset(
    {"bmp", "tif", "tiff", "svg", "heic", "heif", "avif", "ico", "psd", "raw"}
)
_OTHER_VIDEO_EXTENSIONS = frozenset(
    {"webm", "flv", "wmv", "m4v", "3gp", "mpeg", "mpg", "ts", "ogv", "rmvb", "m2ts"}
)
_IMAGE_NAMES = "JPEG, PNG, GIF and WEBP"
_VIDEO_NAMES = "MP4, AVI, MOV and MKV"
# MiniMax asks for `video/mov` in base64 MOV data URLs.
_WIRE_TYPES = {"video/quicktime": "video/mov"}


@dataclass(slots=True)
class MediaCheck:
    """What a request's media parts add up to, for the body-size check.

    `inline_chars` counts the characters of inline (`data:`) URLs, which is what they weigh in
    the JSON body: base64 is 4/3 of the decoded size, so a 50 MB video alone makes a 67 MB body.
    """

    inline_chars: int = 0


def base64_size(text: str, start: int = 0) -> int:
    """Decoded size of the base64 in `text[start:]`, by arithmetic (no copy, no decoding)."""
    length = len(text) - start
    if length <= 0:
        return 0
    padding = 0
    if text.endswith("=="):
        padding = 2
    elif text.endswith("="):
        padding = 1
    return max(0, length * 3 // 4 - padding)


def describe_size(size: int, limit: int) -> str:
    """`55.0 MB`; just over a limit it says so exactly rather than rounding down onto it."""
    shown = f"{size / MB:.1f} MB"
    if size > limit and shown == f"{limit / MB:.1f} MB":
        return f"{size:,} bytes, just over {limit // MB} MB"
    return shown


def file_url(file_id: str) -> str:
    """A Files API id as the `mm_file://` URL a chat message takes (an URL is kept as it is)."""
    return file_id if file_id.startswith(FILE_URL_SCHEME) else FILE_URL_SCHEME + file_id


def data_url(mime: str, data: str) -> str:
    """A base64 data URL, its MIME type spelled as MiniMax reads it (`wire_media_type`)."""
    return f"data:{wire_media_type(mime)};base64,{data}"


def media_part(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """An `image_url` / `video_url` content part (`kind` is `"image"` or `"video"`).

    `spec` holds the `url` and MiniMax-M3's options (`detail`, `fps`, `max_long_side_pixel`).
    """
    wire_kind = f"{kind}_url"
    return {"type": wire_kind, wire_kind: spec}


def wire_media_type(mime: str) -> str:
    """The MIME type to put in a data URL (`video/quicktime` becomes MiniMax's `video/mov`)."""
    lowered = mime.lower()
    return _WIRE_TYPES.get(lowered, lowered)


def guess_media_type(data: str | bytes, kind: str) -> str | None:
    """The MIME type of base64 `data` from its first bytes, or None when not recognised.

    Used when a caller gives base64 without a MIME type; only the first few bytes are decoded.
    """
    head = data[:24]
    try:
        raw = base64.b64decode(head if isinstance(head, bytes) else head.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    sniffed = _sniff(raw)
    if sniffed is None or not sniffed.startswith(f"{kind}/"):
        return None
    return sniffed


def video_format_of(name: str) -> str | None:
    """`MP4`/`AVI`/`MOV`/`MKV` from a file name's extension, or None."""
    return _VIDEO_EXTENSIONS.get(_extension(name))


def check_media_part(part: Mapping[str, Any], kind: str, position: int, totals: MediaCheck) -> None:
    """Refuse an `image_url` / `video_url` part MiniMax would refuse, naming the way out."""
    media = "image" if kind == "image_url" else "video"
    where = f"messages[{position}]"
    spec = part.get(kind)
    if isinstance(spec, str):
        spec = {"url": spec}
    if not isinstance(spec, Mapping):
        raise RequestValidationError(
            f"{where} has an {kind!r} part without an object {{'url': ...}}"
        )
    url = spec.get("url")
    if not isinstance(url, str) or not url:
        raise RequestValidationError(f"{where} has an {kind!r} part with no url")
    _check_options(spec, media, where)
    if url.startswith("data:"):
        _check_data_url(url, media, where)
        totals.inline_chars += len(url)
    elif url.startswith(FILE_URL_SCHEME):
        if len(url) == len(FILE_URL_SCHEME):
            raise RequestValidationError(
                f"{where} has a {media} URL 'mm_file://' with no file id; pass "
                "`mm_file://<file_id>` with the id the Files API upload returned"
            )
    else:
        _check_url_extension(url, media, where)


def check_body_size(size: int) -> None:
    """Refuse a request body over MiniMax's 64 MB."""
    if size > BODY_LIMIT:
        raise RequestValidationError(
            f"this request body is {describe_size(size, BODY_LIMIT)}; MiniMax accepts at most "
            f"{BODY_LIMIT // MB} MB per request; send fewer or smaller inline images and videos, "
            f"or upload videos {_UPLOAD_HINT}"
        )


def _check_options(spec: Mapping[str, Any], media: str, where: str) -> None:
    detail = spec.get("detail")
    if detail is not None and detail not in DETAILS:
        raise RequestValidationError(
            f"{where} has a {media} with detail={detail!r}; MiniMax accepts 'low', 'default' "
            "or 'high' (default 'default'); use one of those or leave it out"
        )
    fps = spec.get("fps")
    if fps is not None and media == "video":
        low, high = FPS_RANGE
        if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not low <= fps <= high:
            raise RequestValidationError(
                f"{where} has a video with fps={fps!r}; MiniMax accepts fps from {low} to "
                f"{high:g} (default 1); pass a value in that range or leave it out"
            )
    side = spec.get("max_long_side_pixel")
    if side is not None and (isinstance(side, bool) or not isinstance(side, int) or side < 1):
        raise RequestValidationError(
            f"{where} has a {media} with max_long_side_pixel={side!r}; it must be a whole "
            "number of pixels, 1 or more"
        )


def _check_data_url(url: str, media: str, where: str) -> None:
    comma = url.find(",")
    header = url[5 : comma if comma >= 0 else min(len(url), 200)]
    if comma < 0 or not header.endswith(";base64"):
        raise RequestValidationError(
            f"{where} has a {media} data URL that is not base64; MiniMax takes "
            f"`data:<type>;base64,<data>`"
        )
    mime = header[: -len(";base64")].split(";")[0].strip().lower()
    if _format_of_type(mime, media, where) is None:  # `image/*` or no type: read the bytes
        sniffed = _sniff(_decode_head(url, comma + 1))
        if sniffed is not None:
            _format_of_type(sniffed, media, where)
    check_inline_size(base64_size(url, comma + 1), media, where)


def check_inline_size(size: int, media: str, where: str) -> None:
    """Refuse an inline image or video over its limit (`size` is the decoded size in bytes)."""
    if media == "video" and size > VIDEO_LIMIT:
        raise RequestValidationError(
            f"{where}: this video is {describe_size(size, VIDEO_LIMIT)}; inline videos are "
            f"limited to {VIDEO_LIMIT // MB} MB; upload it {_UPLOAD_HINT}"
        )
    if media == "image" and size > IMAGE_LIMIT:
        raise RequestValidationError(
            f"{where}: this image is {describe_size(size, IMAGE_LIMIT)}; images are limited to "
            f"{IMAGE_LIMIT // MB} MB; resize or recompress it (JPEG or WEBP) below that"
        )


def _format_of_type(mime: str, media: str, where: str) -> str | None:
    """The supported format `mime` names; None if it names none (`image/*`, empty); else refuse."""
    if not mime or mime.endswith("/*") or mime == "application/octet-stream":
        return None
    own, other = (_IMAGE_TYPES, _VIDEO_TYPES) if media == "image" else (_VIDEO_TYPES, _IMAGE_TYPES)
    if mime in own:
        return own[mime]
    if mime in other:
        other_media = "video" if media == "image" else "image"
        raise RequestValidationError(
            f"{where} sends {other_media} data ({mime}) as {'an' if media == 'image' else 'a'} "
            f"{media}; put it in a {other_media}_url part"
        )
    raise RequestValidationError(
        f"{where} has a {media} of type {mime}; MiniMax takes "
        f"{_IMAGE_NAMES if media == 'image' else _VIDEO_NAMES} {media}s; convert it to one of those"
    )


def _check_url_extension(url: str, media: str, where: str) -> None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return
    extension = _extension(path)
    others = _OTHER_IMAGE_EXTENSIONS if media == "image" else _OTHER_VIDEO_EXTENSIONS
    if extension in others:
        names = _IMAGE_NAMES if media == "image" else _VIDEO_NAMES
        raise RequestValidationError(
            f"{where} has a {media} URL ending in .{extension}; MiniMax takes {names} "
            f"{media}s; convert it to one of those"
        )
    wrong = _VIDEO_EXTENSIONS if media == "image" else _IMAGE_EXTENSIONS
    if extension in wrong:
        other_media = "video" if media == "image" else "image"
        raise RequestValidationError(
            f"{where} has a {media} URL ending in .{extension}, which is {'an' if other_media == 'image' else 'a'} "
            f"{other_media}; put it in a {other_media}_url part"
        )


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _decode_head(text: str, start: int) -> bytes:
    try:
        return base64.b64decode(text[start : start + 24])
    except (binascii.Error, ValueError):
        return b""


def _sniff(raw: bytes) -> str | None:
    """A MIME type from magic bytes, for the formats MiniMax takes and their near neighbours."""
    if raw.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if raw.startswith(b"\x89PNG"):
        return "image/png"
    if raw.startswith(b"GIF8"):
        return "image/gif"
    if raw.startswith(b"BM"):
        return "image/bmp"
    if raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "image/webp"
    if raw[:4] == b"RIFF" and raw[8:12] == b"AVI ":
        return "video/x-msvideo"
    if raw[4:8] == b"ftyp":
        brand = raw[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        return "video/quicktime" if brand.startswith(b"qt") else "video/mp4"
    if raw.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/x-matroska"
    return None
