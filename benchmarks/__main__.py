"""`python -m benchmarks`: start the server, run every client in its own process, write the report.

Options: `--quick` (fewer repetitions, for a smoke run), `--clients NAME ...` (a subset),
`--json PATH` (also keep the raw results), `--no-write` (print the report, leave files alone),
`--history-only` (only an agent's later calls, `_history`; prints their tables, writes nothing).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import _callgrind, limiter
from ._clients import CLIENTS, RIVALS, Spec
from ._report import history_sections, write_report
from ._server import ROOT, ServerProcess, child_env

HERE = Path(__file__).resolve().parent
WORKER_LIMIT = 150.0
"""Seconds a worker may take before it is stopped (its finished results are kept)."""

CALLGRIND_LIMIT = 600.0
"""Seconds a worker under callgrind may take (its instrumented parts run ~50x slower)."""

IMPORTS: tuple[tuple[str, str, str, int], ...] = (
    # (label, statement, what it is, repetitions)
    ("langchain_minimax", "import langchain_minimax", "ours", 3),
    (
        "LangChain floor",
        "from langchain_core.language_models import BaseChatModel; "
        "from langchain_core.messages import AIMessageChunk; "
        "from langchain_core.outputs import ChatGenerationChunk; "
        "from langchain_core.tools import BaseTool; "
        "from langchain_core.utils.function_calling import convert_to_openai_tool",
        "framework floor",
        3,
    ),
    ("langchain_openai", "import langchain_openai", "generic", 1),
    ("llamaindex_minimax", "import llamaindex_minimax", "ours", 3),
    (
        "LlamaIndex floor",
        "from llama_index.core.llms.function_calling import FunctionCallingLLM",
        "framework floor",
        3,
    ),
    ("llama_index.llms.minimax", "import llama_index.llms.minimax", "generic", 1),
    ("minimax_core", "import minimax_core", "ours (core only)", 3),
    ("httpx", "import httpx", "the core's HTTP client", 3),
)

_IMPORT_PROBE = """
import json, sys, time
cpu, wall = time.process_time(), time.perf_counter()
{statement}
print(json.dumps({{"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
                  "modules": len(sys.modules)}}))
"""


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def available(spec: Spec) -> str | None:
    """None if the client can be imported, else why not."""
    for module in spec.requires:
        try:
            found = importlib.util.find_spec(module)
        except (ImportError, ValueError) as exc:
            return f"{module}: {exc}"
        if found is None:
            return f"{module} is not installed"
    return None


def run_worker(
    spec: Spec,
    base_url: str,
    quick: bool,
    instructions: Path | None = None,
    extra: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Run one worker; with `instructions` (a scratch directory), under callgrind.

    `extra` are more worker options (`--history`: an agent's later calls).
    """
    command = [sys.executable, "-m", "benchmarks._worker", spec.name, base_url, *extra]
    if quick:
        command.append("--quick")
    env = child_env()
    limit = WORKER_LIMIT
    if instructions is not None:
        out_base = instructions / spec.name.replace(" ", "_").replace("(", "").replace(")", "")
        command = _callgrind.command(out_base, *command, "--instructions")
        env[_callgrind.OUT_ENV] = str(out_base)
        env["PYTHONHASHSEED"] = "0"  # the same dict and set layouts in every run
        limit = CALLGRIND_LIMIT
    records: list[dict[str, Any]] = []
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr_tail: list[str] = []

    def drain_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stderr_tail.append(line)
            del stderr_tail[:-40]

    import threading

    err_thread = threading.Thread(target=drain_stderr, daemon=True)
    err_thread.start()
    killer = threading.Timer(limit, proc.kill)
    killer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            records.append(record)
            log(f"  {spec.name}: {_summary(record)}")
    finally:
        killer.cancel()
        proc.wait()
        err_thread.join(timeout=5)
    elapsed = time.perf_counter() - started
    if not any(r["kind"] == "done" for r in records):
        reason = (
            f"stopped after {limit:.0f} s" if elapsed >= limit else f"exited with {proc.returncode}"
        )
        tail = "".join(stderr_tail).strip().splitlines()[-1:] or [""]
        records.append(
            {
                "client": spec.name,
                "kind": "error",
                "stage": "worker",
                "error": f"{reason} {tail[0]}"[:600],
            }
        )
        log(f"  {spec.name}: worker {reason}")
    records.append(
        {"client": spec.name, "kind": "elapsed", "wall_s": elapsed, "callgrind": bool(instructions)}
    )
    return records


def _summary(record: dict[str, Any]) -> str:
    kind = record["kind"]
    if kind in ("invoke", "agent"):
        return f"{kind} {record['cpu_s'] * 1e3:.2f} ms CPU"
    if kind == "stream":
        timed_out = " (timed out)" if any(r["timed_out"] for r in record["runs"]) else ""
        return f"stream {record['size']:,} chunks: {record['per_chunk_s'] * 1e6:.1f} us/chunk{timed_out}"
    if kind == "concurrency":
        first = record["batches"][0]
        return f"200 concurrent: {first['wall_s']:.2f} s, {first['errors']} errors"
    if kind == "instructions":
        own = record["targets"][record["client"]]
        return f"instructions: {own['per_call'] / 1e6:.2f} M per call"
    if kind == "history":
        mode = "streamed" if record["streamed"] else "invoked"
        return f"{record['length']} messages, {mode}: {record['cpu_s'] * 1e3:.2f} ms CPU"
    if kind == "history_instructions":
        own = record["targets"][record["client"]]
        return f"{record['length']} messages: {own['invoke'] / 1e6:.2f} M per call"
    if kind == "fleet":
        own = record["targets"][record["client"]]
        return f"{record['streams']} streams: {own['per_chunk_s'] * 1e6:.1f} us/chunk"
    if kind == "error":
        return f"ERROR in {record['stage']}: {record['error'][:200]}"
    return str(kind)


INSTRUCTION_CLIENTS = (*RIVALS, *RIVALS.values())
"""Counted under callgrind: our adapters (with their floors in the same process) and their rivals."""


def count_instructions(
    specs: list[Spec], extra: tuple[str, ...] = ()
) -> dict[str, list[dict[str, Any]]]:
    """One callgrind worker per client, two at a time: counts do not depend on the load.

    Each worker gets a server of its own: answers queued with `/_control/reply` are the
    server's state, and two workers sharing one would take each other's.
    """

    def run(spec: Spec, scratch: Path) -> list[dict[str, Any]]:
        with ServerProcess() as server:
            return run_worker(spec, server.base_url, False, scratch, extra)

    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as scratch:
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            futures = {s.name: pool.submit(run, s, Path(scratch)) for s in specs}
            return {name: future.result() for name, future in futures.items()}


HISTORY_ROLES = ("ours", "generic")
"""Who runs an agent's later calls: each worker measures its family's composed floor beside it."""


def measure_history(specs: list[Spec], args: argparse.Namespace) -> dict[str, Any]:
    """An agent's later calls (`_history`): CPU and the fleet of streams, then callgrind counts."""
    out: dict[str, Any] = {"history": {}}
    chosen = [s for s in specs if s.role in HISTORY_ROLES and available(s) is None]
    if args.clients:
        chosen = [s for s in chosen if s.name in set(args.clients)]
    log("an agent's later calls: one tool, long histories, many streams ...")
    with ServerProcess() as server:
        for spec in chosen:
            out["history"][spec.name] = run_worker(
                spec, server.base_url, args.quick, None, _HISTORY
            )
    reason = "skipped (--no-instructions)" if args.no_instructions else _callgrind.supported()
    if reason is None and chosen:
        log("history instruction counts under callgrind ...")
        out["history_instructions"] = count_instructions(chosen, _HISTORY)
    return out


_HISTORY = ("--history",)


def measure_imports() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for label, statement, what, reps in IMPORTS:
        module = statement.split()[1]
        if importlib.util.find_spec(module.split(".")[0]) is None:
            out.append({"module": label, "what": what, "error": "not installed"})
            continue
        runs = []
        error = None
        for _ in range(reps):
            proc = subprocess.run(
                [sys.executable, "-c", _IMPORT_PROBE.format(statement=statement)],
                cwd=ROOT,
                env=child_env(),
                capture_output=True,
                text=True,
                timeout=120,
            )
            if proc.returncode != 0:
                error = (proc.stderr.strip().splitlines() or ["failed"])[-1][:300]
                break
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        if error or not runs:
            out.append({"module": label, "what": what, "error": error or "failed"})
            continue
        out.append(
            {
                "module": label,
                "statement": statement,
                "what": what,
                "reps": len(runs),
                "wall_s": statistics.median(r["wall_s"] for r in runs),
                "cpu_s": statistics.median(r["cpu_s"] for r in runs),
                "modules": runs[-1]["modules"],
            }
        )
        log(f"  import {label}: {out[-1]['wall_s'] * 1e3:.0f} ms")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--clients", nargs="*", help="run only these clients (and the floors)")
    parser.add_argument("--json", type=Path, help="where to keep the raw results (default: tmp)")
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    parser.add_argument(
        "--no-instructions", action="store_true", help="skip the callgrind counts (no verdicts)"
    )
    parser.add_argument(
        "--history-only", action="store_true", help="only an agent's later calls; print them"
    )
    args = parser.parse_args(argv)
    if args.history_only:
        results = measure_history(list(CLIENTS), args)
        print("\n\n".join("\n".join(s) for s in history_sections(results) if s))
        return 0

    started = time.time()
    load_start = _load()
    specs = list(CLIENTS)
    if args.clients:
        wanted = set(args.clients)
        specs = [s for s in specs if s.name in wanted or s.role == "floor"]
    results: dict[str, Any] = {"clients": {}, "skipped": {}, "imports": [], "quick": args.quick}
    with ServerProcess() as server:
        log(f"local server: {server.base_url} (pid of its own, not measured)")
        for spec in specs:
            reason = available(spec)
            if reason is not None:
                results["skipped"][spec.name] = reason
                log(f"{spec.name}: skipped ({reason})")
                continue
            log(f"{spec.name} ...")
            results["clients"][spec.name] = run_worker(spec, server.base_url, args.quick)
    counted = [s for s in specs if s.name in INSTRUCTION_CLIENTS and s.name in results["clients"]]
    reason = "skipped (--no-instructions)" if args.no_instructions else _callgrind.supported()
    if reason is None and counted:
        log("instruction counts under callgrind, two workers at a time ...")
        results["instructions"] = count_instructions(counted)
    else:
        results["instructions_skipped"] = reason
    results.update(measure_history(specs, args))
    log("import times ...")
    results["imports"] = measure_imports()
    results["elapsed_s"] = time.time() - started
    results["load"] = {"start": load_start, "end": _load()}
    results["started"] = started
    raw = args.json or Path(tempfile.gettempdir()) / "minimax-bench-results.json"
    raw.write_text(json.dumps(results, indent=1))
    log(f"raw results in {raw}")
    report = write_report(results, HERE, write=not args.no_write)
    log("rate limits at scale (benchmarks/limiter.py) ...")
    limiter.main(["--quick"] * args.quick + ["--write"] * (not args.no_write))
    if args.no_write:
        print(report)
    else:
        log(f"wrote {HERE / 'RESULTS.md'} in {results['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
