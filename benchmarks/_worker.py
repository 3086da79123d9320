"""All measurements of one client, in a process of its own (`python -m benchmarks._worker`).

Each result is printed as one JSON line as soon as it is known, so that a worker stopped by
the orchestrator's time limit still reports what it finished. CPU is `time.process_time()` of
this process: every thread, the event loop included, and none of the server's work.

For an adapter (not a floor), the two floors it is compared with (raw httpx and its
framework's trivial model) are measured in the same process, interleaved batch by batch with
the adapter, so that a ratio is not skewed by whatever else the machine was doing meanwhile.

With `--history`, the worker runs an agent's later calls instead (`_history`): one tool bound
and histories of 10, 100 and 400 messages, invoked and streamed, against the composed floor
(raw httpx posting the same body + the framework's trivial model given the same messages), and
`Plan.fleet` concurrent async streams on one event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import sys
import time
import traceback
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from ._clients import BY_NAME, COMPOSED, DRIVERS, Deadline, Spec, StreamOutcome
from ._common import (
    STREAM_REASONING,
    RssSampler,
    Settings,
    long_text,
    median,
    pieces,
)
from ._history import ANSWER_CHUNKS, ANSWER_REASONING, HISTORY_LENGTHS, answer_text
from ._server import Control

T = TypeVar("T")
STREAM_SIZES = (1_000, 10_000, 100_000)
FAMILY_FLOOR = {"langchain": "LangChain floor", "llamaindex": "LlamaIndex floor"}


@dataclasses.dataclass
class Plan:
    invoke_calls: int = 20
    invoke_batches: int = 5
    agent_steps: int = 6
    agent_batches: int = 5
    stream_reps: tuple[int, ...] = (5, 3, 1)
    generic_stream_reps: tuple[int, ...] = (3, 1, 0)
    """No 100k stream for the generic clients: at ~200 µs a chunk it would take 20 s each."""
    stream_budget: float = 15.0
    long_budget: float = 25.0
    generic_long_budget: float = 20.0
    concurrency: int = 200
    instructions: bool = False
    """Count instructions under callgrind instead of timing (see `_callgrind`)."""
    instr_calls: int = 5
    instr_agent_steps: int = 2
    instr_streams: tuple[int, ...] = (300, 1_000, 3_000)
    """Chunks per stream under callgrind; the generic clients run the first two only."""
    history: bool = False
    """Run an agent's later calls (`_history`) instead of the workloads above."""
    history_rounds: int = 5
    history_calls: tuple[int, ...] = (10, 4, 2)
    """Calls per timed batch at each of `HISTORY_LENGTHS`."""
    instr_history_calls: int = 2
    fleet: int = 1_000
    """Async streams gathered at once on one event loop."""

    @classmethod
    def quick(cls) -> Plan:
        return cls(
            10, 2, 3, 2, (2, 1, 1), (1, 1, 0), 10.0, 15.0, 10.0, 200, history_rounds=2, fleet=200
        )

    def reps(self, role: str) -> tuple[int, ...]:
        return self.generic_stream_reps if role == "generic" else self.stream_reps


def emit(client: str, kind: str, **data: Any) -> None:
    print(json.dumps({"client": client, "kind": kind, **data}), flush=True)


@dataclasses.dataclass
class Target:
    """A client ready to run: its spec, its family's driver and a model instance."""

    spec: Spec
    driver: Any
    model: Any
    control: Control

    @property
    def name(self) -> str:
        return self.spec.name

    @classmethod
    def build(cls, spec: Spec, settings: Settings, control: Control) -> Target:
        return cls(spec, DRIVERS[spec.family](), spec.make(settings), control)

    def prepare_stream(self, chunks: int) -> None:
        if self.spec.network:
            self.control.reply(long_text(chunks), STREAM_REASONING)
        else:
            self.model.pieces = pieces(chunks)

    def warm_up(self) -> None:
        self.driver.invoke(self.model)
        self.prepare_stream(200)
        self.driver.stream(self.model, Deadline(30))

    # --- an agent's later calls (`_history`) -------------------------------------------

    history: Any = None
    bound: Any = None

    def use_history(self, length: int) -> None:
        """Hold a history of `length` messages (and the bodies its composed floor posts)."""
        if self.bound is None:
            self.bound = self.driver.bind_one(self.model)
        self.history = self.driver.history(length)
        source = getattr(self.model, "source", None)
        if source is not None:
            source.use_history(DRIVERS["raw"]().history(length))

    def queue_answers(self, calls: int) -> None:
        """The server's answer to each of the next `calls` requests: the same for every client."""
        if self.spec.network:
            for _ in range(calls):
                self.control.reply(answer_text(), ANSWER_REASONING)

    def history_call(self, streamed: bool) -> int:
        """One call with the history; the chunks streamed (0 when invoked)."""
        if streamed:
            return int(self.driver.history_stream(self.bound, self.history, Deadline(600)).chunks)
        self.driver.history_invoke(self.bound, self.history)
        return 0


def _batch_cpu(fn: Callable[[], object], calls: int) -> float:
    gc.collect()
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls


async def _gathered(calls: list[Coroutine[Any, Any, T]]) -> tuple[list[T], float, float]:
    """The outcomes of `calls` run at once, and the CPU and wall seconds they took."""
    gc.collect()
    wall = time.perf_counter()
    cpu = time.process_time()
    outcomes = await asyncio.gather(*calls)
    return list(outcomes), time.process_time() - cpu, time.perf_counter() - wall


def _history_batch_cpu(t: Target, streamed: bool, calls: int) -> float:
    """CPU per call of `calls` history calls; the answers are queued before the clock starts."""
    t.queue_answers(calls)
    return _batch_cpu(lambda: t.history_call(streamed), calls)


class Worker:
    def __init__(self, spec: Spec, settings: Settings, plan: Plan) -> None:
        self.spec = spec
        self.settings = settings
        self.plan = plan
        self.control = Control(settings.base_url)
        self.main: Target | None = None
        self.floors: list[Target] = []
        self.last_stream: StreamOutcome | None = None

    def emit(self, kind: str, **data: Any) -> None:
        emit(self.spec.name, kind, **data)

    def stage(self, name: str, fn: Callable[[], None]) -> bool:
        try:
            fn()
            return True
        except Exception as exc:
            self.emit("error", stage=name, error=f"{type(exc).__name__}: {exc}"[:600])
            traceback.print_exc(file=sys.stderr)
            return False

    @property
    def target(self) -> Target:
        assert self.main is not None
        return self.main

    # --- stages -------------------------------------------------------------------------

    def setup(self) -> None:
        self.control.reset()
        self.main = Target.build(self.spec, self.settings, self.control)
        self.main.warm_up()  # every path once (imports, pools, caches), untimed
        if self.spec.role != "floor":
            floors = [BY_NAME["raw httpx"], BY_NAME[FAMILY_FLOOR[self.spec.family]]]
            if not self.plan.instructions:
                floors.append(COMPOSED[self.spec.family])
            for spec in floors:
                floor = Target.build(spec, self.settings, self.control)
                floor.warm_up()
                self.floors.append(floor)
        self.emit("setup", ok=True, paired_floors=[f.name for f in self.floors])

    def _interleaved(
        self, fn: Callable[[Target], float], rounds: int, floors: bool = True
    ) -> tuple[list[float], dict[str, list[float]]]:
        """Run `fn` on the floors and the client in turn, `rounds` times; every round's value."""
        targets = [*(self.floors if floors else []), self.target]
        values: dict[str, list[float]] = {t.name: [] for t in targets}
        for _ in range(rounds):
            for t in targets:
                values[t.name].append(fn(t))
        mine = values.pop(self.target.name)
        return mine, values

    def invoke(self) -> None:
        calls = self.plan.invoke_calls
        mine, floor = self._interleaved(
            lambda t: _batch_cpu(lambda: t.driver.invoke(t.model), calls),
            self.plan.invoke_batches,
        )
        self.emit("invoke", cpu_s=median(mine), batches=mine, calls=calls, floor_batches=floor)

    def agent(self) -> None:
        bound = {t.name: t.driver.bind(t.model) for t in [*self.floors, self.target]}
        # Warm-up, and the number of tool calls the client saw.
        calls = {t.name: t.driver.agent_step(bound[t.name]) for t in [*self.floors, self.target]}
        steps = self.plan.agent_steps
        mine, floor = self._interleaved(
            lambda t: _batch_cpu(lambda: t.driver.agent_step(bound[t.name]), steps),
            self.plan.agent_batches,
        )
        self.emit(
            "agent",
            cpu_s=median(mine),
            batches=mine,
            tool_calls=calls[self.target.name],
            floor_batches=floor,
        )

    def _stream_once(self, t: Target, size: int, watch_memory: bool) -> dict[str, Any]:
        long = size >= 100_000
        t.prepare_stream(size)
        if not long:
            budget = self.plan.stream_budget
        elif t.spec.role == "generic":
            budget = self.plan.generic_long_budget
        else:
            budget = self.plan.long_budget
        deadline = Deadline(budget)
        sampler = RssSampler() if watch_memory else None
        gc.collect()
        if sampler is not None:
            sampler.__enter__()
        wall = time.perf_counter()
        cpu = time.process_time()
        try:
            outcome = t.driver.stream(t.model, deadline)
        finally:
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
            if sampler is not None:
                sampler.__exit__()
        run = {
            "chunks": outcome.chunks,
            "cpu_s": cpu,
            "wall_s": wall,
            "per_chunk_s": cpu / max(outcome.chunks, 1),
            "timed_out": outcome.timed_out,
            "text_chars": len(outcome.text),
            "reasoning_chars": len(outcome.reasoning),
            "think_leak": "<think>" in outcome.text,
        }
        if sampler is not None:
            run["rss_held_mb"] = sampler.held_mb
        if size >= 10_000:
            # CPU per chunk in the second and the last-but-one tenth of this one stream.
            run["early_per_chunk_s"] = deadline.window(0.1, 0.2)
            run["late_per_chunk_s"] = deadline.window(0.8, 0.9)
        if t is self.main:
            self.last_stream = outcome
        return run

    def stream(self, size: int, reps: int) -> None:
        long = size >= 100_000
        # At 100k chunks only our adapters get their floors measured alongside (the
        # generic clients' 100k figure is compared with the floor workers' instead).
        paired = not long or self.spec.role == "ours"
        targets = [*(self.floors if paired else []), self.target]
        runs: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
        for _ in range(reps):
            stop = False
            for t in targets:
                run = self._stream_once(t, size, watch_memory=long and t is self.main)
                runs[t.name].append(run)
                stop = stop or (t is self.main and run["timed_out"])
            if stop:
                break
        mine = runs.pop(self.target.name)
        self.emit(
            "stream",
            size=size,
            per_chunk_s=median([r["per_chunk_s"] for r in mine]),
            runs=mine,
            floor_batches={n: [r["per_chunk_s"] for r in rs] for n, rs in runs.items() if rs},
        )

    def concurrency(self) -> None:
        # A fresh instance: its connection pool starts empty.
        model = self.spec.make(self.settings)
        result = asyncio.run(self._concurrency(model))
        self.emit("concurrency", **result)

    async def _concurrency(self, model: Any) -> dict[str, Any]:
        n = self.plan.concurrency
        driver = self.target.driver

        async def one() -> str | None:
            try:
                await driver.ainvoke(model)
                return None
            except Exception as exc:
                return f"{type(exc).__name__}: {exc}"[:300]

        self.control.reset()
        batches = []
        for _ in range(2):
            before = self.control.stats()["connections_opened"]
            outcomes, cpu, wall = await _gathered([one() for _ in range(n)])
            stats = self.control.stats()
            errors = [o for o in outcomes if o]
            batches.append(
                {
                    "calls": n,
                    "cpu_s": cpu,
                    "wall_s": wall,
                    "errors": len(errors),
                    "first_error": errors[0] if errors else None,
                    "connections_opened": stats["connections_opened"] - before,
                }
            )
        await driver.aclose(model)
        return {"batches": batches, "network": self.spec.network}

    def correctness(self) -> None:
        """Untimed checks: reasoning kept, `<think>` leaked, strict-mode replay accepted."""
        t = self.target
        out: dict[str, Any] = {}
        answer = t.driver.answer(t.driver.invoke(t.model))
        out["invoke_reasoning"] = bool(answer.reasoning)
        out["invoke_think_leak"] = "<think>" in answer.text
        if self.last_stream is not None:
            out["stream_reasoning"] = bool(self.last_stream.reasoning)
            out["stream_think_leak"] = "<think>" in self.last_stream.text
        out["strict_replay"] = self._strict_replay(t.model)
        if self.spec.role == "generic":
            default = self.spec.make(dataclasses.replace(self.settings, reasoning_split=False))
            answer = t.driver.answer(t.driver.invoke(default))
            out["default_reasoning"] = bool(answer.reasoning)
            out["default_think_leak"] = "<think>" in answer.text
            out["default_strict_replay"] = self._strict_replay(default)
        self.emit("correctness", **out)

    def _strict_replay(self, model: Any) -> str:
        driver = self.target.driver
        self.control.config(strict=True)
        try:
            calls = driver.agent_step(driver.bind(model))
            return "ok" if calls == 3 else f"ok, but {calls} tool calls"
        except Exception as exc:
            return f"refused: {type(exc).__name__}: {exc}"[:300]
        finally:
            self.control.config(strict=False)

    def instructions(self) -> None:
        """Instruction counts of each target, floors first, under callgrind (see `_callgrind`).

        Per call: a batch of non-streamed calls. Per chunk: the difference between streams of
        different lengths, which leaves out the request and the response's fixed costs; a third,
        longer stream shows whether the cost per chunk grows with the answer so far.
        """
        from . import _callgrind

        if not _callgrind.active():
            raise RuntimeError("--instructions runs under callgrind: use `python -m benchmarks`")
        generic = self.spec.role == "generic"
        calls = self.plan.instr_calls
        steps = self.plan.instr_agent_steps
        sizes = self.plan.instr_streams[:2] if generic else self.plan.instr_streams
        out: dict[str, Any] = {}
        for t in [*self.floors, self.target]:
            gc.collect()
            with _callgrind.section(f"{t.name}: {calls} calls") as invoke:
                for _ in range(calls):
                    t.driver.invoke(t.model)
            bound = t.driver.bind(t.model)
            t.driver.agent_step(bound)
            gc.collect()
            with _callgrind.section(f"{t.name}: {steps} agent steps") as agent:
                for _ in range(steps):
                    t.driver.agent_step(bound)
            streams = []
            for size in sizes:
                t.prepare_stream(size)
                gc.collect()
                with _callgrind.section(f"{t.name}: stream of {size}") as count:
                    outcome = t.driver.stream(t.model, Deadline(3600))
                streams.append({"size": size, "chunks": outcome.chunks, "instructions": count[0]})
            out[t.name] = {
                "per_call": invoke[0] / calls,
                "per_agent_step": agent[0] / steps,
                "streams": streams,
            }
        self.emit("instructions", targets=out)

    # --- an agent's later calls -----------------------------------------------------------

    def setup_history(self) -> None:
        """The client and its composed floor, each warmed up on every history length."""
        self.control.reset()
        self.main = Target.build(self.spec, self.settings, self.control)
        self.floors = [Target.build(COMPOSED[self.spec.family], self.settings, self.control)]
        for length in HISTORY_LENGTHS:
            for t in [*self.floors, self.main]:
                t.use_history(length)
                t.queue_answers(2)
                t.history_call(streamed=False)
                chunks = t.history_call(streamed=True)
                if chunks < ANSWER_CHUNKS // 2:  # the queued answer was not the one streamed
                    raise RuntimeError(f"{t.name}: {chunks} chunks for a {length}-message history")
        self.emit("setup", ok=True, paired_floors=[f.name for f in self.floors])

    def history_cpu(self) -> None:
        """CPU per call at each history length, invoked and streamed, interleaved with the floor."""
        body_bytes = {n: _body_bytes(n) for n in HISTORY_LENGTHS}
        for length, calls in zip(HISTORY_LENGTHS, self.plan.history_calls, strict=True):
            for t in [*self.floors, self.target]:
                t.use_history(length)
            for streamed in (False, True):
                mine, floor = self._interleaved(
                    lambda t, s=streamed, c=calls: _history_batch_cpu(t, s, c),
                    self.plan.history_rounds,
                )
                self.emit(
                    "history",
                    length=length,
                    streamed=streamed,
                    body_bytes=body_bytes[length],
                    cpu_s=median(mine),
                    batches=mine,
                    calls=calls,
                    floor_batches=floor,
                )

    def history_instructions(self) -> None:
        """Instructions per history call of the composed floor and the client, under callgrind."""
        from . import _callgrind

        if not _callgrind.active():
            raise RuntimeError("--instructions runs under callgrind: use `python -m benchmarks`")
        calls = self.plan.instr_history_calls
        for length in HISTORY_LENGTHS:
            counts: dict[str, dict[str, float]] = {}
            for t in [*self.floors, self.target]:
                t.use_history(length)
                counts[t.name] = {}
                for streamed in (False, True):
                    t.queue_answers(calls)
                    gc.collect()
                    mode = "stream" if streamed else "invoke"
                    with _callgrind.section(f"{t.name}: {length} messages, {mode}") as count:
                        for _ in range(calls):
                            t.history_call(streamed)
                    counts[t.name][mode] = count[0] / calls
            self.emit(
                "history_instructions",
                length=length,
                body_bytes=_body_bytes(length),
                targets=counts,
            )

    def fleet(self) -> None:
        """`Plan.fleet` async streams at once on one loop: CPU per chunk, worst loop lag."""
        out = {}
        for spec in [self.floors[0].spec, self.spec]:
            model = spec.make(self.settings)  # fresh: its async pool belongs to the new loop
            target = Target(spec, DRIVERS[spec.family](), model, self.control)
            target.queue_answers(self.plan.fleet)
            out[spec.name] = asyncio.run(self._fleet(target))
        self.emit("fleet", streams=self.plan.fleet, targets=out)

    async def _fleet(self, t: Target) -> dict[str, Any]:
        n = self.plan.fleet
        finished = asyncio.Event()
        worst_lag = 0.0

        async def watch() -> None:
            # How late a 1 ms sleep wakes: how long the loop went without running a callback.
            nonlocal worst_lag
            while not finished.is_set():
                before = time.perf_counter()
                await asyncio.sleep(0.001)
                worst_lag = max(worst_lag, time.perf_counter() - before - 0.001)

        async def one() -> int | str:
            try:
                return int(await t.driver.astream(t.model))
            except Exception as exc:
                return f"{type(exc).__name__}: {exc}"[:300]

        watcher = asyncio.create_task(watch())
        outcomes, cpu, wall = await _gathered([one() for _ in range(n)])
        finished.set()
        await watcher
        source = getattr(t.model, "source", None)
        await t.driver.aclose(source.model if source is not None else t.model)
        chunks = sum(o for o in outcomes if isinstance(o, int))
        errors = [o for o in outcomes if isinstance(o, str)]
        return {
            "cpu_s": cpu,
            "wall_s": wall,
            "chunks": chunks,
            "per_chunk_s": cpu / max(chunks, 1),
            "worst_lag_s": worst_lag,
            "errors": len(errors),
            "first_error": errors[0] if errors else None,
        }

    def run_history(self) -> None:
        if not self.stage("setup", self.setup_history):
            return
        if self.plan.instructions:
            self.stage("history instructions", self.history_instructions)
        else:
            self.stage("history", self.history_cpu)
            self.stage("fleet", self.fleet)
        self.emit("done")

    def run(self) -> None:
        if self.plan.history:
            self.run_history()
            return
        if not self.stage("setup", self.setup):
            return
        if self.plan.instructions:
            self.stage("instructions", self.instructions)
            self.emit("done")
            return
        self.stage("invoke", self.invoke)
        self.stage("agent", self.agent)
        for size, reps in zip(STREAM_SIZES, self.plan.reps(self.spec.role), strict=True):
            if reps:
                self.stage(f"stream {size}", lambda size=size, reps=reps: self.stream(size, reps))
        self.stage("concurrency", self.concurrency)
        if self.spec.role != "floor" or self.spec.family == "raw":
            self.stage("correctness", self.correctness)
        self.emit("done")


def _body_bytes(length: int) -> int:
    """The size of the JSON body a history of `length` messages makes (invoked)."""
    return len(json.dumps(DRIVERS["raw"]().history(length)[0], ensure_ascii=False).encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._worker")
    parser.add_argument("client", choices=sorted(BY_NAME))
    parser.add_argument("base_url")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--history", action="store_true")
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan()
    plan.instructions = args.instructions
    plan.history = args.history
    Worker(BY_NAME[args.client], Settings(base_url=args.base_url), plan).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
