"""Faults on demand: HTTP errors, base_resp errors, and broken or odd streams."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from minimax_server import Fault, MiniMaxServer, ScriptedReply, ToolCallSpec

from ._helpers import MAGIC, MAGIC_PROMPT, body, choice_chunks, joined, sse, tool_args, user

HI = body(user("Hi"))
STREAM = body(user("Hi"), stream=True)


def _events(client: httpx.Client, payload: dict[str, Any]) -> list[Any]:
    r = client.post("/chat/completions", json=payload)
    assert r.status_code == 200, r.text
    return sse(r.text)


def test_429_with_retry_after_for_next_n_requests(
    server: MiniMaxServer, client: httpx.Client
) -> None:
    server.inject(
        Fault(kind="http_status", status=429, retry_after=0.01, retry_after_ms=10, count=2)
    )
    for _ in range(2):
        r = client.post("/chat/completions", json=HI)
        assert r.status_code == 429
        assert r.headers["retry-after"] == "0.01"
        assert r.headers["retry-after-ms"] == "10"
        error = r.json()["error"]
        assert error == {
            "type": "rate_limit_error",
            "message": "rate limit exceeded(RPM) (1002)",
            "http_code": "429",
        }
    assert client.post("/chat/completions", json=HI).status_code == 200


@pytest.mark.parametrize(
    ("status", "kind", "fragment"),
    [
        (500, "api_error", "system error (1033)"),
        (503, "api_error", "(1013)"),
        (529, "overloaded_error", "high load"),
    ],
)
def test_server_errors(
    server: MiniMaxServer, client: httpx.Client, status: int, kind: str, fragment: str
) -> None:
    server.inject(Fault(kind="http_status", status=status))
    r = client.post("/chat/completions", json=STREAM)
    assert r.status_code == status
    error = r.json()["error"]
    assert error["type"] == kind and error["http_code"] == str(status)
    assert fragment in error["message"]


def test_retry_after_whole_seconds(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="http_status", status=429, retry_after=2))
    assert client.post("/chat/completions", json=HI).headers["retry-after"] == "2"


BASE_RESP = {
    1002: "rate limit exceeded(RPM)",
    1004: "login fail: Please carry the API secret key in the 'Authorization' field of the "
    "request header",
    1008: "insufficient balance",
    1026: "input new_sensitive",
    1027: "output new_sensitive",
    2013: "invalid params",
    2049: "invalid api key",
    2056: "usage limit exceeded",
}


@pytest.mark.parametrize("code", list(BASE_RESP))
def test_base_resp_error_on_http_200(
    server: MiniMaxServer, client: httpx.Client, code: int
) -> None:
    server.inject(Fault(kind="base_resp", code=code))
    r = client.post("/chat/completions", json=HI)
    assert r.status_code == 200
    data = r.json()
    assert data["base_resp"] == {"status_code": code, "status_msg": BASE_RESP[code]}
    assert data["input_sensitive"] is (code == 1026)
    assert data["output_sensitive"] is (code == 1027)
    assert client.post("/chat/completions", json=HI).json()["base_resp"]["status_code"] == 0


def test_drop_mid_stream(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="drop_mid_stream", after_chunks=3))
    lines: list[str] = []
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        with client.stream("POST", "/chat/completions", json=STREAM) as r:
            lines.extend(line for line in r.iter_lines() if line.startswith("data: "))
    assert len(lines) <= 3
    assert "[DONE]" not in "".join(lines)
    # The next request, on a new connection, is fine.
    assert _events(client, STREAM)[-1] == "[DONE]"


def test_stall_then_continue(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="stall", after_chunks=2, seconds=0.3))
    start = time.monotonic()
    events = _events(client, STREAM)
    assert time.monotonic() - start >= 0.3
    assert events[-1] == "[DONE]"


def test_stall_that_hangs(server: MiniMaxServer) -> None:
    server.inject(Fault(kind="stall", after_chunks=2, hang=True))
    timeout = httpx.Timeout(5.0, read=0.3)
    with httpx.Client(base_url=server.base_url, timeout=timeout) as client:
        received: list[str] = []
        with pytest.raises(httpx.ReadTimeout):
            with client.stream(
                "POST",
                "/chat/completions",
                json=STREAM,
                headers={"Authorization": "Bearer test-key"},
            ) as r:
                received.extend(r.iter_lines())
    assert len([line for line in received if line.startswith("data: ")]) == 2


def test_no_done(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="no_done"))
    events = _events(client, STREAM)
    assert "[DONE]" not in events
    assert events[-1]["choices"][0]["finish_reason"] == "stop"


def test_eof_before_finish(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="eof_before_finish"))
    events = _events(client, {**STREAM, "stream_options": {"include_usage": True}})
    assert events and "[DONE]" not in events
    assert all(not c["choices"][0].get("finish_reason") for c in choice_chunks(events))
    assert all(e["choices"] for e in events)


def test_final_message_chunk(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="final_message_chunk"))
    payload = {**STREAM, "reasoning_split": True, "stream_options": {"include_usage": True}}
    events = _events(client, payload)
    final = events[-2]
    message = final["choices"][0]["message"]
    assert message["content"] == joined(events, "content")
    assert message["reasoning_content"] == joined(events, "reasoning_content")
    assert final["usage"]["total_tokens"] > 0
    assert events[-3]["choices"] == []


def test_usage_chunk_without_include_usage(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="usage_chunk"))
    events = _events(client, STREAM)
    assert events[-2]["choices"] == [] and events[-2]["usage"]["prompt_tokens"] > 0


def test_reused_index_new_id(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="reused_index_new_id"))
    calls = [
        ToolCallSpec("magic_function", {"input": 1}),
        ToolCallSpec("magic_function", {"input": 2}),
    ]
    server.enqueue(ScriptedReply(tool_calls=calls))
    events = _events(client, body(user(MAGIC_PROMPT), tools=[MAGIC], stream=True))
    deltas = [
        tc for c in choice_chunks(events) for tc in c["choices"][0]["delta"].get("tool_calls") or []
    ]
    assert [d["index"] for d in deltas] == [0, 0]
    assert deltas[0]["id"] != deltas[1]["id"]
    assert [d["function"]["arguments"] for d in deltas] == ['{"input": 1}', '{"input": 2}']


def test_late_tool_call_id(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="late_tool_call_id"))
    server.enqueue(ScriptedReply(tool_calls=[ToolCallSpec("magic_function", {"input": 1})]))
    events = _events(client, body(user(MAGIC_PROMPT), tools=[MAGIC], stream=True))
    deltas = [
        tc for c in choice_chunks(events) for tc in c["choices"][0]["delta"].get("tool_calls") or []
    ]
    assert [d["index"] for d in deltas] == [0, 0]
    assert "id" not in deltas[0] and deltas[0]["function"]["name"] == "magic_function"
    assert deltas[1]["id"] and "name" not in deltas[1]["function"]
    assert "".join(d["function"]["arguments"] for d in deltas) == '{"input": 1}'


def test_fragmented_tool_args(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="fragmented_tool_args"))
    arguments = {"query": "a fairly long argument value that spans many chunks", "limit": 10}
    server.enqueue(ScriptedReply(tool_calls=[ToolCallSpec("search", arguments)]))
    events = _events(client, STREAM)
    deltas = [
        tc for c in choice_chunks(events) for tc in c["choices"][0]["delta"].get("tool_calls") or []
    ]
    assert len(deltas) > 5
    assert "id" in deltas[0] and all("id" not in d for d in deltas[1:])
    call = tool_args(events)[0]
    assert call["name"] == "search"
    assert (
        call["arguments"]
        == '{"query": "a fairly long argument value that spans many chunks", "limit": 10}'
    )


def test_whole_tool_args_in_vllm(server: MiniMaxServer, client: httpx.Client) -> None:
    server.set_dialect("vllm")
    server.inject(Fault(kind="whole_tool_args"))
    server.enqueue(ScriptedReply(tool_calls=[ToolCallSpec("f", {"a": 1, "b": 2})]))
    events = _events(client, STREAM)
    deltas = [
        tc for c in choice_chunks(events) for tc in c["choices"][0]["delta"].get("tool_calls") or []
    ]
    assert [d["function"]["arguments"] for d in deltas] == ['{"a": 1, "b": 2}']


def test_sse_error_frame(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="sse_error_frame", code=1002, after_chunks=2))
    events = _events(client, STREAM)
    assert len(events) == 3
    assert events[-1]["base_resp"] == {
        "status_code": 1002,
        "status_msg": "rate limit exceeded(RPM)",
    }
    assert events[-1]["choices"] == []


def test_stream_faults_wait_for_a_stream(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="no_done"))
    assert client.post("/chat/completions", json=HI).status_code == 200
    assert "[DONE]" not in _events(client, STREAM)
    assert _events(client, STREAM)[-1] == "[DONE]"


def test_faults_apply_after_auth_and_in_order(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="http_status", status=500))
    server.inject(Fault(kind="http_status", status=503))
    r = client.post("/chat/completions", json=HI, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    codes = [client.post("/chat/completions", json=HI).status_code for _ in range(3)]
    assert codes == [500, 503, 200]


def test_probability_with_seed_is_reproducible(server: MiniMaxServer, client: httpx.Client) -> None:
    def run() -> list[int]:
        server.reset()
        server.inject(Fault(kind="http_status", status=503, probability=0.3, seed=7))
        return [client.post("/chat/completions", json=HI).status_code for _ in range(40)]

    first = run()
    assert 3 <= first.count(503) <= 25 and first.count(200) > 0
    assert run() == first
    server.reset()
    assert client.post("/chat/completions", json=HI).status_code == 200


def test_fault_validation() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault(kind="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="probability"):
        Fault(kind="no_done", probability=2)
