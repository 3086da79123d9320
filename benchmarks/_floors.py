"""The frameworks' own floors: the most trivial model each framework accepts.

They return the same text, the same number of chunks, or the same three tool calls as the
server would, without any I/O; what they cost is the framework's own machinery (callbacks,
message objects, chunk bookkeeping) that every adapter pays on top of its HTTP work.

Given a `source` (raw httpx, see `_clients.RawSource`), the same models answer with what the
server sent instead: the framework's work and the HTTP work interleaved in one loop, as in a
real adapter. CPU time is compared with that composed floor; measured apart, the framework's
work runs in a tight loop with warm caches and costs less than it does next to I/O.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from ._common import AGENT_TOOLS, SMALL_ANSWER, TOOL_RESULT


def _final_answer() -> str:
    return " ".join(f"The result of {name} is {TOOL_RESULT}." for name in AGENT_TOOLS)


def langchain_floor() -> Any:
    """A `BaseChatModel` that answers from memory (native sync and async, streams `pieces`)."""
    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
    from langchain_core.utils.function_calling import convert_to_openai_tool
    from pydantic import Field

    class FloorChatModel(BaseChatModel):
        pieces: list[str] = Field(default_factory=list)
        source: Any = None

        @property
        def _llm_type(self) -> str:
            return "benchmark-floor"

        def _answer(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> ChatResult:
            if kwargs.get("tools") and not isinstance(messages[-1], ToolMessage):
                calls = [
                    {
                        "name": name,
                        "args": {"city": "Paris"},
                        "id": f"call_{i}",
                        "type": "tool_call",
                    }
                    for i, name in enumerate(AGENT_TOOLS)
                ]
                message = AIMessage(content="", tool_calls=calls)
            elif kwargs.get("tools"):
                # After the tool results: the composed floor answers with what the server sent.
                text = self.source.text() if self.source is not None else _final_answer()
                message = AIMessage(content=text)
            else:
                text = self.source.text() if self.source is not None else SMALL_ANSWER
                message = AIMessage(content=text)
            return ChatResult(generations=[ChatGeneration(message=message)])

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            return self._answer(messages, kwargs)

        async def _agenerate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: AsyncCallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            return self._answer(messages, kwargs)

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            for piece in self.source.pieces() if self.source is not None else self.pieces:
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))

        async def _astream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: AsyncCallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> AsyncIterator[ChatGenerationChunk]:
            if self.source is not None:
                async for piece in self.source.apieces():
                    yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
                return
            for piece in self.pieces:
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))

        def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
            return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    return FloorChatModel()


def llamaindex_floor() -> Any:
    """A minimal LlamaIndex LLM with the chat and tool-calling interface, answering from memory.

    It is `FunctionCallingLLM` rather than `CustomLLM` because `CustomLLM` cannot take tools
    and routes chat through its completion methods; with the same decorators
    (`llm_chat_callback`) as a real adapter, this is the lowest cost a chat LLM can have.
    Streaming follows LlamaIndex's contract: every response carries the whole message so far.
    """
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
        ToolCallBlock,
    )
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
    from llama_index.core.llms.function_calling import FunctionCallingLLM
    from llama_index.core.llms.llm import ToolSelection
    from pydantic import Field

    class FloorLLM(FunctionCallingLLM):
        pieces: list[str] = Field(default_factory=list)
        source: Any = None

        @classmethod
        def class_name(cls) -> str:
            return "BenchmarkFloorLLM"

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(
                model_name="benchmark-floor", is_chat_model=True, is_function_calling_model=True
            )

        def _answer(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> ChatResponse:
            if kwargs.get("tools") and messages[-1].role != MessageRole.TOOL:
                blocks: list[Any] = [
                    ToolCallBlock(
                        tool_call_id=f"call_{i}", tool_name=name, tool_kwargs={"city": "Paris"}
                    )
                    for i, name in enumerate(AGENT_TOOLS)
                ]
                message = ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks)
            elif kwargs.get("tools"):
                text = self.source.text() if self.source is not None else _final_answer()
                message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
            else:
                text = self.source.text() if self.source is not None else SMALL_ANSWER
                message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
            return ChatResponse(message=message)

        def _responses(self) -> Iterator[ChatResponse]:
            text = ""
            for piece in self.source.pieces() if self.source is not None else self.pieces:
                text += piece
                yield ChatResponse(
                    message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=piece
                )

        async def _aresponses(self) -> ChatResponseAsyncGen:
            if self.source is None:
                for response in self._responses():
                    yield response
                return
            text = ""
            async for piece in self.source.apieces():
                text += piece
                yield ChatResponse(
                    message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=piece
                )

        @llm_chat_callback()
        def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
            return self._answer(messages, kwargs)

        @llm_chat_callback()
        def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
            return self._responses()

        @llm_chat_callback()
        async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
            return self._answer(messages, kwargs)

        @llm_chat_callback()
        async def astream_chat(
            self, messages: Sequence[ChatMessage], **kwargs: Any
        ) -> ChatResponseAsyncGen:
            return self._aresponses()

        @llm_completion_callback()
        def complete(
            self, prompt: str, formatted: bool = False, **kwargs: Any
        ) -> CompletionResponse:
            return CompletionResponse(text=SMALL_ANSWER)

        @llm_completion_callback()
        def stream_complete(
            self, prompt: str, formatted: bool = False, **kwargs: Any
        ) -> CompletionResponseGen:
            def gen() -> CompletionResponseGen:
                yield CompletionResponse(text=SMALL_ANSWER, delta=SMALL_ANSWER)

            return gen()

        @llm_completion_callback()
        async def acomplete(
            self, prompt: str, formatted: bool = False, **kwargs: Any
        ) -> CompletionResponse:
            return CompletionResponse(text=SMALL_ANSWER)

        @llm_completion_callback()
        async def astream_complete(
            self, prompt: str, formatted: bool = False, **kwargs: Any
        ) -> CompletionResponseAsyncGen:
            async def gen() -> CompletionResponseAsyncGen:
                yield CompletionResponse(text=SMALL_ANSWER, delta=SMALL_ANSWER)

            return gen()

        def _prepare_chat_with_tools(
            self,
            tools: Sequence[Any],
            user_msg: str | ChatMessage | None = None,
            chat_history: list[ChatMessage] | None = None,
            verbose: bool = False,
            allow_parallel_tool_calls: bool = False,
            tool_required: bool = False,
            **kwargs: Any,
        ) -> dict[str, Any]:
            messages = list(chat_history or [])
            if isinstance(user_msg, str):
                user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
            if user_msg is not None:
                messages.append(user_msg)
            specs = [tool.metadata.to_openai_tool() for tool in tools]
            return {"messages": messages, "tools": specs, **kwargs}

        def get_tool_calls_from_response(
            self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
        ) -> list[ToolSelection]:
            return [
                ToolSelection(
                    tool_id=block.tool_call_id or "",
                    tool_name=block.tool_name,
                    tool_kwargs=block.tool_kwargs if isinstance(block.tool_kwargs, dict) else {},
                )
                for block in response.message.blocks
                if isinstance(block, ToolCallBlock)
            ]

    return FloorLLM()
