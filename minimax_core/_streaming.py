"""Streamed answers: the pure reader (bytes → SSE frames → deltas → `Completion`) and the two
stream shells, `ChatStream` and `AsyncChatStream`, which differ only where one awaits.

The client's retry loop (`_client`) opens a stream with `ChatStream.open` / `AsyncChatStream.open`,
which read up to the first delta, so a failure before any delta can still be retried; once a
stream is handed out nothing is retried, so no text repeats.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar

import httpx

from ._accumulate import Accumulator, TurnView, completed_view
from ._exceptions import APITimeoutError, MiniMaxError, StreamError
from ._json import loads
from ._limiter import Permit
from ._reasoning import Prefill
from ._sse import SSEDecoder
from .types import Completion, StreamDelta, ToolCallDelta

__all__ = ["AsyncChatStream", "ChatStream", "is_event_stream"]


class _StreamReader:
    """Bytes in, deltas out: the SSE decoder and the accumulator, with no I/O."""

    __slots__ = ("accumulator", "decoder", "done")

    def __init__(self, tools: Sequence[Mapping[str, Any]] | None, prefill: Prefill) -> None:
        self.decoder = SSEDecoder()
        self.accumulator = Accumulator(tools, prefill=prefill)
        self.done = False

    def feed(self, chunk: bytes) -> list[StreamDelta]:
        return self._frames(self.decoder.decode(chunk))

    def end(self) -> tuple[list[StreamDelta], Completion]:
        deltas = self._frames(self.decoder.flush())
        last, completion = self.accumulator.finish(streamed=True)
        if last:
            deltas.append(last)
        return deltas, completion

    def _frames(self, frames: list[str]) -> list[StreamDelta]:
        out: list[StreamDelta] = []
        for frame in frames:
            if self.done:
                break
            if frame[:1] == "[" and frame.strip() == "[DONE]":
                self.done = True
                break
            for payload in _loads_frame(frame):
                delta = self.accumulator.feed(payload)
                if delta:
                    out.append(delta)
        return out


def _loads_frame(frame: str) -> list[dict[str, Any]]:
    try:
        payload = loads(frame)
    except ValueError:
        # Some servers put several JSON objects on consecutive `data:` lines of one event.
        payloads = []
        for line in frame.splitlines():
            if not line.strip() or line.strip() == "[DONE]":
                continue
            try:
                payloads.append(loads(line))
            except ValueError:
                raise StreamError(
                    f"MiniMax sent a malformed stream frame: {frame[:200]!r}"
                ) from None
        return payloads
    if not isinstance(payload, dict):
        raise StreamError(f"MiniMax sent a stream frame that is not an object: {frame[:200]!r}")
    return [payload]


def is_event_stream(response: httpx.Response) -> bool:
    """Whether a response is a successful SSE stream (else its body is read whole)."""
    return response.status_code < 400 and "text/event-stream" in response.headers.get(
        "content-type", ""
    )


_Chunks = TypeVar("_Chunks", Iterator[bytes], AsyncIterator[bytes])
_S = TypeVar("_S", bound="_Stream[Any]")


class _Stream(Generic[_Chunks]):
    """What both stream shells hold: the response, its byte chunks and the reader over them.

    A stream made from a whole (non-SSE) answer holds no response: its one delta and its
    `completion` are known from the start.
    """

    def __init__(
        self,
        response: httpx.Response | None,
        reader: _StreamReader | None,
        first: list[StreamDelta],
        completion: Completion | None = None,
        *,
        chunks: _Chunks | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._response = response
        self._headers = headers
        self._reader = reader
        self._chunks: _Chunks | None = chunks
        self._first = first
        self.completion = completion
        self._permit: Permit | None = None
        self.turn: TurnView = (
            reader.accumulator.view if reader is not None else completed_view(completion)
        )
        """The turn folded so far, read-only, shared with the reader (see `TurnView`)."""

    @classmethod
    def whole(cls: type[_S], completion: Completion) -> _S:
        """A stream of one delta, for a server that answered a streamed request with JSON."""
        return cls(None, None, [_delta_of(completion)], completion)

    def _hold(self, permit: Permit | None) -> bool:
        """Keep the rate limiter's slot until the stream closes, if it holds a response.

        The opening counts as a success for the limiter. `False`: nothing to hold (a whole
        answer), so the caller closes the response and frees the slot at once.
        """
        if self._response is None:
            return False
        if permit is not None:
            permit.limit.report(permit, None)
            self._permit = permit
            # A stream dropped unclosed still frees its limiter slot.
            weakref.finalize(self, permit.limit.release, permit)
        return True

    def _end(self, reader: _StreamReader) -> list[StreamDelta]:
        """Finish the turn: set `completion` (with the response headers when the client keeps
        them) and return the deltas still held back."""
        deltas, completion = reader.end()
        if self._headers is not None:
            completion.metadata["headers"] = self._headers
        self.completion = completion
        return deltas

    def _release_permit(self) -> None:
        if self._permit is not None:
            self._permit.limit.release(self._permit)


class ChatStream(_Stream[Iterator[bytes]]):
    """The deltas of one streamed answer; `completion` holds the finished turn afterwards.

    Use it as a context manager or iterate it to the end: either way the connection is released,
    also when the loop is left early.
    """

    @classmethod
    def open(
        cls, response: httpx.Response, reader: _StreamReader, headers: dict[str, str] | None
    ) -> ChatStream:
        """Read `response` up to its first delta (or its end).

        Transport errors and a `base_resp` error in the first frames propagate, to be retried.
        """
        chunks = response.iter_bytes()
        first: list[StreamDelta] = []
        for chunk in chunks:
            first = reader.feed(chunk)
            if first or reader.done:
                break
        return cls(response, reader, first, chunks=chunks, headers=headers)

    def __iter__(self) -> Iterator[StreamDelta]:
        try:
            yield from self._first
            self._first = []
            if self._reader is None or self._chunks is None:
                return
            reader = self._reader
            if not reader.done:
                try:
                    for chunk in self._chunks:
                        yield from reader.feed(chunk)
                        if reader.done:
                            break
                except httpx.TransportError as exc:
                    raise _mid_stream_error(exc) from exc
            yield from self._end(reader)
            _drain(self._chunks)
        finally:
            self.close()

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
        self._release_permit()

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncChatStream(_Stream[AsyncIterator[bytes]]):
    """Async twin of `ChatStream`."""

    @classmethod
    async def open(
        cls, response: httpx.Response, reader: _StreamReader, headers: dict[str, str] | None
    ) -> AsyncChatStream:
        """Async twin of `ChatStream.open`."""
        chunks = response.aiter_bytes()
        first: list[StreamDelta] = []
        async for chunk in chunks:
            first = reader.feed(chunk)
            if first or reader.done:
                break
        return cls(response, reader, first, chunks=chunks, headers=headers)

    async def __aiter__(self) -> AsyncIterator[StreamDelta]:
        try:
            for delta in self._first:
                yield delta
            self._first = []
            if self._reader is None or self._chunks is None:
                return
            reader = self._reader
            if not reader.done:
                try:
                    async for chunk in self._chunks:
                        for delta in reader.feed(chunk):
                            yield delta
                        if reader.done:
                            break
                except httpx.TransportError as exc:
                    raise _mid_stream_error(exc) from exc
            for delta in self._end(reader):
                yield delta
            await _adrain(self._chunks)
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if self._response is not None:
            await self._response.aclose()
        self._release_permit()

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _drain(chunks: Iterator[bytes]) -> None:
    """Read what follows `[DONE]` (normally just the end of the chunked body).

    A response closed before its body ends cannot go back to the pool, so draining it keeps the
    connection for the next request. The answer is already complete, so a failure here is moot.
    """
    try:
        for _ in chunks:
            pass
    except httpx.HTTPError:
        pass


async def _adrain(chunks: AsyncIterator[bytes]) -> None:
    try:
        async for _ in chunks:
            pass
    except httpx.HTTPError:
        pass


def _mid_stream_error(exc: httpx.TransportError) -> MiniMaxError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            "the MiniMax stream stalled past the idle timeout; the partial answer was discarded"
        )
    return StreamError(
        f"the MiniMax stream broke before the answer was complete ({type(exc).__name__}); "
        "the partial answer was discarded"
    )


def _delta_of(completion: Completion) -> StreamDelta:
    return StreamDelta(
        text=completion.text,
        reasoning=completion.reasoning,
        tool_calls=[
            ToolCallDelta(c.index, c.id, c.name, c.arguments) for c in completion.tool_calls
        ],
    )
