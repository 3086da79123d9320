"""`MiniMaxClient` and `AsyncMiniMaxClient`: thin I/O shells around pure decisions.

Both shells share `_BaseClient` (configuration, headers, what an error answer means, how long to
wait). Each has one retry loop, `_send` (rate-limit permit, requeue, backoff), which every request
goes through: a plain call, a Files API call, and the opening of a stream, whose reading lives in
`_streaming`. The shells differ only where one awaits and the other does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import time
import weakref
from asyncio import get_running_loop
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, overload
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from ._accumulate import completion_from_body
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    MiniMaxError,
    RequestValidationError,
    base_resp_error,
    status_error,
)
from ._files import AsyncFiles, Files
from ._json import dumps_body, parse_json_body
from ._limiter import AdaptiveRateLimiter, Limit, Permit, rate_signal
from ._pools import (
    KeyProvider,
    Pool,
    PoolKey,
    abandon,
    async_pool,
    close_async_pool,
    close_sync_pool,
    new_async_http,
    new_sync_http,
    sync_pool,
)
from ._reasoning import Prefill, ThinkPrefill, resolve_prefill
from ._retry import parse_retry_after, retry_delay
from ._settings import (
    CHINA_BASE_URL,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    resolve_base_url,
    resolve_settings,
    with_region_hint,
)
from ._streaming import AsyncChatStream, ChatStream, _Stream, _StreamReader, is_event_stream
from .types import Completion

__all__ = [
    "CHINA_BASE_URL",
    "DEFAULT_BASE_URL",
    "AsyncMiniMaxClient",
    "MiniMaxClient",
    "resolve_base_url",
]

logger = logging.getLogger("minimax_core")

DEFAULT_TIMEOUT = 600.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_STREAM_IDLE_TIMEOUT = 120.0
# The OpenAI SDK's limits. A low `max_connections` looks thrifty but queues requests inside
# httpcore's pool, whose bookkeeping scans every connection for every queued request: at 100
# connections, 500 concurrent calls cost 4x the CPU of these limits (measured, benchmarks/).
DEFAULT_MAX_CONNECTIONS = 1000
DEFAULT_MAX_KEEPALIVE_CONNECTIONS = 100
_USER_AGENT = "minimax-agents/0.1"


# The one seam for the pauses between retries, shared by both shells (see `retry_waits`).
_retry_wait_hook: Callable[[float], float] | None = None


@contextlib.contextmanager
def retry_waits(hook: Callable[[float], float]) -> Iterator[None]:
    """Within the block, every pause before a retry, sync or async, lasts `hook(delay)` seconds,
    `delay` being what the retry policy chose: tests record the delays and skip the waiting."""
    global _retry_wait_hook
    previous, _retry_wait_hook = _retry_wait_hook, hook
    try:
        yield
    finally:
        _retry_wait_hook = previous


_Http = TypeVar("_Http", httpx.Client, httpx.AsyncClient)

_NO_KEY = (
    "no MiniMax API key: pass api_key=... or set the MINIMAX_API_KEY environment "
    "variable (keys are region-bound: global keys work on api.minimax.io, China keys "
    "on api.minimax.cn)"
)


def _provided_key(value: object) -> str:
    """What a key function returned, checked: a key is a non-empty string."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str) or not value:
        raise AuthenticationError(
            f"the api_key function returned {type(value).__name__}, not a non-empty key string"
        )
    return value


class _BaseClient(Generic[_Http]):
    """Configuration and the decisions both shells share; no I/O.

    Connections come from, in order: your own `http_client` (used as is, yours to close); the
    process-wide pool for these transport settings when `shared_pool=True` (the API key is sent
    per request, so clients with different keys share it); else a pool of the client's own,
    made on first use. Pools made here are never used across a fork: a child process gets fresh
    ones (see `minimax_core._pools`).
    """

    def __init__(
        self,
        *,
        api_key: str | SecretStr | KeyProvider | None = None,
        base_url: str | None = None,
        region: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        stream_idle_timeout: float | None = DEFAULT_STREAM_IDLE_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_keepalive_connections: int = DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
        shared_pool: bool = False,
        rate_limiter: AdaptiveRateLimiter | Limit | None = None,
        http_client: _Http | None = None,
        default_query: Mapping[str, Any] | None = None,
        response_headers: bool = False,
        socket_options: Sequence[tuple[int, int, int]] | None = None,
    ) -> None:
        if max_retries < 0:
            raise RequestValidationError(f"max_retries must be 0 or more, got {max_retries}")
        if shared_pool and http_client is not None:
            raise RequestValidationError(
                "pass either http_client (your own pool) or shared_pool=True, not both"
            )
        # A key function is kept apart and called per request; its keys are never stored.
        self._key_provider: KeyProvider | None = None
        if callable(api_key):
            self._key_provider, api_key = api_key, None
        settings = resolve_settings(api_key=api_key, base_url=base_url, region=region)
        self.api_key = None if self._key_provider else settings.api_key
        self.base_url = settings.base_url
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.stream_idle_timeout = stream_idle_timeout
        self._timeouts: dict[tuple[float | None, ...], httpx.Timeout] = {}
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.shared_pool = shared_pool
        self.pool_key = PoolKey(
            self.base_url,
            timeout,
            connect_timeout,
            max_connections,
            max_keepalive_connections,
            tuple(socket_options) if socket_options is not None else None,
        )
        # Query parameters go into the URL once, so a request costs nothing more for them.
        query = f"?{urlencode(dict(default_query), doseq=True)}" if default_query else ""
        self._url = f"{self.base_url}/chat/completions{query}"
        self.response_headers = response_headers
        self.rate_limit = (
            rate_limiter.limit_for(self.base_url, self.api_key)
            if isinstance(rate_limiter, AdaptiveRateLimiter)
            else rate_limiter
        )
        self._http: _Http | None = http_client
        self._owns_http = http_client is None
        self._pid = os.getpid()
        self._pool: Pool[_Http] | None = None

    def _own_pool_missing(self) -> bool:
        """Whether the client has no pool of its own now.

        A pool it made in the parent of a fork counts as none: it is set aside, never reused.
        """
        if self._http is not None and self._owns_http and self._pid != os.getpid():
            abandon(self._http)
            self._http = None
        return self._http is None

    def __repr__(self) -> str:
        key = "function" if self._key_provider else "set" if self.api_key else "missing"
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<{key}>)"

    def _key(self) -> str:
        """The key for one request: the stored one, or what the key function returns now."""
        provider = self._key_provider
        if provider is None:
            if self.api_key is None:
                raise AuthenticationError(_NO_KEY)
            return self.api_key.get_secret_value()
        value = provider()
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()  # never awaited: say so once, not as a RuntimeWarning
            raise RequestValidationError(
                "api_key is an async function, which only the async methods can call "
                "(ainvoke, astream, achat...); pass a plain function for sync calls"
            )
        return _provided_key(value)

    async def _async_key(self) -> str | None:
        """The key an async key function gives, or `None` to let `_key` decide."""
        provider = self._key_provider
        if provider is None:
            return None
        value = provider()
        return _provided_key(await value if inspect.isawaitable(value) else value)

    def _headers(self, stream: bool, key: str | None = None) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {key or self._key()}",
            "Content-Type": "application/json",
            "Accept": "text/event-stream" if stream else "application/json",
            "User-Agent": _USER_AGENT,
            **self.default_headers,
        }

    def _httpx_timeout(self, stream: bool) -> httpx.Timeout:
        read = self.stream_idle_timeout if stream else self.timeout
        # Built once per setting, not per call (building one validates all four values).
        key = (self.timeout, self.connect_timeout, read)
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = httpx.Timeout(
                self.timeout, connect=self.connect_timeout, read=read, pool=self.timeout
            )
        return timeout

    def _prepare(
        self, request: Mapping[str, Any], stream: bool, key: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        body = dict(request)
        if stream:
            if not body.get("stream"):
                # Built for a plain call: ask for usage as `build_request(stream=True)` would.
                body["stream"] = True
                body.setdefault("stream_options", {"include_usage": True})
        else:
            body.pop("stream", None)
            body.pop("stream_options", None)
        content = dumps_body(body)
        return content, self._headers(stream, key)

    @staticmethod
    def _error_for(response: httpx.Response, text: str) -> tuple[APIStatusError, bool]:
        headers = response.headers
        return status_error(
            status_code=response.status_code,
            body=parse_json_body(text),
            raw_text=text,
            request_id=headers.get("x-request-id") or headers.get("trace-id"),
            retry_after=parse_retry_after(headers),
        )

    def _kept_headers(self, response: httpx.Response) -> dict[str, str] | None:
        return dict(response.headers) if self.response_headers else None

    @staticmethod
    def _transport_error(exc: httpx.TransportError, when: str) -> MiniMaxError:
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"MiniMax did not answer in time {when} ({type(exc).__name__})")
        return APIConnectionError(f"could not reach MiniMax {when}: {type(exc).__name__}: {exc}")

    def _judge(
        self, response: httpx.Response, raw: bytes, request: Mapping[str, Any], prefill: Prefill
    ) -> Completion | _Failure:
        """What a whole (non-SSE) answer means: the finished turn, or a failure.

        The accumulator checks `base_resp` itself, so a 200 body is read once.
        """
        if response.status_code >= 400:
            return _Failure(*self._error_for(response, raw.decode("utf-8", "replace")))
        try:
            completion = completion_from_body(
                _json_or_raise(raw), _tools_of(request), prefill=prefill
            )
        except APIStatusError as exc:  # a non-zero `base_resp` in a 200 body
            return _Failure(exc, exc.retryable)
        headers = self._kept_headers(response)
        if headers is not None:
            completion.metadata["headers"] = headers
        return completion

    def _judge_json(self, response: httpx.Response, raw: bytes) -> dict[str, Any] | _Failure:
        """A JSON answer (chat or Files API), or the failure its status or `base_resp` means.

        JSON is parsed from the bytes: `response.text` would first guess the charset.
        """
        if response.status_code >= 400:
            return _Failure(*self._error_for(response, raw.decode("utf-8", "replace")))
        body = _json_or_raise(raw)
        status = base_resp_error(body)
        if status is not None:
            return _Failure(status, status.retryable)
        return body

    def _failure(self, exc: BaseException, when: str) -> _Failure:
        if isinstance(exc, APIStatusError):  # a base_resp error in a stream's first frame
            return _Failure(exc, exc.retryable)
        assert isinstance(exc, httpx.TransportError)
        return _Failure(self._transport_error(exc, when), True, exc)

    def _requeue(self, failure: _Failure, requeued: int) -> bool:
        """Whether a rate-limited attempt waits its turn in the limiter again (no retry spent)."""
        limit = self.rate_limit
        if limit is None or not failure.retryable or rate_signal(failure.error) is None:
            return False
        if requeued >= limit.settings.patience:
            return False
        logger.info("MiniMax rate limit (%s); waiting in the limiter: %r", failure.error, limit)
        return True

    def _backoff(self, attempt: int, failure: _Failure) -> float:
        """Seconds to wait before the next attempt; raises the failure when none is left."""
        if not failure.retryable or attempt >= self.max_retries:
            raise with_region_hint(failure.error, self.base_url) from failure.cause
        delay = retry_delay(attempt, getattr(failure.error, "retry_after", None))
        logger.info(
            "MiniMax request failed (%s); retry %d of %d in %.2fs",
            failure.error,
            attempt + 1,
            self.max_retries,
            delay,
        )
        return delay if _retry_wait_hook is None else _retry_wait_hook(delay)


_T = TypeVar("_T")


def _settle(permit: Permit | None, outcome: object) -> None:
    """Tell the limiter how an attempt ended (`None`: unknown) and free its slot.

    Without a limiter (`permit` is None) there is nothing to do.
    """
    if permit is None:
        return
    if outcome is not None:
        permit.limit.report(permit, outcome.error if isinstance(outcome, _Failure) else None)
    permit.limit.release(permit)


class _Failure:
    """One failed attempt: the error to raise, whether to retry, and its cause."""

    __slots__ = ("cause", "error", "retryable")

    def __init__(
        self, error: MiniMaxError, retryable: bool, cause: BaseException | None = None
    ) -> None:
        self.error = error
        self.retryable = retryable
        self.cause = cause


def _when(stream: bool) -> str:
    return "while opening the stream" if stream else "while sending the request"


def _tools_of(request: Mapping[str, Any]) -> Sequence[Mapping[str, Any]] | None:
    tools = request.get("tools")
    return tools if isinstance(tools, list) else None


def _json_or_raise(raw: bytes) -> dict[str, Any]:
    body = parse_json_body(raw)
    if not isinstance(body, dict):
        raise APIConnectionError(f"MiniMax answered with something that is not JSON: {raw[:200]!r}")
    return body


class MiniMaxClient(_BaseClient[httpx.Client]):
    """Synchronous client for `POST {base_url}/chat/completions`.

    One pooled `httpx.Client` is created on first use and reused; `shared_pool=True` uses the
    process-wide one for these transport settings instead; pass `http_client` to bring your own
    (it is then yours to close).
    """

    @property
    def http_client(self) -> httpx.Client:
        """The connection pool the next request uses."""
        if self.shared_pool:
            pool = self._pool
            if pool is None or not pool.usable():
                pool = self._pool = sync_pool(self.pool_key, self)
            return pool.http
        if self._own_pool_missing():
            self._http = new_sync_http(self.pool_key)
            self._pid = os.getpid()
        assert self._http is not None
        return self._http

    @property
    def files(self) -> Files:
        """The Files API: upload a large video, then pass its `mm_file://{file_id}` URL."""
        return Files(self)

    def create(
        self, request: Mapping[str, Any], *, think_prefill: ThinkPrefill = "auto"
    ) -> Completion:
        """Send a non-streamed request and return the finished turn.

        `think_prefill`: whether the server's chat template opens the think block, so that the
        output starts inside the reasoning (`"auto"` decides; see `resolve_prefill`).
        """
        content, headers = self._prepare(request, stream=False)
        prefill = resolve_prefill(think_prefill, request, self.base_url)
        timeout = self._httpx_timeout(False)
        return self._send(
            lambda: self.http_client.build_request(
                "POST", self._url, content=content, headers=headers, timeout=timeout
            ),
            lambda response: self._judge(response, response.content, request, prefill),
            paced=True,
        )

    def _send(
        self,
        build: Callable[[], httpx.Request],
        judge: Callable[[httpx.Response], _T | _Failure],
        *,
        retry: bool = True,
        paced: bool = False,
        stream: bool = False,
    ) -> _T:
        """Send `build()`'s request until `judge` accepts the answer or no retry is left.

        `build` is called for every attempt, so a streamed body starts again from the top;
        `retry=False` is for bodies that cannot (a file object that does not seek). `paced`
        requests (chat completions) go through the rate limiter, if the client has one. With
        `stream=True` the body is left unread for `judge`; a stream it accepts keeps the
        response and the limiter's slot until it closes (`_Stream._hold`).
        """
        limit = self.rate_limit if paced else None
        attempt = requeued = 0
        while True:
            permit = limit.enter() if limit else None
            response: httpx.Response | None = None
            try:
                response = self.http_client.send(build(), stream=stream)
                outcome = judge(response)
            except (httpx.TransportError, APIStatusError) as exc:
                outcome = self._failure(exc, _when(stream))
            except BaseException:
                if stream and response is not None:
                    response.close()
                _settle(permit, None)
                raise
            if stream:
                if isinstance(outcome, _Stream) and outcome._hold(permit):
                    return outcome
                if response is not None:
                    response.close()
            _settle(permit, outcome)
            if not isinstance(outcome, _Failure):
                return outcome
            if not retry:
                raise outcome.error from outcome.cause
            if self._requeue(outcome, requeued):
                requeued += 1
                continue
            time.sleep(self._backoff(attempt, outcome))
            attempt += 1

    def stream(
        self, request: Mapping[str, Any], *, think_prefill: ThinkPrefill = "auto"
    ) -> ChatStream:
        """Send a streamed request; iterate the result for deltas, then read `.completion`.

        Failures before the first delta (HTTP errors, a `base_resp` error in the first frame)
        are retried; once a delta has been delivered nothing is retried, so no text repeats.
        """
        content, headers = self._prepare(request, stream=True)
        prefill = resolve_prefill(think_prefill, request, self.base_url)
        timeout = self._httpx_timeout(True)

        def judge(response: httpx.Response) -> ChatStream | _Failure:
            if is_event_stream(response):
                reader = _StreamReader(_tools_of(request), prefill)
                return ChatStream.open(response, reader, self._kept_headers(response))
            outcome = self._judge(response, response.read(), request, prefill)
            return outcome if isinstance(outcome, _Failure) else ChatStream.whole(outcome)

        return self._send(
            lambda: self.http_client.build_request(
                "POST", self._url, content=content, headers=headers, timeout=timeout
            ),
            judge,
            paced=True,
            stream=True,
        )

    def close(self) -> None:
        """Close the pool this client made, or the shared pool it uses (reopened on next use).

        A shared pool's other users get a new one on their next call; a call still running on
        it in another thread is cut off. Your own `http_client` is left to you.
        """
        if self._pool is not None:
            close_sync_pool(self._pool)
            self._pool = None
        if not self._own_pool_missing() and self._owns_http:
            assert self._http is not None
            self._http.close()
            self._http = None

    def __enter__(self) -> MiniMaxClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncMiniMaxClient(_BaseClient[httpx.AsyncClient]):
    """Asynchronous twin of `MiniMaxClient`, on one pooled `httpx.AsyncClient`.

    With `shared_pool=True` the pool is the running event loop's one for these transport
    settings, closed when that loop shuts down, so one client serves any number of loops.
    """

    _pool_loop: weakref.ref[asyncio.AbstractEventLoop] | None = None

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The pool the next request uses; a `shared_pool` client takes the running loop's."""
        if self.shared_pool:
            loop = get_running_loop()
            pool = self._pool
            if (
                pool is None
                or not pool.usable()
                or self._pool_loop is None
                or self._pool_loop() is not loop
            ):
                pool = self._pool = async_pool(self.pool_key, self)
                self._pool_loop = weakref.ref(loop)
            return pool.http
        if self._own_pool_missing():
            self._http = new_async_http(self.pool_key)
            self._pid = os.getpid()
        assert self._http is not None
        return self._http

    @property
    def files(self) -> AsyncFiles:
        """The Files API: upload a large video, then pass its `mm_file://{file_id}` URL."""
        return AsyncFiles(self)

    async def create(
        self, request: Mapping[str, Any], *, think_prefill: ThinkPrefill = "auto"
    ) -> Completion:
        """Send a non-streamed request and return the finished turn.

        `think_prefill`: whether the server's chat template opens the think block, so that the
        output starts inside the reasoning (`"auto"` decides; see `resolve_prefill`).
        """
        key = await self._async_key() if self._key_provider else None
        content, headers = self._prepare(request, stream=False, key=key)
        prefill = resolve_prefill(think_prefill, request, self.base_url)
        timeout = self._httpx_timeout(False)
        return await self._send(
            lambda: self.http_client.build_request(
                "POST", self._url, content=content, headers=headers, timeout=timeout
            ),
            lambda response: self._judge(response, response.content, request, prefill),
            paced=True,
        )

    @overload
    async def _send(
        self,
        build: Callable[[], httpx.Request],
        judge: Callable[[httpx.Response], _T | _Failure],
        *,
        retry: bool = ...,
        paced: bool = ...,
        stream: Literal[False] = ...,
    ) -> _T: ...

    @overload
    async def _send(
        self,
        build: Callable[[], httpx.Request],
        judge: Callable[[httpx.Response], Awaitable[_T | _Failure]],
        *,
        retry: bool = ...,
        paced: bool = ...,
        stream: Literal[True],
    ) -> _T: ...

    async def _send(
        self,
        build: Callable[[], httpx.Request],
        judge: Callable[[httpx.Response], Any],
        *,
        retry: bool = True,
        paced: bool = False,
        stream: bool = False,
    ) -> Any:
        """Async twin of `MiniMaxClient._send`; a stream's `judge` is awaited (it reads)."""
        limit = self.rate_limit if paced else None
        attempt = requeued = 0
        while True:
            permit = await limit.aenter() if limit else None
            response: httpx.Response | None = None
            try:
                response = await self.http_client.send(build(), stream=stream)
                outcome = await judge(response) if stream else judge(response)
            except (httpx.TransportError, APIStatusError) as exc:
                outcome = self._failure(exc, _when(stream))
            except BaseException:
                if stream and response is not None:
                    await response.aclose()
                _settle(permit, None)
                raise
            if stream:
                if isinstance(outcome, _Stream) and outcome._hold(permit):
                    return outcome
                if response is not None:
                    await response.aclose()
            _settle(permit, outcome)
            if not isinstance(outcome, _Failure):
                return outcome
            if not retry:
                raise outcome.error from outcome.cause
            if self._requeue(outcome, requeued):
                requeued += 1
                continue
            await asyncio.sleep(self._backoff(attempt, outcome))
            attempt += 1

    async def stream(
        self, request: Mapping[str, Any], *, think_prefill: ThinkPrefill = "auto"
    ) -> AsyncChatStream:
        """Send a streamed request; `async for` the result, then read `.completion`."""
        key = await self._async_key() if self._key_provider else None
        content, headers = self._prepare(request, stream=True, key=key)
        prefill = resolve_prefill(think_prefill, request, self.base_url)
        timeout = self._httpx_timeout(True)

        async def judge(response: httpx.Response) -> AsyncChatStream | _Failure:
            if is_event_stream(response):
                reader = _StreamReader(_tools_of(request), prefill)
                return await AsyncChatStream.open(response, reader, self._kept_headers(response))
            outcome = self._judge(response, await response.aread(), request, prefill)
            return outcome if isinstance(outcome, _Failure) else AsyncChatStream.whole(outcome)

        return await self._send(
            lambda: self.http_client.build_request(
                "POST", self._url, content=content, headers=headers, timeout=timeout
            ),
            judge,
            paced=True,
            stream=True,
        )

    async def close(self) -> None:
        """Close the pool this client made, or the running loop's shared pool it uses."""
        if self._pool is not None:
            if self._pool_loop is not None and self._pool_loop() is get_running_loop():
                await close_async_pool(self._pool)
            self._pool = None
        if not self._own_pool_missing() and self._owns_http:
            assert self._http is not None
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> AsyncMiniMaxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
