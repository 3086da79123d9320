"""ChatMiniMax and MiniMax-M3 media: every documented limit refused before the network with the
way out, and videos over the inline limit sent through the Files API."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage

import minimax_core as mm
from langchain_minimax import ChatMiniMax, MiniMaxRequestValidationError
from minimax_server import MiniMaxServer

from .._media_cases import BODY_LIMIT, CASES, MB, Case, body_size, sparse_video

QUESTION = {"type": "text", "text": "What is in it?"}


def block(case: Case) -> dict[str, Any]:
    """The case as a LangChain v1 `image` / `video` content block."""
    content: dict[str, Any] = {"type": case.kind, **case.options}
    if case.url is not None:
        content["url"] = case.url
    else:
        content["base64"] = base64.b64encode(case.data).decode()
        content["mime_type"] = case.mime
    return content


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_documented_limits(
    case: Case, make_llm: Callable[..., ChatMiniMax], minimax_server: MiniMaxServer
) -> None:
    llm = make_llm(model="MiniMax-M3")
    message = HumanMessage(content=[block(case), QUESTION])
    if not case.refused:
        assert llm.invoke([message]).content
        assert len(minimax_server.requests) == 1
        return
    with pytest.raises(MiniMaxRequestValidationError) as refused:
        llm.invoke([message])
    for phrase in case.refused:
        assert phrase in str(refused.value)
    assert minimax_server.requests == []


def test_the_whole_body_limit(
    make_llm: Callable[..., ChatMiniMax], minimax_server: MiniMaxServer
) -> None:
    llm = make_llm(model="MiniMax-M3")
    nine_mb = {"type": "image", "base64": "A" * (12 * MB), "mime_type": "image/png"}

    def messages(last: int, pad: int) -> list[BaseMessage]:
        last_image = {"type": "image", "base64": "A" * last, "mime_type": "image/png"}
        text = {"type": "text", "text": "x" * pad}
        return [HumanMessage(content=[*[nine_mb] * 5, last_image, text])]

    # Built as `invoke` builds it, without sending 64 MB to the server: what matters is that
    # the body at the limit is not refused locally and the one past it is.
    probe = llm._request_body(messages(4, 1), None, False)
    room = BODY_LIMIT - body_size(probe)
    last = 4 + room // 4 * 4
    assert body_size(llm._request_body(messages(last, 1 + room % 4), None, False)) == BODY_LIMIT
    with pytest.raises(MiniMaxRequestValidationError, match="at most 64 MB per request"):
        llm.invoke(messages(last, 2 + room % 4))
    assert minimax_server.requests == []


async def test_a_55_mb_video_goes_through_the_files_api(
    make_llm: Callable[..., ChatMiniMax], minimax_server: MiniMaxServer, tmp_path: Path
) -> None:
    llm = make_llm(model="MiniMax-M3")
    path = sparse_video(tmp_path, 55 * MB)
    inline = {"type": "video", "base64": "A" * (55 * MB // 3 * 4), "mime_type": "video/mp4"}
    with pytest.raises(MiniMaxRequestValidationError, match="upload it with the Files API"):
        llm.invoke([HumanMessage(content=[inline, QUESTION])])

    video = llm.files.upload(path)
    assert video.bytes == 55 * MB
    blocks: list[dict[str, Any]] = [
        {"type": "video", "file_id": video.file_id, "fps": 0.5},
        {"type": "video", "url": video.url},
        {"type": "file", "file_id": video.file_id},
        {"type": "video", "source_type": "id", "id": video.file_id},
        {"type": "video_url", "video_url": {"url": video.url, "detail": "low"}},
    ]
    for content in blocks:
        answer = await llm.ainvoke([HumanMessage(content=[content, QUESTION])])
        assert answer.content
        sent = minimax_server.requests[-1].body["messages"][0]["content"][0]
        assert sent["type"] == "video_url"
        assert sent["video_url"]["url"] == video.url
    assert llm.files.list() == [video]
    llm.files.delete(video)
    with pytest.raises(mm.BadRequestError, match="file not found"):
        llm.invoke([HumanMessage(content=[blocks[0], QUESTION])])


def source(data: bytes) -> dict[str, Any]:
    """An Anthropic-style base64 source with no media type (LangChain's own v1 `base64`
    blocks must name one: LangChain refuses them otherwise)."""
    return {"source": {"type": "base64", "data": base64.b64encode(data).decode()}}


def test_base64_without_a_type_is_typed_from_its_bytes(
    make_llm: Callable[..., ChatMiniMax], minimax_server: MiniMaxServer
) -> None:
    png = source(b"\x89PNG\r\n\x1a\n" + bytes(64))
    mov = source(b"\0\0\0\x14ftypqt  " + bytes(64))
    llm = make_llm(model="MiniMax-M3")
    llm.invoke([HumanMessage(content=[{"type": "image", **png}, QUESTION])])
    llm.invoke([HumanMessage(content=[{"type": "video", **mov}, QUESTION])])
    first, second = (r.body["messages"][0]["content"][0] for r in minimax_server.requests)
    assert first["image_url"]["url"].startswith("data:image/png;base64,")
    assert second["video_url"]["url"].startswith("data:video/mov;base64,")
    bmp = source(b"BM" + bytes(64))
    with pytest.raises(MiniMaxRequestValidationError, match="image/bmp"):
        llm.invoke([HumanMessage(content=[{"type": "image", **bmp}, QUESTION])])


def test_a_document_file_block_is_still_refused(make_llm: Callable[..., ChatMiniMax]) -> None:
    llm = make_llm(model="MiniMax-M3")
    document = {"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf"}
    with pytest.raises(MiniMaxRequestValidationError, match="takes text, images and video only"):
        llm.invoke([HumanMessage(content=[document, QUESTION])])
