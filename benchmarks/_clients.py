"""Every client under test: one small constructor each, and one driver per family.

A driver runs the same workload on any model of its family (raw httpx, LangChain, LlamaIndex):
a small non-streamed call, a long stream, an agent step with three tool calls, an async call,
and an agent's later calls: one tool bound and a long history (`_history`), invoked, streamed,
and streamed a thousand at a time on one event loop.
Timed paths keep only the work a caller must do (iterate, keep the text); the checks that need
more (reasoning kept? `<think>` leaked?) run on their results afterwards, untimed.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from ._common import (
    AGENT_PROMPT,
    GREETING,
    LONG_PROMPT,
    TOOL_RESULT,
    Settings,
)
from ._floors import langchain_floor, llamaindex_floor

# --- the three tools of the agent step -----------------------------------------------------


def get_weather(city: str) -> str:
    """Current weather in a city."""
    return TOOL_RESULT


def get_time(city: str) -> str:
    """Local time in a city."""
    return TOOL_RESULT


def get_population(city: str) -> str:
    """Population of a city."""
    return TOOL_RESULT


TOOL_FUNCTIONS = (get_weather, get_time, get_population)


def wire_tool(fn: Callable[..., str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": fn.__name__,
            "description": (fn.__doc__ or "").strip(),
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }


# --- results --------------------------------------------------------------------------------


@dataclass
class StreamOutcome:
    chunks: int
    text: str
    reasoning: str
    timed_out: bool = False


@dataclass
class Answer:
    text: str
    reasoning: str


class Deadline:
    """Ticked every 1,024 chunks: stops a slow client, and records the CPU used so far.

    The marks give the CPU per chunk early and late in one long stream, which shows a cost
    that grows with the length of the answer so far better than comparing separate runs.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.perf_counter() + seconds
        self.marks: list[tuple[int, float]] = [(0, time.process_time())]

    def tick(self, chunks: int) -> bool:
        """Record the CPU at `chunks`; True when the time budget is spent."""
        self.marks.append((chunks, time.process_time()))
        return time.perf_counter() > self.at

    def window(self, start: float, end: float) -> float | None:
        """CPU seconds per chunk between fractions `start` and `end` of the chunks seen."""
        if len(self.marks) < 4:
            return None
        total = self.marks[-1][0]
        lo = min(self.marks, key=lambda m: abs(m[0] - start * total))
        hi = min(self.marks, key=lambda m: abs(m[0] - end * total))
        if hi[0] <= lo[0]:
            return None
        return (hi[1] - lo[1]) / (hi[0] - lo[0])


# --- raw httpx: the floor of the HTTP work ---------------------------------------------------


POOL_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
"""The pool limits of our adapters and of the OpenAI SDK. With httpx's default (20 kept alive)
the floor would skip the cost httpcore's pool bookkeeping has with 100 idle connections (see
RESULTS.md, 200 concurrent calls), and the second batch would not compare like with like."""


class RawModel:
    """One pooled `httpx.Client` (and one `AsyncClient`), request bodies built once."""

    def __init__(self, s: Settings) -> None:
        from minimax_core import build_request

        self.url = s.base_url.rstrip("/") + "/chat/completions"
        self.headers = {"Authorization": f"Bearer {s.api_key}"}
        self.client = httpx.Client(timeout=600.0, trust_env=False, limits=POOL_LIMITS)
        self.aclient: httpx.AsyncClient | None = None
        self.small = build_request([{"role": "user", "content": GREETING}], model=s.model)
        self.long = build_request(
            [{"role": "user", "content": LONG_PROMPT}], model=s.model, stream=True
        )
        self.tools = [wire_tool(fn) for fn in TOOL_FUNCTIONS]
        self.agent = build_request(
            [{"role": "user", "content": AGENT_PROMPT}], model=s.model, tools=self.tools
        )

    def async_client(self) -> httpx.AsyncClient:
        """The `AsyncClient`, made on first use (inside the event loop that uses it)."""
        if self.aclient is None:
            self.aclient = httpx.AsyncClient(timeout=600.0, trust_env=False, limits=POOL_LIMITS)
        return self.aclient

    async def apieces(self, body: dict[str, Any]) -> AsyncIterator[str]:
        """One piece per SSE event of a streamed answer (empty for the reasoning events)."""
        async with self.async_client().stream(
            "POST", self.url, json=body, headers=self.headers
        ) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                piece = _piece(line)
                if piece is _DONE:
                    break
                if piece is not None:
                    yield piece


_DONE = "[DONE]"


def _piece(line: str) -> str | None:
    """The text piece of one SSE line ("" for a reasoning event), `_DONE` at the end, else None."""
    if not line.startswith("data: "):
        return None
    data = line[6:]
    if data == _DONE:
        return _DONE
    choices = json.loads(data).get("choices")
    return (choices[0].get("delta") or {}).get("content") or "" if choices else None


class RawDriver:
    family = "raw"

    def invoke(self, model: RawModel) -> Any:
        response = model.client.post(model.url, json=model.small, headers=model.headers)
        response.raise_for_status()
        return response.json()["choices"][0]["message"]

    def answer(self, message: Any) -> Answer:
        return Answer(message.get("content") or "", message.get("reasoning_content") or "")

    def stream(
        self, model: RawModel, deadline: Deadline, body: dict[str, Any] | None = None
    ) -> StreamOutcome:
        chunks = 0
        parts: list[str] = []
        thinking: list[str] = []
        timed_out = False
        with model.client.stream(
            "POST", model.url, json=model.long if body is None else body, headers=model.headers
        ) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    break
                event = json.loads(data)
                chunks += 1
                choices = event.get("choices")
                if choices:
                    delta = choices[0].get("delta") or {}
                    text = delta.get("content")
                    if text:
                        parts.append(text)
                    reasoning = delta.get("reasoning_content")
                    if reasoning:
                        thinking.append(reasoning)
                if not chunks & 1023 and deadline.tick(chunks):
                    timed_out = True
                    break
        return StreamOutcome(chunks, "".join(parts), "".join(thinking), timed_out)

    def bind(self, model: RawModel) -> RawModel:
        return model

    def agent_step(self, model: RawModel) -> int:
        first = model.client.post(model.url, json=model.agent, headers=model.headers)
        first.raise_for_status()
        message = first.json()["choices"][0]["message"]
        calls = message.get("tool_calls") or []
        replay = {"role": "assistant", "content": message.get("content"), "tool_calls": calls}
        if "reasoning_details" in message:
            replay["reasoning_details"] = message["reasoning_details"]
        history = [
            *model.agent["messages"],
            replay,
            *({"role": "tool", "tool_call_id": c["id"], "content": TOOL_RESULT} for c in calls),
        ]
        second = model.client.post(
            model.url, json={**model.agent, "messages": history}, headers=model.headers
        )
        second.raise_for_status()
        second.json()
        return len(calls)

    async def ainvoke(self, model: RawModel) -> Any:
        response = await model.async_client().post(
            model.url, json=model.small, headers=model.headers
        )
        response.raise_for_status()
        return response.json()["choices"][0]["message"]

    async def astream(self, model: RawModel) -> int:
        chunks = 0
        async for _piece in model.apieces(model.long):
            chunks += 1
        return chunks

    # --- an agent's later calls: one tool, a long history (the bodies, built once) ---------

    def history(self, length: int) -> tuple[dict[str, Any], dict[str, Any]]:
        from ._history import raw_bodies

        return raw_bodies(length)

    def bind_one(self, model: RawModel) -> RawModel:
        return model

    def history_invoke(self, model: RawModel, history: tuple[dict[str, Any], ...]) -> Any:
        response = model.client.post(model.url, json=history[0], headers=model.headers)
        response.raise_for_status()
        return response.json()["choices"][0]["message"]

    def history_stream(
        self, model: RawModel, history: tuple[dict[str, Any], ...], deadline: Deadline
    ) -> StreamOutcome:
        return self.stream(model, deadline, history[1])

    async def aclose(self, model: RawModel) -> None:
        if model.aclient is not None:
            await model.aclient.aclose()
        model.client.close()


class RawSource:
    """Raw httpx feeding a framework floor: the text of a call, the pieces of a stream.

    It posts the raw floor's bodies (a greeting, a long answer) unless `use_history` gave it
    the bodies of a history call (`_history.raw_bodies`).
    """

    def __init__(self, s: Settings) -> None:
        self.model = RawModel(s)
        self.call_body = self.model.small
        self.stream_body = self.model.long

    def use_history(self, bodies: tuple[dict[str, Any], dict[str, Any]] | None) -> None:
        """Post these (invoked, streamed) bodies from now on; `None` goes back to the defaults."""
        self.call_body, self.stream_body = bodies or (self.model.small, self.model.long)

    def text(self) -> str:
        m = self.model
        response = m.client.post(m.url, json=self.call_body, headers=m.headers)
        response.raise_for_status()
        return str(response.json()["choices"][0]["message"].get("content") or "")

    def apieces(self) -> AsyncIterator[str]:
        return self.model.apieces(self.stream_body)

    def pieces(self) -> Iterator[str]:
        """One piece per SSE event (empty for the reasoning events), as an adapter yields."""
        m = self.model
        with m.client.stream("POST", m.url, json=self.stream_body, headers=m.headers) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                piece = _piece(line)
                if piece is _DONE:
                    break
                if piece is not None:
                    yield piece


# --- LangChain -------------------------------------------------------------------------------


def _lc_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    out = []
    for block in content or []:
        if isinstance(block, str):
            out.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            out.append(str(block.get("text", "")))
    return "".join(out)


def _lc_reasoning(message: Any) -> str:
    reasoning = message.additional_kwargs.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        return reasoning
    try:
        blocks = message.content_blocks
    except Exception:
        return ""
    return "".join(
        str(b.get("reasoning", ""))
        for b in blocks
        if isinstance(b, dict) and b.get("type") == "reasoning"
    )


class LangChainDriver:
    family = "langchain"

    def __init__(self) -> None:
        from langchain_core.messages import HumanMessage, ToolMessage

        self._tool_message = ToolMessage
        self._greeting = [HumanMessage(GREETING)]
        self._long = [HumanMessage(LONG_PROMPT)]
        self._agent = HumanMessage(AGENT_PROMPT)

    def invoke(self, model: Any) -> Any:
        return model.invoke(self._greeting)

    def answer(self, message: Any) -> Answer:
        return Answer(_lc_text(message.content), _lc_reasoning(message))

    def stream(
        self, model: Any, deadline: Deadline, messages: list[Any] | None = None
    ) -> StreamOutcome:
        chunks = 0
        parts: list[str] = []
        thinking: list[str] = []
        timed_out = False
        iterator = model.stream(self._long if messages is None else messages)
        try:
            for chunk in iterator:
                chunks += 1
                content = chunk.content
                if content:
                    parts.append(content if isinstance(content, str) else _lc_text(content))
                reasoning = chunk.additional_kwargs.get("reasoning_content")
                if reasoning:
                    thinking.append(reasoning)
                if not chunks & 1023 and deadline.tick(chunks):
                    timed_out = True
                    break
        finally:
            iterator.close()
        return StreamOutcome(chunks, "".join(parts), "".join(thinking), timed_out)

    def bind(self, model: Any) -> Any:
        return model.bind_tools(list(TOOL_FUNCTIONS))

    def agent_step(self, bound: Any) -> int:
        first = bound.invoke([self._agent])
        calls = first.tool_calls
        results = [self._tool_message(TOOL_RESULT, tool_call_id=c["id"]) for c in calls]
        bound.invoke([self._agent, first, *results])
        return len(calls)

    async def ainvoke(self, model: Any) -> Any:
        return await model.ainvoke(self._greeting)

    async def astream(self, model: Any) -> int:
        chunks = 0
        async for _chunk in model.astream(self._long):
            chunks += 1
        return chunks

    async def aclose(self, model: Any) -> None:
        return None

    def history(self, length: int) -> list[Any]:
        from ._history import langchain_history

        return langchain_history(length)

    def bind_one(self, model: Any) -> Any:
        from ._history import TOOL

        return model.bind_tools([TOOL])

    def history_invoke(self, bound: Any, history: list[Any]) -> Any:
        return bound.invoke(history)

    def history_stream(self, bound: Any, history: list[Any], deadline: Deadline) -> StreamOutcome:
        return self.stream(bound, deadline, history)


# --- LlamaIndex ------------------------------------------------------------------------------


def _li_reasoning(message: Any) -> str:
    from llama_index.core.base.llms.types import ThinkingBlock

    parts = [b.content or "" for b in message.blocks if isinstance(b, ThinkingBlock)]
    if parts:
        return "".join(parts)
    for key in ("reasoning_content", "thinking", "reasoning"):
        value = message.additional_kwargs.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


class LlamaIndexDriver:
    family = "llamaindex"

    def __init__(self) -> None:
        from llama_index.core.base.llms.types import ChatMessage, MessageRole
        from llama_index.core.tools import FunctionTool

        self._message = ChatMessage
        self._tool_role = MessageRole.TOOL
        self._greeting = [ChatMessage(role=MessageRole.USER, content=GREETING)]
        self._long = [ChatMessage(role=MessageRole.USER, content=LONG_PROMPT)]
        self._agent = ChatMessage(role=MessageRole.USER, content=AGENT_PROMPT)
        self._tools = [FunctionTool.from_defaults(fn=fn) for fn in TOOL_FUNCTIONS]
        self._one_tool = self._tools[:1]

    def invoke(self, llm: Any) -> Any:
        return llm.chat(self._greeting)

    def answer(self, response: Any) -> Answer:
        return Answer(response.message.content or "", _li_reasoning(response.message))

    def stream(
        self, llm: Any, deadline: Deadline, messages: list[Any] | None = None
    ) -> StreamOutcome:
        chunks = 0
        parts: list[str] = []
        thinking: list[str] = []
        timed_out = False
        last = None
        if messages is None:
            iterator = llm.stream_chat(self._long)
        else:
            iterator = llm.stream_chat_with_tools(self._one_tool, chat_history=messages)
        try:
            for response in iterator:
                chunks += 1
                if response.delta:
                    parts.append(response.delta)
                delta = response.additional_kwargs.get("thinking_delta")
                if delta:
                    thinking.append(delta)
                last = response
                if not chunks & 1023 and deadline.tick(chunks):
                    timed_out = True
                    break
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
        reasoning = "".join(thinking)
        if not reasoning and last is not None:
            reasoning = _li_reasoning(last.message)
        return StreamOutcome(chunks, "".join(parts), reasoning, timed_out)

    def bind(self, llm: Any) -> Any:
        return llm

    def agent_step(self, llm: Any) -> int:
        first = llm.chat_with_tools(
            self._tools, chat_history=[self._agent], allow_parallel_tool_calls=True
        )
        calls = llm.get_tool_calls_from_response(first, error_on_no_tool_call=False)
        results = [
            self._message(
                role=self._tool_role,
                content=TOOL_RESULT,
                additional_kwargs={"tool_call_id": c.tool_id, "name": c.tool_name},
            )
            for c in calls
        ]
        llm.chat_with_tools(
            self._tools,
            chat_history=[self._agent, first.message, *results],
            allow_parallel_tool_calls=True,
        )
        return len(calls)

    async def ainvoke(self, llm: Any) -> Any:
        return await llm.achat(self._greeting)

    async def astream(self, llm: Any) -> int:
        chunks = 0
        async for _response in await llm.astream_chat(self._long):
            chunks += 1
        return chunks

    async def aclose(self, llm: Any) -> None:
        return None

    def history(self, length: int) -> list[Any]:
        from ._history import llamaindex_history

        return llamaindex_history(length)

    def bind_one(self, llm: Any) -> Any:
        return llm

    def history_invoke(self, llm: Any, history: list[Any]) -> Any:
        return llm.chat_with_tools(self._one_tool, chat_history=history)

    def history_stream(self, llm: Any, history: list[Any], deadline: Deadline) -> StreamOutcome:
        return self.stream(llm, deadline, history)


DRIVERS: dict[str, Callable[[], Any]] = {
    "raw": RawDriver,
    "langchain": LangChainDriver,
    "llamaindex": LlamaIndexDriver,
}


# --- the clients: one small constructor each ------------------------------------------------


def _extra_body(s: Settings) -> dict[str, Any] | None:
    return {"reasoning_split": True} if s.reasoning_split else None


def make_raw(s: Settings) -> Any:
    return RawModel(s)


def make_langchain_floor(s: Settings) -> Any:
    return langchain_floor()


def make_llamaindex_floor(s: Settings) -> Any:
    return llamaindex_floor()


def make_composed(family: str) -> Callable[[Settings], Any]:
    def make(s: Settings) -> Any:
        floor = langchain_floor() if family == "langchain" else llamaindex_floor()
        floor.source = RawSource(s)
        return floor

    return make


def make_chat_minimax(s: Settings) -> Any:
    from langchain_minimax import ChatMiniMax

    return ChatMiniMax(model=s.model, base_url=s.base_url, api_key=s.api_key)


def make_chat_openai(s: Settings) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=s.model,
        base_url=s.base_url,
        api_key=s.api_key,  # type: ignore[arg-type]
        extra_body=_extra_body(s),
        stream_usage=True,
    )


def make_llamaindex_minimax(s: Settings) -> Any:
    from llamaindex_minimax import MiniMax

    return MiniMax(model=s.model, base_url=s.base_url, api_key=s.api_key)


def make_openai_like(s: Settings) -> Any:
    from llama_index.llms.openai_like import OpenAILike

    extra = _extra_body(s)
    return OpenAILike(
        model=s.model,
        api_base=s.base_url,
        api_key=s.api_key,
        is_chat_model=True,
        is_function_calling_model=True,
        context_window=204_800,
        additional_kwargs={"extra_body": extra} if extra else {},
    )


def make_llama_index_llms_minimax(s: Settings) -> Any:
    from llama_index.llms.minimax import MiniMax

    extra = _extra_body(s)
    return MiniMax(
        model=s.model,
        api_base=s.base_url,
        api_key=s.api_key,
        additional_kwargs={"extra_body": extra} if extra else {},
    )


@dataclass(frozen=True)
class Spec:
    """One row of the results."""

    name: str
    family: str  # "raw" | "langchain" | "llamaindex"
    role: str  # "floor" | "composed" | "ours" | "generic"
    requires: tuple[str, ...]
    make: Callable[[Settings], Any]
    note: str = ""

    @property
    def network(self) -> bool:
        """Whether it talks to the server (the framework floors answer from memory)."""
        return self.family == "raw" or self.role != "floor"


COMPOSED = {
    family: Spec(
        f"raw httpx + {label} floor",
        family,
        "composed",
        (),
        make_composed(family),
        "the framework floor answering with what raw httpx read, in one loop",
    )
    for family, label in (("langchain", "LangChain"), ("llamaindex", "LlamaIndex"))
}
"""The CPU floor of each family's adapters (see `_floors`); measured in their workers only."""

CLIENTS: tuple[Spec, ...] = (
    Spec(
        "raw httpx",
        "raw",
        "floor",
        ("httpx",),
        make_raw,
        "httpx.Client posting the request body, json.loads of the body or of each SSE line",
    ),
    Spec(
        "LangChain floor",
        "langchain",
        "floor",
        ("langchain_core",),
        make_langchain_floor,
        "trivial BaseChatModel answering from memory",
    ),
    Spec(
        "LlamaIndex floor",
        "llamaindex",
        "floor",
        ("llama_index.core",),
        make_llamaindex_floor,
        "trivial FunctionCallingLLM answering from memory",
    ),
    Spec(
        "ChatMiniMax",
        "langchain",
        "ours",
        ("langchain_minimax",),
        make_chat_minimax,
        "langchain_minimax.ChatMiniMax",
    ),
    Spec(
        "ChatOpenAI",
        "langchain",
        "generic",
        ("langchain_openai",),
        make_chat_openai,
        "langchain_openai.ChatOpenAI(base_url=...)",
    ),
    Spec(
        "MiniMax (ours)",
        "llamaindex",
        "ours",
        ("llamaindex_minimax",),
        make_llamaindex_minimax,
        "llamaindex_minimax.MiniMax",
    ),
    Spec(
        "OpenAILike",
        "llamaindex",
        "generic",
        ("llama_index.llms.openai_like",),
        make_openai_like,
        "llama_index.llms.openai_like.OpenAILike",
    ),
    Spec(
        "llama-index-llms-minimax",
        "llamaindex",
        "generic",
        ("llama_index.llms.minimax",),
        make_llama_index_llms_minimax,
        "llama_index.llms.minimax.MiniMax (an OpenAILike)",
    ),
)

BY_NAME = {spec.name: spec for spec in (*CLIENTS, *COMPOSED.values())}
RIVALS = {"ChatMiniMax": "ChatOpenAI", "MiniMax (ours)": "llama-index-llms-minimax"}
"""Each of our adapters and the generic adapter a user would otherwise reach for."""
