"""LangChain messages → wire dicts: the pure outbound converters, against literal values."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_minimax._messages_out import (
    content_parts,
    message_to_wire,
    messages_to_wire,
    replay_of,
)
from langchain_minimax._tools import json_schema_format, tool_choice_to_wire, tools_to_wire
from minimax_core import RequestValidationError

DETAILS = [
    {
        "type": "reasoning.text",
        "id": "reasoning-text-1",
        "format": "MiniMax-response-v1",
        "index": 0,
        "text": "Need the weather.",
    }
]
CALL = {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
WIRE_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}


def minimax_turn(**kwargs: Any) -> AIMessage:
    return AIMessage(
        content=kwargs.pop("content", ""),
        response_metadata={"model_provider": "minimax", **kwargs.pop("response_metadata", {})},
        **kwargs,
    )


# --- assistant turns and the reasoning contract ---------------------------------------------


def test_minimax_turn_replays_reasoning_details_verbatim() -> None:
    message = minimax_turn(
        additional_kwargs={"reasoning_content": "Need the weather.", "reasoning_details": DETAILS},
        tool_calls=[CALL],
    )
    assert message_to_wire(message) == {
        "role": "assistant",
        "content": "",
        "reasoning_details": DETAILS,
        "tool_calls": [WIRE_CALL],
    }


def test_inline_think_content_is_replayed_byte_for_byte() -> None:
    raw = "<think>\nPlan it.\n</think>\n\nHello!"
    message = minimax_turn(
        content="Hello!",
        additional_kwargs={"reasoning_content": "Plan it.", "minimax_replay": {"content": raw}},
    )
    assert message_to_wire(message) == {"role": "assistant", "content": raw}


@pytest.mark.parametrize(
    ("replay", "expected"),
    [
        ({"reasoning": "vllm thought"}, {"reasoning": "vllm thought"}),
        ({"reasoning_content": "sglang thought"}, {"reasoning_content": "sglang thought"}),
    ],
)
def test_self_hosted_reasoning_fields_are_replayed(
    replay: dict[str, str], expected: dict[str, str]
) -> None:
    message = minimax_turn(content="Hi", additional_kwargs={"minimax_replay": replay})
    assert message_to_wire(message) == {"role": "assistant", "content": "Hi", **expected}


def test_edited_answer_wins_over_raw_content() -> None:
    message = minimax_turn(
        content="Edited answer",
        additional_kwargs={"minimax_replay": {"content": "<think>x</think>Original"}},
    )
    assert message_to_wire(message) == {"role": "assistant", "content": "Edited answer"}


def test_turn_without_reasoning_gets_none_invented() -> None:
    assert message_to_wire(minimax_turn(content="Sorry, need more steps")) == {
        "role": "assistant",
        "content": "Sorry, need more steps",
    }


def test_display_reasoning_alone_is_never_sent() -> None:
    message = minimax_turn(content="Hi", additional_kwargs={"reasoning_content": "thinking"})
    assert message_to_wire(message) == {"role": "assistant", "content": "Hi"}


def test_restored_message_without_metadata_still_replays_our_keys() -> None:
    # A checkpoint or dict round-trip may lose response_metadata but keeps additional_kwargs.
    message = AIMessage(
        content="", additional_kwargs={"reasoning_details": DETAILS}, tool_calls=[CALL]
    )
    assert replay_of(message) == {"reasoning_details": DETAILS}
    assert message_to_wire(message)["reasoning_details"] == DETAILS


def test_other_providers_reasoning_is_never_sent() -> None:
    openrouter = AIMessage(
        content="Hi",
        additional_kwargs={"reasoning_details": DETAILS, "reasoning_content": "theirs"},
        response_metadata={"model_provider": "openrouter"},
    )
    assert replay_of(openrouter) is None
    assert message_to_wire(openrouter) == {"role": "assistant", "content": "Hi"}


def test_anthropic_thinking_and_tool_use_blocks_are_converted_or_dropped() -> None:
    message = AIMessage(
        content=[
            {"type": "thinking", "thinking": "secret", "signature": "sig"},
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
        ],
        tool_calls=[CALL],
        response_metadata={"model_provider": "anthropic"},
    )
    assert message_to_wire(message) == {
        "role": "assistant",
        "content": "Let me check.",
        "tool_calls": [WIRE_CALL],
    }


def test_tool_use_blocks_without_tool_calls_become_tool_calls() -> None:
    message = AIMessage.model_construct(
        content=[
            {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}}
        ],
        tool_calls=[],
        invalid_tool_calls=[],
        additional_kwargs={},
        response_metadata={},
        name=None,
    )
    assert message_to_wire(message)["tool_calls"] == [WIRE_CALL]


def test_v1_content_is_flattened_to_text_and_reasoning_comes_from_our_keys() -> None:
    message = minimax_turn(
        content=[
            {
                "type": "reasoning",
                "reasoning": "Need the weather.",
                "index": "lc_minimax_reasoning",
            },
            {"type": "text", "text": "Checking", "index": "lc_minimax_text"},
            {"type": "tool_call", "id": "call_1", "name": "get_weather", "args": {"city": "Paris"}},
        ],
        additional_kwargs={"reasoning_content": "Need the weather.", "reasoning_details": DETAILS},
        tool_calls=[CALL],
        response_metadata={"output_version": "v1"},
    )
    assert message_to_wire(message) == {
        "role": "assistant",
        "content": "Checking",
        "reasoning_details": DETAILS,
        "tool_calls": [WIRE_CALL],
    }


def test_invalid_tool_call_is_replayed_with_safe_arguments() -> None:
    message = minimax_turn(
        invalid_tool_calls=[
            {
                "type": "invalid_tool_call",
                "id": "call_bad",
                "name": "get_weather",
                "args": '{"city": "Par',
                "error": "bad json",
            },
            {"type": "invalid_tool_call", "id": None, "name": "x", "args": "{", "error": None},
        ]
    )
    assert message_to_wire(message) == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_bad",
                "type": "function",
                "function": {"name": "get_weather", "arguments": "{}"},
            }
        ],
    }


def test_unicode_arguments_are_not_escaped() -> None:
    call = {"name": "greet", "args": {"name": "世界"}, "id": "c", "type": "tool_call"}
    wire = message_to_wire(minimax_turn(tool_calls=[call]))
    assert wire["tool_calls"][0]["function"]["arguments"] == '{"name": "世界"}'


# --- other roles -----------------------------------------------------------------------------


def test_history_of_every_role_keeps_order_and_positions() -> None:
    history: list[BaseMessage] = [
        SystemMessage("Be brief."),
        HumanMessage("Hi", name="ana"),
        HumanMessage("Again"),
        minimax_turn(tool_calls=[CALL]),
        ToolMessage("Sunny", tool_call_id="call_1", status="error"),
        SystemMessage("Mid-conversation rule."),
        ChatMessage(role="developer", content="Dev note"),
    ]
    assert messages_to_wire(history) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi", "name": "ana"},
        {"role": "user", "content": "Again"},
        {"role": "assistant", "content": "", "tool_calls": [WIRE_CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny"},
        {"role": "system", "content": "Mid-conversation rule."},
        {"role": "system", "content": "Dev note"},
    ]


def test_inputs_are_not_mutated() -> None:
    message = minimax_turn(
        content=[{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}],
        additional_kwargs={"reasoning_details": DETAILS, "minimax_replay": {"reasoning": "r"}},
        tool_calls=[CALL],
    )
    before = copy.deepcopy(message.model_dump())
    messages_to_wire([message, HumanMessage([{"type": "text", "text": "x", "extra": 1}])])
    assert message.model_dump() == before


def test_text_only_lists_become_one_string() -> None:
    content = ["Hello", {"type": "text", "text": "world", "cache_control": {"type": "ephemeral"}}]
    assert content_parts(content) == "Hello\nworld"


def test_tool_results_with_json_blocks_become_text() -> None:
    message = ToolMessage(
        content=[{"type": "text", "text": "done"}, {"result": 3}], tool_call_id="call_1"
    )
    assert message_to_wire(message)["content"] == 'done\n{"result": 3}'


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (FunctionMessage(content="x", name="f"), "FunctionMessage"),
        (ChatMessage(role="critic", content="x"), "role 'critic'"),
        (HumanMessage([{"type": "audio", "base64": "AAA", "mime_type": "audio/wav"}]), "'audio'"),
        (HumanMessage([{"type": "mystery"}]), "unsupported type 'mystery'"),
        (SystemMessage([{"type": "image", "url": "https://x/y.png"}]), "images and video only"),
    ],
)
def test_unsupported_messages_fail_locally_with_a_clear_error(
    message: BaseMessage, error: str
) -> None:
    with pytest.raises(RequestValidationError, match=error):
        message_to_wire(message, 3)


# --- multimodal ------------------------------------------------------------------------------


def test_image_and_video_blocks_become_minimax_parts() -> None:
    content = [
        {"type": "text", "text": "Describe these."},
        {"type": "image", "url": "https://x/cat.png", "extras": {"detail": "high"}},
        {"type": "image", "base64": "iVBO", "mime_type": "image/png", "max_long_side_pixel": 768},
        {"type": "image", "file_id": "file-1"},
        {"type": "image", "source_type": "base64", "data": "R0lG", "mime_type": "image/gif"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j"}},
        {"type": "image_url", "image_url": {"url": "https://x/dog.jpg", "detail": "low"}},
        {"type": "image_url", "image_url": "https://x/plain.jpg"},
        {"type": "video", "url": "https://x/clip.mp4", "extras": {"fps": 2, "detail": "low"}},
        {"type": "video", "file_id": "mm_file://abc", "fps": 0.5},
        {"type": "video_url", "video_url": {"url": "mm_file://xyz", "max_long_side_pixel": 512}},
    ]
    assert content_parts(content) == [
        {"type": "text", "text": "Describe these."},
        {"type": "image_url", "image_url": {"url": "https://x/cat.png", "detail": "high"}},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64,iVBO", "max_long_side_pixel": 768},
        },
        {"type": "image_url", "image_url": {"url": "mm_file://file-1"}},
        {"type": "image_url", "image_url": {"url": "data:image/gif;base64,R0lG"}},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j"}},
        {"type": "image_url", "image_url": {"url": "https://x/dog.jpg", "detail": "low"}},
        {"type": "image_url", "image_url": {"url": "https://x/plain.jpg"}},
        {
            "type": "video_url",
            "video_url": {"url": "https://x/clip.mp4", "detail": "low", "fps": 2},
        },
        {"type": "video_url", "video_url": {"url": "mm_file://abc", "fps": 0.5}},
        {"type": "video_url", "video_url": {"url": "mm_file://xyz", "max_long_side_pixel": 512}},
    ]


def test_media_block_without_a_source_is_refused() -> None:
    with pytest.raises(
        RequestValidationError, match=r"messages\[2\] has a 'video' block with no url"
    ):
        content_parts([{"type": "video", "mime_type": "video/mp4"}], 2)


# --- tools, tool_choice, response formats ----------------------------------------------------


class GetWeather(BaseModel):
    """Get the weather in a city."""

    city: str = Field(description="The city")


class Joke(TypedDict):
    """A joke."""

    setup: str
    punchline: str


def test_tools_are_openai_shaped() -> None:
    assert tools_to_wire([GetWeather]) == [
        {
            "type": "function",
            "function": {
                "name": "GetWeather",
                "description": "Get the weather in a city.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string", "description": "The city"}},
                    "required": ["city"],
                },
            },
        }
    ]


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        (None, None),
        (False, None),
        ("auto", "auto"),
        ("none", "none"),
        ("any", "required"),
        ("required", "required"),
        (True, "required"),
        ("GetWeather", {"type": "function", "function": {"name": "GetWeather"}}),
        (
            {"type": "tool", "name": "GetWeather"},
            {"type": "function", "function": {"name": "GetWeather"}},
        ),
        ({"type": "any"}, "required"),
        (
            {"type": "function", "function": {"name": "GetWeather"}},
            {"type": "function", "function": {"name": "GetWeather"}},
        ),
    ],
)
def test_tool_choice_values(choice: Any, wire: Any) -> None:
    assert tool_choice_to_wire(choice, tool_names=["GetWeather"]) == wire


def test_tool_choice_naming_an_unbound_tool_is_refused() -> None:
    with pytest.raises(RequestValidationError, match="'search' is not one of the bound tools"):
        tool_choice_to_wire("search", tool_names=["GetWeather"])


def test_json_schema_format_from_typeddict() -> None:
    assert json_schema_format(Joke, strict=True) == {
        "type": "json_schema",
        "json_schema": {
            "name": "Joke",
            "description": "A joke.",
            "schema": {
                "type": "object",
                "properties": {"setup": {"type": "string"}, "punchline": {"type": "string"}},
                "required": ["setup", "punchline"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    }


def test_json_schema_format_passes_a_ready_format_through() -> None:
    ready = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    assert json_schema_format(ready, strict=None) == ready
