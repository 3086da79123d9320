"""The server enforces MiniMax-M3's media limits itself (for clients that do not check), and
resolves `mm_file://` references to the files it holds."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from minimax_server import MiniMaxServer
from minimax_server._files import FileStore
from minimax_server._media import BODY_LIMIT, check_media
from minimax_server._validate import ApiError

from ._helpers import body

MB = 1 << 20


def ask(part: dict[str, Any]) -> dict[str, Any]:
    message = {"role": "user", "content": [part, {"type": "text", "text": "What is it?"}]}
    return body(message, model="MiniMax-M3")


def video(url: str, **options: Any) -> dict[str, Any]:
    return {"type": "video_url", "video_url": {"url": url, **options}}


def image(url: str, **options: Any) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url, **options}}


def inline(mime: str, size: int) -> str:
    whole, rest = divmod(size, 3)
    return f"data:{mime};base64,{'AAAA' * whole}{['', 'AA==', 'AAA='][rest]}"


@pytest.mark.parametrize(
    ("part", "fragment"),
    [
        (video("https://x/v.mp4", fps=10), "fps must be in [0.2, 5]"),
        (video("https://x/v.mp4", fps=0.1), "fps must be in [0.2, 5]"),
        (image("https://x/a.png", detail="ultra"), "detail must be one of low, default, high"),
        (image(inline("image/bmp", 4)), "unsupported format image/bmp"),
        (video(inline("video/webm", 4)), "unsupported format video/webm"),
        (video("mm_file://123"), "file not found: mm_file://123"),
        (image("data:image/png,plain"), "data URLs must be base64"),
    ],
)
def test_media_minimax_refuses(client: httpx.Client, part: dict[str, Any], fragment: str) -> None:
    r = client.post("/chat/completions", json=ask(part))
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert message.startswith("invalid params, ") and message.endswith("(2013)")
    assert fragment in message


@pytest.mark.parametrize(
    "part",
    [
        video("https://x/v.mp4", fps=0.2, detail="high"),
        video("https://x/v.mp4", fps=5),
        image(inline("image/webp", 8)),
        video(inline("video/quicktime", 8)),
    ],
)
def test_media_minimax_accepts(client: httpx.Client, part: dict[str, Any]) -> None:
    assert client.post("/chat/completions", json=ask(part)).status_code == 200


def test_inline_sizes_and_the_body_limit() -> None:
    store = FileStore()
    check_media(ask(image(inline("image/png", 10 * MB))), 0, store)
    check_media(ask(video(inline("video/mp4", 50 * MB))), 0, store)
    with pytest.raises(ApiError, match="over the 10 MB limit"):
        check_media(ask(image(inline("image/png", 10 * MB + 1))), 0, store)
    with pytest.raises(ApiError, match="over the 50 MB limit"):
        check_media(ask(video(inline("video/mp4", 50 * MB + 1))), 0, store)
    check_media({}, BODY_LIMIT, store)
    with pytest.raises(ApiError, match="request body too large"):
        check_media({}, BODY_LIMIT + 1, store)


def test_a_held_file_is_accepted_until_deleted(client: httpx.Client) -> None:
    uploaded = client.post(
        "/files/upload",
        data={"purpose": "video_understanding"},
        files={"file": ("v.mkv", b"\x1a\x45\xdf\xa3" + bytes(100), "video/x-matroska")},
    ).json()["file"]
    assert uploaded["bytes"] == 104 and uploaded["filename"] == "v.mkv"
    part = video(f"mm_file://{uploaded['file_id']}")
    assert client.post("/chat/completions", json=ask(part)).status_code == 200
    listed = client.get("/files/list", params={"purpose": "video_understanding"}).json()
    assert listed["files"] == [uploaded]
    deleted = client.post(
        "/files/delete", json={"file_id": uploaded["file_id"], "purpose": "video_understanding"}
    ).json()
    assert deleted == {
        "file_id": uploaded["file_id"],
        "base_resp": {"status_code": 0, "status_msg": "success"},
    }
    assert client.post("/chat/completions", json=ask(part)).status_code == 400


def test_reset_forgets_the_files(client: httpx.Client, server: MiniMaxServer) -> None:
    uploaded = client.post(
        "/files/upload", data={"purpose": "video_understanding"}, files={"file": ("v.mp4", b"x")}
    ).json()["file"]
    server.reset()
    gone = client.get("/files/retrieve", params={"file_id": uploaded["file_id"]}).json()
    assert gone["base_resp"]["status_code"] == 2013


def test_a_chunked_upload_is_accepted(client: httpx.Client) -> None:
    boundary = "b0undary"
    parts = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n'
            "video_understanding\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + b"\r\n--" * 1000
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def pieces() -> Any:
        for start in range(0, len(parts), 7):
            yield parts[start : start + 7]

    answer = client.post(
        "/files/upload",
        content=pieces(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    ).json()
    assert answer["file"]["bytes"] == len(b"\r\n--" * 1000)
