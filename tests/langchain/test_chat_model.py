"""`ChatMiniMax` against the local server: requests sent, results returned, errors raised."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_minimax import (
    ChatMiniMax,
    MiniMaxAuthenticationError,
    MiniMaxRateLimitError,
    MiniMaxRequestValidationError,
    MiniMaxStreamError,
    MiniMaxTimeoutError,
)
from minimax_core import DEFAULT_MODEL, RateLimitError, RequestValidationError, StreamError
from minimax_server import DIALECTS, Fault, MiniMaxServer, ScriptedReply, ToolCallSpec

MakeLLM = Callable[..., ChatMiniMax]


@tool
def magic_function(input: int) -> int:
    """Apply a magic function to an input."""
    return input + 2


@tool
def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"Sunny in {city}"


class Joke(BaseModel):
    """A joke to tell the user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


class JokeDict(TypedDict):
    """A joke to tell the user."""

    setup: str
    punchline: str


def collect(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def last_body(server: MiniMaxServer) -> dict[str, Any]:
    return server.requests[-1].body


# --- construction ----------------------------------------------------------------------------


def test_aliases_and_defaults() -> None:
    llm = ChatMiniMax(model="MiniMax-M3", max_completion_tokens=50, api_key="k")
    assert (llm.model_name, llm.max_tokens, llm.reasoning_split) == ("MiniMax-M3", 50, True)
    assert ChatMiniMax(model_name="MiniMax-M2.5", max_tokens=7).max_tokens == 7
    assert llm.lc_secrets == {"api_key": "MINIMAX_API_KEY"}
    assert llm._llm_type == "minimax-chat"
    assert ChatMiniMax.is_lc_serializable()


def test_unknown_arguments_go_to_model_kwargs_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="service_tier was transferred to model_kwargs"):
        llm = ChatMiniMax(service_tier="priority")
    assert llm.model_kwargs == {"service_tier": "priority"}


def test_bad_thinking_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="thinking must be"):
        ChatMiniMax(thinking="sometimes")


def test_profiles_come_from_the_core_catalog() -> None:
    m3 = ChatMiniMax(model="MiniMax-M3").profile
    assert m3 is not None
    assert (m3["max_input_tokens"], m3["max_output_tokens"]) == (1_000_000, 524_288)
    assert (m3["image_inputs"], m3["video_inputs"], m3["reasoning_output"]) == (True, True, True)
    m27 = ChatMiniMax(model="MiniMaxAI/MiniMax-M2.7").profile
    assert m27 is not None
    assert (m27["max_input_tokens"], m27["image_inputs"], m27["tool_calling"]) == (
        204_800,
        False,
        True,
    )
    assert ChatMiniMax(model="my-finetune").profile is None


def test_ls_params_honour_a_per_call_model() -> None:
    llm = ChatMiniMax(model="MiniMax-M2.7", temperature=0.5, max_tokens=9, stop=["END"])
    assert llm._get_ls_params(model="MiniMax-M3") == {
        "ls_provider": "minimax",
        "ls_model_name": "MiniMax-M3",
        "ls_model_type": "chat",
        "ls_temperature": 0.5,
        "ls_max_tokens": 9,
        "ls_stop": ["END"],
    }


# --- the request body ------------------------------------------------------------------------


def test_request_body_carries_every_setting(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    llm = make_llm(
        model="MiniMax-M3",
        temperature=0.3,
        top_p=0.9,
        max_tokens=200,
        thinking=False,
        model_kwargs={"service_tier": "priority"},
        extra_body={"mask": 1},
        default_headers={"X-Trace": "t1"},
        stop=["STOP"],
    )
    llm.invoke("Hello")
    request = minimax_server.requests[-1]
    assert request.headers.get("x-trace") == "t1"
    body = request.body
    assert {key: body[key] for key in body if key != "messages"} == {
        "model": "MiniMax-M3",
        "temperature": 0.3,
        "top_p": 0.9,
        "max_completion_tokens": 200,
        "thinking": {"type": "disabled"},
        "reasoning_split": True,
        "stop": ["STOP"],
        "service_tier": "priority",
        "mask": 1,
    }
    assert body["messages"] == [{"role": "user", "content": "Hello"}]


def test_per_call_arguments_win(make_llm: MakeLLM, minimax_server: MiniMaxServer) -> None:
    llm = make_llm(reasoning_split=None)
    result = llm.invoke("Hello", model="MiniMax-M2.5", max_tokens=30, stop=["x"], temperature=1)
    body = last_body(minimax_server)
    assert (body["model"], body["max_completion_tokens"], body["stop"], body["temperature"]) == (
        "MiniMax-M2.5",
        30,
        ["x"],
        1,
    )
    assert "reasoning_split" not in body
    assert result.response_metadata["model_name"] == "MiniMax-M2.5"


def test_streams_ask_for_usage(make_llm: MakeLLM, minimax_server: MiniMaxServer) -> None:
    list(make_llm().stream("Hello"))
    body = last_body(minimax_server)
    assert (body["stream"], body["stream_options"]) == (True, {"include_usage": True})


def test_bind_tools_sends_openai_tools_and_choices(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    llm = make_llm()
    llm.bind_tools([magic_function, get_weather], tool_choice="get_weather").invoke("Hi")
    body = last_body(minimax_server)
    assert [tool["function"]["name"] for tool in body["tools"]] == ["magic_function", "get_weather"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    llm.bind_tools([get_weather], tool_choice="any", parallel_tool_calls=False).invoke("Hi")
    body = last_body(minimax_server)
    assert (body["tool_choice"], body["parallel_tool_calls"]) == ("required", False)
    result = llm.bind_tools([get_weather], tool_choice=True).invoke("Hi")
    assert result.tool_calls[0]["name"] == "get_weather"
    llm.bind_tools([get_weather]).invoke("Hi")
    assert "tool_choice" not in last_body(minimax_server)


def test_images_go_to_m3_as_parts(make_llm: MakeLLM, minimax_server: MiniMaxServer) -> None:
    llm = make_llm(model="MiniMax-M3")
    video = llm.files.upload(b"\0\0\0\x18ftypisom", filename="clip.mp4")  # the server checks ids
    content: list[str | dict[str, Any]] = [
        {"type": "text", "text": "What is in these?"},
        {"type": "image", "url": "https://example.com/cat.png", "extras": {"detail": "low"}},
        {"type": "video", "file_id": video.file_id, "extras": {"fps": 2}},
    ]
    llm.invoke([HumanMessage(content)])
    assert last_body(minimax_server)["messages"][0]["content"] == [
        {"type": "text", "text": "What is in these?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
        {"type": "video_url", "video_url": {"url": f"mm_file://{video.file_id}", "fps": 2}},
    ]


def test_images_for_a_text_only_model_fail_before_sending(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    message = HumanMessage([{"type": "image_url", "image_url": {"url": "https://x/y.png"}}])
    with pytest.raises(
        MiniMaxRequestValidationError, match=r"MiniMax-M2\.7 takes text only"
    ) as info:
        make_llm(model="MiniMax-M2.7").invoke([message])
    assert isinstance(info.value, RequestValidationError)
    assert isinstance(info.value, ModelInvalidRequestError)
    assert isinstance(info.value.__cause__, RequestValidationError)
    assert minimax_server.requests == []


# --- results ---------------------------------------------------------------------------------


def _comparable(message: BaseMessage) -> dict[str, Any]:
    assert isinstance(message, AIMessage)
    meta = {k: v for k, v in message.response_metadata.items() if k not in ("id", "created")}
    return {
        "content": message.content,
        "additional_kwargs": message.additional_kwargs,
        "tool_calls": [{**call, "id": None} for call in message.tool_calls],
        "invalid_tool_calls": message.invalid_tool_calls,
        "usage_metadata": message.usage_metadata,
        "response_metadata": meta,
    }


@pytest.mark.parametrize("split", [True, False])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_streamed_and_invoked_results_are_equal(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, dialect: str, split: bool
) -> None:
    minimax_server.set_dialect(dialect)
    llm = make_llm(reasoning_split=split).bind_tools([magic_function])
    for prompt in ("What is magic_function(3)?", "Hello there"):
        invoked = llm.invoke(prompt)
        streamed = collect(list(llm.stream(prompt)))
        assert _comparable(streamed) == _comparable(invoked), (dialect, split, prompt)
        assert "<think>" not in str(invoked.content)
        assert invoked.content_blocks[0]["type"] == "reasoning"
        assert invoked.response_metadata["model_provider"] == "minimax"


def test_usage_and_metadata_are_set_once_per_stream(make_llm: MakeLLM) -> None:
    chunks = list(make_llm().stream("Tell me something long please"))
    assert len(chunks) > 3
    assert sum(chunk.usage_metadata is not None for chunk in chunks) == 1
    assert sum("model_name" in chunk.response_metadata for chunk in chunks) == 1
    assert all(chunk.response_metadata.get("model_provider") == "minimax" for chunk in chunks)
    full = collect(chunks)
    assert full.response_metadata["model_name"] == DEFAULT_MODEL
    assert full.response_metadata["finish_reason"] == "stop"


def test_stream_usage_off_leaves_usage_out(make_llm: MakeLLM) -> None:
    assert collect(list(make_llm(stream_usage=False).stream("Hello"))).usage_metadata is None


def test_scripted_tool_calls_stream_with_one_name_and_id(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    minimax_server.inject(Fault(kind="fragmented_tool_args"))
    minimax_server.enqueue(
        ScriptedReply(
            text="",
            reasoning="Two lookups.",
            tool_calls=[
                ToolCallSpec(name="get_weather", arguments={"city": "Paris"}, id="call_a"),
                ToolCallSpec(name="get_weather", arguments={"city": "Rome"}, id="call_b"),
            ],
        )
    )
    full = collect(list(make_llm().bind_tools([get_weather]).stream("weather?")))
    assert full.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_a", "type": "tool_call"},
        {"name": "get_weather", "args": {"city": "Rome"}, "id": "call_b", "type": "tool_call"},
    ]


def test_invalid_arguments_become_invalid_tool_calls_and_replay_safely(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    minimax_server.enqueue(
        ScriptedReply(
            tool_calls=[ToolCallSpec(name="get_weather", arguments='{"city": "Par', id="c1")]
        )
    )
    llm = make_llm().bind_tools([get_weather])
    first = llm.invoke("weather in Paris?")
    assert first.tool_calls == []
    assert [(call["id"], call["args"]) for call in first.invalid_tool_calls] == [
        ("c1", '{"city": "Par')
    ]
    history = [HumanMessage("weather in Paris?"), first, ToolMessage("bad args", tool_call_id="c1")]
    llm.invoke(history)
    sent = last_body(minimax_server)["messages"][1]
    assert sent["tool_calls"][0]["function"]["arguments"] == "{}"


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_on_llm_new_token_fires_per_chunk(make_llm: MakeLLM) -> None:
    handler = _Tokens()
    result = make_llm(streaming=True).invoke("Tell me a story", config={"callbacks": [handler]})
    assert len(handler.tokens) > 2
    assert "".join(handler.tokens) == result.content


async def test_async_paths(make_llm: MakeLLM, minimax_server: MiniMaxServer) -> None:
    llm = make_llm()
    invoked = await llm.ainvoke("Hello")
    streamed = [chunk async for chunk in llm.astream("Hello")]
    assert _comparable(collect(streamed)) == _comparable(invoked)
    batch = await llm.abatch(["Hello", "Hi"])
    assert len(batch) == 2 and all(isinstance(m, AIMessage) for m in batch)
    kinds = {event["event"] async for event in llm.astream_events("Hello", version="v2")}
    assert {"on_chat_model_start", "on_chat_model_stream", "on_chat_model_end"} <= kinds
    streamed_flags = [request.stream for request in minimax_server.requests]
    assert (len(streamed_flags), sum(streamed_flags)) == (5, 2)


def test_v1_output_puts_reasoning_in_content(make_llm: MakeLLM) -> None:
    llm = make_llm(output_version="v1").bind_tools([magic_function])
    invoked = llm.invoke("What is magic_function(3)?")
    streamed = collect(list(llm.stream("What is magic_function(3)?")))
    for message in (invoked, streamed):
        assert isinstance(message.content, list)
        kinds = [block["type"] for block in message.content if isinstance(block, dict)]
        assert kinds == ["reasoning", "tool_call"]
    text = collect(list(make_llm(output_version="v1").stream("Hello")))
    assert [block["type"] for block in text.content_blocks] == ["reasoning", "text"]


# --- structured output -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
@pytest.mark.parametrize("schema", [Joke, JokeDict, Joke.model_json_schema()])
def test_structured_output(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, method: str, schema: Any
) -> None:
    llm = make_llm().with_structured_output(schema, method=method)  # type: ignore[arg-type]
    result = llm.invoke("Tell me a joke about cats. Reply with 'setup' and 'punchline'.")
    if schema is Joke:
        assert isinstance(result, Joke)
    else:
        assert isinstance(result, dict) and set(result) == {"setup", "punchline"}
    body = last_body(minimax_server)
    name = "JokeDict" if schema is JokeDict else "Joke"
    if method == "function_calling":
        assert body["tool_choice"] == {"type": "function", "function": {"name": name}}
        assert body["parallel_tool_calls"] is False
    elif method == "json_schema":
        assert body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["name"] == name
    else:
        assert body["response_format"] == {"type": "json_object"}


def test_structured_output_include_raw_keeps_reasoning(make_llm: MakeLLM) -> None:
    llm = make_llm().with_structured_output(Joke, include_raw=True, strict=True)
    result = llm.invoke("Tell me a joke")
    assert isinstance(result, dict)
    assert isinstance(result["parsed"], Joke) and result["parsing_error"] is None
    assert result["raw"].additional_kwargs["reasoning_content"]


def test_structured_output_rejects_unknown_options() -> None:
    with pytest.raises(ValueError, match="unsupported arguments"):
        ChatMiniMax().with_structured_output(Joke, unknown_option=1)
    with pytest.raises(ValueError, match="method must be"):
        ChatMiniMax().with_structured_output(Joke, method="xml")  # type: ignore[arg-type]


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_rate_limit_error_is_both_core_and_langchain(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, stream: bool
) -> None:
    minimax_server.inject(Fault(kind="http_status", status=429, retry_after=0.01))
    llm = make_llm()
    with pytest.raises(MiniMaxRateLimitError) as info:
        llm.invoke("Hello") if not stream else list(llm.stream("Hello"))
    error = info.value
    assert isinstance(error, RateLimitError) and isinstance(error, ModelRateLimitError)
    assert error.status_code == 429 and error.is_retryable
    assert isinstance(error.__cause__, RateLimitError)
    assert not isinstance(error.__cause__, ModelRateLimitError)


def test_retries_come_from_the_core(make_llm: MakeLLM, minimax_server: MiniMaxServer) -> None:
    minimax_server.inject(Fault(kind="http_status", status=529, retry_after=0.01, count=2))
    assert make_llm(max_retries=2).invoke("Hello").content
    assert len(minimax_server.requests) == 3


async def test_wrong_key_is_an_authentication_error(minimax_server: MiniMaxServer) -> None:
    llm = ChatMiniMax(base_url=minimax_server.base_url, api_key="wrong", max_retries=0)
    with pytest.raises(MiniMaxAuthenticationError) as info:
        await llm.ainvoke("Hello")
    assert isinstance(info.value, ModelAuthenticationError)


async def test_a_broken_stream_raises_and_yields_no_final_chunk(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    minimax_server.inject(Fault(kind="drop_mid_stream", after_chunks=3))
    chunks: list[AIMessageChunk] = []
    with pytest.raises(MiniMaxStreamError) as info:
        async for chunk in make_llm().astream("Tell me a long story about dragons"):
            chunks.append(chunk)
    assert isinstance(info.value, StreamError) and isinstance(info.value, ModelConnectionError)
    assert all(chunk.usage_metadata is None for chunk in chunks)


def test_no_warning_on_plain_use(make_llm: MakeLLM) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_llm().invoke("Hello")


# --- clients ---------------------------------------------------------------------------------


def test_one_pooled_connection_serves_many_calls(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    # Instances with the same settings share one process-wide pool, which an earlier test
    # may already have opened.
    for _ in range(3):
        make_llm().invoke("Hello")
        list(make_llm().stream("Hello"))
    assert minimax_server.connections_opened <= 1


async def test_async_calls_share_a_pool_per_event_loop(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    llm = make_llm()
    for _ in range(3):
        await llm.ainvoke("Hello")
        [chunk async for chunk in llm.astream("Hello")]
    assert minimax_server.connections_opened == 1


async def test_user_http_clients_are_used(make_llm: MakeLLM) -> None:
    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(f"sync {request.url.path}")

    async def ahook(request: httpx.Request) -> None:
        seen.append(f"async {request.url.path}")

    with httpx.Client(event_hooks={"request": [hook]}) as client:
        async with httpx.AsyncClient(event_hooks={"request": [ahook]}) as aclient:
            llm = make_llm(http_client=client, http_async_client=aclient)
            llm.invoke("Hello")
            await llm.ainvoke("Hello")
    assert seen == ["sync /v1/chat/completions", "async /v1/chat/completions"]


def test_timeout_bounds_the_wait_between_chunks(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, seconds=2.0))
    with pytest.raises(MiniMaxTimeoutError) as info:
        list(make_llm(timeout=0.2).stream("Tell me a long story about dragons"))
    assert isinstance(info.value, ModelTimeoutError)


def test_call_settings_beat_instance_extras(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    llm = make_llm(model_kwargs={"response_format": {"type": "text"}, "mask": 1})
    llm.with_structured_output(Joke, method="json_mode").invoke("Joke with 'setup', 'punchline'")
    body = last_body(minimax_server)
    assert (body["response_format"], body["mask"]) == ({"type": "json_object"}, 1)


def test_asyncio_run_closes_the_loops_connections(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    llm = make_llm()

    async def main() -> None:
        await llm.ainvoke("Hello")
        assert minimax_server.connections_open >= 1

    opened_before = minimax_server.connections_open
    asyncio.run(main())
    deadline = time.monotonic() + 2
    while minimax_server.connections_open > opened_before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert minimax_server.connections_open == opened_before
