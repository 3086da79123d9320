"""Validation like the real API: 400 with code 2013 in MiniMax's error body, and 401."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from ._helpers import HEX32, MAGIC, body, user

TOOL_TURN = {
    "role": "assistant",
    "content": "",
    "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    ],
}
IMAGE = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
VIDEO = {"type": "video_url", "video_url": {"url": "https://example.com/v.mp4"}}

BAD_REQUESTS: dict[str, tuple[dict[str, Any], str]] = {
    "unknown model": (body(user("Hi"), model="gpt-4o"), "unknown model 'gpt-4o'"),
    "missing model": ({"messages": [user("Hi")]}, "model is required"),
    "n != 1": (body(user("Hi"), n=2), "n parameter only supports value 1"),
    "temperature > 2": (body(user("Hi"), temperature=2.5), "temperature must be in [0, 2]"),
    "temperature < 0": (body(user("Hi"), temperature=-0.1), "temperature must be in [0, 2]"),
    "top_p > 1": (body(user("Hi"), top_p=1.5), "top_p must be in [0, 1]"),
    "empty messages": (body(), "messages is empty"),
    "invalid tool arguments": (
        body(
            user("Hi"),
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "call_function_abc123_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": '{"a": '},
                    }
                ],
            },
        ),
        "invalid function arguments json string, tool_call_id: call_function_abc123_1",
    ),
    "unknown tool result id": (
        body(user("Hi"), TOOL_TURN, {"role": "tool", "tool_call_id": "call_2", "content": "1"}),
        "tool result's tool id(call_2) not found",
    ),
    "legacy functions": (
        body(user("Hi"), functions=[{"name": "f", "parameters": {}}]),
        "functions and function_call are deprecated",
    ),
    "legacy function_call": (body(user("Hi"), function_call="auto"), "deprecated"),
    "image for M2.7": (
        body({"role": "user", "content": [{"type": "text", "text": "What?"}, IMAGE]}),
        "model MiniMax-M2.7 does not support image input",
    ),
    "video for M2.5": (
        body({"role": "user", "content": [VIDEO]}, model="MiniMax-M2.5"),
        "does not support video input",
    ),
    "bad role": (body({"role": "developer", "content": "x"}), "invalid message role"),
    "bad tool type": (body(user("Hi"), tools=[{"type": "web_search"}]), "invalid tool type"),
    "unknown forced tool": (
        body(
            user("Hi"), tools=[MAGIC], tool_choice={"type": "function", "function": {"name": "x"}}
        ),
        "tool_choice function x not found",
    ),
    "required without tools": (body(user("Hi"), tool_choice="required"), "requires tools"),
    "max tokens < 1": (body(user("Hi"), max_completion_tokens=0), "max_completion_tokens"),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_bad_request(client: httpx.Client, case: str) -> None:
    payload, fragment = BAD_REQUESTS[case]
    r = client.post("/chat/completions", json=payload)
    assert r.status_code == 400
    data = r.json()
    assert set(data) == {"type", "error", "request_id"}
    assert data["type"] == "error"
    assert re.fullmatch(HEX32, data["request_id"])
    error = data["error"]
    assert error["type"] == "bad_request_error" and error["http_code"] == "400"
    assert error["message"].startswith("invalid params, ")
    assert error["message"].endswith(" (2013)")
    assert fragment in error["message"]


def test_invalid_json_body(client: httpx.Client) -> None:
    r = client.post("/chat/completions", content=b"{not json", headers={"content-type": "x"})
    assert r.status_code == 400 and r.json()["error"]["message"].endswith("(2013)")


@pytest.mark.parametrize("model", ["MiniMax-M3"])
def test_images_and_video_accepted_for_m3(client: httpx.Client, model: str) -> None:
    payload = body({"role": "user", "content": [{"type": "text", "text": "What?"}, IMAGE, VIDEO]})
    r = client.post("/chat/completions", json={**payload, "model": model})
    assert r.status_code == 200
    assert r.json()["usage"]["prompt_tokens"] > 3000


def test_temperature_edges_accepted(client: httpx.Client) -> None:
    for temperature in (0, 1, 2):
        payload = body(user("Hi"), temperature=temperature, top_p=1)
        assert client.post("/chat/completions", json=payload).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-key"}],
    ids=["missing", "wrong", "no-bearer"],
)
def test_unauthorized(client: httpx.Client, headers: dict[str, str]) -> None:
    client.headers.pop("Authorization")
    r = client.post("/chat/completions", json=body(user("Hi")), headers=headers)
    assert r.status_code == 401
    data = r.json()
    # MiniMax's shape and code either way; the message says whether the key was wrong.
    message = (
        "login fail: invalid api key: the key in the 'Authorization' header is not this server's"
        if headers.get("Authorization", "").startswith("Bearer ")
        else "login fail: Please carry the API secret key in the 'Authorization' field "
        "of the request header"
    )
    assert data["error"] == {
        "type": "authorized_error",
        "message": f"{message} (1004)",
        "http_code": "401",
    }
    assert re.fullmatch(HEX32, data["request_id"])


def test_unknown_path_and_method(client: httpx.Client) -> None:
    assert client.post("/embeddings", json={}).status_code == 404
    assert client.get("/chat/completions").status_code == 405
    models = client.get("/models").json()["data"]
    assert "MiniMax-M3" in [m["id"] for m in models]
