"""Forked workers (gunicorn `--preload`, Celery prefork, `multiprocessing`) never share a socket.

Each test warms the model's pools in the parent, so they hold kept-alive connections, then
forks. Parent and children all call the same model object; every process asks for a token of
its own, and every answer must quote that process's own token: an inherited connection shared
by two processes shows up as an error, a hang, or one process reading another's answer.
Children report through a file and are waited for with a deadline, so a hang fails the test
instead of blocking the run.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import minimax_core as mm
from langchain_minimax import ChatMiniMax
from llamaindex_minimax import MiniMax
from minimax_server import MiniMaxServer

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

CHILDREN = 4
CALLS = 4
DEADLINE = 90.0
"""Seconds all children together may take; only a hang comes near it."""


def token(process: int, call: int) -> str:
    return f"process-{process}-call-{call}"


def prompt(process: int, call: int) -> str:
    return f"Echo the token {token(process, call)}"


@dataclass(frozen=True)
class Driver:
    """One adapter's four ways to call a model, each returning the answer's text."""

    name: str
    make: Callable[[MiniMaxServer], Any]
    invoke: Callable[[Any, str], str]
    stream: Callable[[Any, str], str]
    ainvoke: Callable[[Any, str], Awaitable[str]]
    astream: Callable[[Any, str], Awaitable[str]]


async def _lc_astream(llm: ChatMiniMax, text: str) -> str:
    return "".join([str(chunk.content) async for chunk in llm.astream(text)])


async def _li_ainvoke(llm: MiniMax, text: str) -> str:
    return (await llm.acomplete(text)).text


async def _li_astream(llm: MiniMax, text: str) -> str:
    last = ""
    async for response in await llm.astream_complete(text):
        last = response.text
    return last


async def _lc_ainvoke(llm: ChatMiniMax, text: str) -> str:
    return str((await llm.ainvoke(text)).content)


def _li_stream(llm: MiniMax, text: str) -> str:
    last = ""
    for response in llm.stream_complete(text):
        last = response.text
    return last


DRIVERS = {
    "langchain": Driver(
        "langchain",
        lambda server: ChatMiniMax(
            base_url=server.base_url, api_key=server.api_key, max_retries=0, timeout=30
        ),
        lambda llm, text: str(llm.invoke(text).content),
        lambda llm, text: "".join(str(chunk.content) for chunk in llm.stream(text)),
        _lc_ainvoke,
        _lc_astream,
    ),
    "llamaindex": Driver(
        "llamaindex",
        lambda server: MiniMax(
            base_url=server.base_url, api_key=server.api_key, max_retries=0, timeout=30
        ),
        lambda llm, text: llm.complete(text).text,
        _li_stream,
        _li_ainvoke,
        _li_astream,
    ),
}
MODES = ("invoke", "stream", "ainvoke", "astream")


def run_calls(
    driver: Driver, model: Any, mode: str, process: int, loop: asyncio.AbstractEventLoop | None
) -> list[str]:
    """This process's calls: one after another (sync), or all at once on one loop (async)."""
    if mode in ("invoke", "stream"):
        call = getattr(driver, mode)
        return [call(model, prompt(process, n)) for n in range(CALLS)]
    acall = getattr(driver, mode)

    async def gather() -> list[str]:
        return list(await asyncio.gather(*(acall(model, prompt(process, n)) for n in range(CALLS))))

    if loop is None:
        return asyncio.run(gather())
    return loop.run_until_complete(gather())


def fork_children(work: Callable[[int], list[str]], out: Path) -> dict[int, int]:
    """Start `CHILDREN` forked children running `work(index)`; their pids by index."""
    pids: dict[int, int] = {}
    for index in range(1, CHILDREN + 1):
        pid = os.fork()
        if pid == 0:  # the child: report, then leave without running the parent's teardown
            status = 0
            try:
                payload: dict[str, Any] = {"answers": work(index)}
            except BaseException as exc:
                payload, status = {"error": f"{type(exc).__name__}: {exc}"}, 1
            (out / f"{index}.json").write_text(json.dumps(payload))
            os._exit(status)
        pids[index] = pid
    return pids


def wait_for(pids: dict[int, int], out: Path) -> dict[int, Any]:
    """Each child's report; a child still running at the deadline is killed and reported."""
    deadline = time.monotonic() + DEADLINE
    reports: dict[int, Any] = {}
    for index, pid in pids.items():
        while True:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                reports[index] = {"error": "hung past the deadline"}
                break
            time.sleep(0.02)
        report = out / f"{index}.json"
        if index not in reports:
            reports[index] = (
                json.loads(report.read_text()) if report.exists() else {"error": "no report"}
            )
    return reports


def assert_own_answers(process: int, answers: list[str]) -> None:
    assert len(answers) == CALLS
    for n, answer in enumerate(answers):
        others = [token(p, c) for p in range(CHILDREN + 1) for c in range(CALLS)]
        quoted = [t for t in others if f'"Echo the token {t}"' in answer]
        assert quoted == [token(process, n)], (process, n, answer)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(DRIVERS))
def test_forked_children_never_share_a_connection(
    adapter: str, mode: str, minimax_server: MiniMaxServer, tmp_path: Path
) -> None:
    driver = DRIVERS[adapter]
    model = driver.make(minimax_server)
    # Warm every pool the parent has: the sync one, and an async one on a loop that stays open
    # (as a server's loop would), so both hold kept-alive connections at the fork.
    loop = asyncio.new_event_loop()
    try:
        assert_own_answers(0, run_calls(driver, model, "invoke", 0, None))
        assert_own_answers(0, run_calls(driver, model, "ainvoke", 0, loop))
        before = minimax_server.connections_opened
        assert minimax_server.connections_open >= 2

        pids = fork_children(lambda index: run_calls(driver, model, mode, index, None), tmp_path)
        # The parent keeps calling on its warm pools while the children run.
        assert_own_answers(0, run_calls(driver, model, mode, 0, loop))
        reports = wait_for(pids, tmp_path)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    for index, report in reports.items():
        assert "error" not in report, (index, report)
        assert_own_answers(index, report["answers"])
    # Each child opened connections of its own (at least one).
    assert minimax_server.connections_opened - before >= CHILDREN


# --- multiprocessing, fork start method ------------------------------------------------------

_WORKER_MODEL: dict[str, Any] = {}


def _worker_calls(job: tuple[str, str, int]) -> tuple[int, int, list[str]]:
    adapter, mode, index = job
    model = _WORKER_MODEL[adapter]
    return index, os.getpid(), run_calls(DRIVERS[adapter], model, mode, index, None)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(DRIVERS))
def test_multiprocessing_fork_pool(adapter: str, mode: str, minimax_server: MiniMaxServer) -> None:
    driver = DRIVERS[adapter]
    model = _WORKER_MODEL[adapter] = driver.make(minimax_server)
    try:
        assert_own_answers(0, run_calls(driver, model, "invoke", 0, None))
        context = multiprocessing.get_context("fork")
        with context.Pool(CHILDREN) as pool:
            jobs = [(adapter, mode, index) for index in range(1, CHILDREN + 1)]
            pending = pool.map_async(_worker_calls, jobs)
            assert_own_answers(0, run_calls(driver, model, mode, 0, None))
            results = pending.get(timeout=DEADLINE)
    finally:
        _WORKER_MODEL.pop(adapter, None)
    assert sorted(index for index, _, _ in results) == list(range(1, CHILDREN + 1))
    assert all(pid != os.getpid() for _, pid, _ in results)
    for index, _, answers in results:
        assert_own_answers(index, answers)


# --- the rate limiter's state across a fork ----------------------------------------------------


def test_a_forked_child_does_not_inherit_the_parents_limiter_slots(tmp_path: Path) -> None:
    """A slot the parent holds at the fork belongs to a call that will never end in the child."""
    settings = mm.AdaptiveRateLimiter(requests_per_second=1000, max_concurrency=1)
    limit = settings.limit_for("http://fork.test/v1", "fork-key")
    held = limit.enter()  # the parent's call in flight

    def child_call(index: int) -> list[str]:
        permit = limit.enter()  # would wait forever for the parent's slot
        limit.report(permit, None)
        limit.release(permit)
        return [f"child {index} admitted, {limit.state.in_flight} in flight"]

    pids = fork_children(child_call, tmp_path)
    reports = wait_for(pids, tmp_path)
    limit.release(held)
    for index, report in reports.items():
        assert report == {"answers": [f"child {index} admitted, 0 in flight"]}, report
    assert limit.state.in_flight == 0
