"""HTTP dispatch: route one request, answer a chat completion as JSON or as an SSE stream."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ._control import control
from ._errors import STATUS_MESSAGES, api_error_body, error_body
from ._faults import RequestFaults
from ._http import ChunkedWriter, HttpRequest, send_json
from ._media import check_media
from ._model import ChatRequest, Reply, ReplyCall, apply_limits, decide
from ._state import ServerState
from ._types import KNOWN_MODELS, ScriptedReply
from ._validate import ApiError, check_strict, parse_request
from ._wire import Rendered, render

__all__ = ["dispatch"]


async def dispatch(
    state: ServerState,
    request: HttpRequest,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> bool:
    """Answer one request; False when the connection must close."""
    keep = request.keep_alive
    path = request.path.rstrip("/") or "/"
    if path.startswith("/_control/"):
        status, body = control(state, request.method, path, request.body)
        await send_json(writer, status, body, keep_alive=keep)
        return keep
    if path.startswith("/v1/files/"):
        return await state.files.handle(
            request,
            reader,
            writer,
            api_key=state.api_key,
            faults=list(state.faults.take(True).by_kind.values()),
            record=lambda data: state.record(request, data, False),
        )
    if path == "/v1/chat/completions":
        if request.method != "POST":
            await send_json(writer, 405, error_body(405, "method not allowed"), keep_alive=keep)
            return keep
        return await _chat(state, request, reader, writer)
    if path == "/v1/models" and request.method == "GET":
        refused = _auth_error(state, request)
        if refused is not None:
            await send_json(writer, 401, api_error_body(refused), keep_alive=keep)
            return keep
        models = [{"id": m, "object": "model", "owned_by": "minimax"} for m in KNOWN_MODELS]
        await send_json(writer, 200, {"object": "list", "data": models}, keep_alive=keep)
        return keep
    if path in ("/", "/health"):
        await send_json(writer, 200, {"status": "ok"}, keep_alive=keep)
        return keep
    await send_json(writer, 404, error_body(404, f"not found: {path}"), keep_alive=keep)
    return keep


_WRONG_KEY = (
    "login fail: invalid api key: the key in the 'Authorization' header is not this server's"
)


def _auth_error(state: ServerState, request: HttpRequest) -> ApiError | None:
    """MiniMax's 401 (code 1004) when the key is missing or wrong, saying which of the two."""
    authorization = request.headers.get("authorization", "")
    if authorization == f"Bearer {state.api_key}":
        return None
    sent = authorization.startswith("Bearer ") and authorization[7:].strip()
    message = _WRONG_KEY if sent else STATUS_MESSAGES[1004]
    return ApiError(401, message, 1004, "authorized_error")


async def _chat(
    state: ServerState,
    request: HttpRequest,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> bool:
    keep = request.keep_alive
    try:
        body: Any = json.loads(request.body or b"null")
    except ValueError:
        body = None
    stream = isinstance(body, dict) and bool(body.get("stream"))
    state.record(request, body if isinstance(body, dict) else {}, stream)

    async def fail(error: ApiError) -> bool:
        payload = api_error_body(error)
        await send_json(writer, error.status, payload, keep_alive=keep, headers=error.headers)
        return keep

    refused = _auth_error(state, request)
    if refused is not None:
        return await fail(refused)
    # The rate-limit mode answers beyond its limits as MiniMax does, through the fault answers.
    counted, refusal = state.rate_gate.enter()
    try:
        faults = RequestFaults({refusal.kind: refusal}) if refusal else state.faults.take(stream)
        return await _answer(state, request, body, faults, reader, writer, fail)
    finally:
        if counted:
            state.rate_gate.leave()


async def _answer(
    state: ServerState,
    request: HttpRequest,
    body: Any,
    faults: RequestFaults,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    fail: Callable[[ApiError], Awaitable[bool]],
) -> bool:
    keep = request.keep_alive
    dialect = state.dialect
    fault_error = faults.error()
    if fault_error is not None:
        return await fail(fault_error)
    fault_body = faults.base_resp_body(body)
    if fault_body is not None:
        await send_json(writer, 200, fault_body, keep_alive=keep)
        return keep
    try:
        chat = parse_request(body, any_model=state.accepts_any_model())
        check_media(body, len(request.body), state.files.store)
        if state.strict:
            check_strict(chat.messages, state.memory)
    except ApiError as error:
        return await fail(error)

    scripted = state.next_reply()
    reply = _scripted(scripted) if scripted is not None else apply_limits(chat, decide(chat))
    prompt_tokens, cached = state.prompt_usage(chat)
    rendered = render(
        dialect,
        chat,
        reply,
        prompt_tokens=prompt_tokens,
        cached_tokens=cached,
        options=faults.stream_options(),
    )
    state.memory.remember(rendered.produced)
    headers = {"Trace-Id": uuid.uuid4().hex} if dialect == "minimax" else {}
    if not chat.stream:
        await send_json(writer, 200, rendered.body, keep_alive=keep, headers=headers)
        return keep
    return await _stream(state, chat, rendered, faults, reader, writer, keep, headers)


async def _stream(
    state: ServerState,
    chat: ChatRequest,
    rendered: Rendered,
    faults: RequestFaults,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    keep: bool,
    headers: dict[str, str],
) -> bool:
    events = faults.stream_events(
        rendered,
        include_usage=chat.include_usage,
        send_done=state.ends_with_done(),
        dialect=state.dialect,
    )
    out = ChunkedWriter(writer, keep_alive=keep)
    await out.start(headers)
    for sent, event in enumerate(events):
        if faults.before_event("drop_mid_stream", sent) is not None:
            writer.transport.abort()
            return False
        stall = faults.before_event("stall", sent)
        if stall is not None:
            if stall.hang:
                # Hang until the client gives up (EOF) or the server stops.
                while await reader.read(65536):
                    pass
                return False
            await asyncio.sleep(stall.seconds)
        error = faults.before_event("sse_error_frame", sent)
        if error is not None:
            await out.event(faults.error_event(rendered, error))
            await out.end()
            return keep
        if state.chunk_delay and sent:
            await asyncio.sleep(state.chunk_delay)
        await out.event(event)
    await out.end()
    return keep


def _scripted(reply: ScriptedReply) -> Reply:
    """The model's reply for a scripted one: its text, calls and reasoning, exactly."""
    calls = [
        ReplyCall(
            c.name,
            c.arguments
            if isinstance(c.arguments, str)
            else json.dumps(c.arguments, ensure_ascii=False),
            c.id,
        )
        for c in reply.tool_calls
    ]
    finish = reply.finish_reason or ("tool_calls" if calls else "stop")
    reasoning = reply.reasoning
    if reasoning is None:
        reasoning = "The reply to this request was scripted by the test. I will send it exactly."
    return Reply(reasoning=reasoning, text=reply.text, tool_calls=calls, finish_reason=finish)
