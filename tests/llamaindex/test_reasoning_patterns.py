"""Which LlamaIndex patterns carry MiniMax's reasoning into the next turn (README, "Keeping
the reasoning across turns"). Each documented claim is checked here: a pattern that keeps it
sends every earlier assistant turn back with its `reasoning_details`; one that loses it does
not. A failure here means LlamaIndex changed and the README needs updating.
"""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.chat_engine import CondensePlusContextChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import ChatMessage
from llama_index.core.memory import Memory
from llama_index.core.workflow import Context, JsonPickleSerializer, JsonSerializer
from sqlalchemy.ext.asyncio import create_async_engine

from llamaindex_minimax import MiniMax
from minimax_core import BadRequestError
from minimax_server import MiniMaxServer

# Whether llama-index-workflows keeps an agent's memory in a `Context`'s state depends on
# pydantic: from 2.14 its state store finds the memory unserializable and leaves it out, so a run
# on the same or a JSON-restored `Context` starts from nothing; on 2.13 and older the memory is
# kept (seen with llama-index-core 0.14.8 and 0.14.25, workflows 2.26.1, pydantic 2.11.5 to 2.14.4).
WORKFLOWS_DROP_MEMORY = tuple(int(part) for part in pydantic.VERSION.split(".")[:2]) >= (2, 14)


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _replayed(server: MiniMaxServer, first: int) -> list[bool]:
    """For the first request from index `first` on: does each assistant turn carry reasoning?"""
    messages = server.requests[first].body["messages"]
    return [bool(m.get("reasoning_details")) for m in messages if m["role"] == "assistant"]


@pytest.fixture
def llm(minimax_server: MiniMaxServer) -> MiniMax:
    return MiniMax(api_key=minimax_server.api_key, base_url=minimax_server.base_url)


async def test_json_pickle_serializer_keeps_the_chain(
    minimax_server: MiniMaxServer, llm: MiniMax
) -> None:
    agent = FunctionAgent(tools=[add], llm=llm)
    ctx = Context(agent)
    await agent.run("Use add(2, 3).", ctx=ctx)
    saved = ctx.to_dict(serializer=JsonPickleSerializer())
    restored = Context.from_dict(agent, saved, serializer=JsonPickleSerializer())
    first = len(minimax_server.requests)
    await agent.run("Now add(5, 4).", ctx=restored)
    assert _replayed(minimax_server, first) == [True, True]


async def test_memory_with_a_database_keeps_the_chain(
    minimax_server: MiniMaxServer, llm: MiniMax
) -> None:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    try:
        memory = Memory.from_defaults(session_id="s", token_limit=40_000, async_engine=engine)
        await FunctionAgent(tools=[add], llm=llm).run("Use add(2, 3).", memory=memory)
        first = len(minimax_server.requests)
        await FunctionAgent(tools=[add], llm=llm).run("Now add(5, 4).", memory=memory)
    finally:
        await engine.dispose()
    assert _replayed(minimax_server, first) == [True, True]


async def test_chat_history_rebuilt_from_json_keeps_the_chain(
    minimax_server: MiniMaxServer, llm: MiniMax
) -> None:
    memory = Memory.from_defaults(session_id="s", token_limit=40_000)
    await FunctionAgent(tools=[add], llm=llm).run("Use add(2, 3).", memory=memory)
    saved = [message.model_dump_json() for message in await memory.aget_all()]
    history = [ChatMessage.model_validate_json(text) for text in saved]
    first = len(minimax_server.requests)
    await FunctionAgent(tools=[add], llm=llm).run("Now add(5, 4).", chat_history=history)
    assert _replayed(minimax_server, first) == [True, True]


async def test_json_serializer_skips_the_memory(
    minimax_server: MiniMaxServer, llm: MiniMax
) -> None:
    agent = FunctionAgent(tools=[add], llm=llm)
    ctx = Context(agent)
    await agent.run("Use add(2, 3).", ctx=ctx)
    if WORKFLOWS_DROP_MEMORY:
        with pytest.warns(Warning, match="memory"):
            saved = ctx.to_dict(serializer=JsonSerializer())
    else:
        saved = ctx.to_dict(serializer=JsonSerializer())
    restored = Context.from_dict(agent, saved, serializer=JsonSerializer())
    first = len(minimax_server.requests)
    await agent.run("Now add(5, 4).", ctx=restored)
    # Dropped, the first run is gone entirely; kept, it comes back whole.
    assert _replayed(minimax_server, first) == ([] if WORKFLOWS_DROP_MEMORY else [True, True])


async def test_running_twice_on_one_context_drops_the_memory(
    minimax_server: MiniMaxServer, llm: MiniMax
) -> None:
    agent = FunctionAgent(tools=[add], llm=llm)
    ctx = Context(agent)
    await agent.run("Use add(2, 3).", ctx=ctx)
    first = len(minimax_server.requests)
    await agent.run("Now add(5, 4).", ctx=ctx)
    assert _replayed(minimax_server, first) == ([] if WORKFLOWS_DROP_MEMORY else [True, True])


def test_condense_plus_context_never_replays_reasoning(
    minimax_server: MiniMaxServer, llm: MiniMax, monkeypatch: Any
) -> None:
    monkeypatch.setattr(Settings, "_embed_model", MockEmbedding(embed_dim=8))
    index = VectorStoreIndex.from_documents([Document(text="Rye bread keeps for a week.")])
    engine = CondensePlusContextChatEngine.from_defaults(index.as_retriever(), llm=llm)
    engine.chat("How long does rye bread keep?")
    # The strict local server refuses a turn whose reasoning was dropped, as MiniMax would
    # quietly answer worse: the engine sends its earlier answer back as plain text.
    with pytest.raises(BadRequestError, match="reasoning dropped"):
        engine.chat("And sourdough?")
