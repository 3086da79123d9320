"""`MiniMaxServer`: the asyncio server, its state, faults, and control endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import json
import random
import signal
import threading
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any

from ._http import BadHttp, ChunkedWriter, HttpRequest, read_request, send_json
from ._model import ChatRequest, Reply, ReplyCall, apply_limits, count_tokens, decide, text_of
from ._ratelimit import RateGate, RateLimits
from ._types import (
    DIALECTS,
    KNOWN_MODELS,
    STREAM_FAULTS,
    Fault,
    RecordedRequest,
    ScriptedReply,
)
from ._validate import ApiError, Memory, check_strict, parse_request
from ._wire import Rendered, StreamOptions, render

__all__ = ["MiniMaxServer"]

_STATUS_MESSAGES: dict[int, str] = {
    1000: "unknown error",
    1001: "request timeout",
    1002: "rate limit exceeded(RPM)",
    1004: "login fail: Please carry the API secret key in the 'Authorization' field of the "
    "request header",
    1008: "insufficient balance",
    1013: "internal server error",
    1024: "internal error",
    1026: "input new_sensitive",
    1027: "output new_sensitive",
    1033: "system error",
    1039: "token limit",
    1041: "conn limit",
    2013: "invalid params",
    2045: "rate growth limit",
    2049: "invalid api key",
    2056: "usage limit exceeded",
}
# status -> (error type, default MiniMax code) of the Anthropic-style error body.
_HTTP_ERRORS: dict[int, tuple[str, int]] = {
    400: ("bad_request_error", 2013),
    401: ("authorized_error", 1004),
    403: ("permission_error", 1004),
    404: ("not_found_error", 2013),
    408: ("timeout_error", 1001),
    429: ("rate_limit_error", 1002),
    500: ("api_error", 1033),
    502: ("api_error", 1000),
    503: ("api_error", 1013),
    504: ("timeout_error", 1001),
    529: ("overloaded_error", 1013),
}
_OVERLOADED = "The server cluster is currently under high load. Please retry your request later"


@dataclass
class _ActiveFault:
    fault: Fault
    remaining: int
    rng: random.Random


def _error_body(status: int, message: str) -> dict[str, Any]:
    kind = _HTTP_ERRORS.get(status, ("api_error", 1000))[0]
    return {
        "type": "error",
        "error": {"type": kind, "message": message, "http_code": str(status)},
        "request_id": uuid.uuid4().hex,
    }


class MiniMaxServer:
    """A MiniMax-compatible chat-completions server on loopback, run in a daemon thread.

    Use it as a context manager (sync or async), or call `start()` / `stop()`.
    `any_model=None` accepts any model name for the self-hosted dialects only.
    `send_done=None` keeps the dialect's habit (every dialect sends `data: [DONE]`).
    `reset()` restores the settings given here and clears everything else.
    """

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        dialect: str = "minimax",
        strict: bool = False,
        any_model: bool | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        send_done: bool | None = None,
        chunk_delay: float = 0.0,
        rate_limits: RateLimits | None = None,
    ) -> None:
        _check_dialect(dialect)
        self.api_key = api_key
        self.host = host
        self.strict = strict
        self.any_model = any_model
        self.send_done = send_done
        self.chunk_delay = chunk_delay
        self._dialect = dialect
        self._initial = (dialect, strict, any_model, send_done, chunk_delay)
        self._initial_rate_limits = rate_limits or RateLimits()
        self.rate_gate = RateGate(self._initial_rate_limits)
        self._requested_port = port
        self._port: int | None = None
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._replies: deque[ScriptedReply] = deque()
        self._faults: list[_ActiveFault] = []
        self._memory = Memory()
        self._prefixes: dict[str, int] = {}
        self._opened = 0
        self._open = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> MiniMaxServer:
        """Bind and serve in a daemon thread; returns once the port is open."""
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._bind())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="minimax-server", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            self._loop = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close every connection, stop the loop and join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = None
        self._thread = None
        self._server = None
        self._port = None

    def serve_forever(self) -> None:
        """Serve until SIGINT or SIGTERM (used by `python -m minimax_server`)."""
        done = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: done.set())
        self.start()
        try:
            while not done.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> MiniMaxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> MiniMaxServer:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    async def _bind(self) -> None:
        self._server = await asyncio.start_server(
            self._connection, self.host, self._requested_port, backlog=2048, limit=1 << 20
        )
        self._port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    # --- public state ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after `start()`)."""
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """`http://<host>:<port>/v1`, the client's `base_url`."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def dialect(self) -> str:
        """The wire dialect spoken now."""
        return self._dialect

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted since start (or the last `reset()`)."""
        return self._opened

    @property
    def connections_open(self) -> int:
        """TCP connections open now."""
        return self._open

    def set_dialect(self, dialect: str) -> None:
        """Switch the wire dialect for the following requests."""
        _check_dialect(dialect)
        self._dialect = dialect

    def inject(self, fault: Fault) -> None:
        """Apply `fault` to the next `fault.count` requests (or a random fraction)."""
        with self._lock:
            self._faults.append(_ActiveFault(fault, fault.count, random.Random(fault.seed)))

    def enqueue(self, reply: ScriptedReply) -> None:
        """Answer the next request that reaches the model with exactly `reply`."""
        with self._lock:
            self._replies.append(reply)

    def reset(self) -> None:
        """Clear requests, replies, faults, strict memory and counters; restore settings."""
        with self._lock:
            self._requests.clear()
            self._replies.clear()
            self._faults.clear()
            self._prefixes.clear()
            self._opened = 0
        self._memory.clear()
        self._dialect, self.strict, self.any_model, self.send_done, self.chunk_delay = self._initial
        self.rate_gate.configure(self._initial_rate_limits)

    # --- connections -----------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self._opened += 1
        self._open += 1
        try:
            while True:
                try:
                    request = await read_request(reader)
                except BadHttp as exc:
                    await send_json(writer, 400, {"error": str(exc)}, keep_alive=False)
                    break
                if request is None:
                    break
                if not await self._dispatch(request, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # Only `stop()` cancels connections; ending quietly keeps asyncio from logging
            # every cancelled keep-alive connection as an error.
            pass
        finally:
            self._open -= 1
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _dispatch(
        self, request: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the connection must close."""
        keep = request.keep_alive
        path = request.path.rstrip("/") or "/"
        if path.startswith("/_control/"):
            status, body = self._control(request.method, path, request.body)
            await send_json(writer, status, body, keep_alive=keep)
            return keep
        if path == "/v1/chat/completions":
            if request.method != "POST":
                await send_json(
                    writer, 405, _error_body(405, "method not allowed"), keep_alive=keep
                )
                return keep
            return await self._chat(request, reader, writer)
        if path == "/v1/models" and request.method == "GET":
            if request.headers.get("authorization", "") != f"Bearer {self.api_key}":
                message = f"{_STATUS_MESSAGES[1004]} (1004)"
                await send_json(writer, 401, _error_body(401, message), keep_alive=keep)
                return keep
            models = [{"id": m, "object": "model", "owned_by": "minimax"} for m in KNOWN_MODELS]
            await send_json(writer, 200, {"object": "list", "data": models}, keep_alive=keep)
            return keep
        if path in ("/", "/health"):
            await send_json(writer, 200, {"status": "ok"}, keep_alive=keep)
            return keep
        await send_json(writer, 404, _error_body(404, f"not found: {path}"), keep_alive=keep)
        return keep

    # --- chat completions ------------------------------------------------------------------

    async def _chat(
        self, request: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        keep = request.keep_alive
        try:
            body: Any = json.loads(request.body or b"null")
        except ValueError:
            body = None
        stream = isinstance(body, dict) and bool(body.get("stream"))
        self._record(request, body if isinstance(body, dict) else {}, stream)

        async def fail(error: ApiError) -> bool:
            message = f"{error.message} ({error.code})"
            payload = _error_body(error.status, message)
            payload["error"]["type"] = error.kind
            await send_json(writer, error.status, payload, keep_alive=keep, headers=error.headers)
            return keep

        if request.headers.get("authorization", "") != f"Bearer {self.api_key}":
            return await fail(ApiError(401, _STATUS_MESSAGES[1004], 1004, "authorized_error"))
        counted, refusal = self.rate_gate.enter()
        try:
            faults = [refusal] if refusal else self._take_faults(stream)
            return await self._answer(request, body, faults, reader, writer, fail)
        finally:
            if counted:
                self.rate_gate.leave()

    async def _answer(
        self,
        request: HttpRequest,
        body: Any,
        faults: list[Fault],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        fail: Callable[[ApiError], Awaitable[bool]],
    ) -> bool:
        keep = request.keep_alive
        dialect = self._dialect
        for fault in faults:
            if fault.kind == "http_status":
                return await fail(_http_fault(fault))
            if fault.kind == "base_resp":
                await send_json(writer, 200, _base_resp_body(fault, body), keep_alive=keep)
                return keep
        any_model = self.any_model if self.any_model is not None else dialect != "minimax"
        try:
            chat = parse_request(body, any_model=any_model)
            if self.strict:
                check_strict(chat.messages, self._memory)
        except ApiError as error:
            return await fail(error)

        with self._lock:
            scripted = self._replies.popleft() if self._replies else None
        reply = _scripted(scripted) if scripted is not None else apply_limits(chat, decide(chat))
        prompt_tokens, cached = self._prompt_usage(chat)
        kinds = {f.kind for f in faults}
        options = StreamOptions(
            tool_args="fragments"
            if "fragmented_tool_args" in kinds
            else "whole"
            if "whole_tool_args" in kinds
            else None,
            reused_index="reused_index_new_id" in kinds,
        )
        rendered = render(
            dialect, chat, reply, prompt_tokens=prompt_tokens, cached_tokens=cached, options=options
        )
        self._memory.remember(rendered.produced)
        headers = {"Trace-Id": uuid.uuid4().hex} if dialect == "minimax" else {}
        if not chat.stream:
            await send_json(writer, 200, rendered.body, keep_alive=keep, headers=headers)
            return keep
        return await self._stream(chat, rendered, faults, reader, writer, keep, headers)

    async def _stream(
        self,
        chat: ChatRequest,
        rendered: Rendered,
        faults: list[Fault],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        keep: bool,
        headers: dict[str, str],
    ) -> bool:
        by_kind = {f.kind: f for f in faults}
        frames: list[dict[str, Any]] = list(rendered.chunks)
        if chat.include_usage or "usage_chunk" in by_kind:
            frames.append(rendered.usage_chunk)
        if "final_message_chunk" in by_kind:
            frames.append(copy.deepcopy(rendered.body))
        done = self.send_done if self.send_done is not None else True
        done = done and "no_done" not in by_kind
        if "eof_before_finish" in by_kind:
            frames = [copy.deepcopy(c) for c in rendered.chunks]
            for choice in frames[-1]["choices"]:
                if "message" not in choice:
                    choice.pop("finish_reason", None)
                    if self._dialect != "minimax":
                        choice["finish_reason"] = None
            done = False
        texts = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in frames]
        if done:
            texts.append("[DONE]")

        out = ChunkedWriter(writer, keep_alive=keep)
        await out.start(headers)
        for sent, text in enumerate(texts):
            drop = by_kind.get("drop_mid_stream")
            if drop is not None and sent == drop.after_chunks:
                writer.transport.abort()
                return False
            stall = by_kind.get("stall")
            if stall is not None and sent == stall.after_chunks:
                if stall.hang:
                    # Hang until the client gives up (EOF) or the server stops.
                    while await reader.read(65536):
                        pass
                    return False
                await asyncio.sleep(stall.seconds)
            error = by_kind.get("sse_error_frame")
            if error is not None and sent == error.after_chunks:
                await out.event(json.dumps(_sse_error(rendered, error), separators=(",", ":")))
                await out.end()
                return keep
            if self.chunk_delay and sent:
                await asyncio.sleep(self.chunk_delay)
            await out.event(text)
        await out.end()
        return keep

    # --- helpers ---------------------------------------------------------------------------

    def _record(self, request: HttpRequest, body: dict[str, Any], stream: bool) -> None:
        headers = dict(request.headers)
        if "authorization" in headers:
            headers["authorization"] = "<redacted>"
        entry = RecordedRequest(request.path, headers, body, stream, request.method)
        with self._lock:
            self._requests.append(entry)

    def _take_faults(self, stream: bool) -> list[Fault]:
        """The faults this request gets: one HTTP-level fault, else one of each stream kind."""
        with self._lock:
            http_level = [a for a in self._faults if a.fault.kind not in STREAM_FAULTS]
            for active in http_level:
                if self._consume(active):
                    return [active.fault]
            if not stream:
                return []
            taken: dict[str, Fault] = {}
            for active in [a for a in self._faults if a.fault.kind in STREAM_FAULTS]:
                if active.fault.kind not in taken and self._consume(active):
                    taken[active.fault.kind] = active.fault
            return list(taken.values())

    def _consume(self, active: _ActiveFault) -> bool:
        fault = active.fault
        if fault.probability is not None:
            return active.rng.random() < fault.probability
        active.remaining -= 1
        if active.remaining <= 0:
            self._faults.remove(active)
        return True

    def _prompt_usage(self, chat: ChatRequest) -> tuple[int, int]:
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
            while len(self._prefixes) > 50_000:
                self._prefixes.pop(next(iter(self._prefixes)))
        cached_long = (total // 2) // 64 * 64 if total >= 512 else 0
        return total, min(total, max(cached_prefix, cached_long))

    def _control(self, method: str, path: str, raw: bytes) -> tuple[int, Any]:
        name = path.removeprefix("/_control/")
        try:
            data: Any = json.loads(raw) if raw else {}
            if method == "GET" and name == "requests":
                return 200, [asdict(r) for r in self.requests]
            if method == "GET" and name == "stats":
                return 200, {
                    "connections_opened": self.connections_opened,
                    "connections_open": self.connections_open,
                    "requests": len(self.requests),
                    "dialect": self._dialect,
                    "strict": self.strict,
                }
            if method != "POST" or not isinstance(data, dict):
                return 400, {"error": "expected POST with a JSON object body"}
            if name == "fault":
                self.inject(Fault.from_dict(data))
            elif name == "reply":
                self.enqueue(ScriptedReply.from_dict(data))
            elif name == "reset":
                self.reset()
            elif name == "config":
                self._configure(data)
            else:
                return 404, {"error": f"unknown control endpoint {name!r}"}
        except (ValueError, TypeError) as exc:
            return 400, {"error": str(exc)}
        return 200, {"ok": True}

    def _configure(self, data: dict[str, Any]) -> None:
        unknown = set(data) - {"dialect", "strict", "any_model", "send_done", "chunk_delay"}
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        if "dialect" in data:
            self.set_dialect(str(data["dialect"]))
        if "strict" in data:
            self.strict = bool(data["strict"])
        if "any_model" in data:
            self.any_model = None if data["any_model"] is None else bool(data["any_model"])
        if "send_done" in data:
            self.send_done = None if data["send_done"] is None else bool(data["send_done"])
        if "chunk_delay" in data:
            self.chunk_delay = float(data["chunk_delay"])


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")


def _scripted(reply: ScriptedReply) -> Reply:
    calls = [
        ReplyCall(
            c.name,
            c.arguments
            if isinstance(c.arguments, str)
            else json.dumps(c.arguments, ensure_ascii=False),
            c.id,
        )
        for c in reply.tool_calls
    ]
    finish = reply.finish_reason or ("tool_calls" if calls else "stop")
    reasoning = reply.reasoning
    if reasoning is None:
        reasoning = "The reply to this request was scripted by the test. I will send it exactly."
    return Reply(reasoning=reasoning, text=reply.text, tool_calls=calls, finish_reason=finish)


def _http_fault(fault: Fault) -> ApiError:
    kind, default_code = _HTTP_ERRORS.get(fault.status, ("api_error", 1000))
    code = fault.code or default_code
    message = fault.message or (
        _OVERLOADED if fault.status == 529 else _STATUS_MESSAGES.get(code, "unknown error")
    )
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        value = fault.retry_after
        headers["Retry-After"] = str(int(value)) if float(value).is_integer() else str(value)
    if fault.retry_after_ms is not None:
        headers["retry-after-ms"] = str(fault.retry_after_ms)
    return ApiError(fault.status, message, code, kind, headers)


def _base_resp_body(fault: Fault, body: Any) -> dict[str, Any]:
    code = fault.code or 1002
    model = body.get("model") if isinstance(body, dict) else None
    return {
        "id": uuid.uuid4().hex,
        "choices": None,
        "created": 0,
        "model": model or "",
        "object": "chat.completion",
        "usage": {"total_tokens": 0, "total_characters": 0},
        "input_sensitive": code == 1026,
        "output_sensitive": code == 1027,
        "input_sensitive_type": 1 if code == 1026 else 0,
        "output_sensitive_type": 1 if code == 1027 else 0,
        "output_sensitive_int": 0,
        "base_resp": {
            "status_code": code,
            "status_msg": fault.message or _STATUS_MESSAGES.get(code, "unknown error"),
        },
    }


def _sse_error(rendered: Rendered, fault: Fault) -> dict[str, Any]:
    code = fault.code or 1002
    first = rendered.chunks[0]
    return {
        "id": first["id"],
        "choices": [],
        "created": first["created"],
        "model": first["model"],
        "object": "chat.completion.chunk",
        "usage": None,
        "input_sensitive": code == 1026,
        "output_sensitive": code == 1027,
        "input_sensitive_type": 1 if code == 1026 else 0,
        "output_sensitive_type": 1 if code == 1027 else 0,
        "output_sensitive_int": 0,
        "base_resp": {
            "status_code": code,
            "status_msg": fault.message or _STATUS_MESSAGES.get(code, "unknown error"),
        },
    }
