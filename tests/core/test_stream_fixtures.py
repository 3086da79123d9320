"""Every stream quirk MiniMax and self-hosted servers show, from transcript files, fed whole and
byte by byte (the quirks are listed in ARCHITECTURE.md)."""

from __future__ import annotations

import pytest

from minimax_core import APIStatusError, RateLimitError, StreamError

from ._helpers import joined, quirk, run_stream

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        },
    },
}


@pytest.mark.parametrize("piece", [None, 1, 7, 64])
def test_inline_think_split_across_chunks(piece: int | None) -> None:
    deltas, done = run_stream(quirk("inline-think"), piece=piece)
    assert joined(deltas) == ("**Proof.** It is even.", "The user wants a proof.")
    assert done.text == "**Proof.** It is even."
    assert done.reasoning == "The user wants a proof."
    assert done.finish_reason == "stop"
    assert done.model == "MiniMax-M2.7"
    assert done.replay == {
        "content": "<think>\nThe user wants a proof.\n</think>\n\n**Proof.** It is even."
    }
    assert done.usage is not None
    assert (done.usage.prompt_tokens, done.usage.completion_tokens, done.usage.total_tokens) == (
        767,
        172,
        939,
    )
    assert (done.usage.cached_tokens, done.usage.reasoning_tokens) == (443, 25)
    assert done.metadata["input_sensitive"] is False


@pytest.mark.parametrize("piece", [None, 1, 13])
def test_split_reasoning_keeps_details_verbatim_and_hides_closing_tag(piece: int | None) -> None:
    deltas, done = run_stream(quirk("split-reasoning"), piece=piece)
    assert joined(deltas) == ("I'm doing well, thanks!", "The user is asking how I am.")
    assert done.reasoning == "The user is asking how I am."
    assert done.replay == {
        "reasoning_details": [
            {
                "type": "reasoning.text",
                "id": "reasoning-text-1",
                "format": "MiniMax-response-v1",
                "index": 0,
                "text": "The user is asking how I am.\n</think>",
            }
        ]
    }
    # Zero usage in ordinary chunks is ignored; the trailing usage-only chunk counts.
    assert done.usage is not None and done.usage.total_tokens == 40
    assert done.usage.cached_tokens == 0


@pytest.mark.parametrize("piece", [None, 3])
def test_tool_call_fragments_assemble_and_name_is_sent_once(piece: int | None) -> None:
    deltas, done = run_stream(quirk("tool-call-fragments"), piece=piece)
    pieces = [call for d in deltas for call in d.tool_calls]
    assert [p.name for p in pieces] == ["get_weather", None]
    assert [p.id for p in pieces] == ["call_function_a1nrtksph4pi_1", None]
    assert "".join(p.arguments for p in pieces) == '{"location": "San Francisco, US"}'
    [call] = done.tool_calls
    assert (call.id, call.name, call.args) == (
        "call_function_a1nrtksph4pi_1",
        "get_weather",
        {"location": "San Francisco, US"},
    )
    assert done.finish_reason == "tool_calls"
    assert done.text == ""
    assert done.reasoning == "Need weather; call tool."
    # The last frame has no trailing blank line: it is still read, usage included.
    assert done.usage is not None and done.usage.cached_tokens == 114


def test_new_id_at_reused_index_starts_a_new_call() -> None:
    deltas, done = run_stream(quirk("reused-index"))
    assert [(c.index, c.id, c.args) for c in done.tool_calls] == [
        (0, "call_function_jpaq2z2bgfh7_1", {"paths": ["a.rs"]}),
        (1, "call_function_jpaq2z2bgfh7_2", {"paths": ["b.rs"]}),
    ]
    assert [c.index for d in deltas for c in d.tool_calls] == [0, 1]
    assert done.replay == {"reasoning_content": "Two reads."}


def test_final_whole_message_chunk_is_not_appended_again() -> None:
    deltas, done = run_stream(quirk("final-message-chunk"))
    assert joined(deltas) == ("Hello there.", "Short thought.")
    assert done.text == "Hello there."
    assert done.usage is not None and done.usage.total_tokens == 12


def test_eof_before_finish_reason_raises_instead_of_returning_a_part() -> None:
    with pytest.raises(StreamError, match="before MiniMax finished"):
        run_stream(quirk("eof-before-finish"))


def test_base_resp_error_mid_stream_raises_the_mapped_error() -> None:
    with pytest.raises(RateLimitError) as info:
        run_stream(quirk("base-resp-mid-stream"))
    assert info.value.code == 1002
    assert isinstance(info.value, APIStatusError) and info.value.retryable


@pytest.mark.parametrize("piece", [None, 5])
def test_vllm_reasoning_field_and_per_parameter_arguments(piece: int | None) -> None:
    _, done = run_stream(quirk("vllm-reasoning"), piece=piece)
    assert done.reasoning == "I should add the numbers."
    assert done.replay == {"reasoning": "I should add the numbers."}
    assert [(c.name, c.args) for c in done.tool_calls] == [("add", {"a": 1, "b": 2})]


@pytest.mark.parametrize("piece", [None, 2, 11])
def test_raw_xml_tool_call_in_content_becomes_a_typed_tool_call(piece: int | None) -> None:
    deltas, done = run_stream(quirk("xml-tool-call"), piece=piece, tools=[WEATHER_TOOL])
    text, reasoning = joined(deltas)
    assert "<minimax" not in text and "invoke" not in text
    assert text.strip() == "Let me check."
    assert reasoning == "Use the weather tool."
    [call] = done.tool_calls
    assert (call.name, call.args) == ("get_weather", {"city": "Paris", "days": 3})
    assert done.finish_reason == "tool_calls"
    # Replay keeps the think block byte for byte but not the XML (tool_calls carry it).
    assert done.replay == {"content": "<think>\nUse the weather tool.\n</think>\n\nLet me check.\n"}
