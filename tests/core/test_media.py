"""MiniMax-M3's documented media limits, checked by `build_request` before the network."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import minimax_core as mm
from minimax_core import _media
from minimax_core._media import guess_media_type, wire_media_type

MB = _media.MB
M3 = "MiniMax-M3"


def video_part(url: str, **options: Any) -> dict[str, Any]:
    return {"type": "video_url", "video_url": {"url": url, **options}}


def image_part(url: str, **options: Any) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url, **options}}


def build(*parts: dict[str, Any]) -> dict[str, Any]:
    content = [*parts, {"type": "text", "text": "What is this?"}]
    return mm.build_request([{"role": "user", "content": content}], model=M3)


def data_url(mime: str, size: int, head: bytes = b"") -> str:
    """A base64 data URL whose payload decodes to exactly `size` bytes."""
    raw = head + b"\0" * (size - len(head))
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def big_data_url(mime: str, size: int) -> str:
    """Like `data_url` for large sizes, built without encoding (`A` is base64 for zero bits)."""
    whole, rest = divmod(size, 3)
    tail = {0: "", 1: "AA==", 2: "AAA="}[rest]
    return f"data:{mime};base64,{'AAAA' * whole}{tail}"


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 100, 1000])
def test_base64_size_is_the_decoded_size(size: int) -> None:
    encoded = base64.b64encode(b"x" * size).decode()
    assert _media.base64_size(encoded) == size
    assert (
        _media.base64_size(big_data_url("video/mp4", size), len("data:video/mp4;base64,")) == size
    )


@pytest.mark.parametrize("fps", [0.2, 1, 2.5, 5])
def test_fps_inside_the_documented_range_is_sent(fps: float) -> None:
    body = build(video_part("https://example.com/clip.mp4", fps=fps))
    assert body["messages"][0]["content"][0]["video_url"]["fps"] == fps


@pytest.mark.parametrize("fps", [0.19, 0, -1, 5.01, 10, "2", True])
def test_fps_outside_the_range_is_refused(fps: Any) -> None:
    with pytest.raises(mm.RequestValidationError, match=r"fps from 0\.2 to 5 \(default 1\)"):
        build(video_part("https://example.com/clip.mp4", fps=fps))


@pytest.mark.parametrize("detail", ["low", "default", "high"])
def test_documented_detail_values_are_sent(detail: str) -> None:
    build(image_part("https://example.com/a.png", detail=detail))
    build(video_part("https://example.com/a.mp4", detail=detail))


@pytest.mark.parametrize("detail", ["ultra", "auto", "HIGH", ""])
def test_other_detail_values_are_refused(detail: str) -> None:
    with pytest.raises(mm.RequestValidationError, match="'low', 'default' or 'high'"):
        build(image_part("https://example.com/a.png", detail=detail))


@pytest.mark.parametrize("side", [0, -5, 1.5, "512"])
def test_max_long_side_pixel_must_be_a_positive_whole_number(side: Any) -> None:
    build(image_part("https://example.com/a.png", max_long_side_pixel=1024))
    with pytest.raises(mm.RequestValidationError, match="max_long_side_pixel"):
        build(image_part("https://example.com/a.png", max_long_side_pixel=side))


@pytest.mark.parametrize(
    "mime", ["image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp", "IMAGE/PNG"]
)
def test_supported_image_types_pass(mime: str) -> None:
    build(image_part(data_url(mime, 10)))


@pytest.mark.parametrize(
    "mime",
    [
        "video/mp4",
        "video/avi",
        "video/x-msvideo",
        "video/mov",
        "video/quicktime",
        "video/x-matroska",
    ],
)
def test_supported_video_types_pass(mime: str) -> None:
    build(video_part(data_url(mime, 10)))


@pytest.mark.parametrize(
    ("part", "message"),
    [
        (image_part(data_url("image/bmp", 10)), "image of type image/bmp; MiniMax takes JPEG"),
        (image_part(data_url("image/svg+xml", 10)), "type image/svg\\+xml"),
        (video_part(data_url("video/webm", 10)), "video of type video/webm; MiniMax takes MP4"),
        (image_part(data_url("video/mp4", 10)), "put it in a video_url part"),
        (video_part(data_url("image/png", 10)), "put it in a image_url part"),
        (image_part("https://example.com/scan.tiff"), "ending in .tiff; MiniMax takes JPEG"),
        (video_part("https://example.com/clip.webm?x=1"), "ending in .webm; MiniMax takes MP4"),
        (image_part("https://example.com/clip.mp4"), "which is a video"),
        (image_part("data:image/png,not-base64"), "not base64"),
        (video_part("mm_file://"), "no file id"),
    ],
)
def test_unsupported_formats_are_refused(part: dict[str, Any], message: str) -> None:
    with pytest.raises(mm.RequestValidationError, match=message):
        build(part)


@pytest.mark.parametrize(
    "url", ["https://example.com/render.php?id=3", "https://example.com/frame", "mm_file://42"]
)
def test_urls_that_may_hold_a_supported_format_are_left_to_the_server(url: str) -> None:
    build(video_part(url))


def test_a_wildcard_type_is_judged_by_the_bytes() -> None:
    build(image_part(data_url("image/*", 20, b"\x89PNG\r\n\x1a\n")))
    with pytest.raises(mm.RequestValidationError, match="image/bmp"):
        build(image_part(data_url("image/*", 20, b"BM")))
    assert guess_media_type(base64.b64encode(b"\x1a\x45\xdf\xa3" + b"\0" * 20).decode(), "video")
    assert guess_media_type(base64.b64encode(b"\0\0\0\x18ftypqt  ").decode(), "video") == (
        "video/quicktime"
    )
    assert guess_media_type("not base64!", "image") is None


def test_image_size_boundary() -> None:
    build(image_part(big_data_url("image/jpeg", 10 * MB)))
    with pytest.raises(mm.RequestValidationError) as refused:
        build(image_part(big_data_url("image/jpeg", 10 * MB + 1)))
    assert "images are limited to 10 MB; resize or recompress it" in str(refused.value)
    assert "just over 10 MB" in str(refused.value)


def test_video_size_boundary_names_the_files_api() -> None:
    # 50 MB is within the video limit, but as base64 it makes a 67 MB body: the body limit
    # refuses it, with the same way out.
    with pytest.raises(mm.RequestValidationError) as at_limit:
        build(video_part(big_data_url("video/mp4", 50 * MB)))
    assert "this request body is 66.7 MB; MiniMax accepts at most 64 MB" in str(at_limit.value)
    assert "mm_file://" in str(at_limit.value)
    with pytest.raises(mm.RequestValidationError) as past:
        build(video_part(big_data_url("video/mp4", 50 * MB + 1)))
    message = str(past.value)
    assert "inline videos are limited to 50 MB; upload it with the Files API" in message
    assert "`mm_file://<file_id>`" in message
    with pytest.raises(mm.RequestValidationError, match=r"this video is 55\.0 MB"):
        build(video_part(big_data_url("video/mp4", 55 * MB)))


def test_body_size_boundary() -> None:
    # Six images under the image limit; the last one's base64 is grown (pure ASCII, so one
    # character is one byte of JSON) until the body is exactly 64 MB.
    big = image_part(big_data_url("image/png", 9 * MB))
    probe = build(big, big, big, big, big, image_part(big_data_url("image/png", 3)))
    room = _media.BODY_LIMIT - len(json.dumps(probe, separators=(",", ":")).encode())
    last = big_data_url("image/png", 3 + room // 4 * 3)
    messages = build(big, big, big, big, big, image_part(last))["messages"]
    messages[0]["content"][-1]["text"] += "x" * (room % 4)
    mm.build_request(messages, model=M3)  # exactly 64 MB
    messages[0]["content"][-1]["text"] += "x"
    with pytest.raises(mm.RequestValidationError) as refused:
        mm.build_request(messages, model=M3)
    assert "64 MB per request" in str(refused.value)
    assert f"{_media.BODY_LIMIT + 1:,} bytes, just over 64 MB" in str(refused.value)


def test_text_only_requests_never_reach_the_media_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any) -> None:
        raise AssertionError("media checks ran for a text-only request")

    monkeypatch.setattr("minimax_core._request.check_media_part", fail)
    monkeypatch.setattr("minimax_core._request.check_body_size", fail)
    mm.build_request([{"role": "user", "content": "hi " * 10_000}], model=M3)
    mm.build_request([{"role": "user", "content": [{"type": "text", "text": "hi"}]}], model=M3)


def test_the_documented_constants() -> None:
    assert _media.IMAGE_LIMIT == 10 * 2**20
    assert _media.VIDEO_LIMIT == 50 * 2**20
    assert _media.BODY_LIMIT == 64 * 2**20
    assert _media.FILES_VIDEO_LIMIT == 512 * 2**20
    assert _media.FPS_RANGE == (0.2, 5.0)
    assert wire_media_type("video/quicktime") == "video/mov"
