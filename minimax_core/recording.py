"""Record HTTP exchanges with a MiniMax endpoint as sanitized transcripts, and read them back.

A transcript is one request and its answer: the JSON request body, and the response status,
content type and raw body (the SSE bytes of a stream, exactly as they arrived). The API key,
every header but the content type, and request ids are removed before anything is written.

```python
import httpx
from langchain_minimax import ChatMiniMax
from minimax_core.recording import Recorder

recorder = Recorder("tests/fixtures/recorded", source="live", secrets=[my_key])
llm = ChatMiniMax(api_key=my_key, http_client=httpx.Client(transport=recorder.transport()))
llm.invoke("Hi")  # writes tests/fixtures/recorded/live-001.json
```

`CaptureTransport` / `AsyncCaptureTransport` are the hooks underneath: they wrap any httpx
transport and hand each finished exchange to a callback, without changing what the client sees.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

__all__ = [
    "TRANSCRIPT_FORMAT",
    "AsyncCaptureTransport",
    "CaptureTransport",
    "Exchange",
    "Recorder",
    "Transcript",
    "load_transcript",
    "load_transcripts",
    "sanitize",
]

TRANSCRIPT_FORMAT = "minimax-agents-transcript/1"
REDACTED = "<redacted>"
REDACTED_ID = "redacted-request-id"
# Top-level response keys that identify a request on the provider's side.
_ID_KEYS = ("id", "request_id", "trace_id")
# A request id may also ride inside an error message: "(request id: 0591f...)".
_ID_IN_TEXT = re.compile(r"(request[ _-]?id\W{0,3})([0-9A-Za-z_-]{8,})", re.IGNORECASE)


@dataclass
class Exchange:
    """One request and its whole answer, as they went over the wire (nothing removed yet).

    `complete` is false when the caller closed the response before reading all of it.
    """

    method: str
    url: str
    request_body: bytes
    status: int
    headers: dict[str, str]
    body: bytes
    complete: bool = True


class _Tee:
    """Remembers the bytes of a response body as the client reads them; reports once."""

    def __init__(self, report: Callable[[bytes, bool], None]) -> None:
        self._parts: list[bytes] = []
        self._report = report
        self._reported = False

    def add(self, chunk: bytes) -> None:
        self._parts.append(chunk)

    def finish(self, complete: bool) -> None:
        if not self._reported:
            self._reported = True
            self._report(b"".join(self._parts), complete)


class _SyncTeeStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, tee: _Tee) -> None:
        self._inner = inner
        self._tee = tee

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._tee.add(chunk)
            yield chunk
        self._tee.finish(complete=True)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._tee.finish(complete=False)


class _AsyncTeeStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, tee: _Tee) -> None:
        self._inner = inner
        self._tee = tee

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._tee.add(chunk)
            yield chunk
        self._tee.finish(complete=True)

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._tee.finish(complete=False)


def _tee(
    request: httpx.Request, response: httpx.Response, on_exchange: Callable[[Exchange], None]
) -> _Tee:
    body = request.content
    headers = dict(response.headers)

    def report(data: bytes, complete: bool) -> None:
        on_exchange(
            Exchange(
                method=request.method,
                url=str(request.url),
                request_body=body,
                status=response.status_code,
                headers=headers,
                body=data,
                complete=complete,
            )
        )

    return _Tee(report)


class CaptureTransport(httpx.BaseTransport):
    """An httpx transport that passes everything through and reports each finished exchange."""

    def __init__(
        self,
        on_exchange: Callable[[Exchange], None],
        inner: httpx.BaseTransport | None = None,
    ) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self._on_exchange = on_exchange

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self._inner.handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        tee = _tee(request, response, self._on_exchange)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_SyncTeeStream(response.stream, tee),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


class AsyncCaptureTransport(httpx.AsyncBaseTransport):
    """The async twin of `CaptureTransport`."""

    def __init__(
        self,
        on_exchange: Callable[[Exchange], None],
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._on_exchange = on_exchange

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self._inner.handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        tee = _tee(request, response, self._on_exchange)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_AsyncTeeStream(response.stream, tee),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


# --- transcripts ------------------------------------------------------------------------------


@dataclass
class Transcript:
    """A sanitized exchange: what `Recorder` writes and `load_transcript` reads."""

    request_body: dict[str, Any]
    status: int
    content_type: str
    response: bytes
    source: str
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def streamed(self) -> bool:
        return "text/event-stream" in self.content_type

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "<memory>"

    def to_json(self) -> dict[str, Any]:
        try:
            body: dict[str, Any] = {"text": self.response.decode("utf-8")}
        except UnicodeDecodeError:
            body = {"base64": base64.b64encode(self.response).decode("ascii")}
        return {
            "format": TRANSCRIPT_FORMAT,
            "source": self.source,
            "meta": self.meta,
            "request": {"body": self.request_body},
            "response": {"status": self.status, "content_type": self.content_type, **body},
        }


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _request_ids(raw: str, streamed: bool) -> set[str]:
    """The request ids a response carries: top-level ids of the body or of each SSE frame."""
    payloads: list[Any] = []
    if streamed:
        for line in raw.splitlines():
            if line.startswith("data:"):
                try:
                    payloads.append(json.loads(line[5:]))
                except ValueError:
                    continue
    else:
        try:
            payloads.append(json.loads(raw))
        except ValueError:
            pass
    found: set[str] = set()
    for payload in payloads:
        if not isinstance(payload, Mapping):
            continue
        for key in _ID_KEYS:
            value = payload.get(key)
            if isinstance(value, str) and value:
                found.add(value)
        error = payload.get("error")
        if isinstance(error, Mapping):
            for key in _ID_KEYS:
                value = error.get(key)
                if isinstance(value, str) and value:
                    found.add(value)
    return found


def sanitize(
    exchange: Exchange,
    *,
    source: str,
    secrets: Iterable[str] = (),
    meta: Mapping[str, Any] | None = None,
) -> Transcript:
    """A transcript of `exchange` with the secrets, headers and request ids taken out.

    Only the content type of the response is kept; ids are replaced textually, so the raw
    bytes are otherwise exactly what the server sent.
    """
    secrets = [s for s in secrets if s]
    request_text = _scrub(exchange.request_body.decode("utf-8", "replace"), secrets)
    try:
        request_body = json.loads(request_text) if request_text else {}
    except ValueError:
        request_body = {"unparsed": request_text}
    content_type = exchange.headers.get("content-type", "")
    raw = exchange.body.decode("utf-8", "replace")
    for request_id in sorted(_request_ids(raw, "text/event-stream" in content_type), key=len)[::-1]:
        raw = raw.replace(request_id, REDACTED_ID)
    raw = _ID_IN_TEXT.sub(lambda m: m.group(1) + REDACTED_ID, raw)
    raw = _scrub(raw, secrets)
    return Transcript(
        request_body=request_body if isinstance(request_body, dict) else {"body": request_body},
        status=exchange.status,
        content_type=content_type,
        response=raw.encode("utf-8"),
        source=source,
        meta=dict(meta or {}),
    )


def load_transcript(path: str | Path) -> Transcript:
    """Read one transcript file; a clear `ValueError` when it is not one."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != TRANSCRIPT_FORMAT:
        raise ValueError(f"{path} is not a transcript (expected format {TRANSCRIPT_FORMAT!r})")
    response = data["response"]
    if "base64" in response:
        raw = base64.b64decode(response["base64"])
    else:
        raw = str(response.get("text", "")).encode("utf-8")
    return Transcript(
        request_body=data["request"]["body"],
        status=int(response["status"]),
        content_type=str(response.get("content_type", "")),
        response=raw,
        source=str(data.get("source", "")),
        meta=dict(data.get("meta") or {}),
        path=path,
    )


def load_transcripts(directory: str | Path) -> list[Transcript]:
    """Every `*.json` transcript under `directory`, sorted by file name."""
    return [load_transcript(p) for p in sorted(Path(directory).glob("**/*.json"))]


class Recorder:
    """Writes each finished chat-completions exchange to `directory` as a transcript file.

    Files are named `{source}-{label}-{n}.json`, where `label` is whatever `label()` returns at
    the time (a test name, say). Exchanges the caller abandoned half-read are not written.
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        source: str,
        secrets: Iterable[str] = (),
        meta: Mapping[str, Any] | None = None,
        label: Callable[[], str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.source = source
        self._secrets = [s for s in secrets if s]
        self._meta = dict(meta or {})
        self._label = label
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self.written: list[Path] = []

    def transport(self, inner: httpx.BaseTransport | None = None) -> CaptureTransport:
        return CaptureTransport(self.record, inner)

    def async_transport(
        self, inner: httpx.AsyncBaseTransport | None = None
    ) -> AsyncCaptureTransport:
        return AsyncCaptureTransport(self.record, inner)

    def record(self, exchange: Exchange) -> None:
        """Write `exchange` if it is a finished chat-completions exchange."""
        if not exchange.complete or not exchange.url.rstrip("/").endswith("/chat/completions"):
            return
        label = _slug(self._label() if self._label is not None else "")
        transcript = sanitize(
            exchange,
            source=self.source,
            secrets=self._secrets,
            meta={**self._meta, **({"label": label} if label else {})},
        )
        stem = "-".join(part for part in (_slug(self.source), label) if part)
        with self._lock:
            n = self._counts.get(stem, 0) + 1
            self._counts[stem] = n
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{stem}-{n:03d}.json"
            text = json.dumps(transcript.to_json(), ensure_ascii=False, indent=1)
            path.write_text(text + "\n", encoding="utf-8")
            self.written.append(path)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:120]
