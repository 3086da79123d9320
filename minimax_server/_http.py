"""A small HTTP/1.1 layer on asyncio streams: keep-alive, Content-Length and chunked bodies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

__all__ = ["BadHttp", "ChunkedWriter", "HttpRequest", "iter_body", "read_request", "send_json"]

_MAX_BODY = 128 * 1024 * 1024


class BadHttp(Exception):
    """The bytes on the connection are not an HTTP/1.1 request we can answer."""


@dataclass
class HttpRequest:
    """One parsed request; header names are lower-cased.

    A multipart body (an upload) is not read here: `streamed` is set and its handler reads it
    with `iter_body`, so a large file goes to disk without being held in memory. Until it has
    been read to the end the connection cannot carry another request.
    """

    method: str
    path: str
    version: str
    headers: dict[str, str]
    body: bytes
    query: str = ""
    streamed: bool = False
    consumed: bool = True

    @property
    def keep_alive(self) -> bool:
        if not self.consumed:
            return False
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


async def read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """Read the next request, or None when the client closed the connection between requests."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise BadHttp("truncated request head") from exc
        return None
    except asyncio.LimitOverrunError as exc:
        raise BadHttp("request head too large") from exc
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ", 2)
    except ValueError as exc:
        raise BadHttp(f"bad request line {lines[0]!r}") from exc
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise BadHttp(f"bad header line {line!r}")
        headers[name.strip().lower()] = value.strip()
    parts = urlsplit(target)
    if headers.get("content-type", "").lower().startswith("multipart/"):
        return HttpRequest(
            method.upper(), parts.path, version.strip(), headers, b"", parts.query, True, False
        )
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError as exc:
            raise BadHttp("bad Content-Length") from exc
        if length < 0 or length > _MAX_BODY:
            raise BadHttp("bad Content-Length")
        body = await reader.readexactly(length) if length else b""
    return HttpRequest(method.upper(), parts.path, version.strip(), headers, body, parts.query)


async def iter_body(
    reader: asyncio.StreamReader, request: HttpRequest, piece: int = 1 << 16
) -> AsyncIterator[bytes]:
    """A streamed request's body in pieces (Content-Length or chunked); marks it consumed."""
    if "chunked" in request.headers.get("transfer-encoding", "").lower():
        async for data in _chunked_pieces(reader, piece):
            yield data
    else:
        try:
            left = int(request.headers.get("content-length", "0"))
        except ValueError as exc:
            raise BadHttp("bad Content-Length") from exc
        while left > 0:
            data = await reader.read(min(left, piece))
            if not data:
                raise asyncio.IncompleteReadError(b"", left)
            left -= len(data)
            yield data
    request.consumed = True


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    async for data in _chunked_pieces(reader, 1 << 20):
        total += len(data)
        if total > _MAX_BODY:
            raise BadHttp("body too large")
        parts.append(data)
    return b"".join(parts)


async def _chunked_pieces(reader: asyncio.StreamReader, piece: int) -> AsyncIterator[bytes]:
    """A chunked body's data, in pieces of at most `piece` bytes, through the last chunk."""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";")[0].strip(), 16)
        except ValueError as exc:
            raise BadHttp("bad chunk size") from exc
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return
        while size:
            data = await reader.read(min(size, piece))
            if not data:
                raise asyncio.IncompleteReadError(b"", size)
            size -= len(data)
            yield data
        await reader.readexactly(2)


def _status_line(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = {529: "Site Overloaded"}.get(status, "Unknown")
    return f"HTTP/1.1 {status} {phrase}\r\n".encode("latin-1")


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return _status_line(status) + lines.encode("latin-1") + b"\r\n"


async def send_json(
    writer: asyncio.StreamWriter,
    status: int,
    body: Any,
    *,
    keep_alive: bool,
    headers: dict[str, str] | None = None,
) -> None:
    """Write a whole JSON response with Content-Length."""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": str(len(payload)),
        "Connection": "keep-alive" if keep_alive else "close",
        **(headers or {}),
    }
    writer.write(_head(status, all_headers) + payload)
    await writer.drain()


class ChunkedWriter:
    """An SSE response written with chunked transfer encoding, one HTTP chunk per event."""

    def __init__(self, writer: asyncio.StreamWriter, *, keep_alive: bool) -> None:
        self._writer = writer
        self._keep_alive = keep_alive

    async def start(self, headers: dict[str, str] | None = None) -> None:
        all_headers = {
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            "Transfer-Encoding": "chunked",
            "Connection": "keep-alive" if self._keep_alive else "close",
            **(headers or {}),
        }
        self._writer.write(_head(200, all_headers))
        await self._writer.drain()

    async def event(self, data: str) -> None:
        """Write `data: <data>` and the blank line that ends the event."""
        payload = f"data: {data}\n\n".encode()
        self._writer.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        await self._writer.drain()

    async def end(self) -> None:
        self._writer.write(b"0\r\n\r\n")
        await self._writer.drain()
