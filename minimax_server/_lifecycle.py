"""`MiniMaxServer`: the server's lifecycle (a loop in a daemon thread) and its Python API."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from types import TracebackType
from typing import Any

from ._dispatch import dispatch
from ._http import BadHttp, read_request, send_json
from ._ratelimit import RateGate, RateLimits
from ._state import ServerState
from ._types import Fault, RecordedRequest, ScriptedReply

__all__ = ["MiniMaxServer"]


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
        self._state = ServerState(
            api_key,
            dialect=dialect,
            strict=strict,
            any_model=any_model,
            send_done=send_done,
            chunk_delay=chunk_delay,
            rate_limits=rate_limits,
        )
        self.host = host
        self._requested_port = port
        self._port: int | None = None
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

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        state = self._state
        state.connections_opened += 1
        state.connections_open += 1
        try:
            while True:
                try:
                    request = await read_request(reader)
                except BadHttp as exc:
                    await send_json(writer, 400, {"error": str(exc)}, keep_alive=False)
                    break
                if request is None:
                    break
                if not await dispatch(state, request, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # Only `stop()` cancels connections; ending quietly keeps asyncio from logging
            # every cancelled keep-alive connection as an error.
            pass
        finally:
            state.connections_open -= 1
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    # --- where to reach it -----------------------------------------------------------------

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

    # --- settings and state (kept in `ServerState`, shared with the connections) ------------

    @property
    def api_key(self) -> str:
        """The Bearer key clients must send."""
        return self._state.api_key

    @api_key.setter
    def api_key(self, value: str) -> None:
        self._state.api_key = value

    @property
    def strict(self) -> bool:
        """Whether replayed reasoning must come back unchanged (HTTP 400, code 2013 if not)."""
        return self._state.strict

    @strict.setter
    def strict(self, value: bool) -> None:
        self._state.strict = value

    @property
    def any_model(self) -> bool | None:
        """Accept any model name (`None`: only for the self-hosted dialects)."""
        return self._state.any_model

    @any_model.setter
    def any_model(self, value: bool | None) -> None:
        self._state.any_model = value

    @property
    def send_done(self) -> bool | None:
        """End streams with `data: [DONE]` (`None`: the dialect's habit)."""
        return self._state.send_done

    @send_done.setter
    def send_done(self, value: bool | None) -> None:
        self._state.send_done = value

    @property
    def chunk_delay(self) -> float:
        """Seconds to wait between stream chunks."""
        return self._state.chunk_delay

    @chunk_delay.setter
    def chunk_delay(self, value: float) -> None:
        self._state.chunk_delay = value

    @property
    def dialect(self) -> str:
        """The wire dialect spoken now."""
        return self._state.dialect

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, oldest first."""
        return self._state.requests

    @property
    def connections_opened(self) -> int:
        """TCP connections accepted since start (or the last `reset()`)."""
        return self._state.connections_opened

    @property
    def connections_open(self) -> int:
        """TCP connections open now."""
        return self._state.connections_open

    @property
    def rate_gate(self) -> RateGate:
        """The rate-limit mode: `rate_gate.configure(RateLimits(...))`, `rate_gate.stats()`."""
        return self._state.rate_gate

    def set_dialect(self, dialect: str) -> None:
        """Switch the wire dialect for the following requests."""
        self._state.set_dialect(dialect)

    def inject(self, fault: Fault) -> None:
        """Apply `fault` to the next `fault.count` requests (or a random fraction)."""
        self._state.faults.add(fault)

    def enqueue(self, reply: ScriptedReply) -> None:
        """Answer the next request that reaches the model with exactly `reply`."""
        self._state.enqueue(reply)

    def reset(self) -> None:
        """Clear requests, replies, faults, strict memory and counters; restore settings."""
        self._state.reset()
