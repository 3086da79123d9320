"""Replay a recorded transcript through both adapters and check the live suite's guarantees.

The recorded answer bytes are served by an `httpx.MockTransport` for every request, so an
adapter parses exactly what the endpoint sent. Then the turn goes back in a follow-up request,
which must carry its reasoning as it came (read from the raw bytes, not through the core).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

import minimax_core
from minimax_core import MiniMaxError
from minimax_core.recording import Transcript
from tests.guarantees import (
    assert_langchain_message,
    assert_llamaindex_response,
    assert_replayed,
    assistant_turns,
    expected_replay,
    view_of,
)

REPLAY_URL = "http://replay.invalid/v1"


class Served:
    """A mock endpoint answering every request with the transcript's bytes; keeps the requests."""

    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self.requests: list[dict[str, Any]] = []

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        return httpx.Response(
            self.transcript.status,
            headers={"content-type": self.transcript.content_type or "application/json"},
            content=self.transcript.response,
        )

    def clients(self) -> tuple[httpx.Client, httpx.AsyncClient]:
        async def answer(request: httpx.Request) -> httpx.Response:
            return self._answer(request)

        return (
            httpx.Client(transport=httpx.MockTransport(self._answer)),
            httpx.AsyncClient(transport=httpx.MockTransport(answer)),
        )


def expected_error(transcript: Transcript) -> type[MiniMaxError] | None:
    """The core error the replay must raise: the one the transcript's `expect_error` names (a
    stream cut short raises `StreamError`), any `MiniMaxError` for a refusal, else none."""
    named = transcript.meta.get("expect_error")
    if named:
        error: type[MiniMaxError] = getattr(minimax_core, named)
        return error
    return MiniMaxError if is_error(transcript) else None


def is_error(transcript: Transcript) -> bool:
    """Whether the endpoint refused: an HTTP error, or a non-zero `base_resp` anywhere."""
    if transcript.status >= 400:
        return True
    text = transcript.response.decode("utf-8", "replace")
    payloads = (
        [text]
        if not transcript.streamed
        else [line[5:] for line in text.splitlines() if line.startswith("data:")]
    )
    for payload in payloads:
        try:
            data = json.loads(payload)
        except ValueError:
            continue
        if isinstance(data, Mapping):
            base = data.get("base_resp")
            if isinstance(base, Mapping) and base.get("status_code"):
                return True
            if isinstance(data.get("error"), Mapping):
                return True
    return False


def _tools(transcript: Transcript) -> list[dict[str, Any]]:
    tools = transcript.request_body.get("tools")
    return list(tools) if isinstance(tools, list) else []


def _tool_names(transcript: Transcript) -> set[str] | None:
    names = {t["function"]["name"] for t in _tools(transcript) if "function" in t}
    return names or None


def _model(transcript: Transcript) -> str:
    return str(transcript.request_body.get("model") or "MiniMax-M2.7")


def _check_follow_up(served: Served, transcript: Transcript) -> None:
    sent = assistant_turns(served.requests[-1])
    assert len(sent) == 1, f"expected the answer back in the follow-up, got {sent}"
    expected = expected_replay(transcript.content_type, transcript.response)
    if expected:
        assert_replayed(sent[0], expected)


def replay_langchain(transcript: Transcript) -> None:
    """The transcript's answer through `ChatMiniMax`, invoked or streamed as it was recorded."""
    from langchain_core.messages import HumanMessage, ToolMessage, message_chunk_to_message

    from langchain_minimax import ChatMiniMax

    served = Served(transcript)
    sync_client, async_client = served.clients()
    llm: Any = ChatMiniMax(
        model=_model(transcript),
        api_key="replay-key",
        base_url=REPLAY_URL,
        max_retries=0,
        reasoning_split=transcript.request_body.get("reasoning_split"),
        http_client=sync_client,
        http_async_client=async_client,
    )
    if _tools(transcript):
        llm = llm.bind_tools(_tools(transcript))
    history: list[Any] = [HumanMessage("replayed question")]
    error = expected_error(transcript)
    if error is not None:
        with pytest.raises(error):
            _langchain_call(llm, history, transcript.streamed)
        return
    message = _langchain_call(llm, history, transcript.streamed)
    message = message_chunk_to_message(message)
    assert_langchain_message(
        message,
        view_of(transcript.content_type, transcript.response),
        tool_names=_tool_names(transcript),
    )
    history.append(message)
    history += [ToolMessage("a result", tool_call_id=c["id"]) for c in message.tool_calls]
    history.append(HumanMessage("next question"))
    _langchain_call(llm, history, transcript.streamed)
    _check_follow_up(served, transcript)


def _langchain_call(llm: Any, history: list[Any], streamed: bool) -> Any:
    if not streamed:
        return llm.invoke(history)
    full = None
    for chunk in llm.stream(history):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


def replay_llamaindex(transcript: Transcript) -> None:
    """The transcript's answer through LlamaIndex `MiniMax`, invoked or streamed."""
    from llama_index.core.base.llms.types import ToolCallBlock
    from llama_index.core.llms import ChatMessage

    from llamaindex_minimax import MiniMax

    served = Served(transcript)
    sync_client, async_client = served.clients()
    llm = MiniMax(
        model=_model(transcript),
        api_key="replay-key",
        base_url=REPLAY_URL,
        max_retries=0,
        reasoning_split=transcript.request_body.get("reasoning_split"),
        http_client=sync_client,
        async_http_client=async_client,
    )
    options: dict[str, Any] = {"tools": _tools(transcript)} if _tools(transcript) else {}
    history = [ChatMessage(role="user", content="replayed question")]
    error = expected_error(transcript)
    if error is not None:
        with pytest.raises(error):
            _llamaindex_call(llm, history, transcript.streamed, options)
        return
    response = _llamaindex_call(llm, history, transcript.streamed, options)
    assert_llamaindex_response(
        response,
        view_of(transcript.content_type, transcript.response),
        tool_names=_tool_names(transcript),
    )
    history.append(response.message)
    for block in response.message.blocks:
        if isinstance(block, ToolCallBlock):
            history.append(
                ChatMessage(
                    role="tool",
                    content="a result",
                    additional_kwargs={"tool_call_id": block.tool_call_id},
                )
            )
    history.append(ChatMessage(role="user", content="next question"))
    _llamaindex_call(llm, history, transcript.streamed, options)
    _check_follow_up(served, transcript)


def _llamaindex_call(llm: Any, history: list[Any], streamed: bool, options: dict[str, Any]) -> Any:
    if not streamed:
        return llm.chat(history, **options)
    chunks = list(llm.stream_chat(history, **options))
    assert chunks, "the stream gave no chunk"
    return chunks[-1]
