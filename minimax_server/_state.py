"""What a request can see or change: settings, recorded requests, scripted replies, faults,
strict-mode memory, the prompt-prefix cache, uploaded files and connection counters."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from typing import Any

from ._faults import FaultQueue
from ._files import FilesApi
from ._http import HttpRequest
from ._model import ChatRequest, count_tokens, text_of
from ._ratelimit import RateGate, RateLimits
from ._types import DIALECTS, RecordedRequest, ScriptedReply
from ._validate import Memory

__all__ = ["ServerState", "check_dialect"]

# Prompt prefixes remembered for `cached_tokens`, oldest dropped first.
_MAX_PREFIXES = 50_000


def check_dialect(dialect: str) -> None:
    """Refuse a dialect the server cannot speak, naming the ones it can."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")


class ServerState:
    """The settings and memory shared by every connection of one server (thread-safe)."""

    def __init__(
        self,
        api_key: str,
        *,
        dialect: str,
        strict: bool,
        any_model: bool | None,
        send_done: bool | None,
        chunk_delay: float,
        rate_limits: RateLimits | None = None,
    ) -> None:
        check_dialect(dialect)
        self.api_key = api_key
        self.dialect = dialect
        self.strict = strict
        self.any_model = any_model
        self.send_done = send_done
        self.chunk_delay = chunk_delay
        self._initial = (dialect, strict, any_model, send_done, chunk_delay)
        self.faults = FaultQueue()
        self._initial_rate_limits = rate_limits or RateLimits()
        self.rate_gate = RateGate(self._initial_rate_limits)
        self.memory = Memory()
        self.files = FilesApi()
        self.connections_opened = 0
        self.connections_open = 0
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._replies: deque[ScriptedReply] = deque()
        self._prefixes: dict[str, int] = {}

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def set_dialect(self, dialect: str) -> None:
        """Switch the wire dialect for the following requests."""
        check_dialect(dialect)
        self.dialect = dialect

    def accepts_any_model(self) -> bool:
        """Whether unknown model names pass: by default only for the self-hosted dialects."""
        return self.any_model if self.any_model is not None else self.dialect != "minimax"

    def ends_with_done(self) -> bool:
        """Whether streams end with `data: [DONE]` (every dialect's habit unless told)."""
        return self.send_done if self.send_done is not None else True

    def record(self, request: HttpRequest, body: dict[str, Any], stream: bool) -> None:
        """Remember a chat request, its `Authorization` header redacted."""
        headers = dict(request.headers)
        if "authorization" in headers:
            headers["authorization"] = "<redacted>"
        entry = RecordedRequest(request.path, headers, body, stream, request.method)
        with self._lock:
            self._requests.append(entry)

    def enqueue(self, reply: ScriptedReply) -> None:
        """Answer the next request that reaches the model with exactly `reply`."""
        with self._lock:
            self._replies.append(reply)

    def next_reply(self) -> ScriptedReply | None:
        """The oldest scripted reply not yet used, if any."""
        with self._lock:
            return self._replies.popleft() if self._replies else None

    def prompt_usage(self, chat: ChatRequest) -> tuple[int, int]:
        """Prompt tokens, and cached tokens: a prefix seen before, or half of a long prompt."""
        digest = hashlib.sha256()
        total = count_tokens(json.dumps(chat.tools)) if chat.tools else 0
        cached_prefix = 0
        prefixes: list[tuple[str, int]] = []
        for msg in chat.messages:
            digest.update(json.dumps(msg, sort_keys=True, default=str).encode())
            content = msg.get("content")
            total += count_tokens(text_of(content)) + 4
            for part in content if isinstance(content, list) else []:
                kind = part.get("type") if isinstance(part, dict) else None
                total += {"image_url": 1024, "video_url": 2048}.get(str(kind), 0)
            prefixes.append((digest.copy().hexdigest(), total))
        with self._lock:
            for key, tokens in prefixes[:-1]:
                if key in self._prefixes:
                    cached_prefix = tokens
            self._prefixes.update(prefixes)
            while len(self._prefixes) > _MAX_PREFIXES:
                self._prefixes.pop(next(iter(self._prefixes)))
        cached_long = (total // 2) // 64 * 64 if total >= 512 else 0
        return total, min(total, max(cached_prefix, cached_long))

    def reset(self) -> None:
        """Clear requests, replies, faults, strict memory and counters; restore settings."""
        with self._lock:
            self._requests.clear()
            self._replies.clear()
            self._prefixes.clear()
            self.connections_opened = 0
        self.faults.clear()
        self.memory.clear()
        self.rate_gate.configure(self._initial_rate_limits)
        self.files.store.clear()
        self.dialect, self.strict, self.any_model, self.send_done, self.chunk_delay = self._initial
