"""The MiniMax Files API: upload, retrieve, list and delete, for both client shells.

Videos over the 50 MB inline limit (up to 512 MB) are uploaded with purpose
`video_understanding` and referenced in a chat message as `mm_file://{file_id}`:

```python
video = client.files.upload("talk.mp4")
parts = [{"type": "video_url", "video_url": {"url": video.url}}, {"type": "text", "text": "Summary?"}]
```

The wire calls (MiniMax's file-management reference):

| call | request | answer |
|---|---|---|
| upload | `POST /files/upload`, multipart `purpose`, `file` | `{"file": {...}, "base_resp"}` |
| retrieve | `GET /files/retrieve?file_id=` | `{"file": {...}, "base_resp"}` |
| list | `GET /files/list?purpose=` | `{"files": [...], "base_resp"}` |
| delete | `POST /files/delete`, JSON `file_id`, `purpose` | `{"file_id", "base_resp"}` |

Uploads stream: the multipart body is produced in 1 MiB pieces from the path, bytes or binary
file object, never read whole into memory. Each attempt re-opens the path (or rewinds the file
object to where it started), so retries send the whole file again; a file object that cannot
seek is sent once, without retries. Retries, errors (`base_resp` mapping) and the key are the
chat client's own.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import mimetypes
import os
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Union

import httpx

from ._exceptions import APIConnectionError, RequestValidationError
from ._media import FILE_URL_SCHEME, FILES_VIDEO_LIMIT, MB, describe_size, file_url, video_format_of

if TYPE_CHECKING:
    from ._client import AsyncMiniMaxClient, MiniMaxClient, _BaseClient, _Failure

__all__ = ["DEFAULT_PURPOSE", "AsyncFiles", "FileObject", "FileSource", "Files"]

DEFAULT_PURPOSE = "video_understanding"
"""Videos for MiniMax-M3 to watch, referenced as `mm_file://{file_id}`."""
FileSource = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]
"""What `upload` takes: a path, the bytes themselves, or a binary file object."""

_CHUNK = MB
_VIDEO_TYPES = {
    "MP4": "video/mp4",
    "AVI": "video/x-msvideo",
    "MOV": "video/quicktime",
    "MKV": "video/x-matroska",
}


@dataclass(frozen=True, slots=True)
class FileObject:
    """A file stored by MiniMax, as the Files API describes it."""

    file_id: str
    bytes: int
    created_at: int
    """Unix time, seconds."""
    filename: str
    purpose: str
    download_url: str | None = None
    """Only for files MiniMax generated (retrieve)."""

    @property
    def url(self) -> str:
        """The reference to put in a chat message: `mm_file://{file_id}`."""
        return file_url(self.file_id)

    @classmethod
    def from_wire(cls, data: Any) -> FileObject:
        if not isinstance(data, Mapping) or data.get("file_id") in (None, ""):
            raise APIConnectionError(
                f"MiniMax answered without a file object: {json.dumps(data)[:200]}"
            )
        return cls(
            file_id=str(data["file_id"]),
            bytes=int(data.get("bytes") or 0),
            created_at=int(data.get("created_at") or 0),
            filename=str(data.get("filename") or ""),
            purpose=str(data.get("purpose") or ""),
            download_url=data.get("download_url") or None,
        )


def file_id_of(file: str | int | FileObject) -> str:
    """A file id from an id, an `mm_file://` URL or a `FileObject`."""
    if isinstance(file, FileObject):
        return file.file_id
    text = str(file).strip().removeprefix(FILE_URL_SCHEME)
    if not text:
        raise RequestValidationError("file_id is empty; pass the id the upload returned")
    return text


def _wire_id(file_id: str) -> int | str:
    """MiniMax types file ids as int64 in JSON bodies."""
    return int(file_id) if file_id.isdigit() else file_id


class _Upload:
    """One upload's source and multipart framing; every attempt gets a fresh body."""

    def __init__(self, file: FileSource, purpose: str, filename: str | None) -> None:
        if not isinstance(purpose, str) or not purpose:
            raise RequestValidationError(
                f"purpose must be a non-empty string such as {DEFAULT_PURPOSE!r}"
            )
        self.purpose = purpose
        self.path: str | None = None
        self.data: memoryview | None = None
        self.handle: IO[bytes] | None = None
        self.start = 0
        self.rewindable = True
        if isinstance(file, (str, os.PathLike)):
            self.path = os.fspath(file)
            if not os.path.isfile(self.path):
                raise RequestValidationError(f"no file to upload at {self.path!r}")
            size: int | None = os.path.getsize(self.path)
            name = filename or os.path.basename(self.path)
        elif isinstance(file, (bytes, bytearray, memoryview)):
            self.data = memoryview(file).cast("B")
            size = self.data.nbytes
            if not filename:
                raise RequestValidationError(
                    "pass filename='clip.mp4' with bytes, so MiniMax can tell the format"
                )
            name = filename
        elif hasattr(file, "read"):
            self.handle = file
            size, self.rewindable = _stream_size(file)
            name = filename or os.path.basename(str(getattr(file, "name", "") or "")) or ""
            if not name:
                raise RequestValidationError(
                    "pass filename='clip.mp4' with a file object that has no name, so MiniMax "
                    "can tell the format"
                )
            if self.rewindable:
                self.start = file.tell()
        else:
            raise RequestValidationError(
                f"upload takes a path, bytes or a binary file object, got {type(file).__name__}"
            )
        self.filename = name
        self.size = size
        self.media_type = _media_type(name)
        if size == 0:
            raise RequestValidationError(f"{name!r} is empty; there is nothing to upload")
        if purpose == DEFAULT_PURPOSE:
            _check_video(name, size)
        self.boundary = uuid.uuid4().hex
        self.head = _part_head(self.boundary, purpose, name, self.media_type)
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()

    def headers(self, base: Mapping[str, str]) -> dict[str, str]:
        headers = {**base, "Content-Type": f"multipart/form-data; boundary={self.boundary}"}
        if self.size is not None:
            headers["Content-Length"] = str(len(self.head) + self.size + len(self.tail))
        return headers

    def body(self) -> Generator[bytes]:
        """The multipart body, read in 1 MiB pieces; the path is opened for this attempt."""
        yield self.head
        if self.data is not None:
            for offset in range(0, self.data.nbytes, _CHUNK):
                yield self.data[offset : offset + _CHUNK].tobytes()
        elif self.path is not None:
            with open(self.path, "rb") as handle:
                yield from _read(handle, self.size)
        else:
            assert self.handle is not None
            if self.rewindable:
                self.handle.seek(self.start)
            yield from _read(self.handle, self.size)
        yield self.tail

    async def abody(self) -> AsyncGenerator[bytes]:
        """`body` for the async client: file reads run in a worker thread."""
        yield self.head
        if self.data is not None:
            for offset in range(0, self.data.nbytes, _CHUNK):
                yield self.data[offset : offset + _CHUNK].tobytes()
        else:
            handle = self.handle
            if self.path is not None:
                handle = await asyncio.to_thread(open, self.path, "rb")
            assert handle is not None
            try:
                if self.path is None and self.rewindable:
                    await asyncio.to_thread(handle.seek, self.start)
                left = self.size
                while left is None or left > 0:
                    want = _CHUNK if left is None else min(_CHUNK, left)
                    chunk = await asyncio.to_thread(handle.read, want)
                    if not chunk:
                        break
                    _check_binary(chunk)
                    if left is not None:
                        left -= len(chunk)
                    yield chunk
            finally:
                if self.path is not None:
                    await asyncio.to_thread(handle.close)
        yield self.tail


def _read(handle: IO[bytes], size: int | None) -> Iterator[bytes]:
    """At most `size` bytes (all of it when unknown): exactly what Content-Length announced."""
    left = size
    while left is None or left > 0:
        chunk = handle.read(_CHUNK if left is None else min(_CHUNK, left))
        if not chunk:
            return
        _check_binary(chunk)
        if left is not None:
            left -= len(chunk)
        yield chunk


def _check_binary(chunk: Any) -> None:
    if not isinstance(chunk, bytes):
        raise RequestValidationError("the file object must be opened in binary mode ('rb')")


def _stream_size(file: IO[bytes]) -> tuple[int | None, bool]:
    """The bytes left in `file` and whether it can be rewound for a retry."""
    try:
        if not file.seekable():
            return None, False
        here = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(here)
    except (AttributeError, OSError, ValueError):
        return None, False
    return end - here, True


def _media_type(name: str) -> str:
    video = video_format_of(name)
    if video is not None:
        return _VIDEO_TYPES[video]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _check_video(name: str, size: int | None) -> None:
    """What MiniMax documents for `video_understanding` uploads: format and 512 MB."""
    if video_format_of(name) is None:
        raise RequestValidationError(
            f"{name!r} is not an MP4, AVI, MOV or MKV file (going by its extension); the Files "
            "API takes those for video_understanding; convert it, or pass filename= with the "
            "right extension"
        )
    if size is not None and size > FILES_VIDEO_LIMIT:
        raise RequestValidationError(
            f"this video is {describe_size(size, FILES_VIDEO_LIMIT)}; Files API videos are "
            f"limited to {FILES_VIDEO_LIMIT // MB} MB; cut it into parts or re-encode it smaller"
        )


def _part_head(boundary: str, purpose: str, filename: str, media_type: str) -> bytes:
    # Quotes and line breaks would end the header value early; escape them as browsers do.
    quoted = filename.replace("\\", "\\\\").replace('"', "%22")
    quoted = quoted.replace("\r", "%0D").replace("\n", "%0A")
    return (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="purpose"\r\n\r\n'
        f"{purpose}\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
        f"Content-Type: {media_type}\r\n\r\n"
    ).encode()


class _FilesBase:
    """Requests and answers of the four calls; no I/O."""

    def __init__(self, client: _BaseClient[Any]) -> None:
        self._base = client

    def _url(self, name: str) -> str:
        return f"{self._base.base_url}/files/{name}"

    def _json_headers(self) -> dict[str, str]:
        return self._base._headers(False)

    def _get(
        self, http: httpx.Client | httpx.AsyncClient, name: str, **params: str
    ) -> httpx.Request:
        return http.build_request(
            "GET",
            self._url(name),
            params=params,
            headers=self._json_headers(),
            timeout=self._base._httpx_timeout(False),
        )

    def _delete_request(
        self, http: httpx.Client | httpx.AsyncClient, file_id: str, purpose: str
    ) -> httpx.Request:
        body = json.dumps({"file_id": _wire_id(file_id), "purpose": purpose}).encode()
        return http.build_request(
            "POST",
            self._url("delete"),
            content=body,
            headers=self._json_headers(),
            timeout=self._base._httpx_timeout(False),
        )

    def _judge(self, response: httpx.Response) -> dict[str, Any] | _Failure:
        return self._base._judge_json(response, response.content)

    def _upload_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        upload: _Upload,
        body: Iterator[bytes] | AsyncIterator[bytes],
    ) -> httpx.Request:
        headers = self._json_headers()
        headers.pop("Content-Type", None)
        return http.build_request(
            "POST",
            self._url("upload"),
            content=body,
            headers=upload.headers(headers),
            timeout=self._base._httpx_timeout(False),
        )


def _file_of(body: Mapping[str, Any]) -> FileObject:
    return FileObject.from_wire(body.get("file"))


def _files_of(body: Mapping[str, Any]) -> list[FileObject]:
    files = body.get("files") or []
    if not isinstance(files, list):
        raise APIConnectionError(f"MiniMax answered a list without files: {str(body)[:200]}")
    return [FileObject.from_wire(item) for item in files]


class Files(_FilesBase):
    """The Files API on a `MiniMaxClient` (`client.files`)."""

    def __init__(self, client: MiniMaxClient) -> None:
        super().__init__(client)
        self._client = client

    def upload(
        self, file: FileSource, *, purpose: str = DEFAULT_PURPOSE, filename: str | None = None
    ) -> FileObject:
        """Upload a path, bytes or binary file object, streamed; returns the stored file.

        Pass `.url` (`mm_file://{file_id}`) as a video URL in chat messages.
        """
        upload = _Upload(file, purpose, filename)
        http = self._client.http_client
        bodies: list[Generator[bytes]] = []  # one per attempt, each closed (with its file) after

        def build() -> httpx.Request:
            bodies.append(upload.body())
            return self._upload_request(http, upload, bodies[-1])

        try:
            answer = self._client._send(build, self._judge, retry=upload.rewindable)
        finally:
            for body in bodies:
                body.close()
        return _file_of(answer)

    def retrieve(self, file: str | int | FileObject) -> FileObject:
        """The stored file's details (`download_url` for files MiniMax generated)."""
        file_id = file_id_of(file)
        http = self._client.http_client
        return _file_of(
            self._client._send(lambda: self._get(http, "retrieve", file_id=file_id), self._judge)
        )

    def list(self, purpose: str = DEFAULT_PURPOSE) -> builtins.list[FileObject]:
        """The files stored for `purpose` (MiniMax lists one purpose at a time)."""
        http = self._client.http_client
        return _files_of(
            self._client._send(lambda: self._get(http, "list", purpose=purpose), self._judge)
        )

    def delete(self, file: str | int | FileObject, *, purpose: str | None = None) -> str:
        """Delete a stored file; returns its id. `purpose` defaults to the file's own."""
        file_id = file_id_of(file)
        kind = purpose or (file.purpose if isinstance(file, FileObject) else DEFAULT_PURPOSE)
        http = self._client.http_client
        answer = self._client._send(lambda: self._delete_request(http, file_id, kind), self._judge)
        return str(answer.get("file_id") or file_id)


class AsyncFiles(_FilesBase):
    """The Files API on an `AsyncMiniMaxClient` (`client.files`)."""

    def __init__(self, client: AsyncMiniMaxClient) -> None:
        super().__init__(client)
        self._client = client

    async def upload(
        self, file: FileSource, *, purpose: str = DEFAULT_PURPOSE, filename: str | None = None
    ) -> FileObject:
        """Upload a path, bytes or binary file object, streamed; returns the stored file."""
        upload = _Upload(file, purpose, filename)
        http = self._client.http_client
        bodies: list[AsyncGenerator[bytes]] = []

        def build() -> httpx.Request:
            bodies.append(upload.abody())
            return self._upload_request(http, upload, bodies[-1])

        try:
            answer = await self._client._send(build, self._judge, retry=upload.rewindable)
        finally:
            for body in bodies:
                await body.aclose()
        return _file_of(answer)

    async def retrieve(self, file: str | int | FileObject) -> FileObject:
        """The stored file's details."""
        file_id = file_id_of(file)
        http = self._client.http_client
        return _file_of(
            await self._client._send(
                lambda: self._get(http, "retrieve", file_id=file_id), self._judge
            )
        )

    async def list(self, purpose: str = DEFAULT_PURPOSE) -> builtins.list[FileObject]:
        """The files stored for `purpose`."""
        http = self._client.http_client
        return _files_of(
            await self._client._send(lambda: self._get(http, "list", purpose=purpose), self._judge)
        )

    async def delete(self, file: str | int | FileObject, *, purpose: str | None = None) -> str:
        """Delete a stored file; returns its id."""
        file_id = file_id_of(file)
        kind = purpose or (file.purpose if isinstance(file, FileObject) else DEFAULT_PURPOSE)
        http = self._client.http_client
        answer = await self._client._send(
            lambda: self._delete_request(http, file_id, kind), self._judge
        )
        return str(answer.get("file_id") or file_id)
