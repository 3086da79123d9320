"""MiniMax (LlamaIndex) and MiniMax-M3 media: every documented limit refused before the
network with the way out, and videos over the inline limit sent through the Files API."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ContentBlock,
    ImageBlock,
    TextBlock,
    VideoBlock,
)

import minimax_core as mm
from llamaindex_minimax import file_block
from minimax_server import MiniMaxServer

from .._media_cases import BODY_LIMIT, CASES, MB, Case, body_size, sparse_video
from .conftest import LLMFactory

QUESTION = TextBlock(text="What is in it?")


def block(case: Case) -> ContentBlock:
    """The case as an `ImageBlock` / `VideoBlock`.

    `VideoBlock.fps` takes whole numbers only, so a fractional fps (MiniMax's 0.2 lower bound)
    is set without validation, as `file_block` does for uploaded videos.
    """
    options = dict(case.options)
    fps = options.pop("fps", None)
    if case.kind == "image":
        if case.url is not None:
            return ImageBlock(url=case.url, **options)
        return ImageBlock(image=case.data, image_mimetype=case.mime, **options)
    if case.url is not None:
        video = VideoBlock(url=case.url, **options)
    else:
        video = VideoBlock(video=case.data, video_mimetype=case.mime, **options)
    if fps is not None:
        video = video.model_copy(update={"fps": fps})
    return video


def ask(*blocks: ContentBlock) -> list[ChatMessage]:
    return [ChatMessage(role="user", blocks=[*blocks, QUESTION])]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_documented_limits(case: Case, make_llm: LLMFactory, server: MiniMaxServer) -> None:
    llm = make_llm(model="MiniMax-M3")
    messages = ask(block(case))
    if not case.refused:
        assert llm.chat(messages).message.content
        assert len(server.requests) == 1
        return
    with pytest.raises(mm.RequestValidationError) as refused:
        llm.chat(messages)
    for phrase in case.refused:
        assert phrase in str(refused.value)
    assert server.requests == []


def test_the_whole_body_limit(make_llm: LLMFactory, server: MiniMaxServer) -> None:
    llm = make_llm(model="MiniMax-M3")
    nine_mb = ImageBlock(image=bytes(9 * MB), image_mimetype="image/png")

    def messages(last: int, pad: int) -> list[ChatMessage]:
        last_image = ImageBlock(image=bytes(last), image_mimetype="image/png")
        return [
            ChatMessage(role="user", blocks=[*[nine_mb] * 5, last_image, TextBlock(text="x" * pad)])
        ]

    # Built as `chat` builds it, without sending 64 MB to the server.
    probe = llm._request(messages(3, 1), stream=False)
    room = BODY_LIMIT - body_size(probe)
    last = 3 + room // 4 * 3
    assert body_size(llm._request(messages(last, 1 + room % 4), stream=False)) == BODY_LIMIT
    with pytest.raises(mm.RequestValidationError, match="at most 64 MB per request"):
        llm.chat(messages(last, 2 + room % 4))
    assert server.requests == []


def test_a_video_file_over_the_limit_is_refused_before_it_is_read(
    make_llm: LLMFactory, server: MiniMaxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sparse_video(tmp_path, 50 * MB + 1)
    video = VideoBlock(path=path, video_mimetype="video/mp4")

    def no_reading(*args: Any) -> None:
        raise AssertionError("the video was read although its size alone refuses it")

    monkeypatch.setattr("llamaindex_minimax._messages_out.base64.b64encode", no_reading)
    with pytest.raises(mm.RequestValidationError, match="upload it with the Files API"):
        make_llm(model="MiniMax-M3").chat(ask(video))
    assert server.requests == []


async def test_a_55_mb_video_goes_through_the_files_api(
    make_llm: LLMFactory, server: MiniMaxServer, tmp_path: Path
) -> None:
    llm = make_llm(model="MiniMax-M3")
    path = sparse_video(tmp_path, 55 * MB)
    with pytest.raises(mm.RequestValidationError, match=r"this video is 55\.0 MB"):
        await llm.achat(ask(VideoBlock(path=path, video_mimetype="video/mp4")))

    video = llm.files.upload(path)
    assert video.bytes == 55 * MB
    for content in (
        file_block(video, fps=0.5),
        file_block(video.file_id, detail="low"),
        file_block(video.url),
        VideoBlock.model_construct(url=video.url),
        ImageBlock.model_construct(url=video.url),
    ):
        answer = await llm.achat(ask(content))
        assert answer.message.content
        sent = server.requests[-1].body["messages"][0]["content"][0]
        kind = "image_url" if isinstance(content, ImageBlock) else "video_url"
        assert sent[kind]["url"] == video.url
    first = server.requests[-5].body["messages"][0]["content"][0]["video_url"]
    assert first == {"url": video.url, "fps": 0.5}
    assert llm.files.list() == [video]
    llm.files.delete(video)
    with pytest.raises(mm.BadRequestError, match="file not found"):
        await llm.achat(ask(file_block(video)))


def test_quicktime_is_sent_as_mov_and_an_untyped_video_is_typed_from_its_bytes(
    make_llm: LLMFactory, server: MiniMaxServer
) -> None:
    llm = make_llm(model="MiniMax-M3")
    llm.chat(ask(VideoBlock(video=bytes(32), video_mimetype="video/quicktime")))
    mp4 = b"\0\0\0\x18ftypisom" + bytes(32)
    llm.chat(ask(VideoBlock.model_construct(video=base64.b64encode(mp4))))
    first, second = (
        r.body["messages"][0]["content"][0]["video_url"]["url"] for r in server.requests
    )
    assert first.startswith("data:video/mov;base64,")
    assert second.startswith("data:video/mp4;base64,")
