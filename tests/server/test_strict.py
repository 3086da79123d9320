"""Strict mode: a replayed turn's reasoning must come back in the form it was produced."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from minimax_server import MiniMaxServer

from ._helpers import MAGIC, MAGIC_PROMPT, body, joined, sse, tool_args, user


def _turn(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    r = client.post("/chat/completions", json=body(user(MAGIC_PROMPT), tools=[MAGIC], **extra))
    assert r.status_code == 200, r.text
    msg: dict[str, Any] = r.json()["choices"][0]["message"]
    return msg


def _replay(client: httpx.Client, assistant: dict[str, Any], **extra: Any) -> httpx.Response:
    result = {"role": "tool", "tool_call_id": assistant["tool_calls"][0]["id"], "content": "5"}
    payload = body(user(MAGIC_PROMPT), assistant, result, tools=[MAGIC], **extra)
    return client.post("/chat/completions", json=payload)


def _refused(r: httpx.Response, *fragments: str) -> None:
    assert r.status_code == 400, r.text
    message = r.json()["error"]["message"]
    assert message.startswith("invalid params, strict reasoning check failed for messages[1]")
    assert message.endswith("(2013)")
    for fragment in fragments:
        assert fragment in message


def test_split_faithful_replay_passes(client: httpx.Client) -> None:
    msg = _turn(client, reasoning_split=True)
    r = _replay(client, msg, reasoning_split=True)
    assert r.status_code == 200
    assert r.json()["choices"][0]["message"]["content"] == "The result of magic_function is 5."
    # Only what the docs say to send back: content, tool_calls, reasoning_details.
    minimal = {k: msg[k] for k in ("role", "content", "tool_calls", "reasoning_details")}
    assert _replay(client, minimal, reasoning_split=True).status_code == 200


def test_split_dropped_reasoning_refused(client: httpx.Client) -> None:
    msg = _turn(client, reasoning_split=True)
    dropped = {k: v for k, v in msg.items() if k != "reasoning_details"}
    _refused(
        _replay(client, dropped, reasoning_split=True), "reasoning dropped", "reasoning_details"
    )


def test_split_altered_reasoning_refused(client: httpx.Client) -> None:
    msg = _turn(client, reasoning_split=True)
    altered = copy.deepcopy(msg)
    altered["reasoning_details"][0]["text"] = altered["reasoning_details"][0]["text"].strip() + "!"
    _refused(_replay(client, altered, reasoning_split=True), "reasoning altered", "character")
    fields = copy.deepcopy(msg)
    del fields["reasoning_details"][0]["format"]
    _refused(_replay(client, fields, reasoning_split=True), "verbatim")


def test_split_reasoning_moved_inline_refused(client: httpx.Client) -> None:
    msg = _turn(client, reasoning_split=True)
    moved = {**msg, "content": "<think>\n" + msg["reasoning_content"] + "\n</think>\n\n\n"}
    del moved["reasoning_details"]
    _refused(_replay(client, moved), "content contains <think>")


def test_inline_faithful_replay_passes(client: httpx.Client) -> None:
    msg = _turn(client)
    assert _replay(client, msg).status_code == 200
    # Whitespace around the block may change; the block itself may not.
    trimmed = {**msg, "content": msg["content"].strip()}
    assert _replay(client, trimmed).status_code == 200


def test_inline_dropped_reasoning_refused(client: httpx.Client) -> None:
    msg = _turn(client)
    _refused(_replay(client, {**msg, "content": ""}), "reasoning dropped", "<think>")


def test_inline_altered_reasoning_refused(client: httpx.Client) -> None:
    msg = _turn(client)
    altered = {**msg, "content": msg["content"].replace("The user", "A user", 1)}
    _refused(_replay(client, altered), "reasoning altered", "first difference at character")


def test_inline_reasoning_moved_to_field_refused(client: httpx.Client) -> None:
    msg = _turn(client)
    moved = {**msg, "content": "", "reasoning_content": msg["content"]}
    _refused(_replay(client, moved), "reasoning moved")


def test_answer_turn_identified_by_text(client: httpx.Client) -> None:
    r = client.post("/chat/completions", json=body(user("Hello")))
    msg = r.json()["choices"][0]["message"]
    history = [user("Hello"), msg, user("Again")]
    assert client.post("/chat/completions", json=body(*history)).status_code == 200
    stripped = {"role": "assistant", "content": "Hello! How can I help you today?"}
    r = client.post("/chat/completions", json=body(user("Hello"), stripped, user("Again")))
    _refused(r, "reasoning dropped")


def test_stream_produced_turn_replays(client: httpx.Client) -> None:
    payload = body(user(MAGIC_PROMPT), tools=[MAGIC], reasoning_split=True, stream=True)
    events = sse(client.post("/chat/completions", json=payload).text)
    call = tool_args(events)[0]
    details_text = "".join(
        d["text"]
        for e in events
        if isinstance(e, dict) and e["choices"]
        for d in e["choices"][0]["delta"].get("reasoning_details") or []
    )
    assistant = {
        "role": "assistant",
        "content": joined(events, "content"),
        "tool_calls": [
            {
                "id": call["id"],
                "type": "function",
                "function": {"name": call["name"], "arguments": call["arguments"]},
            }
        ],
        "reasoning_details": [
            {
                "type": "reasoning.text",
                "id": "reasoning-text-1",
                "format": "MiniMax-response-v1",
                "index": 0,
                "text": details_text,
            }
        ],
    }
    assert _replay(client, assistant, reasoning_split=True).status_code == 200


def test_turns_not_produced_are_accepted(client: httpx.Client) -> None:
    few_shot = [
        user("What is 1 + 2"),
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "abc123",
                    "type": "function",
                    "function": {"name": "magic_function", "arguments": '{"input": 1}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "abc123", "content": '{"result": 3}'},
        {"role": "assistant", "content": '{"result": 3}'},
        user("What is 3 + 4"),
    ]
    r = client.post("/chat/completions", json=body(*few_shot, tools=[MAGIC]))
    assert r.status_code == 200


def test_strict_off_accepts_dropped_reasoning(server: MiniMaxServer, client: httpx.Client) -> None:
    msg = _turn(client, reasoning_split=True)
    server.strict = False
    dropped = {k: v for k, v in msg.items() if k != "reasoning_details"}
    assert _replay(client, dropped, reasoning_split=True).status_code == 200


def test_reasoning_added_to_turn_without_reasoning(client: httpx.Client) -> None:
    extra = {"model": "MiniMax-M3", "thinking": {"type": "disabled"}, "reasoning_split": True}
    msg = _turn(client, **extra)
    assert _replay(client, msg, **extra).status_code == 200
    invented = {**msg, "reasoning_details": [{"type": "reasoning.text", "text": "made up"}]}
    _refused(_replay(client, invented, **extra), "reasoning added")


@pytest.mark.parametrize(
    ("dialect", "field", "alias"),
    [("vllm", "reasoning", "reasoning_content"), ("sglang", "reasoning_content", None)],
)
def test_self_hosted_reasoning_fields(
    server: MiniMaxServer, client: httpx.Client, dialect: str, field: str, alias: str | None
) -> None:
    server.set_dialect(dialect)
    msg = _turn(client, model="minimax-m2")
    assert _replay(client, msg, model="minimax-m2").status_code == 200
    if alias:
        renamed = {k: v for k, v in msg.items() if k != field} | {alias: msg[field]}
        assert _replay(client, renamed, model="minimax-m2").status_code == 200
    _refused(_replay(client, {**msg, field: None}, model="minimax-m2"), "reasoning dropped", field)
    altered = {**msg, field: msg[field] + " (edited)"}
    _refused(_replay(client, altered, model="minimax-m2"), "reasoning altered")


def test_proxy_chain_of_thought(server: MiniMaxServer, client: httpx.Client) -> None:
    server.set_dialect("proxy")
    msg = _turn(client, model="minimax-m2", reasoning_split=True)
    assert msg["reasoning_details"][0]["type"] == "chain_of_thought"
    assert _replay(client, msg, model="minimax-m2").status_code == 200
    dropped = {k: v for k, v in msg.items() if k != "reasoning_details"}
    _refused(_replay(client, dropped, model="minimax-m2"), "reasoning dropped")


def test_memory_survives_dialect_switch_and_clears_on_reset(
    server: MiniMaxServer, client: httpx.Client
) -> None:
    msg = _turn(client)
    server.set_dialect("vllm")
    _refused(_replay(client, {**msg, "content": ""}), "reasoning dropped")
    server.reset()
    assert _replay(client, {**msg, "content": ""}).status_code == 200
