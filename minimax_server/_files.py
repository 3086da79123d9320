"""MiniMax's Files API on the local server: upload, retrieve, list, delete.

- `POST /v1/files/upload`, multipart `purpose` + `file`: the file is streamed to a temporary
  directory (never held in memory) and described as `{"file": {...}, "base_resp": {...}}`.
- `GET /v1/files/retrieve?file_id=`, `GET /v1/files/list?purpose=`,
  `POST /v1/files/delete` with JSON `{"file_id", "purpose"}`.

Errors come as MiniMax's other native APIs send them: HTTP 200 with a non-zero
`base_resp.status_code` (1004 for a wrong key, 2013 for bad parameters). The limits are
MiniMax's: `video_understanding` takes MP4, AVI, MOV and MKV up to 512 MB (MB = 2^20 bytes,
as in the client). Faults: `http_status` and `base_resp` apply as for chat;
`drop_mid_stream` drops the connection after `after_chunks` MiB of an upload's body.
Standard library only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass
from email.message import Message
from typing import IO, Any
from urllib.parse import parse_qs

from ._http import BadHttp, HttpRequest, iter_body, send_json
from ._types import Fault

__all__ = ["PURPOSES", "FilesApi", "StoredFile"]

MB = 1 << 20
FILE_LIMIT = 512 * MB
PURPOSES = ("video_understanding", "voice_clone", "prompt_audio", "t2a_async_input")
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv")
_OK = {"status_code": 0, "status_msg": "success"}
_HEAD_LIMIT = 16 * 1024
_LOGIN_FAIL = (
    "login fail: Please carry the API secret key in the 'Authorization' field of the request header"
)


@dataclass(frozen=True)
class StoredFile:
    """One uploaded file: what the API reports, and where its bytes are on disk."""

    file_id: int
    bytes: int
    created_at: int
    filename: str
    purpose: str
    path: str

    def wire(self) -> dict[str, Any]:
        data = asdict(self)
        del data["path"]
        return data


class FileStore:
    """The files held by one server, in a temporary directory removed with the store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[int, StoredFile] = {}
        self._ids = itertools.count(300_000_000_000_001)
        self.directory = tempfile.mkdtemp(prefix="minimax-server-files-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.directory, True)

    def add(self, purpose: str, filename: str, path: str, size: int) -> StoredFile:
        with self._lock:
            stored = StoredFile(next(self._ids), size, int(time.time()), filename, purpose, path)
            self._files[stored.file_id] = stored
            return stored

    def get(self, file_id: Any) -> StoredFile | None:
        try:
            key = int(str(file_id))
        except ValueError:
            return None
        with self._lock:
            return self._files.get(key)

    def of_purpose(self, purpose: str) -> list[StoredFile]:
        with self._lock:
            return [f for f in self._files.values() if f.purpose == purpose]

    def remove(self, stored: StoredFile) -> None:
        with self._lock:
            self._files.pop(stored.file_id, None)
        with contextlib.suppress(OSError):
            os.remove(stored.path)

    def clear(self) -> None:
        with self._lock:
            files, self._files = list(self._files.values()), {}
        for stored in files:
            with contextlib.suppress(OSError):
                os.remove(stored.path)


class _Refused(Exception):
    """An upload MiniMax would refuse: answered with `code` in `base_resp`."""

    def __init__(self, message: str, code: int = 2013) -> None:
        super().__init__(message)
        self.code = code


class _Dropped(Exception):
    """A `drop_mid_stream` fault cut the upload off."""


def _answer(code: int, message: str) -> dict[str, Any]:
    return {"base_resp": {"status_code": code, "status_msg": message}}


class FilesApi:
    """The `/v1/files/*` routes of one server, over its `FileStore`."""

    def __init__(self) -> None:
        self.store = FileStore()

    async def handle(
        self,
        request: HttpRequest,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        api_key: str,
        faults: list[Fault],
        record: Callable[[dict[str, Any]], None],
    ) -> bool:
        """Answer one Files API request; False when the connection must close."""
        name = request.path.rstrip("/").removeprefix("/v1/files/")
        status, body = 200, _answer(2013, f"invalid params, unknown files call {name!r}")
        upload_body = iter_body(reader, request) if request.streamed else None
        seen: dict[str, Any] = {}
        try:
            if request.method == "GET":
                seen = {k: v[-1] for k, v in parse_qs(request.query).items()}
            elif upload_body is None:
                seen = _json_object(request.body) if name == "delete" else {}
            if request.headers.get("authorization", "") != f"Bearer {api_key}":
                raise _Refused(_LOGIN_FAIL, 1004)
            for fault in faults:
                if fault.kind == "http_status":
                    status = fault.status
                    raise _Refused(fault.message or "injected failure", fault.code or 1000)
                if fault.kind == "base_resp":
                    raise _Refused(fault.message or "injected failure", fault.code or 1002)
            if name == "upload" and request.method == "POST" and upload_body is not None:
                drop = next((f.after_chunks for f in faults if f.kind == "drop_mid_stream"), None)
                stored = await self._upload(request, _counted(upload_body, drop))
                seen = {"purpose": stored.purpose, "filename": stored.filename}
                body = {"file": stored.wire(), "base_resp": _OK}
            elif name == "upload":
                raise _Refused("invalid params, the upload must be a multipart/form-data POST")
            elif name == "retrieve" and request.method == "GET":
                body = self._retrieve(seen)
            elif name == "list" and request.method == "GET":
                body = self._list(seen)
            elif name == "delete" and request.method == "POST":
                body = self._delete(seen)
        except _Refused as refused:
            body = _answer(refused.code, str(refused))
        except _Dropped:
            writer.transport.abort()
            return False
        finally:
            record(seen)
        if upload_body is not None:
            # The answer is read only once the client has sent everything: drain what is left.
            with contextlib.suppress(BadHttp, asyncio.IncompleteReadError):
                async for _ in upload_body:
                    pass
        await send_json(writer, status, body, keep_alive=request.keep_alive)
        return request.keep_alive

    # --- the four calls ------------------------------------------------------------------

    async def _upload(self, request: HttpRequest, chunks: AsyncIterator[bytes]) -> StoredFile:
        boundary = _boundary(request.headers.get("content-type", ""))
        fields: dict[str, str] = {}
        upload: dict[str, Any] = {}

        def open_part(headers: Message) -> _Sink:
            name = headers.get_param("name", header="content-disposition")
            filename = headers.get_param("filename", header="content-disposition")
            if name == "file" and isinstance(filename, str):
                handle = tempfile.NamedTemporaryFile(dir=self.store.directory, delete=False)
                upload.update(filename=os.path.basename(filename), path=handle.name)
                return _Sink(handle, FILE_LIMIT)

            def keep(text: str) -> None:
                fields[str(name)] = text

            return _Sink(None, 1024, keep)

        try:
            await _parse_multipart(chunks, boundary, open_part)
        except BaseException:
            if "path" in upload:
                with contextlib.suppress(OSError):
                    os.remove(upload["path"])
            raise
        purpose = fields.get("purpose", "")
        try:
            return self._accept(purpose, upload)
        except _Refused:
            if "path" in upload:
                with contextlib.suppress(OSError):
                    os.remove(upload["path"])
            raise

    def _accept(self, purpose: str, upload: dict[str, Any]) -> StoredFile:
        if purpose not in PURPOSES:
            raise _Refused(f"invalid params, purpose must be one of {', '.join(PURPOSES)}")
        if "path" not in upload:
            raise _Refused("invalid params, the upload has no file part")
        size = os.path.getsize(upload["path"])
        filename = upload["filename"]
        if size == 0:
            raise _Refused("invalid params, the file is empty")
        if purpose == "video_understanding" and not filename.lower().endswith(VIDEO_EXTENSIONS):
            raise _Refused("invalid params, video_understanding files must be MP4, AVI, MOV or MKV")
        return self.store.add(purpose, filename, upload["path"], size)

    def _retrieve(self, query: dict[str, str]) -> dict[str, Any]:
        stored = self.store.get(query.get("file_id", ""))
        if stored is None:
            raise _Refused(f"invalid params, file not found: {query.get('file_id')!r}")
        return {"file": stored.wire(), "base_resp": _OK}

    def _list(self, query: dict[str, str]) -> dict[str, Any]:
        purpose = query.get("purpose", "")
        if purpose not in PURPOSES:
            raise _Refused(f"invalid params, purpose must be one of {', '.join(PURPOSES)}")
        return {"files": [f.wire() for f in self.store.of_purpose(purpose)], "base_resp": _OK}

    def _delete(self, data: dict[str, Any]) -> dict[str, Any]:
        stored = self.store.get(data.get("file_id", ""))
        if stored is None:
            raise _Refused(f"invalid params, file not found: {data.get('file_id')!r}")
        if data.get("purpose") != stored.purpose:
            raise _Refused(
                f"invalid params, file {stored.file_id} has purpose {stored.purpose!r}, "
                f"not {data.get('purpose')!r}"
            )
        self.store.remove(stored)
        return {"file_id": stored.file_id, "base_resp": _OK}


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise _Refused("invalid params, the body must be a JSON object")
    return data


def _boundary(content_type: str) -> bytes:
    message = Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if message.get_content_type() != "multipart/form-data" or not isinstance(boundary, str):
        raise _Refused("invalid params, the upload must be multipart/form-data with a boundary")
    return boundary.encode("latin-1")


async def _counted(
    chunks: AsyncIterator[bytes], drop_after_mib: int | None
) -> AsyncIterator[bytes]:
    """The body's pieces; raises `_Dropped` once `drop_after_mib` MiB have arrived."""
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if drop_after_mib is not None and received >= drop_after_mib * MB:
            raise _Dropped
        yield chunk


class _Sink:
    """Where one part's bytes go: a temporary file, or a short text field."""

    def __init__(
        self,
        handle: IO[bytes] | None,
        limit: int,
        on_text: Callable[[str], None] | None = None,
    ) -> None:
        self._handle = handle
        self._limit = limit
        self._on_text = on_text
        self._text = bytearray()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._limit:
            self.close()
            if self._handle is not None:
                raise _Refused(
                    f"invalid params, the file is over {self._limit // MB} MB, the Files API limit"
                )
            raise _Refused("invalid params, a form field is too long")
        if self._handle is not None:
            self._handle.write(data)
        else:
            self._text += data

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        elif self._on_text is not None:
            self._on_text(self._text.decode("utf-8", "replace"))
            self._on_text = None


async def _parse_multipart(
    chunks: AsyncIterator[bytes], boundary: bytes, open_part: Callable[[Message], _Sink]
) -> None:
    """Feed each part of a multipart body to its sink as the pieces arrive.

    At most one piece plus a delimiter is buffered, whatever the size of the parts.
    """
    delimiter = b"--" + boundary
    marker = b"\r\n" + delimiter
    buffer = b""
    state = "preamble"
    sink: _Sink | None = None
    try:
        async for chunk in chunks:
            buffer += chunk
            while state != "done":
                if state == "preamble":
                    at = buffer.find(delimiter)
                    if at < 0:
                        buffer = buffer[-len(delimiter) :]
                        break
                    buffer = buffer[at + len(delimiter) :]
                    state = "after"
                elif state == "after":
                    if len(buffer) < 2:
                        break
                    if buffer[:2] == b"--":
                        state = "done"
                    elif buffer[:2] == b"\r\n":
                        buffer, state = buffer[2:], "headers"
                    else:
                        raise _Refused("invalid params, malformed multipart body")
                elif state == "headers":
                    end = buffer.find(b"\r\n\r\n")
                    if end < 0:
                        if len(buffer) > _HEAD_LIMIT:
                            raise _Refused("invalid params, multipart part headers too long")
                        break
                    headers = Message()
                    for line in buffer[:end].decode("utf-8", "replace").split("\r\n"):
                        key, sep, value = line.partition(":")
                        if sep:
                            headers[key.strip()] = value.strip()
                    buffer, state = buffer[end + 4 :], "data"
                    sink = open_part(headers)
                elif state == "data":
                    assert sink is not None
                    at = buffer.find(marker)
                    if at < 0:
                        keep = len(marker) - 1
                        if len(buffer) > keep:
                            sink.write(buffer[:-keep])
                            buffer = buffer[-keep:]
                        break
                    sink.write(buffer[:at])
                    sink.close()
                    sink = None
                    buffer, state = buffer[at + len(marker) :], "after"
        if state != "done":
            raise _Refused("invalid params, the multipart body ended early")
    except (BadHttp, asyncio.IncompleteReadError):
        raise _Refused("invalid params, the upload body ended early") from None
    finally:
        if sink is not None:
            sink.close()
