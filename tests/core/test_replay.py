"""The reasoning-replay contract: what a finished answer keeps for replay, and how it goes back."""

from __future__ import annotations

import re

import pytest

from minimax_core._reasoning import split_content
from minimax_core.replay import (
    REPLAY_FIELDS,
    REPLAY_KEYS,
    assistant_message,
    build_replay,
    is_replay,
    new_tool_call_id,
)

from ._helpers import quirk, run_stream

CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
DETAILS = [{"type": "reasoning.text", "id": "r-1", "index": 0, "text": "t"}]


def test_assistant_message_replays_exactly() -> None:
    raw = "<think>\nhmm\n</think>\n\nAnswer"
    assert split_content(raw)[0] == "Answer"
    assert assistant_message("Answer", [], {"content": raw}) == {
        "role": "assistant",
        "content": raw,
    }
    details = [
        {
            "type": "reasoning.text",
            "id": "reasoning-text-1",
            "format": "MiniMax-response-v1",
            "index": 0,
            "text": "t",
        }
    ]
    assert assistant_message("", [CALL], {"reasoning_details": details, "content": "\n"}) == {
        "role": "assistant",
        "content": "\n",
        "tool_calls": [CALL],
        "reasoning_details": details,
    }
    # An edited answer wins over the stored raw content.
    assert assistant_message("Edited", [], {"content": raw})["content"] == "Edited"
    assert assistant_message("No reasoning", [], None) == {
        "role": "assistant",
        "content": "No reasoning",
    }


def test_one_reasoning_field_is_kept_the_first_the_server_sent() -> None:
    both = {"reasoning_content": "rc", "reasoning": "r", "raw_content": "A", "answer": "A"}
    assert build_replay(reasoning_details=DETAILS, **both) == {"reasoning_details": DETAILS}
    assert build_replay(**both) == {"reasoning_content": "rc"}
    assert build_replay(reasoning="r", raw_content="A", answer="A") == {"reasoning": "r"}
    assert build_replay(raw_content="A", answer="A") == {}
    assert list(REPLAY_FIELDS) == ["reasoning_details", "reasoning_content", "reasoning"]


def test_the_raw_content_is_kept_only_when_it_differs_from_the_answer() -> None:
    raw = "<think>\nhmm\n</think>\n\nAnswer"
    assert build_replay(raw_content=raw, answer="Answer") == {"content": raw}
    # Raw tool-call XML goes back as `tool_calls`, not in the content.
    xml = '<minimax:tool_call>\n<invoke name="f"></invoke>\n</minimax:tool_call>'
    assert build_replay(raw_content="Answer" + xml, answer="Answer", tool_xml=[xml]) == {}
    assert build_replay(raw_content=raw + xml, answer="Answer", tool_xml=[xml]) == {"content": raw}


@pytest.mark.parametrize(
    "name",
    [
        "inline-think",
        "split-reasoning",
        "vllm-reasoning",
        "xml-tool-call",
        "final-message-chunk",
        "tool-call-fragments",
        "reused-index",
    ],
)
def test_every_replay_the_client_builds_is_recognised_as_replay(name: str) -> None:
    """What the accumulator stores is what the adapters recognise as MiniMax's and send back."""
    _, done = run_stream(quirk(name))
    assert done.replay == {} or is_replay(done.replay)
    assert done.replay.keys() <= REPLAY_KEYS
    rebuilt = assistant_message(done.text, [], done.replay)
    assert split_content(rebuilt["content"])[0] == done.text


def test_replay_data_is_recognised_and_other_providers_data_is_not() -> None:
    assert is_replay({"reasoning_details": DETAILS})
    assert is_replay({"content": "<think>x</think>A", "reasoning": "x"})
    assert not is_replay({})
    assert not is_replay(None)
    assert not is_replay("reasoning")
    assert not is_replay({"signature": "abc"})  # Anthropic's thinking extras
    assert not is_replay({"reasoning_content": "x", "signature": "abc"})


def test_one_tool_call_id_maker_fresh_or_stable() -> None:
    fresh = {new_tool_call_id() for _ in range(100)}
    assert len(fresh) == 100
    assert all(re.fullmatch(r"call_[0-9a-f]{24}", call_id) for call_id in fresh)
    stable = new_tool_call_id("messages[2].tool_calls[0]")
    assert re.fullmatch(r"call_[0-9a-f]{24}", stable)
    assert new_tool_call_id("messages[2].tool_calls[0]") == stable
    assert new_tool_call_id("messages[2].tool_calls[1]") != stable


def test_a_truncated_thinking_first_turn_is_replayed_whole() -> None:
    # `think_prefill=True`, cut by the length limit inside the reasoning: no answer at all, and
    # the raw content (all reasoning, no tag) must still go back.
    raw = "Still weighing the options"
    message = assistant_message("", [], {"content": raw})
    assert message["content"] == raw
    # An edited answer still wins over the raw content.
    assert assistant_message("edited", [], {"content": raw})["content"] == "edited"


@pytest.mark.parametrize(
    ("received", "sent"),
    [("R\n", "R"), ("\nR\n", "R"), ("R\n\n", "R\n"), ("R", "R"), (" R \n", " R "), ("\n", None)],
)
def test_reasoning_content_goes_back_without_the_newlines_the_template_adds(
    received: str, sent: str | None
) -> None:
    """The MiniMax-M2 template writes `<think>\\n` + field + `\\n</think>`: one edge newline
    less on each side, never more, and nothing else touched."""
    replay = build_replay(reasoning_content=received, raw_content="", answer="")
    assert replay.get("reasoning_content") == sent
    assert build_replay(reasoning="R\n", raw_content="", answer="")["reasoning"] == "R\n"
