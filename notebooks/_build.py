"""Write the notebooks in this folder from the cells below, then run them to store outputs.

    .venv/bin/python notebooks/_build.py            # write and execute every notebook
    .venv/bin/python notebooks/_build.py --no-run   # write only (outputs cleared)

The notebooks are executed offline, against the bundled local server, so that the committed
outputs are reproducible; `tests/e2e/test_notebooks.py` runs them the same way. Edit the cells
here, not in the .ipynb files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import textwrap
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())


def code(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(textwrap.dedent(text).strip())


SETUP = code(
    """
    # Where requests go: the MiniMax API when MINIMAX_API_KEY is set, else the bundled local server.
    import os

    if os.environ.get("MINIMAX_API_KEY"):
        LOCAL = False
        print("Using the MiniMax API at", os.environ.get("MINIMAX_BASE_URL", "https://api.minimax.io/v1"))
    else:
        from minimax_server import MiniMaxServer

        # strict=True: the server refuses any replayed turn whose reasoning was dropped or altered.
        server = MiniMaxServer(api_key="local-key", strict=True).start()
        os.environ["MINIMAX_API_KEY"] = server.api_key
        os.environ["MINIMAX_BASE_URL"] = server.base_url
        LOCAL = True
        print(f"No MINIMAX_API_KEY: using the bundled local MiniMax-compatible server at {server.base_url}")
        print("(scripted answers, not a real model; set MINIMAX_API_KEY to use MiniMax)")
    """
)

SETUP_NOTE = md(
    """
    The first cell picks where requests go. With `MINIMAX_API_KEY` set (and optionally
    `MINIMAX_BASE_URL`, e.g. `https://api.minimaxi.com/v1` for mainland China) it uses the
    MiniMax API. Without it, it starts the local MiniMax-compatible server that ships with the
    library (`minimax_server`) and points `MINIMAX_API_KEY` / `MINIMAX_BASE_URL` at it.
    That server is a scripted model, not an LLM: its answers are mechanical, but it speaks
    MiniMax's wire format exactly, and in strict mode it refuses any request whose earlier
    assistant turns lost their reasoning. The outputs stored in this notebook come from it.
    """
)


# --- 1. LangChain quickstart --------------------------------------------------------------------

LANGCHAIN_QUICKSTART = [
    md(
        """
        # LangChain quickstart: `ChatMiniMax`

        MiniMax models think before they answer. `ChatMiniMax` keeps that reasoning apart from
        the answer, shows it the LangChain way, and sends it back on later turns, which MiniMax
        needs for multi-step tool use. This notebook covers `invoke`, streaming with the
        reasoning shown live, `content_blocks`, tools and structured output.
        """
    ),
    SETUP_NOTE,
    SETUP,
    md(
        """
        ## Invoke

        The answer is in `content`, never with `<think>` tags; the reasoning is in
        `additional_kwargs["reasoning_content"]`, and token counts in `usage_metadata`.
        """
    ),
    code(
        """
        from langchain_minimax import ChatMiniMax

        llm = ChatMiniMax(model="MiniMax-M2.7")
        msg = llm.invoke("In one sentence: why do bakers put steam in the oven?")

        print("reasoning:", msg.additional_kwargs["reasoning_content"])
        print()
        print("answer:   ", msg.content)
        """
    ),
    code("msg.usage_metadata"),
    md(
        """
        ## `content_blocks`

        LangChain's standard view of a message: the reasoning is a `reasoning` block, the
        answer a `text` block (tool calls would be `tool_call` blocks).
        """
    ),
    code(
        """
        for block in msg.content_blocks:
            body = block.get("reasoning") or block.get("text") or ""
            print(f"{block['type']:>9}: {body[:90]}{'…' if len(body) > 90 else ''}")
        """
    ),
    md(
        """
        ## Stream, with the reasoning shown live

        Each chunk carries either a piece of reasoning (`additional_kwargs["reasoning_content"]`)
        or a piece of the answer (`chunk.text`). Adding the chunks up gives the same message
        `invoke` returns, usage included.
        """
    ),
    code(
        """
        full = None
        shown = None
        for chunk in llm.stream("In two sentences: how does a sourdough starter make bread rise?"):
            full = chunk if full is None else full + chunk
            reasoning = chunk.additional_kwargs.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning:
                if shown != "reasoning":
                    print("[thinking] ", end="")
                    shown = "reasoning"
                print(reasoning, end="", flush=True)
            if chunk.text:
                if shown != "answer":
                    print("\\n\\n[answer] ", end="")
                    shown = "answer"
                print(chunk.text, end="", flush=True)
        print()
        """
    ),
    code(
        """
        print([block["type"] for block in full.content_blocks])
        print(full.usage_metadata)
        """
    ),
    md(
        """
        ## Tools

        `bind_tools` takes LangChain tools, functions, pydantic models or dicts. After running
        the tool, the assistant turn goes back into the history as it is: `ChatMiniMax` sends
        its reasoning back exactly (`reasoning_details`), as MiniMax requires.
        """
    ),
    code(
        """
        from langchain_core.messages import HumanMessage
        from langchain_core.tools import tool


        @tool
        def loaf_price(loaves: int) -> str:
            \"\"\"The price in euros of a number of sourdough loaves.\"\"\"
            return f"{loaves * 6.5:.2f} euros"


        llm_with_tools = llm.bind_tools([loaf_price])
        messages = [HumanMessage("Use loaf_price: how much do 3 loaves cost?")]
        ai = llm_with_tools.invoke(messages)
        print("reasoning: ", ai.additional_kwargs["reasoning_content"][:120], "…")
        print("tool calls:", ai.tool_calls)
        """
    ),
    code(
        """
        messages.append(ai)  # with its reasoning
        for call in ai.tool_calls:
            messages.append(loaf_price.invoke(call))  # a ToolMessage
        final = llm_with_tools.invoke(messages)
        print(final.content)
        """
    ),
    md(
        """
        ## Structured output

        `with_structured_output` returns pydantic objects (or dicts). With `include_raw=True`
        the raw `AIMessage`, reasoning included, comes along.
        """
    ),
    code(
        """
        from pydantic import BaseModel, Field


        class Loaf(BaseModel):
            \"\"\"A bread from the bakery.\"\"\"

            name: str = Field(description="The name of the bread")
            weight_grams: int
            proving_hours: int


        structured = llm.with_structured_output(Loaf, include_raw=True)
        result = structured.invoke("Describe the 'house sourdough': a 900 gram loaf, proved for 16 hours.")
        print(repr(result["parsed"]))
        print("reasoning:", result["raw"].additional_kwargs.get("reasoning_content", "")[:120], "…")
        """
    ),
]


# --- 2. LangGraph agent with a checkpointer -------------------------------------------------------

LANGGRAPH_AGENT = [
    md(
        """
        # A LangChain agent with memory: reasoning survives every turn

        `create_agent` runs a LangGraph loop: model, tools, model... With a checkpointer, the
        conversation is saved after each step and reloaded on the next turn. MiniMax needs every
        earlier assistant turn back whole, reasoning included; this notebook shows that the
        reasoning is still there after the checkpointer has stored and reloaded the history.
        """
    ),
    SETUP_NOTE,
    SETUP,
    code(
        """
        from langchain.agents import create_agent
        from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
        from langchain_core.tools import tool
        from langgraph.checkpoint.memory import InMemorySaver

        from langchain_minimax import ChatMiniMax

        WEATHER = {"paris": ("Sunny", 18), "london": ("Drizzle", 12)}


        @tool
        def get_weather(city: str) -> str:
            \"\"\"The current weather in a city: conditions and the temperature in degrees Celsius.\"\"\"
            sky, celsius = WEATHER.get(city.strip().lower(), ("Cloudy", 15))
            return f"{sky}, {celsius} °C in {city}"


        @tool
        def celsius_to_fahrenheit(celsius: float) -> float:
            \"\"\"Convert a temperature from degrees Celsius to degrees Fahrenheit.\"\"\"
            return round(celsius * 9 / 5 + 32, 1)


        llm = ChatMiniMax(model="MiniMax-M2.7")
        checkpointer = InMemorySaver()  # stores each step serialized, like a database would
        agent = create_agent(
            llm,
            tools=[get_weather, celsius_to_fahrenheit],
            system_prompt="You are a concise weather assistant. Use the tools.",
            checkpointer=checkpointer,
        )
        config = {"configurable": {"thread_id": "weather-1"}}
        """
    ),
    md(
        """
        A small helper prints each message of a turn: the reasoning of every model step,
        its tool calls, the tool results, and the answer.
        """
    ),
    code(
        """
        def show(messages):
            for m in messages:
                if isinstance(m, AIMessage):
                    reasoning = m.additional_kwargs.get("reasoning_content", "")
                    print(f"  thinking:  {reasoning[:100]}…")
                    for call in m.tool_calls:
                        print(f"  tool call: {call['name']}({call['args']})")
                    if m.text:
                        print(f"  answer:    {m.text}")
                elif isinstance(m, ToolMessage):
                    print(f"  result:    {m.text}")
                else:
                    print(f"{m.type}: {m.text}")
        """
    ),
    md("## Turn 1"),
    code(
        """
        result = agent.invoke(
            {"messages": [("user", "What is the weather in Paris? Then convert the result to Fahrenheit.")]},
            config,
        )
        show(result["messages"])
        """
    ),
    md(
        """
        ## Turn 2, streamed, from a new agent that shares the checkpointer

        The history is reloaded from the checkpointer, and all its assistant turns go back to
        the model with their reasoning. `stream_mode="messages"` yields the model's chunks as
        they arrive (the reasoning first, then the answer); `"updates"` yields each finished
        step, with complete tool calls and the tool results.
        """
    ),
    code(
        """
        agent2 = create_agent(
            llm,
            tools=[get_weather, celsius_to_fahrenheit],
            system_prompt="You are a concise weather assistant. Use the tools.",
            checkpointer=checkpointer,
        )
        shown = None
        for mode, data in agent2.stream(
            {"messages": [("user", "And the weather in London? Convert the result to Fahrenheit too.")]},
            config,
            stream_mode=["messages", "updates"],
        ):
            if mode == "messages":  # a piece of the model's output, as it arrives
                chunk, _ = data
                if not isinstance(chunk, AIMessageChunk):
                    continue
                reasoning = chunk.additional_kwargs.get("reasoning_content")
                if isinstance(reasoning, str) and reasoning:
                    if shown != "thinking":
                        print("\\n[thinking] ", end="")
                        shown = "thinking"
                    print(reasoning, end="", flush=True)
                if chunk.text:
                    if shown != "answer":
                        print("\\n[answer] ", end="")
                        shown = "answer"
                    print(chunk.text, end="", flush=True)
            else:  # a finished step: the complete tool calls, and the tool results
                for update in data.values():
                    for m in (update or {}).get("messages", []):
                        if isinstance(m, AIMessage):
                            for call in m.tool_calls:
                                print(f"\\n  tool call: {call['name']}({call['args']})", end="")
                        elif isinstance(m, ToolMessage):
                            print(f"\\n  result:    {m.text}", end="")
                shown = None
        print()
        """
    ),
    md(
        """
        ## What the checkpointer holds

        Every assistant turn of both questions still has its reasoning: the display text in
        `reasoning_content`, and MiniMax's own `reasoning_details`, which is what goes back on
        the wire.
        """
    ),
    code(
        """
        history = agent2.get_state(config).values["messages"]
        for i, m in enumerate(history):
            if isinstance(m, AIMessage):
                details = m.additional_kwargs.get("reasoning_details")
                what = [c["name"] for c in m.tool_calls] or "answer"
                print(f"message {i:2}: {len(m.additional_kwargs.get('reasoning_content', '')):4} chars of reasoning, "
                      f"reasoning_details: {'yes' if details else 'no'}, {what}")
        """
    ),
    md(
        """
        ## Why it matters

        Drop the reasoning from the history and MiniMax no longer sees its own chain of thought
        (the real API degrades quietly). The local server, in strict mode, refuses such a
        request outright, which is how the test suite proves that the reasoning is kept.
        """
    ),
    code(
        """
        from langchain_minimax import MiniMaxBadRequestError

        stripped = [
            m.model_copy(update={"additional_kwargs": {}}) if isinstance(m, AIMessage) else m
            for m in history
        ]
        if LOCAL:
            try:
                llm.invoke([*stripped, ("user", "Thanks!")])
            except MiniMaxBadRequestError as exc:
                print("refused:", exc)
        else:
            print("Skipped: only the local server in strict mode refuses a history without reasoning.")
        """
    ),
]


# --- 3. LlamaIndex query engine ---------------------------------------------------------------

LLAMAINDEX_QUERY = [
    md(
        """
        # LlamaIndex: a query engine over a small corpus

        `llamaindex_minimax.MiniMax` is a LlamaIndex `FunctionCallingLLM`. This notebook builds a
        query engine over four short notes about a (fictional) bakery, in `data/`, and shows
        where the model's reasoning is: in the `ThinkingBlock` of every reply.
        """
    ),
    SETUP_NOTE,
    SETUP,
    code(
        """
        from pathlib import Path

        from llama_index.core import Document, Settings, SimpleKeywordTableIndex

        from llamaindex_minimax import MiniMax

        Settings.llm = MiniMax(model="MiniMax-M2.7")

        documents = [
            Document(text=path.read_text(encoding="utf-8"), metadata={"file_name": path.name})
            for path in sorted(Path("data").glob("*.txt"))
        ]
        print([d.metadata["file_name"] for d in documents])
        """
    ),
    md(
        """
        ## The index

        A keyword table needs no embedding model, which keeps this notebook self-contained.
        With an embedding model of your choice, `VectorStoreIndex` works the same way.
        """
    ),
    code(
        """
        index = SimpleKeywordTableIndex.from_documents(documents, max_keywords_per_chunk=100)
        engine = index.as_query_engine(num_chunks_per_query=2)

        response = engine.query("When does the bakery open on Sundays?")
        print(response.response)
        print()
        print("sources:", [n.node.metadata["file_name"] for n in response.source_nodes])
        """
    ),
    md(
        """
        ## Where did the reasoning go?

        Query engines hand back text only. The full reply of each LLM call, `ThinkingBlock`
        included, is visible through LlamaIndex's instrumentation: an event handler on
        `LLMChatEndEvent` sees every `ChatResponse`.
        """
    ),
    code(
        """
        from llama_index.core.base.llms.types import ThinkingBlock
        from llama_index.core.instrumentation import get_dispatcher
        from llama_index.core.instrumentation.event_handlers import BaseEventHandler
        from llama_index.core.instrumentation.events.llm import LLMChatEndEvent


        class ReasoningLog(BaseEventHandler):
            replies: list = []

            @classmethod
            def class_name(cls) -> str:
                return "ReasoningLog"

            def handle(self, event, **kwargs):
                if isinstance(event, LLMChatEndEvent) and event.response is not None:
                    self.replies.append(event.response)


        log = ReasoningLog()
        get_dispatcher().add_event_handler(log)

        response = engine.query("Which loaf is baked on Wednesdays, and is it gluten-free?")
        reply = log.replies[-1]
        thinking = next(b for b in reply.message.blocks if isinstance(b, ThinkingBlock))
        print("thinking:", thinking.content)
        print()
        print("answer:  ", response.response)
        print("usage:   ", reply.raw["usage"])
        """
    ),
    md(
        """
        ## Streaming answers

        `streaming=True` yields the answer as it is written (the reasoning still arrives
        first, on each chunk's `additional_kwargs["thinking_delta"]`, seen by the handler).
        """
    ),
    code(
        """
        streaming_engine = index.as_query_engine(streaming=True, num_chunks_per_query=2)
        streaming_response = streaming_engine.query("How much does delivery cost for a small order?")
        for text in streaming_response.response_gen:
            print(text, end="", flush=True)
        print()
        """
    ),
    md(
        """
        ## The LLM on its own

        `chat` returns a `ChatMessage` whose blocks are `[ThinkingBlock, TextBlock]`;
        `message.content` is the answer alone. `stream_chat` gives each new piece of reasoning
        in `additional_kwargs["thinking_delta"]` and each new piece of answer in `delta`.
        """
    ),
    code(
        """
        from llama_index.core.llms import ChatMessage

        llm = Settings.llm
        reply = llm.chat([ChatMessage(role="user", content="Hello! What can you tell me about rye bread?")])
        print([type(b).__name__ for b in reply.message.blocks])
        print(reply.message.content)
        """
    ),
    code(
        """
        shown = None
        for chunk in llm.stream_chat([ChatMessage(role="user", content="In one sentence, what is a levain?")]):
            thinking = chunk.additional_kwargs.get("thinking_delta")
            if thinking:
                if shown != "thinking":
                    print("[thinking] ", end="")
                    shown = "thinking"
                print(thinking, end="", flush=True)
            if chunk.delta:
                if shown != "answer":
                    print("\\n\\n[answer] ", end="")
                    shown = "answer"
                print(chunk.delta, end="", flush=True)
        print()
        """
    ),
]


# --- 4. LlamaIndex FunctionAgent ----------------------------------------------------------------

LLAMAINDEX_AGENT = [
    md(
        """
        # LlamaIndex `FunctionAgent`: streaming the reasoning

        A `FunctionAgent` calls the model, runs the tools it asks for, and calls it again until
        it answers. Each model turn's reasoning streams in `AgentStream.thinking_delta`, and the
        turn itself (a `ThinkingBlock` first) goes back to MiniMax on the next step and the next
        question.
        """
    ),
    SETUP_NOTE,
    SETUP,
    code(
        """
        from typing import Literal

        from llama_index.core.agent.workflow import (
            AgentInput,
            AgentOutput,
            AgentStream,
            FunctionAgent,
            ToolCallResult,
        )
        from llama_index.core.memory import Memory

        from llamaindex_minimax import MiniMax

        Day = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


        def opening_hours(day: Day) -> str:
            \"\"\"The bakery's opening hours on a day of the week.\"\"\"
            return {"monday": "closed", "sunday": "8:00 to 14:00"}.get(day, "7:00 to 18:00")


        def delivery_fee(order_total: float) -> str:
            \"\"\"The delivery fee in euros for an order worth `order_total` euros.\"\"\"
            return "free" if order_total > 30 else "3 euros"


        agent = FunctionAgent(
            tools=[opening_hours, delivery_fee],
            llm=MiniMax(model="MiniMax-M2.7"),
            system_prompt="You answer questions about Harbor Lane Bakery. Use the tools; be brief.",
        )
        """
    ),
    md(
        """
        ## Streaming the events

        `AgentInput` starts a model call, `AgentStream` carries `thinking_delta` (reasoning)
        and `delta` (answer text), `AgentOutput` ends the turn, and `ToolCallResult` reports
        each tool run.
        """
    ),
    code(
        """
        async def ask(question, memory):
            print("you:", question)
            handler = agent.run(question, memory=memory)
            thinking = False
            async for event in handler.stream_events():
                if isinstance(event, AgentInput):
                    print("\\n-- model call")
                elif isinstance(event, AgentStream):
                    if event.thinking_delta:
                        if not thinking:
                            print("[thinking] ", end="")
                            thinking = True
                        print(event.thinking_delta, end="", flush=True)
                    if event.delta:
                        if thinking:
                            print("\\n[answer] ", end="")
                            thinking = False
                        print(event.delta, end="", flush=True)
                elif isinstance(event, AgentOutput):
                    thinking = False
                    for call in event.tool_calls:
                        print(f"\\n[tool call] {call.tool_name}({call.tool_kwargs})")
                    if not event.tool_calls:
                        print()
                elif isinstance(event, ToolCallResult):
                    print(f"[result] {event.tool_output.content}")
            return await handler


        memory = Memory.from_defaults(session_id="bakery", token_limit=40_000)
        result = await ask(
            "What are the bakery's opening hours on Sunday, and what is the delivery fee for an order of 24 euros?",
            memory,
        )
        """
    ),
    md(
        """
        ## A second question in the same conversation

        The `Memory` keeps the conversation (in a SQL store: messages are saved as JSON and
        loaded back). The earlier turns, each with its `ThinkingBlock`, are sent back with the
        new question.
        """
    ),
    code(
        """
        result = await ask("And what is the delivery fee for an order of 45 euros?", memory)
        """
    ),
    code(
        """
        for message in await memory.aget_all():
            kinds = [type(b).__name__ for b in message.blocks]
            print(f"{message.role.value:>9}: {kinds}")
        """
    ),
    md(
        """
        The final answer is an `AgentOutput`; its `response` is the last assistant message,
        reasoning first.
        """
    ),
    code(
        """
        print([type(b).__name__ for b in result.response.blocks])
        print(result.response.content)
        """
    ),
]


# --- 5. MiniMax-M3: images, and thinking on or off ------------------------------------------------

M3_MULTIMODAL = [
    md(
        """
        # MiniMax-M3: images, and thinking on or off

        MiniMax-M3 takes images (and video) as input, and is the MiniMax model whose thinking
        can be turned off. This notebook draws a small PNG with the standard library only,
        sends it through LangChain and LlamaIndex, and compares thinking on and off.
        """
    ),
    SETUP_NOTE,
    SETUP,
    md("## A PNG made with `zlib` and `struct`"),
    code(
        """
        import base64
        import struct
        import zlib


        def png(width, height, pixel):
            \"\"\"A truecolour PNG; pixel(x, y) returns (r, g, b).\"\"\"
            rows = b"".join(
                b"\\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
            )

            def chunk(kind, data):
                return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

            header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
            return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


        # A red disc on a blue background.
        image = png(64, 64, lambda x, y: (220, 40, 40) if (x - 32) ** 2 + (y - 32) ** 2 < 400 else (40, 80, 200))
        image_b64 = base64.b64encode(image).decode()

        from IPython.display import Image, display

        display(Image(data=image))
        print(len(image), "bytes")
        """
    ),
    md(
        """
        ## LangChain: an image content block

        Standard LangChain `image` blocks (base64 or URL) become MiniMax `image_url` parts.
        """
    ),
    code(
        """
        from langchain_core.messages import HumanMessage

        from langchain_minimax import ChatMiniMax

        m3 = ChatMiniMax(model="MiniMax-M3")
        question = HumanMessage(
            content=[
                {"type": "text", "text": "What shape and which colours are in this image? One sentence."},
                {"type": "image", "base64": image_b64, "mime_type": "image/png"},
            ]
        )
        msg = m3.invoke([question])
        print("reasoning:", msg.additional_kwargs.get("reasoning_content", "")[:150], "…")
        print("answer:   ", msg.content)
        print("usage:    ", msg.usage_metadata)
        """
    ),
    md(
        """
        ## LlamaIndex: an `ImageBlock`
        """
    ),
    code(
        """
        from llama_index.core.llms import ChatMessage, ImageBlock, TextBlock

        from llamaindex_minimax import MiniMax

        li_m3 = MiniMax(model="MiniMax-M3")
        reply = li_m3.chat(
            [
                ChatMessage(
                    role="user",
                    blocks=[
                        TextBlock(text="Describe this image in one sentence."),
                        ImageBlock(image=image, image_mimetype="image/png"),
                    ],
                )
            ]
        )
        print([type(b).__name__ for b in reply.message.blocks])
        print(reply.message.content)
        """
    ),
    md(
        """
        ## Thinking on and off

        `thinking=False` (or `"disabled"`) asks MiniMax-M3 to answer without thinking: no
        reasoning comes back, and fewer output tokens are spent. The default lets the model
        think.
        """
    ),
    code(
        """
        prompt = "In one sentence: what is the capital of France?"
        for thinking in (None, False):
            m = ChatMiniMax(model="MiniMax-M3", thinking=thinking).invoke(prompt)
            reasoning = m.additional_kwargs.get("reasoning_content", "")
            print(f"thinking={thinking!s:5}  reasoning: {len(reasoning):4} chars   "
                  f"output tokens: {m.usage_metadata['output_tokens']:4}   answer: {m.content}")
        """
    ),
    md(
        """
        ## Checked before sending

        Only MiniMax-M3 takes images (and video). Sending one to another model fails at once,
        with a clear message and no request sent. (`thinking=False` is different: the
        MiniMax-M2 models accept it and think anyway.)
        """
    ),
    code(
        """
        from langchain_minimax import MiniMaxRequestValidationError

        try:
            ChatMiniMax(model="MiniMax-M2.7").invoke([question])
        except MiniMaxRequestValidationError as exc:
            print("refused before sending:", exc)
        """
    ),
]


NOTEBOOKS: dict[str, list[nbformat.NotebookNode]] = {
    "01_langchain_quickstart.ipynb": LANGCHAIN_QUICKSTART,
    "02_langgraph_agent_memory.ipynb": LANGGRAPH_AGENT,
    "03_llamaindex_query_engine.ipynb": LLAMAINDEX_QUERY,
    "04_llamaindex_function_agent.ipynb": LLAMAINDEX_AGENT,
    "05_minimax_m3_multimodal.ipynb": M3_MULTIMODAL,
}


def build(name: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict(dict(cell)) for cell in NOTEBOOKS[name]]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return nb


def offline_env() -> dict[str, str]:
    """The environment of an offline run: no key, no base URL, the repository importable."""
    env = {k: v for k, v in os.environ.items() if k not in ("MINIMAX_API_KEY", "MINIMAX_BASE_URL")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def kernel_manager(kernel_dir: Path) -> KernelManager:
    """A kernel running this interpreter, from a kernelspec in `kernel_dir` (nothing installed)."""
    spec = kernel_dir / "minimax-notebooks"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "minimax-agents",
                "language": "python",
            }
        )
    )
    return KernelManager(
        kernel_name="minimax-notebooks",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)]),
    )


def execute(nb: nbformat.NotebookNode, kernel_dir: Path) -> None:
    km = kernel_manager(kernel_dir)
    client = NotebookClient(
        nb,
        km=km,
        timeout=120,
        coalesce_streams=True,
        resources={"metadata": {"path": str(HERE)}},
    )
    try:
        client.execute(env=offline_env())
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-run", action="store_true", help="write the notebooks without outputs")
    parser.add_argument("names", nargs="*", help="notebooks to build (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.names or NOTEBOOKS:
            nb = build(name)
            if not args.no_run:
                print("running", name, flush=True)
                execute(nb, Path(tmp))
            nbformat.write(nb, HERE / name)


if __name__ == "__main__":
    main()
