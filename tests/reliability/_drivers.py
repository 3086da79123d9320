"""One driver per adapter, so that one reliability suite runs over both.

A driver knows how its framework is called (the modes), what a finished answer and a partial
stream look like there, and which error class it raises for each core one. The suite asks the
same questions of both; only the answers to "how" live here.
"""

from __future__ import annotations

import datetime
import functools
import operator
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.messages import ToolMessage as LangChainToolMessage
from langchain_core.tools import tool
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, Field, ValidationError

import langchain_minimax as lc
import minimax_core as mm
from llamaindex_minimax import MiniMax
from minimax_server import MiniMaxServer

from ._support import MODEL

IMAGE_URL = "https://example.com/cat.png"
VIDEO_URL = "https://example.com/clip.mp4"
TOOL_PROMPT = "Use get_weather for Paris and get_time for Tokyo at the same time"


def get_weather(city: str) -> str:
    """Get the weather in a city."""
    return f"Sunny in {city}"


def get_time(city: str) -> str:
    """Get the local time in a city."""
    return f"Noon in {city}"


class Unserialisable(BaseModel):
    """Look a city up."""

    # A date among the examples: the schema holds an object that JSON cannot carry.
    city: str = Field(
        json_schema_extra=lambda s: s.update({"examples": [datetime.date(2024, 1, 1)]})  # type: ignore[list-item]
    )


def lookup(city: str) -> str:
    """Look a city up."""
    return city


DICT_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look a city up.",
        "parameters": {"type": "object", "properties": {"city": {"default": {1, 2}}}},
    },
}

# A bad-input case: (id, model settings, input, call keywords, core error class, message match).
# The input is built by the driver, from its own message types.
BadInput = tuple[
    str, dict[str, Any], Callable[["Driver"], Any], dict[str, Any], type[Exception], str
]


class Driver:
    """What the suite needs from an adapter; one subclass per adapter."""

    name: ClassVar[str]
    modes: ClassVar[tuple[str, ...]]
    """Plain and streamed calls: the four ways a user calls the model."""
    stream_modes: ClassVar[tuple[str, ...]]
    """Every way of calling that reads an SSE stream."""
    plain_stream_modes: ClassVar[tuple[str, ...]]
    """The sync and async stream of chat messages."""
    invoke_modes: ClassVar[tuple[str, ...]]
    """The sync and async non-streamed chat call."""
    cancel_modes: ClassVar[tuple[str, ...]]
    """Async streaming calls that can be cancelled as a task."""
    tool_stream_modes: ClassVar[tuple[str, ...]]
    """Streaming calls that can carry tools."""
    tool_schema_modes: ClassVar[tuple[str, ...]]
    """Calls that take tools, for schemas that are not JSON."""
    real_wait_modes: ClassVar[tuple[str, ...]]
    """Calls that show a server's Retry-After waited out for real."""
    after_break_modes: ClassVar[tuple[str, str]]
    """The sync and async calls that show a model still works after a stream was abandoned."""
    load_seed: ClassVar[int]
    """The first seed of the load test's fault plan."""
    unserialisable_tools: ClassVar[dict[str, list[Any]]]
    """Tool lists whose schema JSON cannot carry, by case id."""
    extra_bad_input: ClassVar[list[BadInput]]
    """Bad input only this adapter can be given."""
    framework_bases: ClassVar[dict[type[Exception], tuple[type, ...]]] = {
        mm.RequestValidationError: (ValueError,),
    }
    """Classes an adapter error must also be, beyond the core class, by core class."""

    def make(self, server: MiniMaxServer, mode: str | None = None, **settings: Any) -> Any:
        raise NotImplementedError

    async def aclose(self, model: Any) -> None:
        """Close what the model pooled for this test."""
        raise NotImplementedError

    async def aclose_async(self, model: Any) -> None:
        """Close the model's async client for the running loop."""
        raise NotImplementedError

    async def run(
        self, model: Any, mode: str, prompt: Any, received: list[Any] | None = None, **kwargs: Any
    ) -> Any:
        """Call `model` in `mode`; streamed pieces land in `received` as they arrive."""
        raise NotImplementedError

    def error(self, core: type[Exception]) -> type[Exception]:
        """The class this adapter raises for the core's `core`."""
        return core

    def assert_error(self, error: BaseException, core: type[Exception]) -> None:
        """`error` is exactly the adapter's class for `core`, and every class it must be."""
        assert type(error) is self.error(core)
        assert isinstance(error, core)
        for base in self.framework_bases.get(core, ()):
            assert isinstance(error, base), (type(error), base)

    def text(self, response: Any) -> str:
        raise NotImplementedError

    def reasoning(self, response: Any) -> str | None:
        """The reasoning of a finished answer (None where the response type has none)."""
        raise NotImplementedError

    def finish_reason(self, response: Any) -> str:
        raise NotImplementedError

    def streamed(self, received: list[Any]) -> tuple[str, str]:
        """`(reasoning, text)` as the streamed pieces delivered it."""
        raise NotImplementedError

    def assert_unfinished(self, received: list[Any]) -> None:
        """No piece of a broken stream pretends to finish the answer."""
        raise NotImplementedError

    def assert_usage_once(self, response: Any, received: list[Any]) -> None:
        """The answer's usage is reported once, on the final piece."""
        raise NotImplementedError

    def break_out(self, model: Any, prompt: str) -> None:
        """Start a sync stream and leave it after the first piece."""
        raise NotImplementedError

    async def abreak_out(self, model: Any, prompt: str) -> None:
        """Start an async stream and leave it after the first piece."""
        raise NotImplementedError

    async def tool_calls(self, model: Any, mode: str | None) -> list[tuple[str, Any, str]]:
        """`(name, args, id)` of the calls answering `TOOL_PROMPT` (`mode` None: not streamed)."""
        raise NotImplementedError

    async def call_with_tools(self, model: Any, mode: str, tools: list[Any]) -> None:
        raise NotImplementedError

    def refuse_bad_settings(self, make: Callable[..., Any], server: MiniMaxServer) -> None:
        """What is wrong on its face is refused at construction or binding, naming the setting."""
        raise NotImplementedError

    # Messages for the shared bad-input table.
    def user(self, text: str, *, image: str | None = None, video: str | None = None) -> Any:
        raise NotImplementedError

    def asked(self, call_id: str) -> Any:
        """An assistant turn that called `add(a=2, b=2)` with id `call_id`."""
        raise NotImplementedError

    def tool_result(self, call_id: str) -> Any:
        raise NotImplementedError


async def _drain(result: Any) -> None:
    """Await a coroutine and exhaust a (sync or async) iterator, whichever `result` is."""
    if isinstance(result, Awaitable):
        result = await result
    if hasattr(result, "__aiter__"):
        [r async for r in result]
    elif hasattr(result, "__next__"):
        list(result)


# --- LangChain -----------------------------------------------------------------------------------

# Each core error class and its LangChain-flavoured twin (`class MiniMaxX(core.X, ModelY)`).
LANGCHAIN_TWIN: dict[type, type] = {
    twin.__bases__[0]: twin
    for twin in (
        lc.MiniMaxAuthenticationError,
        lc.MiniMaxBadRequestError,
        lc.MiniMaxContentFilteredError,
        lc.MiniMaxInsufficientBalanceError,
        lc.MiniMaxInternalServerError,
        lc.MiniMaxNotFoundError,
        lc.MiniMaxOverloadedError,
        lc.MiniMaxPermissionDeniedError,
        lc.MiniMaxRateLimitError,
        lc.MiniMaxRequestValidationError,
        lc.MiniMaxStreamError,
        lc.MiniMaxTimeoutError,
        lc.MiniMaxUsageLimitError,
    )
}


class _Tokens(BaseCallbackHandler):
    """Collects the chunks LangChain reports while `invoke` streams under the hood."""

    def __init__(self, into: list[AIMessageChunk]) -> None:
        self.into = into

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        if kwargs.get("chunk") is not None:
            self.into.append(kwargs["chunk"].message)


def _merged(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    return functools.reduce(operator.add, chunks) if chunks else AIMessageChunk(content="")


class LangChainDriver(Driver):
    """`ChatMiniMax`: `invoke`/`ainvoke`/`stream`/`astream`, and `invoke` on `streaming=True`."""

    name = "langchain"
    modes = ("invoke", "ainvoke", "stream", "astream")
    # `invoke`/`ainvoke` on a model built with `streaming=True`: LangChain then streams under
    # the hood and returns one message.
    stream_modes = ("stream", "astream", "invoke-streaming", "ainvoke-streaming")
    plain_stream_modes = ("stream", "astream")
    invoke_modes = ("invoke", "ainvoke")
    cancel_modes = ("astream", "ainvoke-streaming")
    tool_stream_modes = stream_modes
    tool_schema_modes = modes
    real_wait_modes = ("ainvoke",)
    after_break_modes = ("invoke", "ainvoke")
    load_seed = 11
    unserialisable_tools: ClassVar[dict[str, list[Any]]] = {
        "pydantic-schema": [Unserialisable],
        "dict-schema": [DICT_TOOL],
    }
    extra_bad_input: ClassVar[list[BadInput]] = [
        (
            "n-in-model-kwargs",
            {"model_kwargs": {"n": 3}},
            lambda d: "Hi",
            {},
            mm.RequestValidationError,
            "n=3",
        ),
        (
            "negative-max-retries",
            {"max_retries": -1},
            lambda d: "Hi",
            {},
            mm.RequestValidationError,
            "max_retries",
        ),
    ]
    framework_bases: ClassVar[dict[type[Exception], tuple[type, ...]]] = {
        mm.AuthenticationError: (ModelAuthenticationError,),
        mm.InsufficientBalanceError: (mm.PermissionDeniedError,),
        mm.ContentFilteredError: (mm.APIStatusError,),
        mm.BadRequestError: (ModelInvalidRequestError,),
        mm.UsageLimitError: (ModelRateLimitError,),
        mm.StreamError: (ModelConnectionError,),
        mm.APITimeoutError: (ModelTimeoutError,),
        mm.RequestValidationError: (ValueError, ModelInvalidRequestError),
    }

    def make(self, server: MiniMaxServer, mode: str | None = None, **settings: Any) -> Any:
        """A model with a pool of its own: sync clients are shared process-wide per settings,
        and a unique header keeps this test's connections apart. `streaming=False` is left
        unset: LangChain reads an explicit `False` as "never stream", even from `.stream()`."""
        options: dict[str, Any] = {
            "model": MODEL,
            "base_url": server.base_url,
            "api_key": server.api_key,
            "max_retries": 2,
            "default_headers": {"x-reliability-test": uuid.uuid4().hex},
        }
        if mode is not None and mode.endswith("-streaming"):
            options["streaming"] = True
        options.update(settings)
        return lc.ChatMiniMax(**options)

    async def aclose(self, model: Any) -> None:
        client = model.__dict__.get("_client")
        if client is not None:
            client.close()

    async def aclose_async(self, model: Any) -> None:
        await model._aclient.close()

    async def run(
        self, model: Any, mode: str, prompt: Any, received: list[Any] | None = None, **kwargs: Any
    ) -> Any:
        received = [] if received is None else received
        if mode.startswith(("invoke", "ainvoke")):
            config = {"callbacks": [_Tokens(received)]}
            if mode.startswith("invoke"):
                return model.invoke(prompt, config=config, **kwargs)
            return await model.ainvoke(prompt, config=config, **kwargs)
        if mode == "stream":
            received.extend(model.stream(prompt, **kwargs))
        elif mode == "astream":
            async for chunk in model.astream(prompt, **kwargs):
                received.append(chunk)
        else:
            raise AssertionError(mode)
        return _merged(received)

    def error(self, core: type[Exception]) -> type[Exception]:
        return LANGCHAIN_TWIN.get(core, core)

    def assert_error(self, error: BaseException, core: type[Exception]) -> None:
        super().assert_error(error, core)
        if isinstance(error, mm.APIStatusError):
            # LangChain's own retry flag agrees with the core's verdict.
            assert error.is_retryable is error.retryable  # type: ignore[attr-defined]

    def text(self, response: Any) -> str:
        return str(response.content)

    def reasoning(self, response: Any) -> str | None:
        return str(response.additional_kwargs.get("reasoning_content", ""))

    def finish_reason(self, response: Any) -> str:
        return str(response.response_metadata["finish_reason"])

    def streamed(self, received: list[Any]) -> tuple[str, str]:
        whole = _merged(received)
        assert "".join(str(c.content) for c in received) == whole.content
        return str(whole.additional_kwargs.get("reasoning_content", "")), str(whole.content)

    def assert_unfinished(self, received: list[Any]) -> None:
        for chunk in received:
            assert chunk.chunk_position is None
            assert "finish_reason" not in chunk.response_metadata
            assert chunk.usage_metadata is None

    def assert_usage_once(self, response: Any, received: list[Any]) -> None:
        assert [c.usage_metadata is not None for c in received].count(True) == 1
        assert isinstance(response, AIMessage) and response.usage_metadata is not None
        assert response.usage_metadata["output_tokens"] > 0

    def break_out(self, model: Any, prompt: str) -> None:
        for _ in model.stream(prompt):
            break

    async def abreak_out(self, model: Any, prompt: str) -> None:
        async for _ in model.astream(prompt):
            break

    async def tool_calls(self, model: Any, mode: str | None) -> list[tuple[str, Any, str]]:
        bound = model.bind_tools([tool(get_weather), tool(get_time)])
        message = await (
            bound.ainvoke(TOOL_PROMPT) if mode is None else self.run(bound, mode, TOOL_PROMPT)
        )
        assert isinstance(message, AIMessage)
        assert message.invalid_tool_calls == []
        return [(c["name"], c["args"], c["id"]) for c in message.tool_calls]

    async def call_with_tools(self, model: Any, mode: str, tools: list[Any]) -> None:
        await self.run(model.bind_tools(tools), mode, "Look up Paris")

    def refuse_bad_settings(self, make: Callable[..., Any], server: MiniMaxServer) -> None:
        with pytest.raises(ValueError, match="thinking must be"):
            make(self, thinking="sometimes")
        with pytest.raises(
            lc.MiniMaxRequestValidationError, match="tool_choice 'nope' is not one of"
        ):
            make(self).bind_tools([tool(get_weather)], tool_choice="nope")

    def user(self, text: str, *, image: str | None = None, video: str | None = None) -> Any:
        content: list[Any] = [{"type": "text", "text": text}]
        if image:
            content.append({"type": "image", "url": image})
        if video:
            content.append({"type": "video", "url": video})
        return HumanMessage(content=content if len(content) > 1 else text)

    def asked(self, call_id: str) -> Any:
        return AIMessage("", tool_calls=[{"name": "add", "args": {"a": 2, "b": 2}, "id": call_id}])

    def tool_result(self, call_id: str) -> Any:
        return LangChainToolMessage("4", tool_call_id=call_id)


# --- LlamaIndex ----------------------------------------------------------------------------------


def _messages(prompt: str | list[ChatMessage]) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=prompt)] if isinstance(prompt, str) else prompt


def _tool_result(call_id: str | None) -> ChatMessage:
    extra = {"tool_call_id": call_id} if call_id else {}
    return ChatMessage(role="tool", content="4", additional_kwargs=extra)


LLAMAINDEX_TOOLS = [
    FunctionTool.from_defaults(fn=get_weather),
    FunctionTool.from_defaults(fn=get_time),
]


class LlamaIndexDriver(Driver):
    """`MiniMax`: `chat`/`achat`/`stream_chat`/`astream_chat`, and the `*_complete` streams."""

    name = "llamaindex"
    modes = ("chat", "achat", "stream_chat", "astream_chat")
    stream_modes = ("stream_chat", "astream_chat", "stream_complete", "astream_complete")
    plain_stream_modes = ("stream_chat", "astream_chat")
    invoke_modes = ("chat", "achat")
    cancel_modes = ("astream_chat", "astream_complete")
    tool_stream_modes = plain_stream_modes
    tool_schema_modes = (
        "chat_with_tools",
        "achat_with_tools",
        "stream_chat_with_tools",
        "astream_chat_with_tools",
    )
    real_wait_modes = ("acomplete",)
    after_break_modes = ("stream_complete", "achat")
    load_seed = 21
    unserialisable_tools: ClassVar[dict[str, list[Any]]] = {
        "pydantic-schema": [FunctionTool.from_defaults(fn=lookup, fn_schema=Unserialisable)],
    }
    extra_bad_input: ClassVar[list[BadInput]] = [
        (
            "n-in-additional-kwargs",
            {"additional_kwargs": {"n": 3}},
            lambda d: "Hi",
            {},
            mm.RequestValidationError,
            "n=3",
        ),
        (
            "tool-schema-not-json",
            {},
            lambda d: "Look up Paris",
            {"tools": [DICT_TOOL]},
            mm.RequestValidationError,
            r"tools\[0\] \('lookup'\) is not JSON-serialisable",
        ),
        (
            "tool-result-without-id",
            {},
            lambda d: [d.user("What is 2 + 2?"), d.asked("call_1"), _tool_result(None)],
            {},
            mm.RequestValidationError,
            r"messages\[2\] is a tool result without additional_kwargs\['tool_call_id'\]",
        ),
    ]

    def make(self, server: MiniMaxServer, mode: str | None = None, **settings: Any) -> Any:
        options: dict[str, Any] = {
            "model": MODEL,
            "base_url": server.base_url,
            "api_key": server.api_key,
            "max_retries": 2,
        }
        options.update(settings)
        return MiniMax(**options)

    async def aclose(self, model: Any) -> None:
        await model.aclose()

    async def aclose_async(self, model: Any) -> None:
        await model.aclose()

    async def run(
        self, model: Any, mode: str, prompt: Any, received: list[Any] | None = None, **kwargs: Any
    ) -> Any:
        """The response, or the last streamed one."""
        received = [] if received is None else received
        if mode == "chat":
            return model.chat(_messages(prompt), **kwargs)
        if mode == "achat":
            return await model.achat(_messages(prompt), **kwargs)
        if mode == "acomplete":
            return await model.acomplete(prompt, **kwargs)
        if mode == "stream_chat":
            received.extend(model.stream_chat(_messages(prompt), **kwargs))
        elif mode == "astream_chat":
            async for response in await model.astream_chat(_messages(prompt), **kwargs):
                received.append(response)
        elif mode == "stream_complete":
            assert isinstance(prompt, str)
            received.extend(model.stream_complete(prompt, **kwargs))
        elif mode == "astream_complete":
            assert isinstance(prompt, str)
            async for response in await model.astream_complete(prompt, **kwargs):
                received.append(response)
        else:
            raise AssertionError(mode)
        return received[-1]

    def text(self, response: Any) -> str:
        if isinstance(response, ChatResponse):
            return response.message.content or ""
        return str(response.text)

    def reasoning(self, response: Any) -> str | None:
        if not isinstance(response, ChatResponse):
            return None  # a CompletionResponse has text only
        blocks = response.message.blocks
        return "".join(b.content or "" for b in blocks if isinstance(b, ThinkingBlock))

    def finish_reason(self, response: Any) -> str:
        assert isinstance(response.raw, dict)
        return str(response.raw["finish_reason"])

    def streamed(self, received: list[Any]) -> tuple[str, str]:
        reasoning = "".join(r.additional_kwargs.get("thinking_delta", "") for r in received)
        return reasoning, "".join(r.delta or "" for r in received)

    def assert_unfinished(self, received: list[Any]) -> None:
        assert all(r.raw is None for r in received)  # only the final response carries `raw`

    def assert_usage_once(self, response: Any, received: list[Any]) -> None:
        assert response.additional_kwargs["completion_tokens"] > 0
        assert [r.raw is not None for r in received] == [False] * (len(received) - 1) + [True]

    def break_out(self, model: Any, prompt: str) -> None:
        for _ in model.stream_chat(_messages(prompt)):
            break

    async def abreak_out(self, model: Any, prompt: str) -> None:
        async for _ in await model.astream_chat(_messages(prompt)):
            break

    async def tool_calls(self, model: Any, mode: str | None) -> list[tuple[str, Any, str]]:
        options: dict[str, Any] = {"user_msg": TOOL_PROMPT, "allow_parallel_tool_calls": True}
        if mode is None:
            response = await model.achat_with_tools(LLAMAINDEX_TOOLS, **options)
        elif mode == "stream_chat":
            response = list(model.stream_chat_with_tools(LLAMAINDEX_TOOLS, **options))[-1]
        else:
            stream = await model.astream_chat_with_tools(LLAMAINDEX_TOOLS, **options)
            response = [r async for r in stream][-1]
        calls = model.get_tool_calls_from_response(response)
        return [(c.tool_name, c.tool_kwargs, c.tool_id) for c in calls]

    async def call_with_tools(self, model: Any, mode: str, tools: list[Any]) -> None:
        await _drain(getattr(model, mode)(tools, user_msg="Look up Paris"))

    def refuse_bad_settings(self, make: Callable[..., Any], server: MiniMaxServer) -> None:
        with pytest.raises(ValidationError, match="max_retries"):
            MiniMax(base_url=server.base_url, api_key="k", max_retries=-1)

    def user(self, text: str, *, image: str | None = None, video: str | None = None) -> Any:
        if not image and not video:
            return ChatMessage(role="user", content=text)
        blocks: list[Any] = [TextBlock(text=text)]
        if image:
            blocks.append(ImageBlock(url=image))
        if video:
            blocks.append(VideoBlock(url=video))
        return ChatMessage(role="user", blocks=blocks)

    def asked(self, call_id: str) -> Any:
        block = ToolCallBlock(tool_call_id=call_id, tool_name="add", tool_kwargs={"a": 2, "b": 2})
        return ChatMessage(role="assistant", blocks=[block])

    def tool_result(self, call_id: str) -> Any:
        return _tool_result(call_id)


DRIVERS: list[Driver] = [LangChainDriver(), LlamaIndexDriver()]


def over(modes: str) -> list[Any]:
    """`(driver, mode)` parameters: each driver with each of its modes named `modes`."""
    return [
        pytest.param(driver, mode, id=f"{driver.name}-{mode}")
        for driver in DRIVERS
        for mode in getattr(driver, modes)
    ]


def each_driver() -> list[Any]:
    return [pytest.param(driver, id=driver.name) for driver in DRIVERS]
