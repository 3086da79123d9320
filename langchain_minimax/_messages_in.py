"""MiniMax results → LangChain messages (the inbound direction).

A finished `Completion` becomes one `AIMessage`; a stream becomes one `AIMessageChunk` per
`StreamDelta` plus a final chunk. Both end up with the same fields:

- `content`: the clean answer (no `<think>`, no raw tool XML);
- `additional_kwargs["reasoning_content"]`: the reasoning as display text;
- `additional_kwargs["reasoning_details"]`: MiniMax's list, verbatim, when the server split the
  reasoning out; `additional_kwargs["minimax_replay"]`: every other wire field needed to send
  the turn back exactly (raw inline-`<think>` content, vLLM `reasoning`, SGLang
  `reasoning_content`), only when there is any;
- `tool_calls` / `invalid_tool_calls`, `usage_metadata`, and `response_metadata` with
  `model_provider="minimax"`, `model_name`, `finish_reason`, `id` and MiniMax's flags (a turn
  whose thinking used up the output budget also warns: see `minimax_core.adapter_kit.warn_if_thinking_used_budget`).

LangChain merges chunks by concatenating strings and summing numbers, so every field that must
not repeat (model name, finish reason, usage, `reasoning_details`, replay data) rides on the
final chunk only, and a tool call's id and name on its first chunk only.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    InputTokenDetails,
    InvalidToolCall,
    OutputTokenDetails,
    ToolCall,
    UsageMetadata,
)
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk

from minimax_core import Completion, StreamDelta, Usage
from minimax_core.adapter_kit import warn_if_thinking_used_budget

__all__ = [
    "PROVIDER",
    "REPLAY_KEY",
    "ChunkBuilder",
    "completion_to_message",
    "replay_kwargs",
    "response_metadata",
    "usage_metadata",
]

PROVIDER = "minimax"
"""`response_metadata["model_provider"]`: selects the `minimax` block translator."""
REPLAY_KEY = "minimax_replay"
"""The `additional_kwargs` key for replay fields other than `reasoning_details`."""
_DETAILS_KEY = "reasoning_details"


def usage_metadata(usage: Usage) -> UsageMetadata:
    """LangChain usage from MiniMax's counts; detail keys only when the server reported them."""
    out = UsageMetadata(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
    )
    if usage.cached_tokens is not None:
        out["input_token_details"] = InputTokenDetails(cache_read=usage.cached_tokens)
    if usage.reasoning_tokens is not None:
        out["output_token_details"] = OutputTokenDetails(reasoning=usage.reasoning_tokens)
    return out


def token_usage(usage: Usage | None) -> dict[str, Any]:
    """`llm_output["token_usage"]` in the shape ChatOpenAI gives it (OpenAI's `usage` field)."""
    if usage is None:
        return {}
    out: dict[str, Any] = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.cached_tokens is not None:
        out["prompt_tokens_details"] = {"cached_tokens": usage.cached_tokens}
    if usage.reasoning_tokens is not None:
        out["completion_tokens_details"] = {"reasoning_tokens": usage.reasoning_tokens}
    return out


def llm_output(message: BaseMessage) -> dict[str, Any]:
    """`ChatResult.llm_output` of an invoked turn, keyed as ChatOpenAI keys it.

    Read from the message's `response_metadata`, which already holds every figure.
    """
    meta = message.response_metadata
    out: dict[str, Any] = {
        "token_usage": meta["token_usage"],
        "model_provider": PROVIDER,
        "model_name": meta["model_name"],
    }
    if "id" in meta:
        out["id"] = meta["id"]
    return out


def combine_llm_outputs(outputs: list[dict[str, Any] | None], model: str) -> dict[str, Any]:
    """One `llm_output` for a batch: token counts summed (nested details too), as ChatOpenAI.

    Streamed results have no `llm_output` (`None`) and add nothing.
    """
    total: dict[str, Any] = {}
    for output in outputs:
        if output:
            _add_counts(total, output.get("token_usage") or {})
    return {"token_usage": total, "model_provider": PROVIDER, "model_name": model}


def _add_counts(total: dict[str, Any], counts: dict[str, Any]) -> None:
    for key, value in counts.items():
        if isinstance(value, dict):
            _add_counts(total.setdefault(key, {}), value)
        elif value is not None:
            total[key] = total.get(key, 0) + value


def generation_info(message: BaseMessage) -> dict[str, Any]:
    """`ChatGeneration.generation_info`: the finish reason and model, as ChatOpenAI sets it."""
    meta = message.response_metadata
    return {"finish_reason": meta["finish_reason"], "model_name": meta["model_name"]}


def response_metadata(completion: Completion, model: str) -> dict[str, Any]:
    """`response_metadata` of a finished turn: provider, model, finish reason, id, flags.

    `model` (the requested name) stands in when the server did not echo one.
    """
    meta: dict[str, Any] = {
        "model_provider": PROVIDER,
        "model_name": completion.model or model,
        "finish_reason": completion.finish_reason,
        # What `llm_output` adds to an invoked message's metadata, so a streamed one matches.
        "token_usage": token_usage(completion.usage),
    }
    if completion.id is not None:
        meta["id"] = completion.id
    for key, value in completion.metadata.items():
        if value is not None:
            meta.setdefault(key, value)
    return meta


def replay_kwargs(completion: Completion) -> dict[str, Any]:
    """The `additional_kwargs` that let the outbound converter rebuild the turn exactly.

    Plain JSON only (lists, dicts, strings), so checkpoints and `dumpd` keep them.
    """
    out: dict[str, Any] = {}
    replay = completion.replay
    details = replay.get(_DETAILS_KEY)
    if details:
        out[_DETAILS_KEY] = details
    rest = {key: value for key, value in replay.items() if key != _DETAILS_KEY}
    if rest:
        out[REPLAY_KEY] = rest
    return out


def _tool_calls(completion: Completion) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    valid: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for call in completion.tool_calls:
        if call.args is not None:
            valid.append(tool_call(name=call.name, args=call.args, id=call.id))
        else:
            invalid.append(
                invalid_tool_call(name=call.name, args=call.arguments, id=call.id, error=call.error)
            )
    return valid, invalid


def completion_to_message(completion: Completion, model: str) -> AIMessage:
    """The `AIMessage` of a finished (non-streamed) turn."""
    warn_if_thinking_used_budget(completion, model)
    additional: dict[str, Any] = {}
    if completion.reasoning:
        additional["reasoning_content"] = completion.reasoning
    additional.update(replay_kwargs(completion))
    valid, invalid = _tool_calls(completion)
    return AIMessage(
        content=completion.text,
        additional_kwargs=additional,
        tool_calls=valid,
        invalid_tool_calls=invalid,
        usage_metadata=usage_metadata(completion.usage) if completion.usage else None,
        response_metadata=response_metadata(completion, model),
    )


class ChunkBuilder:
    """Turns one stream's deltas into chunks; O(1) work per delta.

    A tool call's id comes from the core on its first delta only (minted there when the server
    sent none; an id the server sends later is recorded, not swapped in), so merged chunks hold
    one id per call, the one the stream's `Completion` holds.
    """

    __slots__ = ("include_usage", "model")

    def __init__(self, model: str, *, include_usage: bool = True) -> None:
        self.model = model
        self.include_usage = include_usage

    def feed(self, delta: StreamDelta) -> ChatGenerationChunk:
        """The chunk for one delta: new text, new reasoning, tool-call pieces."""
        fields: dict[str, Any] = {"response_metadata": {"model_provider": PROVIDER}}
        if delta.reasoning:
            fields["additional_kwargs"] = {"reasoning_content": delta.reasoning}
        if not delta.tool_calls:
            # Empty fields are left to their defaults: validating them costs more per chunk.
            return ChatGenerationChunk(message=AIMessageChunk(content=delta.text, **fields))
        pieces = [
            tool_call_chunk(name=call.name, args=call.arguments, id=call.id, index=call.index)
            for call in delta.tool_calls
        ]
        message = AIMessageChunk(content=delta.text, tool_call_chunks=pieces, **fields)
        return ChatGenerationChunk(message=message)

    def finish(self, completion: Completion) -> ChatGenerationChunk:
        """The closing chunk: everything that must appear once per message."""
        warn_if_thinking_used_budget(completion, self.model)
        usage = completion.usage if self.include_usage else None
        message = AIMessageChunk(
            content="",
            additional_kwargs=replay_kwargs(completion),
            response_metadata=response_metadata(completion, self.model),
            usage_metadata=usage_metadata(usage) if usage else None,
            chunk_position="last",
        )
        return ChatGenerationChunk(message=message, generation_info=generation_info(message))
