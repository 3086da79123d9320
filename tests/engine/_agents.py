"""Both adapters' agent loops against the engine, each run reduced to what it showed.

Flavours: LangChain `create_agent` invoked (sync and async) and streamed
(`stream_mode="messages"`, sync and async); LlamaIndex `FunctionAgent` run and its `stream_events`. The tools log every call they
execute, with the arguments as the adapter typed them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._checks import TOOLS, Call

FLAVOURS = ("lc-invoke", "lc-ainvoke", "lc-stream", "lc-astream", "li-run", "li-stream-events")
MODEL = "MiniMax-M2"


@dataclass
class AgentRun:
    calls: list[Call] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)  # per model step, where it can be told
    reasoning_text: str = ""  # all of it, as streamed
    answer: str = ""


def logged_tools(run: AgentRun) -> list[Callable[..., str]]:
    def wrap(tool: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(tool)
        def logged(**kwargs: Any) -> str:
            run.calls.append((tool.__name__, dict(kwargs)))
            return tool(**kwargs)

        return logged

    return [wrap(t) for t in TOOLS]


def settings_for(base_url: str, settings: dict[str, Any] | None) -> dict[str, Any]:
    """The library's defaults (only the endpoint given) and any settings on top."""
    base: dict[str, Any] = {"model": MODEL, "base_url": base_url}
    return {**base, **(settings or {}), "api_key": "EMPTY"}


async def run_agent(
    flavour: str, base_url: str, prompt: str, settings: dict[str, Any] | None = None
) -> AgentRun:
    run = AgentRun()
    options = settings_for(base_url, settings)
    if flavour.startswith("lc-"):
        await _langchain(flavour, run, options, prompt)
    else:
        await _llamaindex(flavour, run, options, prompt)
    return run


async def _langchain(flavour: str, run: AgentRun, options: dict[str, Any], prompt: str) -> None:
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessage, AIMessageChunk

    from langchain_minimax import ChatMiniMax

    agent = create_agent(ChatMiniMax(**options), tools=logged_tools(run))
    inputs = {"messages": [("user", prompt)]}
    if flavour in ("lc-invoke", "lc-ainvoke"):
        result = agent.invoke(inputs) if flavour == "lc-invoke" else await agent.ainvoke(inputs)
        steps = [m for m in result["messages"] if isinstance(m, AIMessage)]
        run.reasoning = [m.additional_kwargs.get("reasoning_content", "") for m in steps]
        run.reasoning_text = "".join(run.reasoning)
        run.answer = steps[-1].text
        return
    chunks: list[Any] = []
    if flavour == "lc-stream":
        for chunk, _meta in agent.stream(inputs, stream_mode="messages"):
            chunks.append(chunk)
    else:
        async for chunk, _meta in agent.astream(inputs, stream_mode="messages"):
            chunks.append(chunk)
    # One model step's chunks share a message id.
    by_step: dict[str, list[AIMessageChunk]] = {}
    for chunk in chunks:
        if isinstance(chunk, AIMessageChunk):
            by_step.setdefault(str(chunk.id), []).append(chunk)
    for step in by_step.values():
        run.reasoning.append(
            "".join(c.additional_kwargs.get("reasoning_content", "") for c in step)
        )
    run.reasoning_text = "".join(run.reasoning)
    run.answer = "".join(c.text for c in list(by_step.values())[-1])


async def _llamaindex(flavour: str, run: AgentRun, options: dict[str, Any], prompt: str) -> None:
    from llama_index.core.agent.workflow import AgentStream, FunctionAgent

    from llamaindex_minimax import MiniMax

    agent = FunctionAgent(tools=logged_tools(run), llm=MiniMax(**options))
    handler = agent.run(prompt)
    if flavour == "li-stream-events":
        thinking: list[str] = []
        async for event in handler.stream_events():
            if isinstance(event, AgentStream):
                thinking.append(event.thinking_delta or "")
        run.reasoning_text = "".join(thinking)
    answer = await handler
    run.answer = str(answer.response.content or "")
    if flavour == "li-run":
        run.reasoning_text = _llamaindex_thinking(agent, answer)


def _llamaindex_thinking(agent: Any, answer: Any) -> str:
    """The thinking of the final answer (what `run` returns shows)."""
    from llama_index.core.base.llms.types import ThinkingBlock

    blocks: Sequence[Any] = answer.response.blocks
    return "".join(b.content or "" for b in blocks if isinstance(b, ThinkingBlock))
