"""An incremental Server-Sent Events decoder for the only event MiniMax sends: `data:` frames.

It takes raw bytes as they arrive and returns the complete `data` payloads, so a frame split
across network reads, `\\r\\n` line endings and a last frame with no trailing newline all decode
the same. Fields other than `data` (`event`, `id`, `retry`, comments) carry nothing for chat
completions and are skipped.
"""

from __future__ import annotations

__all__ = ["SSEDecoder"]


class SSEDecoder:
    """Feed bytes with `decode`, collect whole `data` payloads; call `flush` at end of stream."""

    __slots__ = ("_buffer", "_data")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []

    def decode(self, chunk: bytes) -> list[str]:
        """The payloads of every event completed by `chunk`."""
        if (
            not self._buffer
            and not self._data
            and chunk.startswith(b"data: ")
            and chunk.endswith(b"\n\n")
            and chunk.count(b"\n") == 2
            and b"\r" not in chunk
        ):
            # The usual read: exactly one whole single-line event. Same result, a third of the work.
            return [chunk[6:-2].decode("utf-8", errors="replace")]
        buffer = self._buffer + chunk if self._buffer else chunk
        if b"\n" not in buffer and b"\r" not in buffer:
            self._buffer = buffer
            return []
        lines = buffer.splitlines(keepends=True)
        last = lines[-1]
        if last.endswith(b"\r") or not last.endswith((b"\n", b"\r")):
            # A line is complete only once its terminator arrived; a lone "\r" may be the first
            # half of "\r\n" split across reads.
            self._buffer = lines.pop()
        else:
            self._buffer = b""
        events: list[str] = []
        for raw in lines:
            self._line(raw.rstrip(b"\r\n"), events)
        return events

    def flush(self) -> list[str]:
        """Payloads still held when the stream ends, including a last line with no newline."""
        events: list[str] = []
        if self._buffer:
            self._line(self._buffer.rstrip(b"\r\n"), events)
            self._buffer = b""
        self._line(b"", events)
        return events

    def _line(self, line: bytes, events: list[str]) -> None:
        if not line:
            if self._data:
                events.append("\n".join(self._data))
                self._data = []
            return
        if line.startswith(b"data:"):
            value = line[5:]
            if value.startswith(b" "):
                value = value[1:]
            self._data.append(value.decode("utf-8", errors="replace"))
