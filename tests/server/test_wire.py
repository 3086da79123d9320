"""Wire shapes: the cloud dialect (inline and split, M3 quirks, streams) and the others."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from minimax_server import MiniMaxServer

from ._helpers import (
    HEX32,
    MAGIC,
    MAGIC_PROMPT,
    WEATHER,
    body,
    choice_chunks,
    joined,
    sse,
    tool_args,
    user,
)

MINIMAX_EXTRAS = {
    "input_sensitive": False,
    "output_sensitive": False,
    "input_sensitive_type": 0,
    "output_sensitive_type": 0,
    "output_sensitive_int": 0,
}


def post(client: httpx.Client, payload: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/chat/completions", json=payload)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def stream(client: httpx.Client, payload: dict[str, Any]) -> list[Any]:
    r = client.post("/chat/completions", json={**payload, "stream": True})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["transfer-encoding"] == "chunked"
    return sse(r.text)


def test_cloud_inline_envelope(client: httpx.Client) -> None:
    data = post(client, body(user("Tell me about otters.")))
    assert re.fullmatch(HEX32, data["id"])
    assert data["object"] == "chat.completion"
    assert data["model"] == "MiniMax-M2.7"
    assert data["base_resp"] == {"status_code": 0, "status_msg": ""}
    assert {k: data[k] for k in MINIMAX_EXTRAS} == MINIMAX_EXTRAS
    choice = data["choices"][0]
    assert choice["finish_reason"] == "stop"
    msg = choice["message"]
    assert msg["role"] == "assistant"
    assert msg["name"] == "MiniMax AI"
    assert msg["audio_content"] == ""
    assert "reasoning_details" not in msg and "reasoning_content" not in msg
    head, sep, answer = msg["content"].partition("\n</think>\n\n")
    assert sep and head.startswith("<think>\n")
    assert "otters" in answer
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["total_characters"] == 0
    assert usage["prompt_tokens_details"] == {"cached_tokens": 0}
    assert usage["completion_tokens_details"]["reasoning_tokens"] > 0


def test_cloud_split_reasoning_fields(client: httpx.Client) -> None:
    data = post(client, body(user("Hello"), reasoning_split=True))
    msg = data["choices"][0]["message"]
    assert msg["content"] == "Hello! How can I help you today?"
    (detail,) = msg["reasoning_details"]
    assert {k: detail[k] for k in ("type", "id", "format", "index")} == {
        "type": "reasoning.text",
        "id": "reasoning-text-1",
        "format": "MiniMax-response-v1",
        "index": 0,
    }
    assert detail["text"] == msg["reasoning_content"]
    # Specific to the request, several sentences long.
    assert "Hello" in detail["text"] and "fingerprint" in detail["text"]
    assert detail["text"].count(". ") >= 3
    assert not detail["text"].endswith("</think>")


def test_m3_split_reasoning_ends_with_closing_tag(client: httpx.Client) -> None:
    msg = post(client, body(user("Hi"), model="MiniMax-M3", reasoning_split=True))["choices"][0][
        "message"
    ]
    assert msg["reasoning_details"][0]["text"].endswith("\n</think>")
    assert msg["reasoning_content"].endswith("\n</think>")
    assert "<think>" not in msg["content"]


@pytest.mark.parametrize("split", [True, False])
def test_m3_thinking_disabled_has_no_reasoning(client: httpx.Client, split: bool) -> None:
    payload = body(
        user("Hi"), model="MiniMax-M3", reasoning_split=split, thinking={"type": "disabled"}
    )
    data = post(client, payload)
    msg = data["choices"][0]["message"]
    assert "reasoning_details" not in msg and "<think>" not in msg["content"]
    assert "completion_tokens_details" not in data["usage"]
    events = stream(client, payload)
    assert joined(events, "content") == msg["content"]
    assert not joined(events, "reasoning_content")


def test_thinking_disabled_is_ignored_by_m2(client: httpx.Client) -> None:
    msg = post(client, body(user("Hi"), thinking={"type": "disabled"}))["choices"][0]["message"]
    assert msg["content"].startswith("<think>\n")


def test_tool_call_shape_and_ids(client: httpx.Client) -> None:
    data = post(client, body(user(MAGIC_PROMPT), tools=[MAGIC]))
    choice = data["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    msg = choice["message"]
    # With tool calls the content is just the think block plus "\n\n\n".
    assert msg["content"].startswith("<think>\n") and msg["content"].endswith("\n</think>\n\n\n")
    (call,) = msg["tool_calls"]
    assert re.fullmatch(r"call_function_[a-z0-9]{10,12}_1", call["id"])
    assert call["type"] == "function" and call["index"] == 0
    assert call["function"] == {"name": "magic_function", "arguments": '{"input": 3}'}
    split = post(client, body(user(MAGIC_PROMPT), tools=[MAGIC], reasoning_split=True))
    assert split["choices"][0]["message"]["content"] == "\n"


def test_stream_matches_non_stream(client: httpx.Client) -> None:
    payload = body(user("Write me 2 haikus. Only include the haikus."))
    whole = post(client, payload)["choices"][0]["message"]["content"]
    events = stream(client, payload)
    assert events[-1] == "[DONE]"
    chunks = choice_chunks(events)
    assert joined(events, "content") == whole
    pieces = [c["choices"][0]["delta"]["content"] for c in chunks]
    assert all(1 <= len(p) <= 40 for p in pieces) and len(pieces) > 10
    assert pieces[0].startswith("<think>\n") and len(pieces[0]) > len("<think>\n")
    closing = next(i for i, p in enumerate(pieces) if p.endswith("</thi"))
    assert pieces[closing + 1].startswith("nk>")
    for chunk in chunks:
        assert chunk["usage"] is None and chunk["object"] == "chat.completion.chunk"
        delta = chunk["choices"][0]["delta"]
        assert (delta["role"], delta["name"], delta["audio_content"]) == (
            "assistant",
            "MiniMax AI",
            "",
        )
        assert {k: chunk[k] for k in MINIMAX_EXTRAS} == MINIMAX_EXTRAS
    assert [("finish_reason" in c["choices"][0]) for c in chunks] == [False] * (len(chunks) - 1) + [
        True
    ]
    last = chunks[-1]["choices"][0]
    assert last["finish_reason"] == "stop" and last["delta"]["content"]
    assert len({c["id"] for c in chunks}) == 1


def test_stream_include_usage(client: httpx.Client) -> None:
    payload = body(user("Hi"), stream_options={"include_usage": True})
    events = stream(client, payload)
    usage_chunk = events[-2]
    assert usage_chunk["choices"] == []
    assert usage_chunk["base_resp"] == {"status_code": 0, "status_msg": ""}
    assert usage_chunk["usage"]["prompt_tokens"] > 0
    assert usage_chunk["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    assert events[-1] == "[DONE]"
    without = stream(client, body(user("Hi")))
    assert all(e == "[DONE]" or e["choices"] for e in without)


def test_split_stream_sends_both_reasoning_fields(client: httpx.Client) -> None:
    payload = body(user("Hello"), model="MiniMax-M3", reasoning_split=True)
    whole = post(client, payload)["choices"][0]["message"]
    events = stream(client, payload)
    first = choice_chunks(events)[0]["choices"][0]["delta"]
    assert first["content"] == ""
    reasoning_chunks = [
        c["choices"][0]["delta"]
        for c in choice_chunks(events)
        if "reasoning_details" in c["choices"][0]["delta"]
    ]
    assert len(reasoning_chunks) > 5
    for delta in reasoning_chunks:
        assert delta["reasoning_details"][0]["text"] == delta["reasoning_content"]
        assert delta["reasoning_details"][0]["id"] == "reasoning-text-1"
    texts = [d["reasoning_content"] for d in reasoning_chunks]
    assert "".join(texts) == whole["reasoning_content"]
    assert any(t.endswith("</thi") for t in texts) and any(t.startswith("nk>") for t in texts)
    assert joined(events, "content") == whole["content"]


def test_stream_tool_call_whole_in_one_delta(client: httpx.Client) -> None:
    events = stream(client, body(user(MAGIC_PROMPT), tools=[MAGIC]))
    deltas = [c for c in choice_chunks(events) if c["choices"][0]["delta"].get("tool_calls")]
    assert len(deltas) == 1
    assert deltas[0]["choices"][0]["finish_reason"] == "tool_calls"
    assert tool_args(events)[0]["arguments"] == '{"input": 3}'


def test_cached_tokens_on_repeated_prefix_and_long_prompts(client: httpx.Client) -> None:
    first = post(client, body(user("Hello")))
    history = [user("Hello"), first["choices"][0]["message"], user("And again")]
    second = post(client, body(*history))
    assert second["usage"]["prompt_tokens_details"]["cached_tokens"] > 0
    long = post(client, body(user("word " * 3000)))
    assert long["usage"]["prompt_tokens"] >= 512
    assert long["usage"]["prompt_tokens_details"]["cached_tokens"] > 0


@pytest.mark.parametrize("send_done", [True, False])
def test_done_is_configurable(server: MiniMaxServer, client: httpx.Client, send_done: bool) -> None:
    server.send_done = send_done
    events = stream(client, body(user("Hi")))
    assert (events[-1] == "[DONE]") is send_done


# --- self-hosted dialects ---------------------------------------------------------------


def test_vllm_dialect(server: MiniMaxServer, client: httpx.Client) -> None:
    server.set_dialect("vllm")
    payload = body(user("Weather in Paris in celsius?"), model="minimax-m2", tools=[WEATHER])
    data = post(client, {**payload, "reasoning_split": True})
    assert data["id"].startswith("chatcmpl-") and "base_resp" not in data
    assert "input_sensitive" not in data
    msg = data["choices"][0]["message"]
    assert "name" not in msg and "audio_content" not in msg and "reasoning_details" not in msg
    assert msg["reasoning"] and msg["content"] is None
    (call,) = msg["tool_calls"]
    assert re.fullmatch(r"call_[0-9a-f]{24}", call["id"])
    assert call["function"]["arguments"] == '{"location": "Paris", "unit": "celsius"}'
    events = stream(client, {**payload, "stream_options": {"include_usage": True}})
    assert events[-1] == "[DONE]" and events[-2]["choices"] == [] and "base_resp" not in events[-2]
    assert joined(events, "reasoning") == msg["reasoning"]
    arg_deltas = [
        tc["function"]["arguments"]
        for c in choice_chunks(events)
        for tc in c["choices"][0]["delta"].get("tool_calls") or []
    ]
    # One parameter at a time, never character by character.
    assert arg_deltas == ['{"location": "Paris"', ', "unit": "celsius"', "}"]


def test_sglang_dialect(server: MiniMaxServer, client: httpx.Client) -> None:
    server.set_dialect("sglang")
    payload = body(user(MAGIC_PROMPT), model="minimax-m2", tools=[MAGIC])
    msg = post(client, payload)["choices"][0]["message"]
    assert msg["reasoning_content"] and "reasoning" not in msg
    events = stream(client, payload)
    assert joined(events, "reasoning_content") == msg["reasoning_content"]
    first_call = next(
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in choice_chunks(events)
        if c["choices"][0]["delta"].get("tool_calls")
    )
    assert first_call["function"] == {"name": "magic_function", "arguments": ""}
    assert tool_args(events)[0]["arguments"] == '{"input": 3}'


def test_inline_dialect_ignores_reasoning_split(
    server: MiniMaxServer, client: httpx.Client
) -> None:
    server.set_dialect("inline")
    payload = body(user(MAGIC_PROMPT), model="minimax-m2", tools=[MAGIC], reasoning_split=True)
    msg = post(client, payload)["choices"][0]["message"]
    assert msg["content"].startswith("<think>\n") and msg["reasoning"] is None
    assert msg["tool_calls"][0]["function"]["name"] == "magic_function"
    events = stream(client, payload)
    assert joined(events, "content") == msg["content"]
    assert not joined(events, "reasoning")


def test_raw_xml_dialect(server: MiniMaxServer, client: httpx.Client) -> None:
    server.set_dialect("raw_xml")
    payload = body(user("Weather in Paris in celsius?"), model="minimax-m2", tools=[WEATHER])
    data = post(client, payload)
    choice = data["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert "tool_calls" not in choice["message"]
    content = choice["message"]["content"]
    assert content.startswith("<think>\n")
    assert content.endswith(
        '<minimax:tool_call>\n<invoke name="get_weather">\n'
        '<parameter name="location">Paris</parameter>\n'
        '<parameter name="unit">celsius</parameter>\n'
        "</invoke>\n</minimax:tool_call>"
    )
    events = stream(client, payload)
    assert joined(events, "content") == content
    assert not tool_args(events)


def test_proxy_dialect(server: MiniMaxServer, client: httpx.Client) -> None:
    server.set_dialect("proxy")
    payload = body(user("Hello"), model="minimax-m2")
    data = post(client, payload)
    assert data["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    assert data["choices"][0]["message"]["content"].startswith("<think>\n")
    split = post(client, {**payload, "reasoning_split": True})["choices"][0]["message"]
    (detail,) = split["reasoning_details"]
    assert set(detail) == {"type", "text"} and detail["type"] == "chain_of_thought"
    assert split["content"] == "Hello! How can I help you today?"
    events = stream(client, {**payload, "reasoning_split": True})
    assert events[-1] == "[DONE]"
    texts = [
        c["choices"][0]["delta"]["reasoning_details"][0]["text"]
        for c in choice_chunks(events)
        if "reasoning_details" in c["choices"][0]["delta"]
    ]
    assert "".join(texts) == detail["text"]
    tools = post(client, body(user(MAGIC_PROMPT), model="minimax-m2", tools=[MAGIC]))
    assert tools["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "magic_function"
    events = stream(client, body(user(MAGIC_PROMPT), model="minimax-m2", tools=[MAGIC]))
    call_deltas = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in choice_chunks(events)
        if c["choices"][0]["delta"].get("tool_calls")
    ]
    assert [d["function"]["arguments"] for d in call_deltas] == ["", '{"input": 3}']


def test_any_model(server: MiniMaxServer, client: httpx.Client) -> None:
    r = client.post("/chat/completions", json=body(user("Hi"), model="minimax-m2"))
    assert r.status_code == 400 and "unknown model" in r.text
    server.any_model = True
    assert post(client, body(user("Hi"), model="minimax-m2"))["model"] == "minimax-m2"
    server.any_model = None
    server.set_dialect("vllm")
    assert post(client, body(user("Hi"), model="whatever-name"))["model"] == "whatever-name"


def test_set_dialect_rejects_unknown(server: MiniMaxServer) -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        server.set_dialect("tgi")


def test_chunk_delay(server: MiniMaxServer, client: httpx.Client) -> None:
    server.chunk_delay = 0.005
    start = time.monotonic()
    events = stream(client, body(user("Hi")))
    assert time.monotonic() - start >= 0.005 * (len(events) - 1)
