"""The Files API over real HTTP against the local server: upload, retrieve, list, delete,
retries, a dropped connection, errors, and memory that stays bounded while uploading."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import minimax_core as mm
from minimax_core import _client as client_module
from minimax_core import _files as files_module
from minimax_server import Fault, MiniMaxServer

from .._media_cases import sparse_video

MB = 1 << 20
KEY = "test-key"


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen at once: what is tested is that they happen, not how long they wait."""
    monkeypatch.setattr(client_module, "retry_delay", lambda *args, **kwargs: 0.0)


@pytest.fixture
def client(minimax_server: MiniMaxServer) -> Iterator[mm.MiniMaxClient]:
    with mm.MiniMaxClient(api_key=KEY, base_url=minimax_server.base_url) as client:
        yield client


def patterned(size: int) -> bytes:
    """Bytes whose every MiB differs, so a resent or skipped piece shows in the digest."""
    return b"".join(i.to_bytes(4, "big") * (MB // 4) for i in range(size // MB)) + b"\x07" * (
        size % MB
    )


def stored_digest(server: MiniMaxServer, file_id: str) -> str:
    stored = server._state.files.store.get(file_id)
    assert stored is not None
    return hashlib.sha256(Path(stored.path).read_bytes()).hexdigest()


def uploads(server: MiniMaxServer) -> list[Any]:
    return [r for r in server.requests if r.path == "/v1/files/upload"]


def test_upload_retrieve_list_delete(client: mm.MiniMaxClient, tmp_path: Path) -> None:
    path = tmp_path / "talk.mp4"
    path.write_bytes(patterned(3 * MB + 5))
    video = client.files.upload(path)
    assert isinstance(video, mm.FileObject)
    assert (video.bytes, video.filename, video.purpose) == (
        3 * MB + 5,
        "talk.mp4",
        mm.DEFAULT_PURPOSE,
    )
    assert video.url == f"mm_file://{video.file_id}"
    assert client.files.retrieve(video.url) == video
    assert client.files.retrieve(int(video.file_id)) == video
    assert client.files.list() == [video]
    assert client.files.list("voice_clone") == []
    assert client.files.delete(video) == video.file_id
    assert client.files.list() == []
    with pytest.raises(mm.BadRequestError, match="file not found"):
        client.files.retrieve(video.file_id)


def test_upload_from_bytes_and_file_objects(
    client: mm.MiniMaxClient, minimax_server: MiniMaxServer
) -> None:
    data = patterned(2 * MB + 1)
    digest = hashlib.sha256(data).hexdigest()
    from_bytes = client.files.upload(data, filename="a.mov")
    buffer = io.BytesIO(b"skip" + data)
    buffer.seek(4)  # uploads what is left from the current position
    from_buffer = client.files.upload(buffer, filename="b.mkv")
    for uploaded in (from_bytes, from_buffer):
        assert uploaded.bytes == len(data)
        assert stored_digest(minimax_server, uploaded.file_id) == digest
    body = uploads(minimax_server)[-1]
    assert body.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert body.headers["content-length"].isdigit()
    assert body.headers["authorization"] == "<redacted>"


def test_a_video_over_the_inline_limit_reaches_the_model(
    client: mm.MiniMaxClient, minimax_server: MiniMaxServer, tmp_path: Path
) -> None:
    video = client.files.upload(sparse_video(tmp_path, 55 * MB))
    assert video.bytes == 55 * MB
    question = "What happens in this video?"
    request = mm.build_request(
        [
            {
                "role": "user",
                "content": [
                    {"type": "video_url", "video_url": {"url": video.url}},
                    {"type": "text", "text": question},
                ],
            }
        ],
        model="MiniMax-M3",
    )
    answer = client.create(request)
    assert "What happens in this video" in answer.text
    sent = minimax_server.requests[-1].body["messages"][0]["content"][0]
    assert sent == {"type": "video_url", "video_url": {"url": video.url}}
    client.files.delete(video)
    with pytest.raises(mm.BadRequestError, match="file not found"):
        client.create(request)


def test_a_failed_upload_is_retried_from_the_start(
    client: mm.MiniMaxClient, minimax_server: MiniMaxServer, tmp_path: Path
) -> None:
    path = tmp_path / "clip.mp4"
    data = patterned(4 * MB)
    path.write_bytes(data)
    minimax_server.inject(Fault(kind="http_status", status=503, count=1))
    minimax_server.inject(Fault(kind="base_resp", code=1002, count=1))
    video = client.files.upload(path)
    assert len(uploads(minimax_server)) == 3
    assert stored_digest(minimax_server, video.file_id) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("source", ["path", "file object"])
def test_a_dropped_connection_mid_upload_is_retried(
    source: str, client: mm.MiniMaxClient, minimax_server: MiniMaxServer, tmp_path: Path
) -> None:
    path = tmp_path / "clip.mp4"
    data = patterned(6 * MB + 123)
    path.write_bytes(data)
    minimax_server.inject(Fault(kind="drop_mid_stream", after_chunks=2))  # after 2 MiB
    if source == "path":
        video = client.files.upload(path)
    else:
        with open(path, "rb") as handle:
            video = client.files.upload(handle)
    assert len(uploads(minimax_server)) == 2
    assert video.bytes == len(data)
    assert stored_digest(minimax_server, video.file_id) == hashlib.sha256(data).hexdigest()


def test_a_stream_that_cannot_rewind_is_not_retried(
    client: mm.MiniMaxClient, minimax_server: MiniMaxServer
) -> None:
    read, write = os.pipe()
    os.write(write, b"\x01" * 32_768)  # within the pipe buffer: no writer thread needed
    os.close(write)
    minimax_server.inject(Fault(kind="http_status", status=503, count=1))
    with open(read, "rb") as pipe, pytest.raises(mm.InternalServerError):
        client.files.upload(pipe, filename="live.mp4")
    assert len(uploads(minimax_server)) == 1


def test_retries_give_up_with_the_error(minimax_server: MiniMaxServer, tmp_path: Path) -> None:
    minimax_server.inject(Fault(kind="http_status", status=503, count=3))
    with mm.MiniMaxClient(api_key=KEY, base_url=minimax_server.base_url, max_retries=2) as client:
        with pytest.raises(mm.InternalServerError):
            client.files.upload(sparse_video(tmp_path, MB))
    assert len(uploads(minimax_server)) == 3


def test_a_wrong_key_is_an_authentication_error_without_the_key(
    minimax_server: MiniMaxServer, tmp_path: Path
) -> None:
    secret = "sk-wrong-0123456789"
    with mm.MiniMaxClient(api_key=secret, base_url=minimax_server.base_url) as client:
        with pytest.raises(mm.AuthenticationError) as refused:
            client.files.upload(sparse_video(tmp_path, 2 * MB))
        assert secret not in str(refused.value) and secret not in repr(client)
        with pytest.raises(mm.AuthenticationError):
            client.files.list()
    assert len(uploads(minimax_server)) == 1  # 1004 is not retried


def test_no_key_is_refused_before_the_network(
    minimax_server: MiniMaxServer, tmp_path: Path
) -> None:
    with mm.MiniMaxClient(base_url=minimax_server.base_url) as client:
        with pytest.raises(mm.AuthenticationError, match="MINIMAX_API_KEY"):
            client.files.upload(sparse_video(tmp_path, MB))
    assert minimax_server.requests == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: sparse_video(d, 512 * MB + 1), "Files API videos are limited to 512 MB"),
        (lambda d: sparse_video(d, MB, "clip.webm"), "is not an MP4, AVI, MOV or MKV file"),
        (lambda d: sparse_video(d, 0), "is empty"),
        (lambda d: d / "missing.mp4", "no file to upload"),
        (lambda d: b"\0" * 10, "pass filename="),
        (lambda d: io.StringIO("text"), "pass filename="),
    ],
)
def test_uploads_minimax_would_refuse_are_refused_before_the_network(
    make: Any,
    message: str,
    client: mm.MiniMaxClient,
    minimax_server: MiniMaxServer,
    tmp_path: Path,
) -> None:
    with pytest.raises(mm.RequestValidationError, match=message):
        client.files.upload(make(tmp_path))
    assert minimax_server.requests == []


def test_exactly_512_mb_is_accepted_locally(tmp_path: Path) -> None:
    upload = files_module._Upload(sparse_video(tmp_path, 512 * MB), mm.DEFAULT_PURPOSE, None)
    assert upload.size == 512 * MB
    assert int(upload.headers({})["Content-Length"]) == len(upload.head) + 512 * MB + len(
        upload.tail
    )


def test_text_mode_file_objects_are_refused(client: mm.MiniMaxClient, tmp_path: Path) -> None:
    path = sparse_video(tmp_path, 10)
    with open(path) as text, pytest.raises(mm.RequestValidationError, match="binary mode"):
        client.files.upload(text, filename="clip.mp4")  # type: ignore[arg-type]


def test_the_server_refuses_what_minimax_refuses(minimax_server: MiniMaxServer) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {KEY}"}
    url = f"{minimax_server.base_url}/files/upload"
    bad_purpose = httpx.post(
        url, headers=headers, data={"purpose": "fun"}, files={"file": ("a.mp4", b"x")}
    ).json()
    assert bad_purpose["base_resp"]["status_code"] == 2013
    bad_format = httpx.post(
        url,
        headers=headers,
        data={"purpose": "video_understanding"},
        files={"file": ("a.webm", b"x")},
    ).json()
    assert "MP4, AVI, MOV or MKV" in bad_format["base_resp"]["status_msg"]
    not_multipart = httpx.post(url, headers=headers, json={}).json()
    assert "multipart" in not_multipart["base_resp"]["status_msg"]
    other = httpx.post(
        url, headers=headers, data={"purpose": "voice_clone"}, files={"file": ("v.mp3", b"x")}
    ).json()
    assert other["file"]["purpose"] == "voice_clone"
    wrong_purpose = httpx.post(
        f"{minimax_server.base_url}/files/delete",
        headers=headers,
        json={"file_id": other["file"]["file_id"], "purpose": "video_understanding"},
    ).json()
    assert "has purpose 'voice_clone'" in wrong_purpose["base_resp"]["status_msg"]


async def test_async_upload_retrieve_list_delete_with_a_dropped_connection(
    minimax_server: MiniMaxServer, tmp_path: Path
) -> None:
    path = tmp_path / "clip.avi"
    data = patterned(5 * MB)
    path.write_bytes(data)
    minimax_server.inject(Fault(kind="drop_mid_stream", after_chunks=1))
    async with mm.AsyncMiniMaxClient(api_key=KEY, base_url=minimax_server.base_url) as client:
        video = await client.files.upload(path)
        assert len(uploads(minimax_server)) == 2
        assert stored_digest(minimax_server, video.file_id) == hashlib.sha256(data).hexdigest()
        from_bytes = await client.files.upload(data, filename="b.mp4")
        assert await client.files.retrieve(video.url) == video
        assert {f.file_id for f in await client.files.list()} == {
            video.file_id,
            from_bytes.file_id,
        }
        assert await client.files.delete(video) == video.file_id
        assert await client.files.list() == [from_bytes]
        with open(path, "rb") as handle:
            assert (await client.files.upload(handle)).bytes == len(data)


def test_upload_memory_stays_bounded(client: mm.MiniMaxClient, tmp_path: Path) -> None:
    """A 300 MB upload never holds the file: peak traced memory (client and the in-process
    server alike) stays a few MiB, the size of the pieces in flight."""
    size = 300 * MB
    path = sparse_video(tmp_path, size)
    tracemalloc.start()
    try:
        video = client.files.upload(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert video.bytes == size
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MiB while uploading {size // MB} MiB"


def test_async_upload_memory_stays_bounded(minimax_server: MiniMaxServer, tmp_path: Path) -> None:
    size = 200 * MB
    path = sparse_video(tmp_path, size)

    async def upload() -> mm.FileObject:
        async with mm.AsyncMiniMaxClient(api_key=KEY, base_url=minimax_server.base_url) as client:
            return await client.files.upload(path)

    tracemalloc.start()
    try:
        video = asyncio.run(upload())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert video.bytes == size
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MiB while uploading {size // MB} MiB"
