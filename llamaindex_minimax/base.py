"""`MiniMax`: a LlamaIndex `FunctionCallingLLM` on `minimax_core`.

The methods here are thin shells: build the request (`_messages_out`), send it with the core
client, convert the result (`_messages_in`). Sync and async differ only in `await`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import httpx
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
    ThinkingBlock,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW, DEFAULT_NUM_OUTPUTS
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection

try:  # LlamaIndex's own limiters came in llama-index-core 0.14.16; we support 0.14.8 on.
    from llama_index.core.rate_limiter import BaseRateLimiter
except ImportError:  # pragma: no cover - exercised by `make test-lowest`
    BaseRateLimiter = None  # type: ignore[assignment,misc]

from minimax_core import (
    AdaptiveRateLimiter,
    AsyncMiniMaxClient,
    Completion,
    Files,
    MiniMaxClient,
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

from ._init_args import pick_base_url, refuse_unknown
from ._messages_in import (
    ChatStreamAccumulator,
    chat_to_completion_chunk,
    chat_to_completion_response,
    completion_to_chat_response,
    single_tool_call,
    tool_selections,
)
from ._messages_out import messages_to_wire, tool_choice_to_wire, tools_to_wire

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["MiniMax"]

# Per-call keywords that are request settings; any other keyword is an extra body field.
# `stream` is the method's to decide.
_CALL_SETTINGS = NAMED_FIELDS - {"stream"}


class MiniMax(FunctionCallingLLM):
    """MiniMax chat models (M4, M3.1-Flash, M3, M2.x) for LlamaIndex, reasoning kept intact.

    ```python
    from llama_index.core.llms import ChatMessage
    from llamaindex_minimax import MiniMax

    llm = MiniMax(model="MiniMax-M4", reasoning_effort="low")  # key from MINIMAX_API_KEY
    reply = llm.chat([ChatMessage(role="user", content="Hi")]).message
    thinking, text = reply.blocks[0].content, reply.content
    ```

    Replies are `[ThinkingBlock, TextBlock, ToolCallBlock…]`; the ThinkingBlock carries, in
    `additional_information`, what MiniMax needs to see again on the next turn, and it is sent
    back exactly. Streamed responses carry the whole message so far, the new text in `delta`
    and the new reasoning in `additional_kwargs["thinking_delta"]`.
    """

    model: str = Field(default=SETTING_DEFAULTS.model, description="The MiniMax model name.")
    base_url: str = Field(
        default="",
        description="The API endpoint; defaults to MINIMAX_BASE_URL, else the global one.",
    )
    temperature: float | None = Field(
        default=SETTING_DEFAULTS.temperature, description="Sampling temperature, 0 to 2."
    )
    top_p: float | None = Field(
        default=SETTING_DEFAULTS.top_p, description="Nucleus sampling, 0 to 1."
    )
    max_tokens: int | None = Field(
        default=SETTING_DEFAULTS.max_tokens,
        description="Most tokens to generate (sent as max_completion_tokens).",
    )
    thinking: bool | str | dict[str, Any] | None = Field(
        default=SETTING_DEFAULTS.thinking,
        description=(
            "True/'adaptive' or False/'disabled' (only MiniMax-M3 can turn it off; M4 and "
            "M3.1-Flash always think: use reasoning_effort='low')."
        ),
    )
    reasoning_effort: str | None = Field(
        default=SETTING_DEFAULTS.reasoning_effort,
        description=(
            "How hard M4 and M3.1-Flash think: 'low', 'medium', 'high', 'xhigh' or 'max' "
            "(None: not sent, and MiniMax uses 'max', the slowest and dearest). Per call too."
        ),
    )
    reasoning_split: bool | None = Field(
        default=SETTING_DEFAULTS.reasoning_split,
        description="Ask MiniMax for the reasoning apart from the answer (None: not sent).",
    )
    think_prefill: bool | Literal["auto"] = Field(
        default=SETTING_DEFAULTS.think_prefill,
        description=(
            "Whether the server's chat template opens the think block, so output starts inside "
            "the reasoning (self-hosted, no reasoning parser); 'auto' decides from the endpoint, "
            "the model and the output."
        ),
    )
    timeout: Timeout | None = Field(
        default=SETTING_DEFAULTS.timeout,
        description=(
            "Seconds to wait for an answer and between stream chunks, a (connect, read) pair, "
            "or an httpx.Timeout (None: 600 and 120)."
        ),
    )
    max_retries: int = Field(
        default=SETTING_DEFAULTS.max_retries, description="Retries of a failed request.", ge=0
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request fields sent with every call."
    )
    default_headers: dict[str, str] | None = Field(
        default=None, description="Extra HTTP headers sent with every call."
    )
    context_window: int | None = Field(
        default=None,
        description="Tokens the model can attend to (None: the model's, from minimax_core.MODELS).",
    )
    is_chat_model: bool = Field(
        default=True,
        description="Reported in metadata; LlamaIndex then uses chat(), not complete().",
    )
    is_function_calling_model: bool = Field(
        default=True, description="Reported in metadata; agents use native tool calls when True."
    )

    _api_key: SecretStr | KeyProvider | None = PrivateAttr(default=None)
    _http_client: httpx.Client | None = PrivateAttr(default=None)
    _async_http_client: httpx.AsyncClient | None = PrivateAttr(default=None)
    _own_client: MiniMaxClient | None = PrivateAttr(default=None)
    _own_aclient: AsyncMiniMaxClient | None = PrivateAttr(default=None)
    _rate_limiter: AdaptiveRateLimiter | None = PrivateAttr(default=None)

    def __init__(
        self,
        model: str = SETTING_DEFAULTS.model,
        api_key: str | SecretStr | KeyProvider | None = None,
        base_url: str | None = None,
        *,
        region: str | None = None,
        temperature: float | None = SETTING_DEFAULTS.temperature,
        top_p: float | None = SETTING_DEFAULTS.top_p,
        max_tokens: int | None = SETTING_DEFAULTS.max_tokens,
        thinking: bool | str | dict[str, Any] | None = SETTING_DEFAULTS.thinking,
        reasoning_effort: str | None = SETTING_DEFAULTS.reasoning_effort,
        reasoning_split: bool | None = SETTING_DEFAULTS.reasoning_split,
        think_prefill: bool | Literal["auto"] = SETTING_DEFAULTS.think_prefill,
        timeout: Timeout | None = SETTING_DEFAULTS.timeout,
        max_retries: int = SETTING_DEFAULTS.max_retries,
        additional_kwargs: dict[str, Any] | None = None,
        default_headers: dict[str, str] | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        api_base: str | None = None,
        rate_limiter: AdaptiveRateLimiter | BaseRateLimiter | None = None,
        **kwargs: Any,
    ) -> None:
        # One settings path for every entry point (minimax_core._settings); OpenAILike's
        # `api_base` is `base_url`, and a keyword nobody reads is refused, not dropped.
        refuse_unknown(kwargs, set(type(self).model_fields))
        key_function = api_key if callable(api_key) else None
        settings = resolve_settings(
            api_key=None if key_function else api_key,  # type: ignore[arg-type]
            base_url=pick_base_url(base_url, api_base),
            region=region,
        )
        if timeout is not None:
            timeout_options(timeout)  # a bad timeout fails here, not on the first call
        # LlamaIndex's own limiters are LlamaIndex's field, acquired once per call by its
        # callback decorators; ours goes to the client, which paces every attempt.
        framework_limiter = None
        if rate_limiter is not None and not isinstance(rate_limiter, AdaptiveRateLimiter):
            if BaseRateLimiter is None:
                raise RequestValidationError(
                    "rate_limiter: LlamaIndex's own limiters need llama-index-core 0.14.16 or "
                    "newer; on this release pass minimax_core.AdaptiveRateLimiter, got "
                    f"{type(rate_limiter).__name__}"
                )
            if not isinstance(rate_limiter, BaseRateLimiter):
                raise RequestValidationError(
                    "rate_limiter must be minimax_core.AdaptiveRateLimiter (paces every attempt, "
                    "slows down on MiniMax's rate limits) or a LlamaIndex BaseRateLimiter such "
                    f"as TokenBucketRateLimiter, got {type(rate_limiter).__name__}"
                )
            framework_limiter, rate_limiter = rate_limiter, None
        info = model_info(model)
        check_thinking(normalize_thinking(thinking), info)
        check_effort(reasoning_effort, info)
        super().__init__(
            model=model,
            base_url=settings.base_url,
            temperature=temperature,
            top_p=top_p,
            max_tokens=max_tokens,
            thinking=thinking,
            reasoning_effort=reasoning_effort,
            reasoning_split=reasoning_split,
            think_prefill=think_prefill,
            timeout=timeout,
            max_retries=max_retries,
            additional_kwargs=additional_kwargs or {},
            default_headers=default_headers,
            # Older releases have no such field: only set it when there is one to set.
            **({"rate_limiter": framework_limiter} if framework_limiter is not None else {}),
            **kwargs,
        )
        # A key function is called per request by the client and never stored as a key.
        self._api_key = key_function or settings.api_key
        self._http_client = http_client
        self._async_http_client = async_http_client
        # Shared with every LLM of the same endpoint, key and limiter settings in the process.
        self._rate_limiter = rate_limiter

    @classmethod
    def class_name(cls) -> str:
        return "MiniMax_LLM"

    @property
    def api_key(self) -> SecretStr | KeyProvider | None:
        """The key in use, as a `SecretStr` (`None` when there is none), or your key function.

        Its repr is masked and it is never serialized; `.get_secret_value()` gives the key.
        """
        return self._api_key

    @property
    def metadata(self) -> LLMMetadata:
        return _metadata(
            self.model,
            self.context_window,
            self.max_tokens,
            self.is_chat_model,
            self.is_function_calling_model,
        )

    # --- clients and requests ---------------------------------------------------------------

    def _client_options(self) -> ClientOptions:
        return client_options(
            api_key=self._api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
            rate_limiter=self._rate_limiter,
        )

    def _sync_client(self) -> MiniMaxClient:
        """Your `http_client`, else the process-wide pool for these transport settings."""
        client = self._own_client
        if client is None:
            if self._http_client is None:
                client = MiniMaxClient(shared_pool=True, **self._client_options())
            else:
                client = MiniMaxClient(http_client=self._http_client, **self._client_options())
            self._own_client = client
        return client

    def _async_client(self) -> AsyncMiniMaxClient:
        """Your `async_http_client`, else the running loop's shared pool (closed with the loop)."""
        if self._own_aclient is None:
            if self._async_http_client is None:
                self._own_aclient = AsyncMiniMaxClient(shared_pool=True, **self._client_options())
            else:
                self._own_aclient = AsyncMiniMaxClient(
                    http_client=self._async_http_client, **self._client_options()
                )
        return self._own_aclient

    @property
    def files(self) -> Files:
        """MiniMax's Files API with this LLM's key and URL: `llm.files.upload("talk.mp4")`.

        Put the result in a message with `llamaindex_minimax.file_block(file)`.
        """
        return self._sync_client().files

    def close(self) -> None:
        """Close the connections of the pool this LLM uses for sync calls.

        The pool is shared by LLMs with the same transport settings and reopens on the next
        call; a call still running on it in another thread is cut off. Your own `http_client`
        is left to you.
        """
        if self._http_client is None:
            self._sync_client().close()

    async def aclose(self) -> None:
        """Like `close`, for both the sync pool and the running loop's async one."""
        self.close()
        if self._async_http_client is None:
            await self._async_client().close()

    def _request(
        self, messages: Sequence[ChatMessage], *, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        """The checked request body: per-call `kwargs` > named settings > extras.

        Extras are `additional_kwargs`, an OpenAI-style `extra_body` (merged into the body, as
        the OpenAI SDK does) and per-call keywords that are not settings; they are checked like
        named settings once merged (`build_request`).
        """
        call = dict(kwargs)
        extra = dict(self.additional_kwargs)
        extra.update(extra.pop("extra_body", None) or {})
        extra.update(call.pop("extra_body", None) or {})
        named = {key: call.pop(key) for key in _CALL_SETTINGS & call.keys()}
        extra.update(call)
        settings = {name: getattr(self, name) for name in SAME_NAME_SETTINGS}
        settings.update(model=self.model, max_completion_tokens=self.max_tokens)
        return build_request(
            messages_to_wire(messages),
            stream=stream,
            extra=extra,
            **request_settings(settings, named),
        )

    # --- chat -------------------------------------------------------------------------------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        return await self._astream_chat(messages, **kwargs)

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body = self._request(messages, stream=False, **kwargs)
        return completion_to_chat_response(
            self._sync_client().create(body, think_prefill=self.think_prefill)
        )

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body = self._request(messages, stream=False, **kwargs)
        client = self._async_client()
        return completion_to_chat_response(
            await client.create(body, think_prefill=self.think_prefill)
        )

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        body = self._request(messages, stream=True, **kwargs)
        client = self._sync_client()

        def gen() -> ChatResponseGen:
            with client.stream(body, think_prefill=self.think_prefill) as stream:
                accumulator = ChatStreamAccumulator(stream.turn)
                for delta in stream:
                    yield accumulator.feed(delta)
            yield accumulator.finish(_finished(stream.completion))

        return gen()

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        body = self._request(messages, stream=True, **kwargs)
        client = self._async_client()

        async def gen() -> ChatResponseAsyncGen:
            async with await client.stream(body, think_prefill=self.think_prefill) as stream:
                accumulator = ChatStreamAccumulator(stream.turn)
                async for delta in stream:
                    yield accumulator.feed(delta)
            yield accumulator.finish(_finished(stream.completion))

        return gen()

    # --- completion -------------------------------------------------------------------------

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """The answer as `text`; the whole reasoning in `additional_kwargs["thinking_delta"]`."""
        return _completion_with_reasoning(self._chat(_as_messages(prompt), **kwargs))

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        return _completion_with_reasoning(await self._achat(_as_messages(prompt), **kwargs))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        chunks = self._stream_chat(_as_messages(prompt), **kwargs)
        return (chat_to_completion_chunk(chunk) for chunk in chunks)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        chunks = await self._astream_chat(_as_messages(prompt), **kwargs)

        async def gen() -> CompletionResponseAsyncGen:
            async for chunk in chunks:
                yield chat_to_completion_chunk(chunk)

        return gen()

    # --- tools ------------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """`chat` arguments for a call with tools; the caller's history is copied, not changed.

        `strict` is never sent (MiniMax's tool schema has no such field); `strict=True` warns,
        as `ChatMiniMax.bind_tools` does.
        """
        if strict:
            warnings.warn(STRICT_TOOLS_NOT_HONOURED, MiniMaxWarning, stacklevel=2)
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        chat_kwargs: dict[str, Any] = {"messages": messages, **kwargs}
        if tools:
            chosen = _tool_choice(tool_choice, tool_required)
            chat_kwargs["tools"] = tools_to_wire(tools)
            # LlamaIndex asks for one call at a time by default. A model documented as
            # ignoring `parallel_tool_calls: false` is not sent it: a warning on every agent
            # step would be about a default, not the user's choice. `chat_with_tools` still
            # keeps only the first call; agents run every call a turn brings.
            if (
                allow_parallel_tool_calls
                or "parallel_tool_calls" not in model_info(self.model).ignores
            ):
                chat_kwargs["parallel_tool_calls"] = allow_parallel_tool_calls
            if chosen is not None:
                chat_kwargs["tool_choice"] = chosen
        return chat_kwargs

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        return response if allow_parallel_tool_calls else single_tool_call(response)

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """The tool calls of a response; partial JSON mid-stream is read leniently.

        Raises `ValueError` when `error_on_no_tool_call` and there is none, or when a finished
        call's arguments are not a JSON object (naming the tool, call id and problem).
        """
        return tool_selections(response, error_on_no_tool_call=error_on_no_tool_call)


def _tool_choice(
    choice: str | dict[str, Any] | None, required: bool
) -> str | dict[str, Any] | None:
    # "auto" is MiniMax's default and `tool_choice` is undocumented there: send it only when
    # it asks for something else.
    resolved = tool_choice_to_wire(choice, required=required)
    return None if resolved == "auto" else resolved


def _completion_with_reasoning(response: ChatResponse) -> CompletionResponse:
    """A whole answer as a completion, its reasoning under the key streamed chunks use.

    `stream_complete()` hands the reasoning out piece by piece in `thinking_delta`; a whole
    answer is one piece, so code that joins those pieces reads the same text either way.
    """
    completion = chat_to_completion_response(response)
    thinking = "".join(
        block.content or "" for block in response.message.blocks if isinstance(block, ThinkingBlock)
    )
    if thinking:
        completion.additional_kwargs["thinking_delta"] = thinking
    return completion


def _as_messages(prompt: str) -> list[ChatMessage]:
    return [ChatMessage(role=MessageRole.USER, content=prompt)]


def _finished(completion: Completion | None) -> Completion:
    if completion is None:  # the core sets it whenever a stream is read to its end
        raise StreamError("the MiniMax stream ended without a finished answer")
    return completion


@functools.lru_cache(maxsize=256)
def _metadata(
    model: str,
    context_window: int | None,
    max_tokens: int | None,
    is_chat_model: bool,
    is_function_calling_model: bool,
) -> LLMMetadata:
    """`MiniMax.metadata`, built once per setting: LlamaIndex reads it on every call."""
    info = model_info(model)
    # An id the catalog does not know gets LlamaIndex's own defaults (as OpenAILike does), not
    # figures made up here; `context_window=` and `max_tokens=` set the real ones.
    return LLMMetadata(
        context_window=context_window or info.context_window or DEFAULT_CONTEXT_WINDOW,
        num_output=max_tokens
        or info.recommended_output_tokens
        or info.max_output_tokens
        or DEFAULT_NUM_OUTPUTS,
        is_chat_model=is_chat_model,
        is_function_calling_model=is_function_calling_model,
        model_name=model,
    )
