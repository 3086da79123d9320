"""`python -m benchmarks`: start the server, run every client in its own process, write the report.

Options: `--quick` (fewer repetitions, for a smoke run), `--clients NAME ...` (a subset),
`--json PATH` (also keep the raw results), `--no-write` (print the report, leave files alone).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import limiter
from ._clients import CLIENTS, Spec
from ._report import write_report
from ._server import ROOT, ServerProcess, child_env

HERE = Path(__file__).resolve().parent
WORKER_LIMIT = 150.0
"""Seconds a worker may take before it is stopped (its finished results are kept)."""

IMPORTS: tuple[tuple[str, str, str, int], ...] = (
    # (label, modules imported, what it is, repetitions)
    ("langchain_minimax", "langchain_minimax", "ours", 3),
    (
        "LangChain pieces a chat adapter needs",
        "langchain_core.language_models, langchain_core.tools, langchain_core.output_parsers, "
        "langchain_core.utils.function_calling",
        "framework floor",
        2,
    ),
    ("langchain_openai", "langchain_openai", "generic", 1),
    ("llamaindex_minimax", "llamaindex_minimax", "ours", 3),
    (
        "LlamaIndex FunctionCallingLLM",
        "llama_index.core.llms.function_calling",
        "framework floor",
        2,
    ),
    ("llama_index.llms.openai_like", "llama_index.llms.openai_like", "generic", 1),
    ("llama_index.llms.minimax", "llama_index.llms.minimax", "generic", 1),
    ("minimax_core", "minimax_core", "ours (core only)", 2),
)

_IMPORT_PROBE = """
import json, sys, time
cpu, wall = time.process_time(), time.perf_counter()
import {modules}
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


def run_worker(spec: Spec, base_url: str, quick: bool) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "benchmarks._worker", spec.name, base_url]
    if quick:
        command.append("--quick")
    records: list[dict[str, Any]] = []
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=child_env(),
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
    killer = threading.Timer(WORKER_LIMIT, proc.kill)
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
            f"stopped after {WORKER_LIMIT:.0f} s"
            if elapsed >= WORKER_LIMIT
            else f"exited with {proc.returncode}"
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
    records.append({"client": spec.name, "kind": "elapsed", "wall_s": elapsed})
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
    if kind == "error":
        return f"ERROR in {record['stage']}: {record['error'][:200]}"
    return kind


def measure_imports() -> list[dict[str, Any]]:
    out = []
    for label, modules, what, reps in IMPORTS:
        module = modules.split(",")[0].strip()
        if importlib.util.find_spec(module.split(".")[0]) is None:
            out.append({"module": label, "what": what, "error": "not installed"})
            continue
        runs = []
        error = None
        for _ in range(reps):
            proc = subprocess.run(
                [sys.executable, "-c", _IMPORT_PROBE.format(modules=modules)],
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
                "statement": f"import {modules}",
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
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    args = parser.parse_args(argv)

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
    log("import times ...")
    results["imports"] = measure_imports()
    results["elapsed_s"] = time.time() - started
    results["load"] = {"start": load_start, "end": _load()}
    results["started"] = started
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    report = write_report(results, HERE, write=not args.no_write)
    log("rate limits at scale (benchmarks/limiter.py) ...")
    limiter.main(["--quick"] * args.quick + ["--write"] * (not args.no_write))
    if args.no_write:
        print(report)
    else:
        log(
            f"wrote {HERE / 'RESULTS.md'} and {HERE / 'cpu_per_chunk.png'} "
            f"in {results['elapsed_s']:.0f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
