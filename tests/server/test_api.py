"""The Python and HTTP control APIs, scripted replies, the request log, and the OpenAI SDK."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest

from minimax_server import Fault, MiniMaxServer, ScriptedReply, ToolCallSpec

from ._helpers import MAGIC, MAGIC_PROMPT, body, sse, tool_args, user


def test_scripted_reply_is_exact(server: MiniMaxServer, client: httpx.Client) -> None:
    server.enqueue(
        ScriptedReply(
            text="Hi",
            reasoning="I think",
            tool_calls=[
                ToolCallSpec(name="f", arguments={"a": 1}, id="call_function_fixed00001_1")
            ],
        )
    )
    server.enqueue(ScriptedReply(text="Second", reasoning=""))
    msg = client.post("/chat/completions", json=body(user("x"))).json()["choices"][0]
    assert msg["finish_reason"] == "tool_calls"
    assert msg["message"]["content"] == "<think>\nI think\n</think>\n\nHi"
    assert msg["message"]["tool_calls"][0]["id"] == "call_function_fixed00001_1"
    assert msg["message"]["tool_calls"][0]["function"] == {"name": "f", "arguments": '{"a": 1}'}
    second = client.post("/chat/completions", json=body(user("x"), stream=True))
    assert (
        "".join(
            e["choices"][0]["delta"].get("content", "") for e in sse(second.text) if e != "[DONE]"
        )
        == "Second"
    )
    third = client.post("/chat/completions", json=body(user("x"))).json()
    assert 'You said: "x"' in third["choices"][0]["message"]["content"]


def test_scripted_raw_arguments_and_finish_reason(
    server: MiniMaxServer, client: httpx.Client
) -> None:
    server.enqueue(ScriptedReply(tool_calls=[ToolCallSpec("f", '{"a": ')], finish_reason="length"))
    events = sse(client.post("/chat/completions", json=body(user("x"), stream=True)).text)
    assert tool_args(events)[0]["arguments"] == '{"a": '
    assert events[-2]["choices"][0]["finish_reason"] == "length"


def test_scripted_reply_waits_for_a_valid_request(
    server: MiniMaxServer, client: httpx.Client
) -> None:
    server.enqueue(ScriptedReply(text="kept"))
    assert client.post("/chat/completions", json=body()).status_code == 400
    reply = client.post("/chat/completions", json=body(user("x"), reasoning_split=True)).json()
    assert reply["choices"][0]["message"]["content"] == "kept"


def test_request_log_redacts_authorization(server: MiniMaxServer, client: httpx.Client) -> None:
    client.post("/chat/completions", json=body(user("logged"), stream=True))
    client.post("/chat/completions", json=body(user("again")), headers={"X-Trace": "1"})
    first, second = server.requests
    assert first.path == "/v1/chat/completions" and first.method == "POST"
    assert first.stream is True and second.stream is False
    assert first.body["messages"][0]["content"] == "logged"
    assert first.headers["authorization"] == "<redacted>"
    assert second.headers["x-trace"] == "1"
    assert "test-key" not in json.dumps([r.headers for r in server.requests])


def test_reset_clears_everything(server: MiniMaxServer, client: httpx.Client) -> None:
    server.inject(Fault(kind="http_status", status=500, count=5))
    server.enqueue(ScriptedReply(text="x"))
    server.set_dialect("vllm")
    server.strict = False
    client.post("/chat/completions", json=body(user("x")))
    server.reset()
    assert server.requests == [] and server.connections_opened == 0
    assert server.dialect == "minimax" and server.strict is True
    r = client.post("/chat/completions", json=body(user("hello")))
    assert r.status_code == 200 and "base_resp" in r.json()


def test_control_endpoints(server: MiniMaxServer) -> None:
    with httpx.Client(base_url=server.base_url.removesuffix("/v1"), timeout=5) as ctl:
        auth = {"Authorization": "Bearer test-key"}
        fault = {"kind": "http_status", "status": 429, "retry_after": 1}
        assert ctl.post("/_control/fault", json=fault).json() == {"ok": True}
        assert (
            ctl.post("/v1/chat/completions", json=body(user("x")), headers=auth).status_code == 429
        )
        reply = {
            "text": "scripted",
            "reasoning": "",
            "tool_calls": [{"name": "f", "arguments": {}}],
        }
        assert ctl.post("/_control/reply", json=reply).status_code == 200
        config = {"dialect": "vllm", "any_model": True}
        assert ctl.post("/_control/config", json=config).status_code == 200
        r = ctl.post("/v1/chat/completions", json=body(user("x"), model="m"), headers=auth)
        msg = r.json()["choices"][0]["message"]
        assert msg["content"] == "scripted" and msg["tool_calls"][0]["function"]["name"] == "f"
        logged = ctl.get("/_control/requests").json()
        assert len(logged) == 2 and logged[0]["headers"]["authorization"] == "<redacted>"
        stats = ctl.get("/_control/stats").json()
        assert stats["requests"] == 2 and stats["dialect"] == "vllm"
        assert stats["connections_opened"] >= 1
        assert ctl.post("/_control/fault", json={"kind": "nope"}).status_code == 400
        assert ctl.post("/_control/config", json={"colour": 1}).status_code == 400
        assert ctl.post("/_control/unknown", json={}).status_code == 404
        assert ctl.post("/_control/reset").json() == {"ok": True}
        assert server.requests == [] and server.dialect == "minimax"


def test_openai_sdk(server: MiniMaxServer) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key=server.api_key, max_retries=0)
    tools: Any = [MAGIC]
    response = client.chat.completions.create(
        model="MiniMax-M2.7",
        messages=[{"role": "user", "content": MAGIC_PROMPT}],
        tools=tools,
        extra_body={"reasoning_split": True},
    )
    message = response.choices[0].message
    assert message.tool_calls
    call: Any = message.tool_calls[0]
    assert call.function.arguments == '{"input": 3}'
    extra = message.model_extra or {}
    assert extra["reasoning_details"][0]["type"] == "reasoning.text"
    # The documented way to continue: append the SDK message object as is.
    history: Any = [
        {"role": "user", "content": MAGIC_PROMPT},
        message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "5"},
    ]
    stream = client.chat.completions.create(
        model="MiniMax-M2.7",
        messages=history,
        tools=tools,
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"reasoning_split": True},
    )
    text = ""
    usage = None
    for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
        usage = chunk.usage or usage
    assert text == "The result of magic_function is 5."
    assert usage is not None and usage.prompt_tokens > 0
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server.base_url, api_key="bad", max_retries=0).models.list()
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(
            base_url=server.base_url, api_key="bad", max_retries=0
        ).chat.completions.create(model="MiniMax-M2.7", messages=[{"role": "user", "content": "x"}])


async def test_async_context_manager_and_async_sdk() -> None:
    async with MiniMaxServer(api_key="k", strict=True) as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0)
        response = await client.chat.completions.create(
            model="MiniMax-M3", messages=[{"role": "user", "content": "Hello"}]
        )
        assert response.choices[0].message.content
        await client.close()
    with pytest.raises(RuntimeError):
        _ = server.base_url


def test_start_stop_and_explicit_port() -> None:
    first = MiniMaxServer().start()
    port = first.port
    first.stop()
    first.stop()
    again = MiniMaxServer(port=port).start()
    try:
        assert again.base_url == f"http://127.0.0.1:{port}/v1"
        with pytest.raises(OSError):
            MiniMaxServer(port=port).start()
    finally:
        again.stop()
