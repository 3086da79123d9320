"""Recorded transcripts: every one under tests/fixtures/recorded/ replays through the core and
both adapters, on the sync and the async client.

Transcripts come from `RECORD=1 make test-live` against a real endpoint, or from the local
server (`python -m tests.recorded.record_local`, file names starting with `local-server-`),
from llama.cpp's real server (`make test-engine`, `llama-cpp-`), or are stream quirks written by
hand (`quirk-`, whose exact core results `tests/core/test_stream_fixtures.py` asserts).
The recorder itself is tested here by recording from the local server and replaying that.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from minimax_core import MiniMaxError
from minimax_core.recording import (
    REDACTED_ID,
    TRANSCRIPT_FORMAT,
    Recorder,
    Transcript,
    load_transcript,
    load_transcripts,
)
from minimax_server import DIALECTS, Fault, MiniMaxServer

from ._replay import (
    MODES,
    REPLAY_URL,
    Mode,
    base_url_for,
    core_answer,
    replay_core,
    replay_langchain,
    replay_llamaindex,
)
from .record_local import DEFAULT_DIRECTORY, record_dialect

TRANSCRIPTS = load_transcripts(DEFAULT_DIRECTORY)


def test_there_are_transcripts_for_every_dialect() -> None:
    recorded = {t.meta.get("dialect") for t in TRANSCRIPTS if t.source == "local-server"}
    assert set(DIALECTS) <= recorded
    for transcript in TRANSCRIPTS:
        if transcript.source == "local-server":
            assert transcript.name.startswith("local-server-")


def test_minimax_answers_replay_where_a_minimax_user_points() -> None:
    """With defaults, as their users have them: MiniMax's answers at MiniMax's host."""
    at_minimax = {t.name for t in TRANSCRIPTS if base_url_for(t) != REPLAY_URL}
    minimax_dialect = {t.name for t in TRANSCRIPTS if t.meta.get("dialect") == "minimax"}
    assert minimax_dialect and minimax_dialect <= at_minimax
    assert {"quirk-split-reasoning.json", "quirk-inline-think.json"} <= at_minimax
    assert not any(t.source == "llama-cpp" for t in TRANSCRIPTS if t.name in at_minimax)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.name)
def test_replays_through_the_core(transcript: Transcript, mode: Mode) -> None:
    replay_core(transcript, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.name)
def test_replays_through_langchain(transcript: Transcript, mode: Mode) -> None:
    replay_langchain(transcript, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda t: t.name)
def test_replays_through_llamaindex(transcript: Transcript, mode: Mode) -> None:
    replay_llamaindex(transcript, mode)


RECORDED_BOTH_WAYS = [
    (t, s)
    for t in TRANSCRIPTS
    for s in TRANSCRIPTS
    if "-invoke-" in t.name and s.name == t.name.replace("-invoke-", "-stream-")
]


def test_every_local_recording_is_made_both_ways() -> None:
    paired = {t.name for pair in RECORDED_BOTH_WAYS for t in pair}
    local = {t.name for t in TRANSCRIPTS if t.source in ("local-server", "llama-cpp")}
    assert local and local <= paired, sorted(local - paired)


@pytest.mark.parametrize(
    ("invoked", "streamed"), RECORDED_BOTH_WAYS, ids=lambda t: t.name.replace("-invoke", "")
)
def test_an_answer_recorded_both_ways_reads_the_same_both_ways(
    invoked: Transcript, streamed: Transcript
) -> None:
    """The same answer, invoked and streamed by the same endpoint, is the same turn in the core.

    The adapters' reading of a turn is the same invoked and streamed given the core's fold
    (`tests/test_convert_in_shared.py`); this is the step before it, from the bytes.
    """
    whole, folded = core_answer(invoked), core_answer(streamed)
    if isinstance(whole, MiniMaxError) or isinstance(folded, MiniMaxError):
        # An engine's parser may refuse the whole answer (HTTP 500) and cut the stream short.
        assert isinstance(whole, MiniMaxError) and isinstance(folded, MiniMaxError)
        return
    assert (folded.text, folded.reasoning) == (whole.text, whole.reasoning)
    assert [(c.name, c.args) for c in folded.tool_calls] == [
        (c.name, c.args) for c in whole.tool_calls
    ]
    assert folded.replay == whole.replay
    assert folded.finish_reason == whole.finish_reason


def test_record_from_the_local_server_then_replay(tmp_path: Path) -> None:
    written = record_dialect("vllm", tmp_path)
    assert len(written) == 4
    for transcript in load_transcripts(tmp_path):
        replay_core(transcript)
        replay_langchain(transcript)
        replay_llamaindex(transcript)


def test_transcripts_hold_no_key_no_headers_no_request_ids(tmp_path: Path) -> None:
    key = "sk-very-secret-key-123"
    with MiniMaxServer(api_key=key) as server:
        recorder = Recorder(tmp_path, source="test", secrets=[key])
        with httpx.Client(transport=recorder.transport()) as client:
            from langchain_minimax import ChatMiniMax

            llm = ChatMiniMax(api_key=key, base_url=server.base_url, http_client=client)
            llm.invoke(f"Repeat this: {key}")
            for _ in llm.stream("Hello"):
                pass
        ids = {_first_id(p) for p in recorder.written}
    assert len(recorder.written) == 2
    for path in recorder.written:
        text = path.read_text(encoding="utf-8")
        assert key not in text
        assert "Bearer" not in text and "authorization" not in text.lower()
        data = json.loads(text)
        assert data["format"] == TRANSCRIPT_FORMAT
        assert set(data["response"]) == {"status", "content_type", "text"}
    assert ids == {REDACTED_ID}


def _first_id(path: Path) -> str:
    transcript = load_transcript(path)
    raw = transcript.response.decode()
    if transcript.streamed:
        raw = raw.split("data:", 1)[1].split("\n", 1)[0]
    value = json.loads(raw)["id"]
    assert isinstance(value, str)
    return value


def test_error_answers_are_recorded_and_replay_as_errors(tmp_path: Path) -> None:
    with MiniMaxServer(api_key="k") as server:
        server.inject(Fault(kind="base_resp", code=1008))
        server.inject(Fault(kind="http_status", status=429))
        recorder = Recorder(tmp_path, source="test", secrets=["k"])
        with httpx.Client(transport=recorder.transport()) as client:
            from langchain_minimax import ChatMiniMax

            llm = ChatMiniMax(
                api_key="k", base_url=server.base_url, http_client=client, max_retries=0
            )
            for _ in range(2):
                with pytest.raises(MiniMaxError):
                    llm.invoke("Hi")
    transcripts = load_transcripts(tmp_path)
    assert sorted(t.status for t in transcripts) == [200, 429]
    for transcript in transcripts:
        replay_langchain(transcript)
        replay_llamaindex(transcript)


def test_a_dropped_reasoning_fails_the_replay_check(tmp_path: Path) -> None:
    """The check can fail: an adapter that drops the reasoning is caught."""
    from tests.guarantees import assert_replayed, expected_replay

    [transcript] = [
        t for t in TRANSCRIPTS if t.name.startswith("local-server-minimax-answer-invoke")
    ]
    expected = expected_replay(transcript.content_type, transcript.response)
    with pytest.raises(AssertionError):
        assert_replayed({"role": "assistant", "content": "an answer"}, expected)


async def test_async_clients_record_too(tmp_path: Path) -> None:
    from llamaindex_minimax import MiniMax

    with MiniMaxServer(api_key="k", dialect="sglang", strict=True) as server:
        recorder = Recorder(tmp_path, source="test", secrets=["k"], label=lambda: "async")
        async with httpx.AsyncClient(transport=recorder.async_transport()) as client:
            llm = MiniMax(api_key="k", base_url=server.base_url, async_http_client=client)
            from llama_index.core.llms import ChatMessage

            await llm.achat([ChatMessage(role="user", content="Hello")])
            async for _ in await llm.astream_chat([ChatMessage(role="user", content="Hi")]):
                pass
    assert [p.name for p in recorder.written] == ["test-async-001.json", "test-async-002.json"]
    transcripts = load_transcripts(tmp_path)
    assert [t.streamed for t in transcripts] == [False, True]
    for transcript in transcripts:
        replay_langchain(transcript)
        replay_llamaindex(transcript)
