"""What users of `ChatOpenAI` reach for, through `ChatMiniMax`'s public API (issue 22)."""

from __future__ import annotations

import json
import socket
import warnings
from collections.abc import Callable
from functools import reduce
from importlib.metadata import version
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler, get_usage_metadata_callback
from langchain_core.load import dumps, loads
from langchain_core.messages import AIMessageChunk, BaseMessageChunk, HumanMessage
from langchain_core.outputs import LLMResult
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field, SecretStr

from langchain_minimax import (
    ChatMiniMax,
    MiniMaxRateLimiter,
    MiniMaxRequestValidationError,
    MiniMaxTimeoutError,
)
from langchain_minimax._init_args import ALIASES, REFUSED, REQUEST_FIELDS
from minimax_core import MiniMaxWarning
from minimax_server import Fault, MiniMaxServer

MakeLLM = Callable[..., ChatMiniMax]


def last_body(server: MiniMaxServer) -> dict[str, Any]:
    return server.requests[-1].body


def collect(chunks: list[Any]) -> BaseMessageChunk:
    merged = reduce(lambda left, right: left + right, [chunk for chunk in chunks])
    assert isinstance(merged, AIMessageChunk)
    return merged


# --- extras are checked like named settings, after merging ----------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"extra_body": {"temperature": 5}},
        {"extra_body": {"top_p": 3}},
        {"extra_body": {"max_tokens": 0}},
        {"model_kwargs": {"n": 2}},
        {"extra_body": {"reasoning_effort": "enormous"}},
        {"extra_body": {"max_completion_tokens": 10**9}},
        {"extra_body": {"response_format": "json"}},
        {"extra_body": {"tools": ["not a tool"]}},
    ],
)
def test_extras_are_refused_like_named_settings(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, settings: dict[str, Any]
) -> None:
    llm = make_llm(model="MiniMax-M4", **settings)
    with pytest.raises(MiniMaxRequestValidationError):
        llm.invoke("Hello")
    assert minimax_server.requests == []


def test_per_call_extras_are_refused_too(make_llm: MakeLLM, minimax_server: MiniMaxServer) -> None:
    llm = make_llm()
    with pytest.raises(MiniMaxRequestValidationError, match="temperature"):
        llm.invoke("Hello", extra_body={"temperature": 5})
    assert minimax_server.requests == []


def test_precedence_is_call_then_setting_then_extras(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    llm = make_llm(
        temperature=0.5,
        extra_body={"temperature": 0.9, "top_p": 0.4, "model": "MiniMax-M2.5"},
    )
    llm.invoke("Hello")
    body = last_body(minimax_server)
    assert (body["temperature"], body["top_p"], body["model"]) == (0.5, 0.4, llm.model_name)
    llm.invoke("Hello", temperature=0.1, extra_body={"top_p": 0.2})
    body = last_body(minimax_server)
    assert (body["temperature"], body["top_p"]) == (0.1, 0.2)
    assert "extra_body" not in body


def test_an_extra_replaces_the_reasoning_split_default(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    make_llm(extra_body={"reasoning_split": False}).invoke("Hello")
    assert last_body(minimax_server)["reasoning_split"] is False


# --- timeout and api_key in every shape ChatOpenAI takes --------------------------------------


@pytest.mark.parametrize("timeout", [0.3, (5.0, 0.3), httpx.Timeout(0.3, connect=5.0)])
def test_timeout_shapes_bound_the_stream_idle_wait(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, timeout: Any
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, seconds=2.0))
    with pytest.raises(MiniMaxTimeoutError):
        list(make_llm(timeout=timeout).stream("Tell me a long story about dragons"))


def test_a_bad_timeout_is_refused_at_construction(make_llm: MakeLLM) -> None:
    with pytest.raises(MiniMaxRequestValidationError, match="timeout"):
        make_llm(timeout=(1.0, -2.0))


def test_a_key_function_is_called_per_request_and_never_shown(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    calls: list[int] = []

    def key() -> str:
        calls.append(1)
        return minimax_server.api_key

    llm = make_llm(api_key=key)
    llm.invoke("Hello")
    list(llm.stream("Hello"))
    assert len(calls) == 2
    assert minimax_server.api_key not in repr(llm) + str(llm.model_dump())


async def test_an_async_key_function_serves_async_calls(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    async def key() -> str:
        return minimax_server.api_key

    llm = make_llm(api_key=key)
    assert (await llm.ainvoke("Hello")).content
    chunks = [chunk async for chunk in llm.astream("Hello")]
    assert chunks
    with pytest.raises(MiniMaxRequestValidationError, match="async function"):
        llm.invoke("Hello")


def test_a_secret_str_key_works(make_llm: MakeLLM, minimax_server: MiniMaxServer) -> None:
    llm = make_llm(api_key=SecretStr(minimax_server.api_key))
    assert llm.invoke("Hello").content


# --- generate(): llm_output and generation_info as ChatOpenAI fills them -----------------------


class _LLMOutputReader(BaseCallbackHandler):
    def __init__(self) -> None:
        self.outputs: list[LLMResult] = []

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.outputs.append(response)


def test_generate_fills_llm_output_and_generation_info(make_llm: MakeLLM) -> None:
    reader = _LLMOutputReader()
    llm = make_llm(model="MiniMax-M3")
    result = llm.generate([[HumanMessage("Hello")], [HumanMessage("Hi there")]], callbacks=[reader])
    usage = result.llm_output["token_usage"]  # type: ignore[index]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert result.llm_output["model_name"] == "MiniMax-M3"  # type: ignore[index]
    singles = [output.llm_output for output in reader.outputs]
    assert all(single and single["token_usage"]["total_tokens"] > 0 for single in singles)
    assert sum(single["token_usage"]["total_tokens"] for single in singles) == usage["total_tokens"]  # type: ignore[index]
    for generations in result.generations:
        assert generations[0].generation_info["finish_reason"] == "stop"  # type: ignore[index]


def test_streamed_generate_carries_the_finish_reason(make_llm: MakeLLM) -> None:
    result = make_llm(streaming=True).generate([[HumanMessage("Hello")]])
    generation = result.generations[0][0]
    assert generation.generation_info["finish_reason"] == "stop"  # type: ignore[index]
    assert result.llm_output["model_name"] == generation.generation_info["model_name"]  # type: ignore[index]
    chunks = list(make_llm().stream("Hello"))
    assert chunks[-1].response_metadata["finish_reason"] == "stop"


def test_usage_metadata_callback_counts_invoked_and_streamed(make_llm: MakeLLM) -> None:
    llm = make_llm(model="MiniMax-M3")
    with get_usage_metadata_callback() as callback:
        llm.invoke("Hello")
        list(llm.stream("Hello"))
    usage = callback.usage_metadata["MiniMax-M3"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0


# --- structured output wherever ChatOpenAI takes it -----------------------------------------


class Joke(BaseModel):
    """A joke to tell the user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


@tool
def magic_function(input: int) -> int:
    """Apply a magic function to an input."""
    return input + 2


JOKE_FORMATS: list[Any] = [
    Joke,
    Joke.model_json_schema(),
    {"name": "Joke", "schema": Joke.model_json_schema()},
    {"type": "json_schema", "json_schema": {"name": "Joke", "schema": Joke.model_json_schema()}},
]


@pytest.mark.parametrize("response_format", JOKE_FORMATS)
def test_bind_tools_takes_a_response_format(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, response_format: Any
) -> None:
    llm = make_llm().bind_tools([magic_function], response_format=response_format)
    message = llm.invoke("Tell me a joke with 'setup' and 'punchline'")
    body = last_body(minimax_server)
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "Joke"
    assert body["tools"][0]["function"]["name"] == "magic_function"
    assert Joke.model_validate_json(str(message.content))


@pytest.mark.parametrize("response_format", JOKE_FORMATS)
def test_a_per_call_response_format_takes_a_schema(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, response_format: Any
) -> None:
    make_llm().invoke("Tell me a joke", response_format=response_format)
    assert last_body(minimax_server)["response_format"]["json_schema"]["name"] == "Joke"


@pytest.mark.parametrize("response_format", ["json", 3, {"type": "json_schema"}])
def test_a_response_format_we_cannot_send_is_refused(
    make_llm: MakeLLM, minimax_server: MiniMaxServer, response_format: Any
) -> None:
    with pytest.raises(MiniMaxRequestValidationError, match="response_format"):
        make_llm().bind_tools([magic_function], response_format=response_format).invoke("Hi")
    with pytest.raises(MiniMaxRequestValidationError, match="response_format"):
        make_llm().invoke("Hi", response_format=response_format)
    assert minimax_server.requests == []


def test_with_structured_output_takes_tools(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    structured = make_llm().with_structured_output(Joke, tools=[magic_function], include_raw=True)
    joke = structured.invoke("Tell me a joke with 'setup' and 'punchline'")
    assert isinstance(joke["parsed"], Joke)  # type: ignore[index]
    body = last_body(minimax_server)
    assert body["response_format"]["type"] == "json_schema"
    assert body["tools"][0]["function"]["name"] == "magic_function"
    called = structured.invoke("What is magic_function(3)?")
    assert called["parsed"] is None and called["raw"].tool_calls  # type: ignore[index]
    with pytest.raises(MiniMaxRequestValidationError, match="json_schema"):
        make_llm().with_structured_output(Joke, method="function_calling", tools=[magic_function])


# --- ChatOpenAI's constructor keywords: each mapped or refused ---------------------------------


def test_default_query_goes_into_the_url(make_llm: MakeLLM) -> None:
    urls: list[httpx.URL] = []
    with httpx.Client(event_hooks={"request": [lambda request: urls.append(request.url)]}) as http:
        make_llm(default_query={"tenant": "t1"}, http_client=http).invoke("Hello")
    assert urls[-1].path.endswith("/chat/completions")
    assert urls[-1].params["tenant"] == "t1"


def test_response_headers_in_metadata_invoked_and_streamed(make_llm: MakeLLM) -> None:
    llm = make_llm(include_response_headers=True)
    invoked = llm.invoke("Hello").response_metadata["headers"]
    streamed = collect(list(llm.stream("Hello"))).response_metadata["headers"]
    assert invoked["content-type"].startswith("application/json")
    assert streamed["content-type"].startswith("text/event-stream")
    assert "headers" not in make_llm().invoke("Hello").response_metadata


def test_stream_chunk_timeout_bounds_the_idle_wait(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    minimax_server.inject(Fault(kind="stall", after_chunks=2, seconds=2.0))
    with pytest.raises(MiniMaxTimeoutError):
        list(make_llm(timeout=30, stream_chunk_timeout=0.2).stream("Tell me a long story"))


def test_http_socket_options_reach_the_transport(make_llm: MakeLLM) -> None:
    options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    llm = make_llm(http_socket_options=options)
    assert llm.invoke("Hello").content
    pool = llm._client.http_client._transport._pool  # type: ignore[attr-defined]
    assert list(pool._socket_options) == options


def test_disabled_params_are_dropped_from_requests(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    llm = make_llm(disabled_params={"reasoning_split": None, "temperature": [0.5]})
    llm.invoke("Hello", temperature=0.5)
    body = last_body(minimax_server)
    assert "reasoning_split" not in body and "temperature" not in body
    llm.invoke("Hello", temperature=0.7)
    assert last_body(minimax_server)["temperature"] == 0.7


def _chat_openai_keywords() -> set[str]:
    # langchain-openai is a dev extra (the benchmarks' anchor), absent from `make test-lowest`.
    chat_openai = pytest.importorskip("langchain_openai").ChatOpenAI

    names = set(chat_openai.model_fields)
    names |= {field.alias for field in chat_openai.model_fields.values() if field.alias}
    return names


def _our_keywords() -> set[str]:
    names = set(ChatMiniMax.model_fields)
    return names | {field.alias for field in ChatMiniMax.model_fields.values() if field.alias}


def test_every_chat_openai_keyword_is_mapped_or_refused() -> None:
    known = _our_keywords() | set(ALIASES) | set(REFUSED) | set(REQUEST_FIELDS)
    assert _chat_openai_keywords() - known == set()
    assert not (set(REFUSED) & _our_keywords())


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_chat_openai_keywords_say_why(name: str) -> None:
    with pytest.raises(MiniMaxRequestValidationError, match=f"does not take {name}="):
        ChatMiniMax(api_key="k", **{name: "x"})


def test_no_chat_openai_keyword_reaches_a_body_unmapped(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    wire_fields = {"model", "messages", "temperature", "top_p", "max_completion_tokens", "stop"}
    wire_fields |= {"reasoning_effort", "reasoning_split", "service_tier", "stream"}
    wire_fields |= {"stream_options"}
    for name in sorted(set(REQUEST_FIELDS)):
        value = {"n": 1, "service_tier": "priority"}[name]
        with pytest.warns(UserWarning, match="model_kwargs"):
            llm = make_llm(**{name: value})
        llm.invoke("Hello")
        assert set(last_body(minimax_server)) <= wire_fields


# --- serialization the LangChain way -------------------------------------------------------


def test_dumps_and_loads_round_trip_without_the_key(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    assert ChatMiniMax.is_lc_serializable()
    with httpx.Client() as http:
        llm = make_llm(
            temperature=0.3,
            timeout=(5.0, 30.0),
            http_client=http,
            rate_limiter=MiniMaxRateLimiter(requests_per_second=50),
        )
        text = dumps(llm)
    assert minimax_server.api_key not in text
    dumped = json.loads(text)
    assert dumped["id"] == ["langchain_minimax", "chat_models", "ChatMiniMax"]
    assert dumped["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["MINIMAX_API_KEY"]}
    assert not {"http_client", "http_async_client", "rate_limiter"} & set(dumped["kwargs"])
    loaded = loads(
        text,
        allowed_objects=[ChatMiniMax],
        secrets_map={"MINIMAX_API_KEY": minimax_server.api_key},
        valid_namespaces=["langchain_minimax"],
    )
    assert isinstance(loaded, ChatMiniMax)
    assert (loaded.temperature, loaded.timeout, loaded.base_url) == (0.3, (5.0, 30.0), llm.base_url)
    assert loaded.invoke("Hello").content


def test_a_key_function_dumps_as_a_secret_reference(make_llm: MakeLLM) -> None:
    text = dumps(make_llm(api_key=lambda: "sk-from-a-vault"))
    assert "sk-from-a-vault" not in text and "lambda" not in text
    assert json.loads(text)["kwargs"]["api_key"]["id"] == ["MINIMAX_API_KEY"]


# --- strict tools: MiniMax's tool schema has no `strict`, so neither adapter sends it ----------


def test_strict_tools_are_not_sent_and_say_so(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    with pytest.warns(MiniMaxWarning, match="no `strict` field"):
        llm = make_llm().bind_tools([magic_function], strict=True)
    llm.invoke("What is magic_function(3)?")
    function = last_body(minimax_server)["tools"][0]["function"]
    assert "strict" not in function
    assert (
        function["parameters"] == convert_to_openai_tool(magic_function)["function"]["parameters"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_llm().bind_tools([magic_function], strict=False).invoke("Hi")
    assert "strict" not in last_body(minimax_server)["tools"][0]["function"]


# --- token counts: tools and images, approximated as ChatOpenAI does --------------------------


def test_token_counts_include_tools_and_images_without_a_warning() -> None:
    llm = ChatMiniMax(api_key="k", model="MiniMax-M3")
    history = [HumanMessage("What is magic_function(3)?")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = llm.get_num_tokens_from_messages(history)
        with_tools = llm.get_num_tokens_from_messages(history, tools=[magic_function])
    schema = json.dumps(convert_to_openai_tool(magic_function), separators=(",", ":"))
    assert with_tools - plain == llm.get_num_tokens(schema)

    def image(detail: str) -> HumanMessage:
        block = {
            "type": "image_url",
            "image_url": {"url": "https://x.test/a.png", "detail": detail},
        }
        return HumanMessage(content=[{"type": "text", "text": "Describe"}, block])

    text_only = llm.get_num_tokens_from_messages(
        [HumanMessage([{"type": "text", "text": "Describe"}])]
    )
    assert llm.get_num_tokens_from_messages([image("low")]) - text_only == 85
    assert llm.get_num_tokens_from_messages([image("high")]) - text_only == 765


# --- profiles: every ModelProfile key MiniMax documents ---------------------------------------


def test_profiles_fill_the_documented_keys() -> None:
    profile = ChatMiniMax(api_key="k", model="MiniMax-M3").profile
    assert profile is not None
    assert (profile["image_outputs"], profile["audio_outputs"], profile["video_outputs"]) == (
        False,
        False,
        False,
    )
    assert profile["pdf_tool_message"] is False and profile["status"] == "active"
    assert ChatMiniMax(api_key="k", model="MiniMax-M3.1-Flash").profile["structured_output"]  # type: ignore[index]


def test_create_agent_uses_provider_strategy_where_json_schema_works(
    make_llm: MakeLLM, minimax_server: MiniMaxServer
) -> None:
    from langchain.agents import create_agent
    from langchain.agents.factory import _supports_provider_strategy

    llm = make_llm(model="MiniMax-M3.1-Flash")
    assert llm.profile is not None and llm.profile.get("structured_output")
    # langchain 1.0 picks ProviderStrategy from a list of model names; 1.1 and later read the
    # profile. On 1.0 the agent takes the tool route, which must work too.
    reads_profiles = _release(version("langchain")) >= (1, 1)
    assert _supports_provider_strategy(llm) is reads_profiles
    agent = create_agent(llm, tools=[], response_format=Joke)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MiniMaxWarning)
        result = agent.invoke(
            {"messages": [HumanMessage("Tell me a joke with 'setup' and 'punchline'")]}
        )
    assert isinstance(result["structured_response"], Joke)
    body = last_body(minimax_server)
    if reads_profiles:
        assert body["response_format"]["type"] == "json_schema"
        assert "tools" not in body  # ProviderStrategy: no structured-output tool was bound
    else:
        assert [tool["function"]["name"] for tool in body["tools"]] == ["Joke"]


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2])
