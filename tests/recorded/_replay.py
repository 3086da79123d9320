"""Replay a recorded transcript through the core and both adapters; check the live guarantees.

The recorded answer bytes are served by an `httpx.MockTransport` for every request, so a client
parses exactly what the endpoint sent. Then the turn goes back in a follow-up request, which
must carry its reasoning as it came (read from the raw bytes, not through the core). Each runner
replays a transcript invoked or streamed, as it was recorded, on the sync or the async client
(`MODES`), with default settings at the base URL the endpoint's users have (`base_url_for`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Literal, TypeVar

import httpx
import pytest

import minimax_core
from minimax_core import MiniMaxError
from minimax_core.probe import WireView
from minimax_core.recording import Transcript
from minimax_core.replay import assistant_message
from tests.guarantees import (
    assert_core_completion,
    assert_langchain_message,
    assert_llamaindex_response,
    assert_replayed,
    assistant_turns,
    expected_replay,
    view_of,
)

REPLAY_URL = "http://replay.invalid/v1"
"""Where a self-hosted server's answers are replayed: a host that is not MiniMax's."""


def base_url_for(transcript: Transcript) -> str:
    """The base URL a user of the recording's endpoint has, with nothing else set.

    `think_prefill="auto"` decides by the host, as it does for them: MiniMax's own API never
    leaves the think block unopened, any other server may. So MiniMax's answers (the live API,
    the local server's `minimax` dialect, the quirks seen on MiniMax's API) replay against
    `DEFAULT_BASE_URL`, a self-hosted server's against `REPLAY_URL`. The transport is a mock
    either way: nothing leaves the process.
    """
    minimax = (
        transcript.source.startswith("live-minimax")
        or (transcript.source == "local-server" and transcript.meta.get("dialect") == "minimax")
        or str(transcript.meta.get("quirk", "")).startswith("MiniMax's API")
    )
    return minimax_core.DEFAULT_BASE_URL if minimax else REPLAY_URL


Mode = Literal["sync", "async"]
MODES: tuple[Mode, ...] = ("sync", "async")

_T = TypeVar("_T")


Calls = Callable[[Callable[[], _T], Callable[[], Awaitable[_T]]], _T]


@contextlib.contextmanager
def _calls(mode: Mode) -> Iterator[Calls[Any]]:
    """Makes a replay's calls on the sync client, or on the async one on a loop of its own."""
    if mode == "sync":
        yield lambda sync, _asynchronous: sync()
        return
    loop = asyncio.new_event_loop()
    try:
        yield lambda _sync, asynchronous: loop.run_until_complete(asynchronous())
    finally:
        loop.close()


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


def _first_answer(transcript: Transcript, call: Callable[[], _T]) -> _T | None:
    """The first call's answer; `None` once the error the transcript expects was raised."""
    error = expected_error(transcript)
    if error is None:
        return call()
    with pytest.raises(error):
        call()
    return None


def _view(transcript: Transcript) -> WireView:
    return view_of(transcript.content_type, transcript.response)


def _check_follow_up(served: Served, transcript: Transcript) -> None:
    sent = assistant_turns(served.requests[-1])
    assert len(sent) == 1, f"expected the answer back in the follow-up, got {sent}"
    expected = expected_replay(transcript.content_type, transcript.response)
    if expected:
        assert_replayed(sent[0], expected)


def core_answer(transcript: Transcript) -> Any:
    """The core's `Completion` of the transcript's answer, or the `MiniMaxError` it raised."""
    client, _ = _core_clients(Served(transcript))
    body = {**_core_request(transcript), "messages": [{"role": "user", "content": "q"}]}
    try:
        return _core_stream(client, body) if transcript.streamed else client.create(body)
    except MiniMaxError as exc:
        return exc


def _core_clients(served: Served) -> tuple[Any, Any]:
    """A `MiniMaxClient` and an `AsyncMiniMaxClient` on the served bytes, retrying nothing."""
    from minimax_core import AsyncMiniMaxClient, MiniMaxClient

    sync_http, async_http = served.clients()
    settings: dict[str, Any] = {
        "api_key": "replay-key",
        "base_url": base_url_for(served.transcript),
        "max_retries": 0,
    }
    return (
        MiniMaxClient(**settings, http_client=sync_http),
        AsyncMiniMaxClient(**settings, http_client=async_http),
    )


def _core_request(transcript: Transcript) -> dict[str, Any]:
    request: dict[str, Any] = {"model": _model(transcript)}
    if _tools(transcript):
        request["tools"] = _tools(transcript)
    if transcript.request_body.get("reasoning_split") is not None:
        request["reasoning_split"] = transcript.request_body["reasoning_split"]
    return request


def replay_core(transcript: Transcript, mode: Mode = "sync") -> None:
    """The transcript's answer through `MiniMaxClient` / `AsyncMiniMaxClient`."""
    served = Served(transcript)
    client, aclient = _core_clients(served)
    request = _core_request(transcript)
    messages: list[dict[str, Any]] = [{"role": "user", "content": "replayed question"}]

    def call() -> Any:
        body = {**request, "messages": messages}
        if not transcript.streamed:
            return calls(lambda: client.create(body), lambda: aclient.create(body))
        return calls(lambda: _core_stream(client, body), lambda: _core_astream(aclient, body))

    with _calls(mode) as calls:
        completion = _first_answer(transcript, call)
        if completion is None:
            return
        assert_core_completion(completion, _view(transcript), tool_names=_tool_names(transcript))
        wire_calls = [c.to_wire() for c in completion.tool_calls]
        messages.append(assistant_message(completion.text, wire_calls, completion.replay))
        messages += [
            {"role": "tool", "tool_call_id": c.id, "content": "a result"}
            for c in completion.tool_calls
        ]
        messages.append({"role": "user", "content": "next question"})
        call()
    _check_follow_up(served, transcript)


def _core_stream(client: Any, body: dict[str, Any]) -> Any:
    with client.stream(body) as stream:
        deltas = list(stream)
    assert deltas, "the stream gave no delta"
    return stream.completion


async def _core_astream(client: Any, body: dict[str, Any]) -> Any:
    stream = await client.stream(body)
    try:
        deltas = [delta async for delta in stream]
    finally:
        await stream.aclose()
    assert deltas, "the stream gave no delta"
    return stream.completion


def replay_langchain(transcript: Transcript, mode: Mode = "sync") -> None:
    """The transcript's answer through `ChatMiniMax`, invoked or streamed as it was recorded."""
    from langchain_core.messages import HumanMessage, ToolMessage, message_chunk_to_message

    from langchain_minimax import ChatMiniMax

    served = Served(transcript)
    sync_client, async_client = served.clients()
    llm: Any = ChatMiniMax(
        model=_model(transcript),
        api_key="replay-key",
        base_url=base_url_for(transcript),
        max_retries=0,
        reasoning_split=transcript.request_body.get("reasoning_split"),
        http_client=sync_client,
        http_async_client=async_client,
    )
    if _tools(transcript):
        llm = llm.bind_tools(_tools(transcript))
    history: list[Any] = [HumanMessage("replayed question")]

    def call() -> Any:
        if not transcript.streamed:
            return calls(lambda: llm.invoke(history), lambda: llm.ainvoke(history))
        return calls(lambda: _merged(llm.stream(history)), lambda: _amerged(llm.astream(history)))

    with _calls(mode) as calls:
        answer = _first_answer(transcript, call)
        if answer is None:
            return
        message: Any = message_chunk_to_message(answer)
        assert_langchain_message(message, _view(transcript), tool_names=_tool_names(transcript))
        history.append(message)
        history += [ToolMessage("a result", tool_call_id=c["id"]) for c in message.tool_calls]
        history.append(HumanMessage("next question"))
        call()
    _check_follow_up(served, transcript)


def _merged(chunks: Any) -> Any:
    full = None
    for chunk in chunks:
        full = chunk if full is None else full + chunk
    assert full is not None, "the stream gave no chunk"
    return full


async def _amerged(chunks: Any) -> Any:
    full = None
    async for chunk in chunks:
        full = chunk if full is None else full + chunk
    assert full is not None, "the stream gave no chunk"
    return full


def replay_llamaindex(transcript: Transcript, mode: Mode = "sync") -> None:
    """The transcript's answer through LlamaIndex `MiniMax`, invoked or streamed."""
    from llama_index.core.base.llms.types import ToolCallBlock
    from llama_index.core.llms import ChatMessage

    from llamaindex_minimax import MiniMax

    served = Served(transcript)
    sync_client, async_client = served.clients()
    llm = MiniMax(
        model=_model(transcript),
        api_key="replay-key",
        base_url=base_url_for(transcript),
        max_retries=0,
        reasoning_split=transcript.request_body.get("reasoning_split"),
        http_client=sync_client,
        async_http_client=async_client,
    )
    options: dict[str, Any] = {"tools": _tools(transcript)} if _tools(transcript) else {}
    history = [ChatMessage(role="user", content="replayed question")]

    def call() -> Any:
        if not transcript.streamed:
            return calls(
                lambda: llm.chat(history, **options), lambda: llm.achat(history, **options)
            )
        return calls(
            lambda: _last(llm.stream_chat(history, **options)),
            lambda: _alast(llm.astream_chat(history, **options)),
        )

    with _calls(mode) as calls:
        response = _first_answer(transcript, call)
        if response is None:
            return
        assert_llamaindex_response(response, _view(transcript), tool_names=_tool_names(transcript))
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
        call()
    _check_follow_up(served, transcript)


def _last(responses: Any) -> Any:
    chunks = list(responses)
    assert chunks, "the stream gave no chunk"
    return chunks[-1]


async def _alast(responses: Awaitable[Any]) -> Any:
    chunks = [chunk async for chunk in await responses]
    assert chunks, "the stream gave no chunk"
    return chunks[-1]
