"""Bad input is refused before the network, with a message that names the problem."""

from __future__ import annotations

import pytest

from minimax_core import (
    RequestValidationError,
    build_request,
    model_info,
    safe_arguments,
)
from minimax_core.adapter_kit import request_settings

USER = [{"role": "user", "content": "hi"}]
CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}


def test_defaults() -> None:
    body = build_request(
        USER, model="MiniMax-M2.7", stream=True, max_completion_tokens=10, thinking=False
    )
    assert body == {
        "model": "MiniMax-M2.7",
        "messages": USER,
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_completion_tokens": 10,
        "thinking": {"type": "disabled"},
        "reasoning_split": True,
    }


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"messages": []}, "messages is empty"),
        ({"extra": {"n": 2}}, "n must be 1"),
        ({"extra": {"function_call": "auto"}}, "legacy `function_call`"),
        ({"extra": {"functions": []}}, "legacy `functions`"),
        ({"temperature": 2.5}, "temperature must be a number from 0.0 to 2.0"),
        ({"temperature": -0.1}, "temperature"),
        ({"top_p": 1.5}, "top_p must be a number from 0.0 to 1.0"),
        ({"max_completion_tokens": 0}, "max_tokens must be from 1 to 204800"),
        ({"max_completion_tokens": 300_000}, "max_tokens must be from 1"),
        ({"thinking": "maybe"}, "thinking must be"),
        ({"model": ""}, "model must be"),
        ({"tools": [{"type": "retrieval"}]}, "only function tools"),
        (
            {
                "tools": [
                    {"type": "function", "function": {"name": "f", "parameters": {"x": object()}}}
                ]
            },
            "not JSON-serialisable",
        ),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages\\[0\\] has role 'robot'"),
        (
            {"messages": [*USER, {"role": "tool", "tool_call_id": "call_9", "content": "3"}]},
            "messages\\[1\\] is a tool result for call id 'call_9'",
        ),
        (
            {
                "messages": [
                    *USER,
                    {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{**CALL, "function": {"name": "f", "arguments": '{"a": '}}],
                    },
                ]
            },
            "messages\\[1\\] tool call 'call_1' \\('f'\\) has arguments that are not a JSON object",
        ),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}],
                    }
                ]
            },
            "MiniMax-M2.7 takes text only; use MiniMax-M3",
        ),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "video_url", "video_url": {"url": "mm_file://1"}}],
                    }
                ]
            },
            "has a video",
        ),
    ],
)
def test_refused_locally(kwargs: dict, match: str) -> None:
    params: dict = {"messages": USER, "model": "MiniMax-M2.7", **kwargs}
    messages = params.pop("messages")
    with pytest.raises(RequestValidationError, match=match):
        build_request(messages, **params)


def test_m3_takes_images_and_unknown_models_are_not_rejected() -> None:
    parts = [
        {
            "role": "user",
            "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}],
        }
    ]
    assert build_request(parts, model="MiniMax-M3")["messages"] == parts
    assert build_request(USER, model="my-self-hosted-m2")["model"] == "my-self-hosted-m2"
    assert model_info("my-self-hosted-m2").known is False
    assert model_info("minimax-m3").context_window == 1_000_000
    assert model_info("MiniMax-M2.5-highspeed").context_window == 204_800


def test_matched_tool_result_is_accepted() -> None:
    messages = [
        *USER,
        {"role": "assistant", "content": "", "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "3"},
    ]
    assert build_request(messages, model="MiniMax-M2.7")["messages"] == messages


@pytest.mark.parametrize(
    ("arguments", "safe"),
    [('{"a": 1}', '{"a": 1}'), ('{"a": ', "{}"), ("[1]", "{}"), ("", "{}"), ("null", "{}")],
)
def test_safe_arguments(arguments: str, safe: str) -> None:
    assert safe_arguments(arguments) == safe


def test_request_settings_a_call_beats_the_setting() -> None:
    settings = {"model": "MiniMax-M3", "temperature": 0.5, "reasoning_split": True}
    named = request_settings(settings, {"model": "", "temperature": 0.9, "tools": []})
    assert named == {
        "model": "MiniMax-M3",  # an empty model keeps the setting's
        "temperature": 0.9,
        "reasoning_split": True,
        "tools": [],
        "reasoning_split_given": False,  # the untouched default, which an extra may replace
    }
    assert request_settings(settings, {"reasoning_split": True})["reasoning_split_given"]
    chosen = {**settings, "reasoning_split": None}
    assert request_settings(chosen, {})["reasoning_split_given"]
