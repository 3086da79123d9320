"""`ChatMiniMax`: MiniMax chat models for LangChain, with the reasoning chain kept intact.

The methods here are thin shells: build the request with `_messages_out` / `_tools`, send it
with a `minimax_core` client, turn the result into messages with `_messages_in`.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from operator import itemgetter
from typing import Any, Literal

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import (
    Runnable,
    RunnableLambda,
    RunnableMap,
    RunnablePassthrough,
)
from langchain_core.tools import BaseTool
from langchain_core.utils import secret_from_env
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from langchain_core.utils.utils import _build_model_kwargs, get_pydantic_field_names
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)

from minimax_core import (
    AsyncMiniMaxClient,
    Completion,
    Files,
    MiniMaxClient,
    MiniMaxError,
    MiniMaxWarning,
    RequestValidationError,
    StreamError,
    build_request,
    model_info,
    normalize_thinking,
    resolve_settings,
)
from minimax_core.adapter_kit import (
    NAMED_FIELDS,
    SAME_NAME_SETTINGS,
    SETTING_DEFAULTS,
    STRICT_TOOLS_NOT_HONOURED,
    ClientOptions,
    KeyProvider,
    Timeout,
    check_effort,
    check_thinking,
    client_options,
    request_settings,
    timeout_options,
)
from minimax_core.models import approximate_request_tokens, approximate_tokens

from ._errors import to_langchain_error
from ._init_args import normalize_init_args
from ._messages_in import (
    PROVIDER,
    ChunkBuilder,
    combine_llm_outputs,
    completion_to_message,
    generation_info,
    llm_output,
)
from ._messages_out import messages_to_wire
from ._profiles import model_profile
from ._ratelimit import MiniMaxRateLimiter
from ._tools import (
    drop_disabled_params,
    response_format_to_wire,
    tool_choice_to_wire,
    tools_to_wire,
)

__all__ = ["ChatMiniMax"]

# Call-time keyword arguments that map onto `build_request` parameters (the output limit under
# either name: `request_settings` reads both); any other keyword is sent in the body as is.
# `model` and `stop` are read apart (they have fallbacks); `stream` is the method's to decide.
_CALL_PARAMS = NAMED_FIELDS - {"model", "stream", "stop"}
# Consumed by LangChain itself; never part of a request.
_FRAMEWORK_KWARGS = ("stream", "ls_structured_output_format", "structured_output_format")


@contextmanager
def _langchain_errors() -> Iterator[None]:
    """Re-raise core errors as their LangChain-flavoured twins, chained `from` the original."""
    try:
        yield
    except MiniMaxError as exc:
        error = to_langchain_error(exc)
        if error is exc:
            raise
        raise error from exc


def _unless_tool_call(parser: Runnable[Any, Any]) -> Runnable[AIMessage, Any]:
    """`parser`'s result, or `None` for a turn that called a tool instead (as ChatOpenAI)."""

    def parse(message: AIMessage) -> Any:
        return None if message.tool_calls else parser.invoke(message)

    return RunnableLambda(parse)


def _minimax_error_in(exc: ValidationError) -> MiniMaxError | None:
    """The library's own error a validator raised, which pydantic wrapped."""
    for detail in exc.errors():
        error = (detail.get("ctx") or {}).get("error")
        if isinstance(error, MiniMaxError):
            return error
    return None


class ChatMiniMax(BaseChatModel):
    """MiniMax chat models (M4, M3.1-Flash, M3, M2.x) that keep their reasoning across turns.

    ```python
    from langchain_minimax import ChatMiniMax

    llm = ChatMiniMax(model="MiniMax-M4", reasoning_effort="low")  # key from MINIMAX_API_KEY
    msg = llm.invoke("Why is the sky blue?")
    msg.content                              # the answer, never with <think> tags
    msg.additional_kwargs["reasoning_content"]  # the reasoning, as text
    msg.content_blocks                       # [reasoning, text, tool_call...] blocks
    ```

    Every earlier MiniMax assistant turn in the history is sent back exactly as the server gave
    it (`reasoning_details` verbatim, or the raw `<think>` content), so agent loops keep the
    model's chain of thought. Reasoning from other providers is never sent.
    """

    model_name: str = Field(default=SETTING_DEFAULTS.model, alias="model")
    """Model name, e.g. `MiniMax-M3` (the default), `MiniMax-M4` or `MiniMax-M3.1-Flash`."""
    api_key: SecretStr | KeyProvider | None = Field(
        default_factory=secret_from_env("MINIMAX_API_KEY", default=None)
    )
    """API key: a string or `SecretStr`, or a sync or async function returning one, called for
    every request (an async one serves only the async methods); read from `MINIMAX_API_KEY`
    when not given."""
    base_url: str | None = None
    """Endpoint, e.g. `https://api.minimax.io/v1`. After construction, the resolved one:
    `base_url`, else `region`'s, else `MINIMAX_BASE_URL`, else the global endpoint."""
    region: str | None = None
    """`"global"` or `"cn"` (mainland China), used when no `base_url` is set; keys are region-bound."""
    temperature: float | None = SETTING_DEFAULTS.temperature
    """Sampling temperature, 0 to 2."""
    top_p: float | None = SETTING_DEFAULTS.top_p
    """Nucleus sampling, 0 to 1."""
    max_tokens: int | None = Field(
        default=SETTING_DEFAULTS.max_tokens, alias="max_completion_tokens"
    )
    """Output token limit, sent as `max_completion_tokens`."""
    thinking: bool | str | dict[str, Any] | None = SETTING_DEFAULTS.thinking
    """`True`/`"adaptive"` or `False`/`"disabled"`; only MiniMax-M3 can turn thinking off
    (M4 and M3.1-Flash always think and refuse it: use `reasoning_effort="low"`)."""
    reasoning_effort: str | None = SETTING_DEFAULTS.reasoning_effort
    """How hard M4 and M3.1-Flash think: `"low"`, `"medium"`, `"high"`, `"xhigh"` or `"max"`,
    sent as `reasoning_effort`. Unset, MiniMax uses `"max"`, the slowest and dearest; `"low"`
    suits most agent steps. Set per call too: `llm.invoke(..., reasoning_effort="high")`."""
    reasoning_split: bool | None = SETTING_DEFAULTS.reasoning_split
    """Ask the server to return reasoning apart from the answer; `None` leaves it out."""
    think_prefill: bool | Literal["auto"] = SETTING_DEFAULTS.think_prefill
    """Whether the server's chat template opens the think block, so that output starts inside
    the reasoning (a self-hosted server with no reasoning parser). `"auto"`: never on MiniMax's
    own API; elsewhere, for a model that thinks, output with no opening `<think>` is taken as
    reasoning once a `</think>` or more than 256 characters arrive, though a tool call is only
    reasoning when a `</think>` follows it closely."""
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Default stop sequences."""
    timeout: Timeout | None = SETTING_DEFAULTS.timeout
    """Seconds to wait for an answer and between stream chunks, a `(connect, read)` pair, or an
    `httpx.Timeout` (the core's defaults if `None`)."""
    max_retries: int = SETTING_DEFAULTS.max_retries
    """Retries on rate limits, overload, server errors and dropped connections."""
    streaming: bool = False
    """Whether `invoke` streams under the hood."""
    stream_usage: bool = True
    """Whether streamed results carry `usage_metadata`."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra body fields for every request (unknown constructor arguments land here too)."""
    extra_body: dict[str, Any] | None = None
    """Extra body fields for every request, sent as they are."""
    default_headers: dict[str, str] | None = None
    """Headers added to every request."""
    default_query: dict[str, Any] | None = None
    """Query parameters added to every request's URL (ChatOpenAI's `default_query`)."""
    include_response_headers: bool = False
    """Put the HTTP response headers in `response_metadata["headers"]`, invoked and streamed."""
    stream_chunk_timeout: float | None = Field(default=None, gt=0)
    """Seconds a stream may go without a chunk before it fails (`APITimeoutError`); else
    `timeout`'s read part, else 120."""
    http_socket_options: Sequence[tuple[int, int, int]] | None = None
    """`(level, option, value)` socket options for new connections (`socket.setsockopt`), on the
    shared pool for these settings; `None` keeps httpx's."""
    disabled_params: dict[str, Any] | None = None
    """Request fields never to send, as ChatOpenAI's: `{"field": None}` drops the field,
    `{"field": [values]}` drops it when it holds one of those values (e.g.
    `{"reasoning_split": None}` for a server that refuses unknown fields)."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Your own `httpx.Client` for sync calls (you close it)."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Your own `httpx.AsyncClient` for async calls (you close it)."""

    model_config = ConfigDict(populate_by_name=True)

    def __init__(self, **kwargs: Any) -> None:
        try:
            super().__init__(**kwargs)
        except ValidationError as exc:
            # Our own one-sentence refusals, not pydantic's report around them.
            error = _minimax_error_in(exc)
            if error is None:
                raise
            raise to_langchain_error(error) from None

    @model_validator(mode="before")
    @classmethod
    def _unknown_to_model_kwargs(cls, values: Any) -> Any:
        """Map other libraries' spellings; move unknown arguments into `model_kwargs`, warning."""
        if isinstance(values, dict):
            names = get_pydantic_field_names(cls)
            return _build_model_kwargs(normalize_init_args(values, names), names)
        return values

    @model_validator(mode="after")
    def _resolve_settings(self) -> ChatMiniMax:
        """Endpoint and key through the core's one settings path; a bad region fails here."""
        key_function = callable(self.api_key)
        settings = resolve_settings(
            api_key=None if key_function else self.api_key,  # type: ignore[arg-type]
            base_url=self.base_url,
            region=self.region,
        )
        self.base_url = settings.base_url
        if not key_function:
            self.api_key = settings.api_key
        if self.timeout is not None:
            timeout_options(self.timeout)  # a bad timeout fails here, not on the first call
        return self

    @model_validator(mode="after")
    def _bind_rate_limiter(self) -> ChatMiniMax:
        """Bind a `MiniMaxRateLimiter` to this model's endpoint and key (resolved just above).

        LangChain's `acquire` before each call and the client's attempts then draw on the one
        state shared by every model of that endpoint and key in the process.
        """
        limiter = self.rate_limiter
        if isinstance(limiter, MiniMaxRateLimiter) and not limiter.is_bound and self.base_url:
            key = self.api_key if isinstance(self.api_key, SecretStr) else None
            self.rate_limiter = limiter.bound(self.base_url, key)
        return self

    @model_validator(mode="after")
    def _check_reasoning_settings(self) -> ChatMiniMax:
        """`thinking` and `reasoning_effort` refused here when the model cannot take them."""
        info = model_info(self.model_name)
        check_thinking(normalize_thinking(self.thinking), info)
        check_effort(self.reasoning_effort, info)
        return self

    # --- LangChain metadata ---------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "minimax-chat"

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """`dumps(llm)` gives the settings; the key becomes a `MINIMAX_API_KEY` reference."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_minimax", "chat_models"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "MINIMAX_API_KEY"}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "base_url": self.base_url,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "thinking": self.thinking,
            "reasoning_effort": self.reasoning_effort,
            "reasoning_split": self.reasoning_split,
            "stop": self.stop,
            **self.model_kwargs,
            **(self.extra_body or {}),
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=PROVIDER,
            ls_model_name=kwargs.get("model") or self.model_name,
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        return model_profile(self.model_name)

    # --- token counts ----------------------------------------------------------------------

    def get_token_ids(self, text: str) -> list[int]:
        """Token ids from your `custom_get_token_ids`; MiniMax's tokenizer is not published."""
        if self.custom_get_token_ids is not None:
            return self.custom_get_token_ids(text)
        raise NotImplementedError(
            "MiniMax's tokenizer is not published, so ChatMiniMax has no token ids: "
            "get_num_tokens() gives an approximate count, a reply's usage_metadata the exact one"
        )

    def get_num_tokens(self, text: str) -> int:
        """An approximate count, made offline (see `minimax_core.models.approximate_tokens`).

        Used by `get_num_tokens_from_messages` and so by `trim_messages(token_counter=llm)`.
        A reply's `usage_metadata` has the exact count; `custom_get_token_ids` overrides this.
        """
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        return approximate_tokens(text)

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
    ) -> int:
        """An approximate count of a request: messages, tool calls, images and `tools`.

        Counted as ChatOpenAI approximates (`minimax_core.models.approximate_request_tokens`),
        text through `get_num_tokens`, with no warning for tools; the exact count is in a
        reply's `usage_metadata`.
        """
        return approximate_request_tokens(
            messages_to_wire(messages), tools_to_wire(tools or ()), self.get_num_tokens
        )

    # --- clients ---------------------------------------------------------------------------

    def _client_options(self) -> ClientOptions:
        limiter = self.rate_limiter
        options = client_options(
            rate_limiter=limiter.limit if isinstance(limiter, MiniMaxRateLimiter) else None,
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
        )
        if self.stream_chunk_timeout is not None:
            options["stream_idle_timeout"] = self.stream_chunk_timeout
        if self.default_query:
            options["default_query"] = self.default_query
        if self.include_response_headers:
            options["response_headers"] = True
        if self.http_socket_options is not None:
            options["socket_options"] = self.http_socket_options
        return options

    @cached_property
    def _client(self) -> MiniMaxClient:
        """Your `http_client`, else the process-wide pool for these transport settings."""
        with _langchain_errors():
            if self.http_client is not None:
                return MiniMaxClient(http_client=self.http_client, **self._client_options())
            return MiniMaxClient(shared_pool=True, **self._client_options())

    @cached_property
    def _aclient(self) -> AsyncMiniMaxClient:
        """Your `http_async_client`, else the running event loop's shared pool."""
        with _langchain_errors():
            if self.http_async_client is not None:
                return AsyncMiniMaxClient(
                    http_client=self.http_async_client, **self._client_options()
                )
            return AsyncMiniMaxClient(shared_pool=True, **self._client_options())

    @property
    def files(self) -> Files:
        """MiniMax's Files API with this model's key and URL: `llm.files.upload("talk.mp4")`.

        Pass the returned file's `.url` (`mm_file://{file_id}`) in a `video` block.
        """
        return self._client.files

    # --- requests --------------------------------------------------------------------------

    def _request_body(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        """The checked wire body; a per-call keyword wins over the instance's setting."""
        include_usage = bool(kwargs.pop("stream_usage", self.stream_usage))
        for key in _FRAMEWORK_KWARGS:
            kwargs.pop(key, None)
        call = {key: kwargs.pop(key) for key in _CALL_PARAMS & kwargs.keys()}
        call["model"] = kwargs.pop("model", None)
        stop = stop or kwargs.pop("stop", None)
        if stop:
            call["stop"] = stop
        if "response_format" in call:
            call["response_format"] = response_format_to_wire(call["response_format"])
        settings = {name: getattr(self, name) for name in SAME_NAME_SETTINGS}
        settings.update(
            model=self.model_name, max_completion_tokens=self.max_tokens, stop=self.stop
        )
        # Extras are checked like named settings once merged (`build_request`); precedence is
        # this call's keywords > the instance's named settings > extras, and among extras a
        # per-call `extra_body` or keyword beats the instance's `model_kwargs` / `extra_body`.
        extra = {**self.model_kwargs, **(self.extra_body or {})}
        call_extra_body = kwargs.pop("extra_body", None)
        if call_extra_body:
            extra.update(call_extra_body)
        extra.update(kwargs)
        body = build_request(
            messages_to_wire(messages),
            stream=stream,
            include_usage=include_usage,
            extra=extra,
            **request_settings(settings, call),
        )
        if self.disabled_params:
            drop_disabled_params(body, self.disabled_params)
        return body

    def _chunk_builder(self, body: Mapping[str, Any], kwargs: Mapping[str, Any]) -> ChunkBuilder:
        return ChunkBuilder(
            body["model"], include_usage=bool(kwargs.get("stream_usage", self.stream_usage))
        )

    @staticmethod
    def _result(completion: Completion, model: str) -> ChatResult:
        message = completion_to_message(completion, model)
        generation = ChatGeneration(message=message, generation_info=generation_info(message))
        return ChatResult(generations=[generation], llm_output=llm_output(message))

    def _combine_llm_outputs(self, llm_outputs: list[dict[str, Any] | None], /) -> dict[str, Any]:
        return combine_llm_outputs(llm_outputs, self.model_name)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with _langchain_errors():
            body = self._request_body(messages, stop, False, **kwargs)
            completion = self._client.create(body, think_prefill=self.think_prefill)
        return self._result(completion, body["model"])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with _langchain_errors():
            body = self._request_body(messages, stop, False, **kwargs)
            completion = await self._aclient.create(body, think_prefill=self.think_prefill)
        return self._result(completion, body["model"])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with _langchain_errors():
            body = self._request_body(messages, stop, True, **kwargs)
            builder = self._chunk_builder(body, kwargs)
            with self._client.stream(body, think_prefill=self.think_prefill) as stream:
                for delta in stream:
                    chunk = builder.feed(delta)
                    if run_manager:
                        run_manager.on_llm_new_token(delta.text, chunk=chunk)
                    yield chunk
                completion = stream.completion
            if completion is None:
                raise StreamError("the MiniMax stream ended without a final answer")
        yield builder.finish(completion)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        with _langchain_errors():
            body = self._request_body(messages, stop, True, **kwargs)
            builder = self._chunk_builder(body, kwargs)
            stream = await self._aclient.stream(body, think_prefill=self.think_prefill)
            async with stream:
                async for delta in stream:
                    chunk = builder.feed(delta)
                    if run_manager:
                        await run_manager.on_llm_new_token(delta.text, chunk=chunk)
                    yield chunk
                completion = stream.completion
            if completion is None:
                raise StreamError("the MiniMax stream ended without a final answer")
        yield builder.finish(completion)

    # --- tools and structured output -------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        response_format: dict[str, Any] | type | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (LangChain tools, functions, pydantic models, TypedDicts or dicts).

        `tool_choice`: `"auto"`, `"none"`, `"any"`/`"required"`/`True` (some tool), a tool's
        name (that tool), or a dict sent as is. `response_format`: a schema (pydantic class,
        TypedDict, JSON schema) or an OpenAI-style `response_format` dict, for the answer the
        model gives when it calls no tool.
        """
        if strict:
            warnings.warn(STRICT_TOOLS_NOT_HONOURED, MiniMaxWarning, stacklevel=2)
        formatted = tools_to_wire(tools)  # never `strict`: MiniMax's tool schema has none
        names = [tool["function"]["name"] for tool in formatted]
        with _langchain_errors():
            choice = tool_choice_to_wire(tool_choice, tool_names=names)
            if response_format is not None:
                kwargs["response_format"] = response_format_to_wire(response_format, strict=strict)
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """A runnable that returns `schema` instances (pydantic) or dicts (TypedDict, JSON schema).

        - `function_calling` (the default): force a tool call whose arguments are the answer;
        - `json_schema`: `response_format` with the schema; the default for models that do not
          honour a forced `tool_choice` (MiniMax-M3.1-Flash);
        - `json_mode`: `response_format={"type": "json_object"}`; the prompt must describe the
          keys.

        With `include_raw=True` the result is `{"raw": AIMessage, "parsed": ..., "parsing_error":
        ...}`, and the reasoning stays available on `raw`. `tools` (with `json_schema`, as in
        ChatOpenAI) are bound too: a turn that calls one parses to `None`, the calls on `raw`.
        """
        if kwargs:
            raise ValueError(f"Received unsupported arguments {kwargs}")
        if method is None:
            forcing_ignored = "tool_choice" in model_info(self.model_name).ignores
            method = "json_schema" if forcing_ignored or tools else "function_calling"
        if tools and method != "json_schema":
            raise to_langchain_error(
                RequestValidationError(
                    f"with_structured_output(tools=...) needs method='json_schema' (as in "
                    f"ChatOpenAI), got method={method!r}: with {method} the answer itself "
                    "is not free to be a tool call"
                )
            )
        if schema is None and method != "json_mode":
            raise ValueError(f"schema is required for method={method!r}")
        pydantic_schema = isinstance(schema, type) and is_basemodel_subclass(schema)
        trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        parser: Runnable[Any, Any]
        if method == "function_calling":
            assert schema is not None
            name = convert_to_openai_tool(schema)["function"]["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=name,
                strict=strict,
                parallel_tool_calls=False,
                ls_structured_output_format=trace,
            )
            parser = (
                PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
                if pydantic_schema
                else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
            )
        elif method in ("json_mode", "json_schema"):
            if method == "json_mode":
                response_format: dict[str, Any] = {"type": "json_object"}
                trace = {"kwargs": {"method": method}, "schema": schema}
            else:
                assert schema is not None
                with _langchain_errors():
                    response_format = response_format_to_wire(schema, strict=strict) or {}
            bound: dict[str, Any] = {
                "response_format": response_format,
                "ls_structured_output_format": trace if schema is not None else None,
            }
            if tools:
                if strict:
                    warnings.warn(STRICT_TOOLS_NOT_HONOURED, MiniMaxWarning, stacklevel=2)
                bound["tools"] = tools_to_wire(tools)
            llm = self.bind(**bound)
            parser = (
                PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
                if pydantic_schema
                else JsonOutputParser()
            )
            if tools:
                parser = _unless_tool_call(parser)
        else:
            raise ValueError(
                f"method must be 'function_calling', 'json_mode' or 'json_schema', got {method!r}"
            )
        if not include_raw:
            return llm | parser
        parse = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        fallback = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | parse.with_fallbacks(
            [fallback], exception_key="parsing_error"
        )
