"""A server that sends a tool call's id late: not on the call's first piece, but on the next.

The core gives every call its id on its first piece (the server's, or one it mints) and keeps
it; an id the server sends later is recorded in `Completion.metadata["late_tool_call_ids"]`,
never swapped in. So both adapters, streamed and invoked, show one id per call, the same in
every chunk, in the merged message and in the finished turn.
"""

from __future__ import annotations

import operator
import re
from functools import reduce
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk

import minimax_core as mm
from langchain_minimax._messages_in import ChunkBuilder, completion_to_message
from llamaindex_minimax._messages_in import ChatStreamAccumulator, tool_selections
from minimax_server import Fault, MiniMaxServer

from ._drivers import TOOL_PROMPT, Driver, each_driver, over
from ._support import MODEL
from .test_adapter_reliability import Make, make  # noqa: F401  (the fixture)

MINTED = re.compile(r"call_[0-9a-f]{24}")  # `minimax_core.replay.new_tool_call_id`
SERVER = re.compile(r"call_function_[0-9a-z]{12}_\d+")  # the local server's MiniMax-style ids


def _tool(name: str) -> dict[str, Any]:
    parameters = {"type": "object", "properties": {"city": {"type": "string"}}}
    return {"type": "function", "function": {"name": name, "parameters": parameters}}


def test_one_late_id_stream_through_the_core_and_both_converters(
    minimax_server: MiniMaxServer,
) -> None:
    minimax_server.inject(Fault(kind="late_tool_call_id"))
    request = mm.build_request(
        [{"role": "user", "content": TOOL_PROMPT}],
        model=MODEL,
        stream=True,
        tools=[_tool("get_weather"), _tool("get_time")],
    )
    builder = ChunkBuilder(MODEL)
    chunks: list[AIMessageChunk] = []
    responses = []
    with mm.MiniMaxClient(
        base_url=minimax_server.base_url, api_key=minimax_server.api_key
    ) as client:
        with client.stream(request) as stream:
            llamaindex = ChatStreamAccumulator(stream.turn)
            for delta in stream:
                for piece in delta.tool_calls:
                    assert piece.id is not None or piece.name is None  # id on the first piece
                chunks.append(builder.feed(delta).message)  # type: ignore[arg-type]
                responses.append(llamaindex.feed(delta))
        completion = stream.completion
    assert completion is not None
    chunks.append(builder.finish(completion).message)  # type: ignore[arg-type]
    final = llamaindex.finish(completion)

    ids = [call.id for call in completion.tool_calls]
    assert [call.name for call in completion.tool_calls] == ["get_weather", "get_time"]
    assert all(MINTED.fullmatch(call_id) for call_id in ids) and len(set(ids)) == 2
    late = completion.metadata["late_tool_call_ids"]
    assert list(late) == ids  # recorded, keyed by the id the call kept
    assert all(SERVER.fullmatch(sent) for sent in late.values())

    # LangChain: each call's id on its first chunk only; the merged message is the turn's.
    with_id = [(p["index"], p["id"]) for c in chunks for p in c.tool_call_chunks if p["id"]]
    assert with_id == list(enumerate(ids))
    merged = reduce(operator.add, chunks)
    assert merged.tool_calls == completion_to_message(completion, MODEL).tool_calls
    assert merged.response_metadata["late_tool_call_ids"] == late

    # LlamaIndex: every snapshot names the calls begun so far with those ids, as does the end.
    for response in responses:
        begun = [c["id"] for c in response.message.additional_kwargs.get("tool_calls", [])]
        assert begun == ids[: len(begun)]
    assert [s.tool_id for s in tool_selections(final, error_on_no_tool_call=True)] == ids
    assert final.raw is not None and final.raw["metadata"]["late_tool_call_ids"] == late


@pytest.mark.parametrize(("driver", "mode"), over("tool_stream_modes"))
async def test_streamed_calls_keep_the_id_of_their_first_piece(
    make: Make,  # noqa: F811
    minimax_server: MiniMaxServer,
    driver: Driver,
    mode: str,
) -> None:
    minimax_server.inject(Fault(kind="late_tool_call_id"))
    calls = await driver.tool_calls(make(driver, mode), mode)
    assert [name for name, _, _ in calls] == ["get_weather", "get_time"]
    ids = [call_id for _, _, call_id in calls]
    assert all(MINTED.fullmatch(call_id) for call_id in ids) and len(set(ids)) == 2


@pytest.mark.parametrize("driver", each_driver())
async def test_invoked_calls_keep_the_server_ids(
    make: Make,  # noqa: F811
    minimax_server: MiniMaxServer,
    driver: Driver,
) -> None:
    # A stream fault: a non-streamed answer is untouched and carries the server's ids.
    minimax_server.inject(Fault(kind="late_tool_call_id"))
    calls = await driver.tool_calls(make(driver), None)
    assert [name for name, _, _ in calls] == ["get_weather", "get_time"]
    assert all(SERVER.fullmatch(call_id) for _, _, call_id in calls)
