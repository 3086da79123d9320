"""Errors from a self-hosted engine: its status is no MiniMax code, and a failure it says
will recur is not retried. Over real HTTP against the local server's engine-shaped errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import minimax_core as mm
from minimax_core._client import retry_waits
from minimax_core._exceptions import permanent_failure_hint, status_error
from minimax_server import Fault, MiniMaxServer

# llama-server's words, as it answers them (HTTP 500, `type: server_error`).
PARSE_FAILURE = "The model produced output that does not match the expected peg-native format"
NO_JINJA = "tools param requires --jinja flag"
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    with retry_waits(lambda delay: 0.0):
        yield


def _engine_body(status: int, message: str) -> dict[str, object]:
    return {"error": {"code": status, "message": message, "type": "server_error"}}


@pytest.mark.parametrize(
    ("message", "retryable"),
    [
        (PARSE_FAILURE, False),
        (NO_JINJA, False),
        ('"auto" tool choice requires --enable-auto-tool-choice to be set', False),
        ("CUDA out of memory", True),
        ("", True),
    ],
)
def test_an_engine_5xx_is_retried_unless_it_says_it_recurs(message: str, retryable: bool) -> None:
    error, may_retry = status_error(status_code=500, body=_engine_body(500, message))
    assert may_retry is retryable and error.retryable is retryable
    assert isinstance(error, mm.InternalServerError)
    assert error.code is None
    assert "MiniMax code" not in str(error)
    assert str(error).startswith("[HTTP 500] ")
    if not retryable:
        assert "not retried" in str(error)


def test_the_parse_failure_names_the_way_out() -> None:
    error, _ = status_error(status_code=500, body=_engine_body(500, PARSE_FAILURE))
    assert "--skip-chat-parsing" in str(error) and "think_prefill=True" in str(error)


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (500, 1033, PARSE_FAILURE),  # a MiniMax code keeps MiniMax's rules
        (400, None, NO_JINJA),  # below 5xx: the status table decides
        (429, None, NO_JINJA),
    ],
)
def test_minimax_rules_and_non_5xx_are_left_alone(
    status: int, code: int | None, message: str
) -> None:
    assert permanent_failure_hint(status, code, message) is None


def test_a_minimax_500_is_still_retried() -> None:
    body = {"type": "error", "error": {"type": "api_error", "message": "system error (1033)"}}
    error, retryable = status_error(status_code=500, body=body)
    assert retryable and error.code == 1033
    assert str(error).startswith("[HTTP 500, MiniMax code 1033]")


def test_an_echoed_status_is_no_minimax_code() -> None:
    error, _ = status_error(status_code=400, body=_engine_body(400, "bad"))
    assert error.code is None and str(error) == "[HTTP 400] bad"


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("message", "sent"), [(PARSE_FAILURE, 1), (NO_JINJA, 1), ("busy", 3)])
def test_over_http(minimax_server: MiniMaxServer, stream: bool, message: str, sent: int) -> None:
    minimax_server.inject(
        Fault(kind="http_status", status=500, message=message, engine_body=True, count=3)
    )
    body = mm.build_request(MESSAGES, model="MiniMaxAI/MiniMax-M2")
    with mm.MiniMaxClient(api_key="test-key", base_url=minimax_server.base_url) as client:
        with pytest.raises(mm.InternalServerError) as info:
            if stream:
                list(client.stream(body))
            else:
                client.create(body)
    assert len(minimax_server.requests) == sent
    assert info.value.code is None and "MiniMax code" not in str(info.value)


async def test_async_is_not_retried_either(minimax_server: MiniMaxServer) -> None:
    minimax_server.inject(
        Fault(kind="http_status", status=500, message=PARSE_FAILURE, engine_body=True, count=3)
    )
    body = mm.build_request(MESSAGES, model="MiniMaxAI/MiniMax-M2")
    async with mm.AsyncMiniMaxClient(api_key="test-key", base_url=minimax_server.base_url) as c:
        with pytest.raises(mm.InternalServerError):
            await c.create(body)
    assert len(minimax_server.requests) == 1
