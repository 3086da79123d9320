"""An agent's real calls: one tool bound and a growing history, per family (no I/O here).

The history is what an agent loop holds after `turns` tool-calling steps: the user's question,
after a system prompt, then for each step an assistant turn carrying MiniMax's `reasoning_details` and one tool call,
and that call's result (about 1 KB of text). `history_messages(n)` has exactly `n` messages and
always ends with a tool result, so the model is asked for its next step.

Every family gets the same conversation: the wire dicts (what raw httpx sends, built once),
LangChain messages shaped as `ChatMiniMax` returns them, LlamaIndex messages shaped as
`llamaindex_minimax.MiniMax` returns them.
"""

from __future__ import annotations

from typing import Any

from ._clients import TOOL_FUNCTIONS, wire_tool
from ._common import MODEL, long_text

HISTORY_LENGTHS = (10, 100, 400)
ANSWER_CHUNKS = 50
"""The answer to every history call: about 50 stream chunks of text after its reasoning."""
ANSWER_REASONING = "The tool result is in. I will summarise it for the user."
TOOL_RESULT_CHARS = 1_000
SYSTEM = "You are a weather assistant. Call the tool once per city and report every result."
QUESTION = "Look up the weather in every city of the report, one call at a time."
TOOL = TOOL_FUNCTIONS[0]
"""The one tool bound (`get_weather`)."""


def answer_text() -> str:
    return long_text(ANSWER_CHUNKS)


def _reasoning(step: int) -> str:
    return f"Step {step}: the user wants the weather of the next city, so I call {TOOL.__name__}."


def _tool_result(step: int) -> str:
    line = f"City {step}: sunny, 21 C, wind 12 km/h from the west, humidity 40 percent. "
    return (line * (TOOL_RESULT_CHARS // len(line) + 1))[:TOOL_RESULT_CHARS]


def _call_id(step: int) -> str:
    return f"call_{step:024d}"


def _arguments(step: int) -> dict[str, str]:
    return {"city": f"City {step}"}


def _details(step: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "reasoning.text",
            "id": f"reasoning-text-{step}",
            "format": "MiniMax-response-v1",
            "index": 0,
            "text": _reasoning(step),
        }
    ]


def _steps(length: int) -> range:
    if length < 4 or length % 2:
        raise ValueError("a history is a system prompt, the question and (assistant, tool) pairs")
    return range((length - 2) // 2)


def wire_history(length: int) -> list[dict[str, Any]]:
    """The history as MiniMax's wire messages (what our adapters send)."""
    import json

    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": QUESTION},
    ]
    for step in _steps(length):
        call = {
            "id": _call_id(step),
            "type": "function",
            "function": {
                "name": TOOL.__name__,
                "arguments": json.dumps(_arguments(step), ensure_ascii=False),
            },
        }
        messages.append(
            {
                "role": "assistant",
                "content": "",
                "reasoning_details": _details(step),
                "tool_calls": [call],
            }
        )
        messages.append(
            {"role": "tool", "tool_call_id": _call_id(step), "content": _tool_result(step)}
        )
    return messages


def raw_bodies(length: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The request bodies raw httpx posts (invoked, streamed): exactly what our adapters send."""
    from minimax_core import build_request

    tools = [wire_tool(TOOL)]
    messages = wire_history(length)
    call = build_request(messages, model=MODEL, tools=tools)
    stream = build_request(messages, model=MODEL, tools=tools, stream=True)
    return call, stream


def langchain_history(length: int) -> list[Any]:
    """The history as LangChain messages, shaped as `ChatMiniMax` returns its turns."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

    messages: list[Any] = [SystemMessage(SYSTEM), HumanMessage(QUESTION)]
    for step in _steps(length):
        messages.append(
            AIMessage(
                content="",
                tool_calls=[
                    {
                        "name": TOOL.__name__,
                        "args": _arguments(step),
                        "id": _call_id(step),
                        "type": "tool_call",
                    }
                ],
                additional_kwargs={
                    "reasoning_content": _reasoning(step),
                    "reasoning_details": _details(step),
                },
                response_metadata={
                    "model_provider": "minimax",
                    "model_name": MODEL,
                    "finish_reason": "tool_calls",
                },
            )
        )
        messages.append(ToolMessage(_tool_result(step), tool_call_id=_call_id(step)))
    return messages


def llamaindex_history(length: int) -> list[Any]:
    """The history as LlamaIndex messages, shaped as `llamaindex_minimax.MiniMax` returns them."""
    import json

    from llama_index.core.base.llms.types import (
        ChatMessage,
        MessageRole,
        ThinkingBlock,
        ToolCallBlock,
    )

    messages: list[Any] = [
        ChatMessage(role=MessageRole.SYSTEM, content=SYSTEM),
        ChatMessage(role=MessageRole.USER, content=QUESTION),
    ]
    for step in _steps(length):
        wire_call = {
            "id": _call_id(step),
            "type": "function",
            "function": {"name": TOOL.__name__, "arguments": json.dumps(_arguments(step))},
        }
        messages.append(
            ChatMessage(
                role=MessageRole.ASSISTANT,
                blocks=[
                    ThinkingBlock(
                        content=_reasoning(step),
                        additional_information={"reasoning_details": _details(step)},
                    ),
                    ToolCallBlock(
                        tool_call_id=_call_id(step),
                        tool_name=TOOL.__name__,
                        tool_kwargs=_arguments(step),
                    ),
                ],
                additional_kwargs={"tool_calls": [wire_call]},
            )
        )
        messages.append(
            ChatMessage(
                role=MessageRole.TOOL,
                content=_tool_result(step),
                additional_kwargs={"tool_call_id": _call_id(step), "name": TOOL.__name__},
            )
        )
    return messages
