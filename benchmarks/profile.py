"""`python -m benchmarks.profile`: where our adapters spend their CPU.

For each client named (default: ChatMiniMax and MiniMax (ours)) it runs, against the local
server in its own process: one stream of `--chunks` chunks, `--calls` non-streamed calls, and
`--concurrent` async calls gathered at once; then prints the hottest functions of each
workload, by self time and inclusive time, as a share of the samples taken in that workload.

Samplers: `py-spy` (default when installed: samples from outside, only while the GIL is held,
so waiting on the socket is not counted and the client is not slowed down), or `pyinstrument`
(in-process). Both are pip-installable; neither is needed by `python -m benchmarks`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ._clients import BY_NAME, DRIVERS, Deadline
from ._common import STREAM_REASONING, Settings, long_text, pieces
from ._server import ROOT, Control, ServerProcess, child_env

OURS = ("ChatMiniMax", "MiniMax (ours)")
WORKLOADS = ("stream_workload", "invoke_workload", "async_workload")


# --- the workloads (their function names mark the samples) ---------------------------------


def stream_workload(driver: Any, model: Any) -> int:
    return int(driver.stream(model, Deadline(600)).chunks)


def invoke_workload(driver: Any, model: Any, calls: int) -> None:
    for _ in range(calls):
        driver.invoke(model)


def async_workload(driver: Any, model: Any, n: int, profiler: Any = None) -> None:
    """One event loop: a warm-up call, then `n` calls gathered at once."""

    async def main() -> None:
        await driver.ainvoke(model)
        if profiler is not None:
            profiler.start()
        await asyncio.gather(*(driver.ainvoke(model) for _ in range(n)))
        if profiler is not None:
            profiler.stop()
        await driver.aclose(model)

    asyncio.run(main())


def run_target(name: str, base_url: str, args: argparse.Namespace, profiler: Any = None) -> None:
    """Run the three workloads for one client, each inside `profiler` if one is given."""
    spec = BY_NAME[name]
    driver = DRIVERS[spec.family]()
    control = Control(base_url)
    control.reset()
    model = spec.make(Settings(base_url=base_url))

    def prepare(n: int) -> None:
        if spec.network:
            control.reply(long_text(n), STREAM_REASONING)
        else:
            model.pieces = pieces(n)

    def profiled(title: str, fn: Any) -> Any:
        if profiler is None:
            return fn()
        p = profiler()
        with p:
            result = fn()
        _print_pyinstrument(p, f"{name}: {title}", args.top)
        return result

    driver.invoke(model)  # warm up every path once
    prepare(100)
    driver.stream(model, Deadline(60))
    prepare(args.chunks)
    profiled(f"stream of {args.chunks:,} chunks", lambda: stream_workload(driver, model))
    profiled(f"{args.calls} non-streamed calls", lambda: invoke_workload(driver, model, args.calls))
    fresh = spec.make(Settings(base_url=base_url))

    if profiler is None:
        async_workload(driver, fresh, args.concurrent)
    else:
        p = profiler(async_mode="disabled")
        async_workload(driver, fresh, args.concurrent, p)
        _print_pyinstrument(p, f"{name}: {args.concurrent} concurrent async calls", args.top)
    control.close()


# --- pyinstrument ----------------------------------------------------------------------------


def _print_pyinstrument(profiler: Any, title: str, top: int) -> None:
    print(f"\n=== {title} (pyinstrument) ===")
    text = profiler.output_text(unicode=False, color=False, flat=True, flat_time="self")
    lines = [line for line in text.splitlines() if line.strip()]
    print("\n".join(lines[: top + 6]))


# --- py-spy ------------------------------------------------------------------------------------

_FRAME = re.compile(r"(?P<fn>.*?) \((?P<file>.*?):\d+\)$")


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = re.sub(r".*site-packages/", "", match["file"])
    path = path.replace(str(ROOT) + os.sep, "")
    return f"{match['fn']} ({path})"


def summarize(raw: str, top: int) -> str:
    """Self and inclusive shares of the hottest functions, per workload."""
    out = []
    for workload in WORKLOADS:
        own: collections.Counter[str] = collections.Counter()
        incl: collections.Counter[str] = collections.Counter()
        total = 0
        for line in raw.splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = stack.split(";")
            marks = [i for i, f in enumerate(frames) if f.startswith(workload + " ")]
            if not marks:
                continue
            frames = [_short(f) for f in frames[marks[0] + 1 :]] or [workload]
            n = int(count)
            total += n
            own[frames[-1]] += n
            for f in set(frames):
                incl[f] += n
        out.append(f"\n=== {workload}: {total} samples ===\n-- self --")
        out += [f"{100 * c / max(total, 1):5.1f}%  {f}" for f, c in own.most_common(top)]
        out.append("-- inclusive --")
        out += [f"{100 * c / max(total, 1):5.1f}%  {f}" for f, c in incl.most_common(top)]
    return "\n".join(out)


def with_py_spy(name: str, base_url: str, args: argparse.Namespace, py_spy: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.txt"
        command = [
            py_spy, "record", "--gil", "--rate", str(args.rate), "--format", "raw",
            "--output", str(out), "--",
            sys.executable, "-m", "benchmarks.profile", "--target", name, "--base-url", base_url,
            "--chunks", str(args.chunks), "--calls", str(args.calls),
            "--concurrent", str(args.concurrent),
        ]  # fmt: skip
        subprocess.run(command, cwd=ROOT, env=child_env(), check=True, capture_output=True)
        print(f"\n##### {name} (py-spy, --gil, {args.rate} samples/s)")
        print(summarize(out.read_text(), args.top))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("clients", nargs="*", help=f"default: {', '.join(OURS)}")
    parser.add_argument("--chunks", type=int, default=30_000)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--top", type=int, default=20, help="hottest functions to show")
    parser.add_argument("--rate", type=int, default=1000, help="py-spy samples per second")
    parser.add_argument("--sampler", choices=("py-spy", "pyinstrument"), default=None)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.target:  # the process py-spy samples
        run_target(args.target, args.base_url, args)
        return 0
    unknown = [c for c in args.clients if c not in BY_NAME]
    if unknown:
        parser.error(f"unknown clients {unknown}; choose from {sorted(BY_NAME)}")
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    sampler = args.sampler or ("py-spy" if py_spy else "pyinstrument")
    with ServerProcess() as server:
        for name in args.clients or OURS:
            if sampler == "py-spy":
                if not py_spy:
                    parser.error("py-spy is not installed (pip install py-spy)")
                with_py_spy(name, server.base_url, args, py_spy)
            else:
                from pyinstrument import Profiler

                run_target(name, server.base_url, args, profiler=Profiler)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
