"""Parts 2 and 3: a LlamaIndex query engine over four notes, and a streaming `FunctionAgent`.

LlamaIndex's query engines return text only, so the reasoning of the call behind the answer
is read from LlamaIndex's instrumentation events (`LLMChatEndEvent`), where `MiniMax` replies
carry a `ThinkingBlock`. The agent streams its reasoning in `AgentStream.thinking_delta`.
"""

# No `from __future__ import annotations` here: LlamaIndex reads the tools' type hints at
# runtime to build their JSON schemas.
import asyncio
from pathlib import Path
from typing import Any, Literal

from llama_index.core import Document, PromptTemplate, SimpleKeywordTableIndex
from llama_index.core.agent.workflow import (
    AgentInput,
    AgentOutput,
    AgentStream,
    FunctionAgent,
    ToolCallResult,
)
from llama_index.core.base.llms.types import ThinkingBlock
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.llm import LLMChatEndEvent

from llamaindex_minimax import MiniMax

from ._console import Console, LiveField
from ._settings import Settings
from ._usage import Tally

__all__ = ["AGENT_QUESTION", "CORPUS", "QUERY", "run_agent", "run_query_engine"]

CORPUS = Path(__file__).resolve().parent.parent / "notebooks" / "data"
"""Four short notes about a (fictional) bakery, shared with the notebooks."""

QUERY = "Which loaf is baked on Wednesdays, and is it gluten-free?"
AGENT_QUESTION = (
    "What are the bakery's opening hours on Sunday, "
    "and what is the delivery fee for an order of 24 euros?"
)

_QA_PROMPT = PromptTemplate(
    "Question: {query_str}\n\n"
    "Answer from these notes only, in one or two sentences:\n{context_str}\n"
)


class _LLMCalls(BaseEventHandler):
    """Collects what each finished LLM call returned: usage and reasoning."""

    tally: Tally | None = None
    last_reasoning: str = ""

    @classmethod
    def class_name(cls) -> str:
        return "DemoLLMCalls"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        if not isinstance(event, LLMChatEndEvent) or event.response is None:
            return
        raw = event.response.raw or {}
        if self.tally is not None:
            self.tally.add_openai_style(raw.get("usage") if isinstance(raw, dict) else None)
        self.last_reasoning = "".join(
            block.content or ""
            for block in event.response.message.blocks
            if isinstance(block, ThinkingBlock)
        )


_CALLS = _LLMCalls()
get_dispatcher().add_event_handler(_CALLS)


def _llm(settings: Settings) -> MiniMax:
    return MiniMax(
        model=settings.model,
        api_key=settings.api_key,
        base_url=settings.base_url,
        reasoning_effort=settings.reasoning_effort,
    )


def run_query_engine(console: Console, settings: Settings) -> Tally:
    """Answer `QUERY` from the notes with a keyword-table query engine (no embeddings needed)."""
    console.heading("2/3  LlamaIndex: a query engine over four notes")
    llm = _llm(settings)
    documents = [
        Document(text=path.read_text(encoding="utf-8"), metadata={"file_name": path.name})
        for path in sorted(CORPUS.glob("*.txt"))
    ]
    index = SimpleKeywordTableIndex.from_documents(documents, llm=llm, max_keywords_per_chunk=100)
    engine = index.as_query_engine(llm=llm, text_qa_template=_QA_PROMPT, num_chunks_per_query=2)

    _CALLS.tally = tally = Tally("LlamaIndex query engine")
    console.field("you", QUERY)
    response = engine.query(QUERY)
    _CALLS.tally = None

    sources = ", ".join(node.node.metadata.get("file_name", "?") for node in response.source_nodes)
    console.field("retrieved", sources or "(nothing)")
    if _CALLS.last_reasoning:
        console.field("thinking", _CALLS.last_reasoning, dim=True)
    console.field("answer", str(response.response or ""))
    return tally


_DAYS = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_HOURS = {"monday": "closed", "sunday": "8:00 to 14:00"}


def opening_hours(day: _DAYS) -> str:
    """The bakery's opening hours on a day of the week."""
    return _HOURS.get(day, "7:00 to 18:00")


def delivery_fee(order_total: float) -> str:
    """The delivery fee in euros for an order worth `order_total` euros."""
    return "free" if order_total > 30 else "3 euros"


def run_agent(console: Console, settings: Settings) -> Tally:
    """Run a `FunctionAgent` with two tools on `AGENT_QUESTION`, streaming its events."""
    console.heading("3/3  LlamaIndex: FunctionAgent with two tools, streamed")
    agent = FunctionAgent(
        tools=[opening_hours, delivery_fee],
        llm=_llm(settings),
        system_prompt="You answer questions about Harbor Lane Bakery. Use the tools; be brief.",
    )
    _CALLS.tally = tally = Tally("LlamaIndex FunctionAgent")
    console.field("you", AGENT_QUESTION)
    try:
        asyncio.run(_stream_agent(agent, console))
    finally:
        _CALLS.tally = None
    return tally


async def _stream_agent(agent: FunctionAgent, console: Console) -> None:
    handler = agent.run(AGENT_QUESTION)
    step = 0
    thinking: LiveField | None = None
    async for event in handler.stream_events():
        if isinstance(event, AgentInput):  # the agent is about to call the model
            step += 1
            console.line(f"  step {step}")
        elif isinstance(event, AgentStream) and event.thinking_delta:
            if thinking is None:
                thinking = console.live("thinking", dim=True)
            thinking.write(event.thinking_delta)
        elif isinstance(event, AgentOutput):  # the model's turn is complete
            if thinking is not None:
                thinking.close()
                thinking = None
            text = event.response.content or ""
            if text.strip():
                console.field("says" if event.tool_calls else "answer", text)
            for call in event.tool_calls:
                args = ", ".join(f"{key}={value!r}" for key, value in call.tool_kwargs.items())
                console.field("tool call", f"{call.tool_name}({args})")
        elif isinstance(event, ToolCallResult):
            console.field("result", f"{event.tool_name}: {event.tool_output.content}")
    await handler
