"""What any faithful MiniMax endpoint guarantees, as assertions on adapter results.

Shared by the live suite (`tests/live/`, any endpoint) and the offline replay of recorded
transcripts (`tests/recorded/`). Nothing here looks at wording: only structure, reasoning
present and sent back as it came, tool calls well formed, usage reported whenever the wire
carried it.
What the wire said is read from the raw bytes by `minimax_core.probe.read_wire` and
`expected_replay` below, never through the accumulator under test.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from minimax_core.probe import WireView, read_wire

LEAKS = ("<think>", "</think>", "<minimax:tool_call>", "<invoke name=")


def _frames(content_type: str, body: bytes) -> list[Mapping[str, Any]]:
    """The assistant message, or the stream's deltas, of a raw answer."""
    if "text/event-stream" not in content_type:
        payload = json.loads(body)
        return [c["message"] for c in payload.get("choices") or [] if c.get("message")]
    parts: list[Mapping[str, Any]] = []
    for line in body.decode("utf-8").splitlines():
        data = line[5:].strip() if line.startswith("data:") else ""
        if not data or data == "[DONE]":
            continue
        for choice in json.loads(data).get("choices") or []:
            if isinstance(choice.get("delta"), Mapping):
                parts.append(choice["delta"])
    return parts


def expected_replay(content_type: str, body: bytes) -> dict[str, Any]:
    """What the next request must carry for this answer's reasoning, read off the raw bytes.

    - `reasoning_details_text`: the text of MiniMax's `reasoning_details`, all fragments joined;
    - `reasoning` / `reasoning_content`: the self-hosted fields, joined;
    - `think_block`: the inline `…</think>` prefix of the content, byte for byte.
    """
    details: list[str] = []
    fields: dict[str, list[str]] = {"reasoning": [], "reasoning_content": []}
    content: list[str] = []
    for part in _frames(content_type, body):
        for detail in part.get("reasoning_details") or []:
            if isinstance(detail, Mapping) and isinstance(detail.get("text"), str):
                details.append(detail["text"])
        for name, pieces in fields.items():
            if isinstance(part.get(name), str):
                pieces.append(part[name])
        if isinstance(part.get("content"), str):
            content.append(part["content"])
    out: dict[str, Any] = {}
    if details:
        out["reasoning_details_text"] = "".join(details)
    elif "".join(fields["reasoning_content"]):
        out["reasoning_content"] = "".join(fields["reasoning_content"])
    elif "".join(fields["reasoning"]):
        out["reasoning"] = "".join(fields["reasoning"])
    raw = "".join(content)
    if "</think>" in raw:
        out["think_block"] = raw[: raw.index("</think>") + len("</think>")]
    return out


def assert_replayed(sent: Mapping[str, Any], expected: Mapping[str, Any]) -> None:
    """`sent` (an assistant message of a later request) carries the reasoning as it came."""
    assert expected, "the answer carried no reasoning to send back"
    if "reasoning_details_text" in expected:
        details = sent.get("reasoning_details")
        assert isinstance(details, list) and details, f"reasoning_details not sent back: {sent}"
        text = "".join(d.get("text", "") for d in details if isinstance(d, Mapping))
        assert text == expected["reasoning_details_text"], "reasoning_details altered"
    if "reasoning" in expected:
        assert sent.get("reasoning") == expected["reasoning"], (
            "`reasoning` not sent back as received"
        )
    if "reasoning_content" in expected:
        # As received, less the newline at each edge the MiniMax-M2 template writes itself.
        received = expected["reasoning_content"]
        received = received[1:] if received.startswith("\n") else received
        received = received[:-1] if received.endswith("\n") else received
        assert sent.get("reasoning_content") == received, (
            "`reasoning_content` not sent back as received"
        )
    if "think_block" in expected:
        content = sent.get("content")
        assert isinstance(content, str) and expected["think_block"] in content, (
            "the inline <think> block was not sent back byte for byte"
        )


def assistant_turns(request_body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [m for m in request_body.get("messages", []) if m.get("role") == "assistant"]


def _check_clean(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} leaked into the answer: {text[:200]!r}"


def _check_tool_call(call: Mapping[str, Any], tool_names: Collection[str] | None) -> None:
    assert isinstance(call.get("id"), str) and call["id"], f"tool call without id: {call}"
    assert call.get("name"), f"tool call without name: {call}"
    if tool_names is not None:
        assert call["name"] in tool_names, f"call to an unknown tool {call['name']!r}"
    assert isinstance(call.get("args"), dict), f"tool arguments are not an object: {call}"


def assert_core_completion(
    completion: Any,
    view: WireView,
    *,
    tool_names: Collection[str] | None = None,
) -> None:
    """A core `Completion` that says what the wire said, cleanly."""
    _check_clean(completion.text)
    if view.reasoning_location != "none":
        assert completion.reasoning.strip(), "reasoning missing"
        _check_clean(completion.reasoning)
        assert completion.replay, "reasoning arrived but nothing is kept to send back"
    for call in completion.tool_calls:
        _check_tool_call({"id": call.id, "name": call.name, "args": call.args}, tool_names)
    if view.tool_call_form != "none":
        assert completion.tool_calls, "the wire had a tool call, the completion has none"
    if view.usage:
        usage = completion.usage
        assert usage is not None, "usage not reported"
        assert usage.prompt_tokens > 0 and usage.completion_tokens > 0, usage
    assert completion.finish_reason, "no finish_reason"


def assert_langchain_message(
    msg: Any,
    view: WireView,
    *,
    tool_names: Collection[str] | None = None,
) -> None:
    """An `AIMessage` that says what the wire said, cleanly."""
    _check_clean(msg.text)
    reasoning = msg.additional_kwargs.get("reasoning_content")
    if view.reasoning_location != "none":
        assert isinstance(reasoning, str) and reasoning.strip(), "reasoning missing"
        _check_clean(reasoning)
    for call in msg.tool_calls:
        _check_tool_call(call, tool_names)
    assert not msg.invalid_tool_calls, f"invalid tool calls: {msg.invalid_tool_calls}"
    if view.tool_call_form != "none":
        assert msg.tool_calls, "the wire had a tool call, the message has none"
    if view.usage:
        usage = msg.usage_metadata
        assert usage is not None, "usage not reported"
        assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0, usage
        assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert msg.response_metadata.get("finish_reason"), "no finish_reason"


def assert_llamaindex_response(
    response: Any,
    view: WireView,
    *,
    tool_names: Collection[str] | None = None,
) -> None:
    """A LlamaIndex `ChatResponse` that says what the wire said, cleanly."""
    from llama_index.core.base.llms.types import ThinkingBlock, ToolCallBlock

    message = response.message
    _check_clean(message.content or "")
    thinking = [b for b in message.blocks if isinstance(b, ThinkingBlock)]
    if view.reasoning_location != "none":
        assert thinking and (thinking[0].content or "").strip(), "ThinkingBlock missing"
        _check_clean(thinking[0].content or "")
    calls = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    for block in calls:
        args = block.tool_kwargs
        _check_tool_call(
            {"id": block.tool_call_id, "name": block.tool_name, "args": args}, tool_names
        )
    if view.tool_call_form != "none":
        assert calls, "the wire had a tool call, the message has none"
    if view.usage:
        raw = response.raw if isinstance(response.raw, Mapping) else {}
        usage = raw.get("usage")
        assert isinstance(usage, Mapping), "usage not reported"
        assert usage.get("prompt_tokens", 0) > 0 and usage.get("completion_tokens", 0) > 0


def view_of(content_type: str, body: bytes) -> WireView:
    return read_wire(content_type, body)
