"""The client shells over a mock transport: retries, error regimes, streams, secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import minimax_core as mm
from minimax_core._client import retry_waits

from ._helpers import quirk

KEY = "sk-secret-key-0123456789"
BODY = mm.build_request([{"role": "user", "content": "hi"}], model="MiniMax-M2.7")
OK = {
    "id": "0123",
    "model": "MiniMax-M2.7",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {
                "role": "assistant",
                "content": "<think>\nr\n</think>\n\nHello",
                "name": "MiniMax AI",
            },
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    "base_resp": {"status_code": 0, "status_msg": ""},
}


def _answers(
    *answers: httpx.Response | Exception,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


def _sse(name: str) -> httpx.Response:
    return httpx.Response(200, content=quirk(name), headers={"content-type": "text/event-stream"})


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {
        "type": "error",
        "error": {"type": "x", "message": message, "http_code": str(status)},
        "request_id": "rid",
    }
    return httpx.Response(status, json=body, headers=headers)


@pytest.fixture(autouse=True)
def no_sleep() -> Iterator[list[float]]:
    """The pauses the retry policy chose, none of them waited."""
    slept: list[float] = []

    def record(delay: float) -> float:
        slept.append(delay)
        return 0.0

    with retry_waits(record):
        yield slept


# The transcripts are MiniMax's own API: its host tells the client that output never starts
# inside an unopened think block (see test_prefill_* for self-hosted servers).
HOSTED = "https://api.minimax.io/v1"


def _client(handler: Callable[[httpx.Request], Any], **options: Any) -> mm.MiniMaxClient:
    return mm.MiniMaxClient(
        api_key=KEY,
        base_url=HOSTED,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        **options,
    )


def _aclient(handler: Callable[[httpx.Request], Any], **options: Any) -> mm.AsyncMiniMaxClient:
    return mm.AsyncMiniMaxClient(
        api_key=KEY,
        base_url=HOSTED,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        **options,
    )


def test_create_sends_the_key_and_returns_clean_text() -> None:
    handler, seen = _answers(httpx.Response(200, json=OK))
    done = _client(handler).create(BODY)
    assert (done.text, done.reasoning) == ("Hello", "r")
    [request] = seen
    assert request.url == f"{HOSTED}/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert "stream" not in json.loads(request.content)


@pytest.mark.parametrize(
    "failure",
    [
        _error(429, "rate limit (1002)", {"retry-after": "0.25"}),
        _error(500, "system error (1033)"),
        _error(503, "unavailable"),
        _error(529, "overloaded"),
        httpx.Response(200, json={"base_resp": {"status_code": 1002, "status_msg": "rate limit"}}),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
)
def test_retryable_failures_are_retried_then_succeed(failure: Any, no_sleep: list[float]) -> None:
    handler, seen = _answers(failure, failure, httpx.Response(200, json=OK))
    assert _client(handler).create(BODY).text == "Hello"
    assert len(seen) == 3 and len(no_sleep) == 2
    if isinstance(failure, httpx.Response) and "retry-after" in failure.headers:
        assert no_sleep == [0.25, 0.25]


@pytest.mark.parametrize(
    ("failure", "cls", "code"),
    [
        (_error(401, "login fail (1004)"), mm.AuthenticationError, 1004),
        (
            httpx.Response(
                200, json={"base_resp": {"status_code": 2049, "status_msg": "invalid api key"}}
            ),
            mm.AuthenticationError,
            2049,
        ),
        (
            httpx.Response(
                200, json={"base_resp": {"status_code": 1008, "status_msg": "insufficient balance"}}
            ),
            mm.InsufficientBalanceError,
            1008,
        ),
        (
            httpx.Response(
                200,
                json={
                    "base_resp": {"status_code": 1026, "status_msg": "input new_sensitive"},
                    "input_sensitive": True,
                },
            ),
            mm.ContentFilteredError,
            1026,
        ),
        (
            _error(400, "invalid params, tool result's tool id(call_1) not found (2013)"),
            mm.BadRequestError,
            2013,
        ),
        (
            httpx.Response(
                200, json={"base_resp": {"status_code": 2056, "status_msg": "usage limit exceeded"}}
            ),
            mm.UsageLimitError,
            2056,
        ),
    ],
)
def test_final_failures_are_sent_once(
    failure: httpx.Response, cls: type[mm.APIStatusError], code: int
) -> None:
    handler, seen = _answers(failure, httpx.Response(200, json=OK))
    with pytest.raises(cls) as info:
        _client(handler).create(BODY)
    assert len(seen) == 1 and info.value.code == code
    assert KEY not in str(info.value) and KEY not in repr(info.value)


def test_retries_give_up_after_max_retries() -> None:
    handler, seen = _answers(_error(503, "busy"))
    with pytest.raises(mm.InternalServerError):
        _client(handler, max_retries=3).create(BODY)
    assert len(seen) == 4


def test_connection_error_names_no_key_and_keeps_the_cause() -> None:
    handler, _ = _answers(httpx.ConnectError("refused"))
    with pytest.raises(mm.APIConnectionError) as info:
        _client(handler, max_retries=0).create(BODY)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert KEY not in str(info.value)


def test_missing_key_says_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
    client = mm.MiniMaxClient(base_url="http://test/v1")
    with pytest.raises(mm.AuthenticationError, match="MINIMAX_API_KEY"):
        client.create(BODY)


def test_environment_and_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", KEY)
    assert mm.MiniMaxClient().base_url == mm.DEFAULT_BASE_URL
    assert mm.MiniMaxClient(region="cn").base_url == mm.CHINA_BASE_URL
    monkeypatch.setenv("MINIMAX_BASE_URL", "http://localhost:8000/v1/")
    assert mm.MiniMaxClient().base_url == "http://localhost:8000/v1"
    assert mm.MiniMaxClient(region="cn").base_url == mm.CHINA_BASE_URL  # code beats environment
    assert mm.MiniMaxClient(base_url="http://other/v1", region="cn").base_url == "http://other/v1"
    with pytest.raises(mm.RequestValidationError, match="must be an http"):
        mm.MiniMaxClient(base_url="api.minimax.io/v1")
    with pytest.raises(mm.RequestValidationError, match="unknown region"):
        mm.MiniMaxClient(region="mars")


def test_key_never_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    handler, _ = _answers(_error(500, "boom"), httpx.Response(200, json=OK))
    client = _client(handler)
    with caplog.at_level(logging.DEBUG):
        client.create(BODY)
    assert KEY not in repr(client) and KEY not in str(vars(client))
    assert "retry 1 of 2" in caplog.text and KEY not in caplog.text


def test_stream_yields_deltas_and_the_completion() -> None:
    handler, seen = _answers(_sse("inline-think"))
    with _client(handler).stream(BODY) as stream:
        deltas = list(stream)
    assert "".join(d.text for d in deltas) == "**Proof.** It is even."
    assert stream.completion is not None and stream.completion.usage is not None
    assert json.loads(seen[0].content)["stream_options"] == {"include_usage": True}


def test_stream_retries_a_first_frame_error_but_never_after_text() -> None:
    first_frame_error = httpx.Response(
        200,
        content=b'data: {"base_resp": {"status_code": 1002, "status_msg": "rate limit"}}\n\n',
        headers={"content-type": "text/event-stream"},
    )
    handler, seen = _answers(first_frame_error, _sse("inline-think"))
    assert list(_client(handler).stream(BODY))
    assert len(seen) == 2

    # Delivered frame by frame, the error comes after text reached the caller: no retry.
    frames = [frame + b"\n\n" for frame in quirk("base-resp-mid-stream").split(b"\n\n") if frame]
    mid_stream = httpx.Response(
        200, content=iter(frames), headers={"content-type": "text/event-stream"}
    )
    handler, seen = _answers(mid_stream, _sse("inline-think"))
    received: list[str] = []
    with pytest.raises(mm.RateLimitError):
        for delta in _client(handler).stream(BODY):
            received.append(delta.text)
    assert received == ["Hel"] and len(seen) == 1


def test_stream_eof_before_finish_raises() -> None:
    handler, _ = _answers(_sse("eof-before-finish"))
    with pytest.raises(mm.StreamError):
        list(_client(handler).stream(BODY))


def test_stream_answered_with_a_json_body_still_works() -> None:
    handler, _ = _answers(httpx.Response(200, json=OK))
    stream = _client(handler).stream(BODY)
    assert [d.text for d in stream] == ["Hello"]
    assert stream.completion is not None and stream.completion.text == "Hello"


async def test_async_create_and_stream_match_sync() -> None:
    handler, seen = _answers(_error(429, "slow down"), httpx.Response(200, json=OK))
    done = await _aclient(handler).create(BODY)
    assert done.text == "Hello" and len(seen) == 2
    handler, _ = _answers(_sse("tool-call-fragments"))
    stream = await _aclient(handler).stream(BODY)
    deltas = [d async for d in stream]
    assert stream.completion is not None
    assert stream.completion.tool_calls[0].args == {"location": "San Francisco, US"}
    assert [c.name for d in deltas for c in d.tool_calls] == ["get_weather", None]


async def test_async_final_failure() -> None:
    handler, seen = _answers(_error(401, "login fail (1004)"))
    with pytest.raises(mm.AuthenticationError):
        await _aclient(handler).stream(BODY)
    assert len(seen) == 1


def test_stream_usage_can_be_left_out() -> None:
    handler, seen = _answers(_sse("inline-think"))
    body = mm.build_request(
        [{"role": "user", "content": "hi"}], model="MiniMax-M2.7", stream=True, include_usage=False
    )
    list(_client(handler).stream(body))
    assert "stream_options" not in json.loads(seen[0].content)
