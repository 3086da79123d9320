"""LlamaIndex messages → wire dicts: the pure outbound converter, against literal dicts."""

from __future__ import annotations

import base64
import copy
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.tools import FunctionTool

from llamaindex_minimax import MiniMax
from llamaindex_minimax._messages_out import (
    is_minimax_thinking,
    message_to_wire,
    messages_to_wire,
    tool_choice_to_wire,
    tools_to_wire,
)
from minimax_core import RequestValidationError

DETAILS = [
    {
        "type": "reasoning.text",
        "id": "reasoning-text-1",
        "format": "MiniMax-response-v1",
        "index": 0,
        "text": "The user wants the weather.",
    }
]
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def assistant(*blocks: Any, **kwargs: Any) -> ChatMessage:
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=list(blocks), **kwargs)


def test_plain_roles() -> None:
    messages = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="developer", content="Use metric units."),
        ChatMessage(role="user", content="Hi"),
        ChatMessage(role="assistant", content="Hello!"),
        ChatMessage(role="user", content="Bye"),
    ]
    assert messages_to_wire(messages) == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "Use metric units."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Bye"},
    ]


def test_minimax_reasoning_details_are_replayed_verbatim() -> None:
    message = assistant(
        ThinkingBlock(
            content="The user wants the weather.",
            additional_information={"reasoning_details": DETAILS},
        ),
        TextBlock(text="It is sunny."),
    )
    assert message_to_wire(message) == {
        "role": "assistant",
        "content": "It is sunny.",
        "reasoning_details": DETAILS,
    }


def test_inline_think_content_is_replayed_when_text_is_unchanged() -> None:
    raw = "<think>\nThe user greets me.\n</think>\n\nHello!"
    message = assistant(
        ThinkingBlock(content="The user greets me.", additional_information={"content": raw}),
        TextBlock(text="Hello!"),
    )
    assert message_to_wire(message) == {"role": "assistant", "content": raw}


def test_edited_text_wins_over_the_raw_inline_content() -> None:
    raw = "<think>\nThe user greets me.\n</think>\n\nHello!"
    message = assistant(
        ThinkingBlock(content="The user greets me.", additional_information={"content": raw}),
        TextBlock(text="Hello there!"),
    )
    assert message_to_wire(message) == {"role": "assistant", "content": "Hello there!"}


@pytest.mark.parametrize(
    "info",
    [
        {},  # OpenAI-likes and Ollama keep no extras
        {"signature": "abc", "type": "thinking"},  # Anthropic
        {"reasoning_content": "x", "signature": "abc"},  # mixed: not ours
    ],
)
def test_thinking_from_other_providers_is_dropped(info: dict[str, Any]) -> None:
    block = ThinkingBlock(content="Foreign thoughts.", additional_information=info)
    assert not is_minimax_thinking(block)
    message = assistant(block, TextBlock(text="Answer."))
    assert message_to_wire(message) == {"role": "assistant", "content": "Answer."}


@pytest.mark.parametrize(
    "replay",
    [
        {"reasoning_content": "Plan: greet."},
        {"reasoning": "Plan: greet."},
        {"reasoning_details": [{"type": "chain_of_thought", "text": "Plan: greet."}]},
    ],
)
def test_every_replay_field_goes_back_as_is(replay: dict[str, Any]) -> None:
    message = assistant(
        ThinkingBlock(content="Plan: greet.", additional_information=replay), TextBlock(text="Hi")
    )
    assert message_to_wire(message) == {"role": "assistant", "content": "Hi", **replay}


def test_tool_calls_with_and_without_thinking() -> None:
    message = assistant(
        ThinkingBlock(
            content="Call the tool.",
            additional_information={"reasoning_details": DETAILS, "content": "\n"},
        ),
        ToolCallBlock(
            tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"city": "Paris"}
        ),
        ToolCallBlock(tool_call_id="call_2", tool_name="get_time", tool_kwargs='{"tz": "CET"}'),
    )
    assert message_to_wire(message) == {
        "role": "assistant",
        "content": "\n",
        "reasoning_details": DETAILS,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            },
            {
                "id": "call_2",
                "type": "function",
                "function": {"name": "get_time", "arguments": '{"tz": "CET"}'},
            },
        ],
    }
    bare = assistant(ToolCallBlock(tool_call_id="c", tool_name="f", tool_kwargs={}))
    assert message_to_wire(bare) == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    }


@pytest.mark.parametrize("arguments", ['{"city": "Par', "[1, 2]", "null", "  "])
def test_invalid_tool_arguments_are_never_replayed(arguments: str) -> None:
    messages = [
        ChatMessage(role="user", content="Weather?"),
        assistant(ToolCallBlock(tool_call_id="call_9", tool_name="w", tool_kwargs=arguments)),
        ChatMessage(
            role="tool",
            content="error: bad arguments",
            additional_kwargs={"tool_call_id": "call_9"},
        ),
    ]
    wire = messages_to_wire(messages)
    assert wire[1]["tool_calls"][0]["function"]["arguments"] == "{}"
    assert wire[2] == {"role": "tool", "tool_call_id": "call_9", "content": "error: bad arguments"}


def test_legacy_tool_calls_in_additional_kwargs() -> None:
    class Function:
        name = "lookup"
        arguments = '{"q": "x'

    class Call:
        id = "call_7"
        function = Function()

    message = ChatMessage(
        role="assistant",
        content="",
        additional_kwargs={
            "tool_calls": [
                Call(),
                {"id": "call_8", "function": {"name": "other", "arguments": {"k": 1}}},
            ]
        },
    )
    assert message_to_wire(message)["tool_calls"] == [
        {"id": "call_7", "type": "function", "function": {"name": "lookup", "arguments": "{}"}},
        {
            "id": "call_8",
            "type": "function",
            "function": {"name": "other", "arguments": '{"k": 1}'},
        },
    ]


def test_trailing_system_message_and_multi_block_text() -> None:
    messages = [
        ChatMessage(role="user", blocks=[TextBlock(text="Part one."), TextBlock(text="Part two.")]),
        assistant(TextBlock(text="First."), TextBlock(text="Second.")),
        ChatMessage(role="system", content="You have run out of steps; answer now."),
    ]
    assert messages_to_wire(messages) == [
        {"role": "user", "content": "Part one.\nPart two."},
        {"role": "assistant", "content": "First.\nSecond."},
        {"role": "system", "content": "You have run out of steps; answer now."},
    ]


def test_tool_message_needs_its_call_id() -> None:
    with pytest.raises(RequestValidationError, match=r"messages\[0\].*tool_call_id"):
        messages_to_wire([ChatMessage(role="tool", content="5")])


def test_cache_points_are_ignored() -> None:
    message = ChatMessage(
        role="user",
        blocks=[TextBlock(text="Hi"), CachePoint(cache_control=CacheControl(type="ephemeral"))],
    )
    assert message_to_wire(message) == {"role": "user", "content": "Hi"}


def test_images_by_url_bytes_and_path(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    b64 = base64.b64encode(PNG).decode()
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="Compare these."),
            ImageBlock(url="https://example.com/cat.jpg", detail="low"),
            ImageBlock(image=PNG),
            ImageBlock(path=path, detail="high"),
        ],
    )
    assert message_to_wire(message) == {
        "role": "user",
        "content": [
            {"type": "text", "text": "Compare these."},
            {
                "type": "image_url",
                "image_url": {"url": "https://example.com/cat.jpg", "detail": "low"},
            },
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64}"}},
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{b64}", "detail": "high"},
            },
        ],
    }


def test_videos_with_fps_and_detail(tmp_path: Path) -> None:
    path = tmp_path / "clip.mov"
    path.write_bytes(b"not really a movie")
    b64 = base64.b64encode(b"not really a movie").decode()
    message = ChatMessage(
        role="user",
        blocks=[
            VideoBlock(url="https://example.com/clip.mp4", fps=2, detail="low"),
            VideoBlock(path=path),
            TextBlock(text="What happens?"),
        ],
    )
    assert message_to_wire(message)["content"] == [
        {
            "type": "video_url",
            "video_url": {"url": "https://example.com/clip.mp4", "detail": "low", "fps": 2},
        },
        {"type": "video_url", "video_url": {"url": f"data:video/mov;base64,{b64}"}},
        {"type": "text", "text": "What happens?"},
    ]


def test_media_of_unknown_format_is_refused_clearly() -> None:
    with pytest.raises(RequestValidationError, match="image_mimetype"):
        message_to_wire(ChatMessage(role="user", blocks=[ImageBlock(image=b"????????")]))


@pytest.mark.parametrize(
    "block",
    [AudioBlock(audio=b"RIFF0000WAVE", format="wav"), DocumentBlock(data=b"%PDF-1.4 hello")],
)
def test_audio_and_documents_are_refused(block: Any) -> None:
    with pytest.raises(
        RequestValidationError, match=r"messages\[0\] has a (AudioBlock|DocumentBlock)"
    ):
        message_to_wire(ChatMessage(role="user", blocks=[block]))


def test_images_for_a_text_only_model_fail_locally() -> None:
    llm = MiniMax(model="MiniMax-M2.7", api_key="k", base_url="http://127.0.0.1:9/v1")
    message = ChatMessage(
        role="user",
        blocks=[TextBlock(text="What is this?"), ImageBlock(url="https://example.com/a.png")],
    )
    with pytest.raises(RequestValidationError, match=r"MiniMax-M2\.7 takes text only"):
        llm.chat([message])
    body = MiniMax(model="MiniMax-M3", api_key="k")._request([message], stream=False)
    assert body["messages"][0]["content"][1]["type"] == "image_url"


def test_converter_does_not_touch_its_input() -> None:
    messages = [
        ChatMessage(role="user", content="Hi"),
        assistant(
            ThinkingBlock(content="t", additional_information={"reasoning_details": DETAILS}),
            TextBlock(text="Hello"),
        ),
    ]
    before = copy.deepcopy(messages)
    wire = messages_to_wire(messages)
    wire[1]["reasoning_details"][0]["text"] = "changed"
    wire[1]["content"] = "changed"
    assert [m.model_dump() for m in messages[:1]] == [m.model_dump() for m in before[:1]]
    assert messages[1].blocks[1] == before[1].blocks[1]


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def test_tools_and_tool_choice_to_wire() -> None:
    tool = FunctionTool.from_defaults(add)
    assert tools_to_wire([tool]) == [
        {
            "type": "function",
            "function": {
                "name": "add",
                # this module's `from __future__ import annotations` makes the hints strings
                "description": "add(a: 'int', b: 'int') -> 'int'\nAdd two numbers.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "a": {"title": "A", "type": "integer"},
                        "b": {"title": "B", "type": "integer"},
                    },
                    "required": ["a", "b"],
                },
            },
        }
    ]
    assert tool_choice_to_wire(None, required=False) == "auto"
    assert tool_choice_to_wire(None, required=True) == "required"
    assert tool_choice_to_wire("none", required=True) == "none"
    assert tool_choice_to_wire("add", required=False) == {
        "type": "function",
        "function": {"name": "add"},
    }
    named = {"type": "function", "function": {"name": "add"}}
    assert tool_choice_to_wire(named, required=False) is named


def test_prepare_chat_with_tools_copies_the_history() -> None:
    llm = MiniMax(api_key="k")
    tool = FunctionTool.from_defaults(add)
    history = [
        ChatMessage(role="user", content="Hi"),
        ChatMessage(role="assistant", content="Hello"),
    ]
    kwargs = llm._prepare_chat_with_tools(
        [tool], user_msg="add(1, 2)", chat_history=history, tool_required=True, temperature=0.5
    )
    assert len(history) == 2
    assert [m.content for m in kwargs["messages"]] == ["Hi", "Hello", "add(1, 2)"]
    assert kwargs["tool_choice"] == "required"
    assert kwargs["parallel_tool_calls"] is False
    assert kwargs["temperature"] == 0.5
    assert kwargs["tools"] == tools_to_wire([tool])

    auto = llm._prepare_chat_with_tools([tool], user_msg="hi", allow_parallel_tool_calls=True)
    assert "tool_choice" not in auto  # "auto" is MiniMax's default; not sent
    assert auto["parallel_tool_calls"] is True
    named = llm._prepare_chat_with_tools([tool], user_msg="hi", tool_choice="add")
    assert named["tool_choice"] == {"type": "function", "function": {"name": "add"}}
    no_tools = llm._prepare_chat_with_tools([], user_msg="hi", tool_required=True)
    assert set(no_tools) == {"messages"}


def test_request_maps_settings_and_per_call_options() -> None:
    llm = MiniMax(
        api_key="k",
        temperature=0.3,
        top_p=0.8,
        max_tokens=100,
        thinking=True,
        additional_kwargs={"service_tier": "priority", "custom": 1},
    )
    body = llm._request(
        [ChatMessage(role="user", content="Hi")], stream=True, max_tokens=50, stop="END"
    )
    assert body == {
        "model": "MiniMax-M3",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.3,
        "top_p": 0.8,
        "max_completion_tokens": 50,
        "thinking": {"type": "adaptive"},
        "reasoning_split": True,
        "stop": ["END"],
        "service_tier": "priority",
        "custom": 1,
    }
    migrated = MiniMax(api_key="k", additional_kwargs={"extra_body": {"reasoning_split": False}})
    body = migrated._request([ChatMessage(role="user", content="Hi")], stream=False)
    assert body["reasoning_split"] is False and "extra_body" not in body
    plain = MiniMax(api_key="k", reasoning_split=None)._request(
        [ChatMessage(role="user", content="Hi")], stream=False
    )
    assert plain == {"model": "MiniMax-M3", "messages": [{"role": "user", "content": "Hi"}]}
