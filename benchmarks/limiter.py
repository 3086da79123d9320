"""`python -m benchmarks.limiter`: many agents against MiniMax's rate limits, with and without
the adaptive limiter.

The local server runs in its rate-limit mode (`LIMITS`: requests per second and open requests,
refused with MiniMax's own 429 / 1002 and 1041). `RUNS` agent runs start at once, each a
LangChain tool-calling loop of two model calls (ask, call the tool, answer), all on one
`ChatMiniMax`:

- **retries only:** the default client (2 retries with backoff, `Retry-After` honoured);
- **adaptive limiter:** the same with `rate_limiter=MiniMaxRateLimiter(...)`, whose ceilings are
  twice the server's limits, so it has to find them from the answers.

A run counts as lost when it raises or when its final answer does not quote its own tool
result. `make bench` runs this after the main benchmark and writes the figures into their own
section of `RESULTS.md`; `--quick` runs fewer agents, `--write` updates `RESULTS.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import multiprocessing
import re
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_minimax import ChatMiniMax, MiniMaxRateLimiter
from minimax_server import MiniMaxServer
from minimax_server._ratelimit import RateLimits

RUNS = 500
WORKERS = 4
LIMITS = RateLimits(requests_per_second=25, concurrent_requests=10)
CHUNK_DELAY = 0.002
"""Seconds between stream chunks, so that answers take a little time and requests overlap."""
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START, END = "<!-- limiter:start -->", "<!-- limiter:end -->"


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


@dataclass
class Outcome:
    name: str
    runs: int
    lost: int
    errors: Counter[str]
    answered: int
    refused: dict[str, int]
    wall_s: float

    @property
    def refusals(self) -> int:
        return sum(self.refused.values())


async def agent_run(llm: ChatMiniMax, n: int) -> None:
    """Ask, run the tool the model calls, answer; raises when the run is lost."""
    model = llm.bind_tools([get_weather])
    messages: list[BaseMessage] = [HumanMessage("What is the weather in Paris? Use get_weather.")]
    asked = await model.ainvoke(messages)
    if not asked.tool_calls:
        raise RuntimeError("no tool call")
    messages.append(asked)
    proof = f"report {n}"
    for call in asked.tool_calls:
        result = f"{get_weather.invoke(call['args'])} ({proof})"
        messages.append(ToolMessage(result, tool_call_id=call["id"]))
    chunks = [str(chunk.content) async for chunk in model.astream(messages)]
    if not re.search(rf"\({proof}\)", "".join(chunks)):
        raise RuntimeError("the answer does not quote this run's own tool result")


async def scenario(
    server: MiniMaxServer, name: str, limiter: MiniMaxRateLimiter | None, runs: int
) -> Outcome:
    server.reset()
    server.chunk_delay = CHUNK_DELAY
    server.rate_gate.configure(LIMITS)
    llm = ChatMiniMax(base_url=server.base_url, api_key=server.api_key, rate_limiter=limiter)
    started = time.perf_counter()
    results = await asyncio.gather(
        *(agent_run(llm, n) for n in range(runs)), return_exceptions=True
    )
    wall = time.perf_counter() - started
    errors = Counter(type(r).__name__ for r in results if isinstance(r, BaseException))
    stats = server.rate_gate.stats()
    return Outcome(
        name, runs, sum(errors.values()), errors, stats["admitted"], stats["refused"], wall
    )


def _limiter(store: str | None = None) -> MiniMaxRateLimiter:
    return MiniMaxRateLimiter(
        requests_per_second=2 * (LIMITS.requests_per_second or 1),
        max_concurrency=2 * (LIMITS.concurrent_requests or 1),
        store=store,
    )


def _worker_runs(job: tuple[str, str, str | None, int, int]) -> list[str]:
    """In a forked worker: its share of the runs on a model of its own; the errors' names."""
    base_url, api_key, store, first, count = job
    llm = ChatMiniMax(base_url=base_url, api_key=api_key, rate_limiter=_limiter(store))

    async def runs() -> list[BaseException | None]:
        return await asyncio.gather(
            *(agent_run(llm, n) for n in range(first, first + count)), return_exceptions=True
        )

    return [type(r).__name__ for r in asyncio.run(runs()) if isinstance(r, BaseException)]


def processes_scenario(server: MiniMaxServer, name: str, store: str | None, runs: int) -> Outcome:
    """`WORKERS` forked processes share the runs, each with its own model and limiter object."""
    server.reset()
    server.chunk_delay = CHUNK_DELAY
    server.rate_gate.configure(LIMITS)
    share = runs // WORKERS
    jobs = [(server.base_url, server.api_key, store, w * share, share) for w in range(WORKERS)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        names = pool.map(_worker_runs, jobs)
    wall = time.perf_counter() - started
    errors = Counter(name for worker in names for name in worker)
    stats = server.rate_gate.stats()
    return Outcome(
        name,
        share * WORKERS,
        sum(errors.values()),
        errors,
        stats["admitted"],
        stats["refused"],
        wall,
    )


@contextlib.contextmanager
def redis_store() -> Iterator[str | None]:
    """A `redis-server` of our own on a free port, or None when it or the client is missing."""
    binary = shutil.which("redis-server")
    if binary is None or importlib.util.find_spec("redis") is None:
        yield None
        return
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        for _ in range(400):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(runs: int) -> tuple[list[Outcome], list[Outcome]]:
    with MiniMaxServer() as server:
        one = [
            asyncio.run(scenario(server, "retries only (default client)", None, runs)),
            asyncio.run(scenario(server, "adaptive limiter", _limiter(), runs)),
        ]
        several = [processes_scenario(server, "a limiter per process", None, runs)]
        with redis_store() as store:
            if store is not None:
                several.append(
                    processes_scenario(server, "one limiter shared through Redis", store, runs)
                )
        return one, several


def _rows(outcomes: list[Outcome]) -> list[str]:
    lines = [
        "| client | runs lost | rate-limit answers (1002 / 1041) | calls answered | wall time |",
        "|---|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        split = f"{o.refused.get('1002', 0)} / {o.refused.get('1041', 0)}"
        lines.append(
            f"| {o.name} | {o.lost} of {o.runs} | {o.refusals} ({split}) | {o.answered} | "
            f"{o.wall_s:.1f} s |"
        )
    return lines


def section(outcomes: list[Outcome], several: list[Outcome]) -> str:
    retries, limited = outcomes
    ratio = retries.refusals / limited.refusals if limited.refusals else float("inf")
    lines = [
        START,
        "## Rate limits at scale: agents against MiniMax's limits (`benchmarks/limiter.py`)",
        "",
        f"{retries.runs} LangChain agent runs (ask, call a tool, answer streamed: two model calls "
        f"each) start at once on one `ChatMiniMax`. The local server allows "
        f"{LIMITS.requests_per_second:g} requests per second and {LIMITS.concurrent_requests} "
        "open requests, and refuses the rest as MiniMax does (HTTP 429 with code 1002 or 1041). "
        "The limiter's ceilings are twice those limits: it has to find them from the answers. "
        "A run is lost when it raises or its answer does not quote its own tool result.",
        "",
        *_rows(outcomes),
        "",
        f"The limiter lost {limited.lost} runs against {retries.lost} with retries alone, and drew "
        f"{ratio:.0f}x fewer rate-limit answers. Retries alone send every agent at once; a "
        "refused call retries twice within about 1.5 s, and a call refused three times loses "
        "its run. The limiter paces the calls (a token bucket), bounds the open "
        "ones, halves either on a refusal and regrows them as calls succeed; a refused call "
        "waits its turn again instead of spending a retry.",
        "",
        f"**Several processes.** The same runs shared by {WORKERS} forked worker processes "
        "(as gunicorn or Celery workers), each with its own model and limiter object, against "
        "the same server: each limiter on its own, or all of them on one state in Redis "
        "(`store=`; a `redis-server` started for the run).",
        "",
        *_rows(several),
    ]
    if len(several) == 1:
        lines.append("\n(The Redis row is missing: no `redis-server` or `redis` package here.)")
    lines.append(END)
    return "\n".join(lines)


def record(text: str, path: Path = RESULTS) -> None:
    """Put the section into RESULTS.md, replacing an earlier one, leaving the rest as it is."""
    current = path.read_text() if path.exists() else ""
    if START in current and END in current:
        head, rest = current.split(START, 1)
        tail = rest.split(END, 1)[1]
        path.write_text(head + text + tail)
    else:
        path.write_text(current.rstrip("\n") + "\n\n" + text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.limiter", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"100 runs instead of {RUNS}")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    outcomes, several = measure(100 if args.quick else RUNS)
    text = section(outcomes, several)
    print(text)
    for outcome in outcomes + several:
        if outcome.errors:
            print(f"{outcome.name}: {dict(outcome.errors)}")
    if args.write:
        record(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
