"""Turn the raw results of one run into the tables of `RESULTS.md`.

Verdicts are judged on instruction counts (callgrind), which give the same figure on a busy
machine as on a quiet one; CPU time is shown beside them with its spread over the run's rounds.
Everything below `NOTES_MARK` in the existing `RESULTS.md` is written by hand and kept as is.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import itertools
import math
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._clients import CLIENTS, COMPOSED, RIVALS
from ._common import median
from ._worker import FAMILY_FLOOR

LIMIT_VS_FLOOR = 1.1
"""Instructions per call and per chunk: at most this multiple of raw httpx + the framework floor."""
LIMIT_VS_RIVAL = 3.0
"""Instructions per chunk: at least this many times fewer than the generic rival."""
LIMIT_GROWTH = 1.1
"""The adapter's own instructions per chunk (above its floor) late in a stream: at most this
multiple of the figure early in it, or at most `GROWTH_SLACK` more."""
GROWTH_SLACK = 2_000
LIMIT_HISTORY = 1.25
"""An agent's later calls (one tool, a long history): at most this multiple of the composed floor."""
LIMIT_MEMORY = 1.1
"""Peak memory of a 100k-chunk stream: at most this multiple of the LangChain floor's."""
VERSIONS = (
    *("langchain-core", "langchain-openai", "llama-index-core", "llama-index-llms-minimax"),
    *("httpx", "httpcore", "pydantic"),
)
NOTES_MARK = "<!-- Written by hand below this line; `make bench` keeps it. -->"


# --- figures -----------------------------------------------------------------------------


def _records(results: dict[str, Any], name: str, kind: str) -> dict[str, Any] | None:
    for section in ("clients", "instructions"):
        for r in results.get(section, {}).get(name, []):
            if r["kind"] == kind:
                return dict(r)
    return None


class Counts:
    """One target's instruction counts, from the callgrind worker that measured it."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.per_call: float = data["per_call"]
        self.per_step: float = data["per_agent_step"]
        s = data["streams"]
        self.segments = [
            (b["instructions"] - a["instructions"]) / (b["chunks"] - a["chunks"])
            if b["chunks"] > a["chunks"]
            else float("nan")  # the server answered both the same: no figure
            for a, b in itertools.pairwise(s)
        ]

    @property
    def per_chunk(self) -> float:
        return float(self.segments[0])


def _counts(results: dict[str, Any], worker: str, target: str | None = None) -> Counts | None:
    record = _records(results, worker, "instructions")
    data = record["targets"].get(target or worker) if record else None
    counts = Counts(data) if data else None
    return counts if counts and counts.segments and math.isfinite(sum(counts.segments)) else None


def _floor_counts(results: dict[str, Any], adapter: str) -> tuple[Counts, Counts] | None:
    family = next(s.family for s in CLIENTS if s.name == adapter)
    raw = _counts(results, adapter, "raw httpx")
    framework = _counts(results, adapter, FAMILY_FLOOR[family])
    return (raw, framework) if raw and framework else None


def _cpu_ratios(record: dict[str, Any] | None, mine: Sequence[float]) -> list[float]:
    """The adapter's CPU over its composed floor's (see `_floors`), round by round."""
    floors = (record or {}).get("floor_batches", {})
    floor: list[float] = next((v for k, v in floors.items() if k.startswith("raw httpx + ")), [])
    return [m / f for m, f in zip(mine, floor, strict=False)]


def _spread(values: Sequence[float], fmt: str, scale: float = 1.0) -> str:
    if not values:
        return "–"
    mid = format(median(values) * scale, fmt)
    if len(values) < 2:
        return mid
    return f"{mid} ({format(min(values) * scale, fmt)}–{format(max(values) * scale, fmt)})"


def _stream(results: dict[str, Any], name: str, size: int) -> dict[str, Any] | None:
    for r in results.get("clients", {}).get(name, []):
        if r["kind"] == "stream" and r["size"] == size:
            return dict(r)
    return None


def _mark(ok: bool, detail: str) -> str:
    return f"{'✅ met' if ok else '❌ missed'} ({detail})"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _names(results: dict[str, Any]) -> list[str]:
    return [s.name for s in CLIENTS if s.name in results.get("clients", {})]


# --- sections ----------------------------------------------------------------------------


def _header(results: dict[str, Any]) -> list[str]:
    started = dt.datetime.fromtimestamp(results["started"], dt.timezone.utc)
    versions = []
    for dist in VERSIONS:
        try:
            versions.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{dist} (not installed)")
    load = results.get("load") or {}
    start, end = load.get("start") or ["?"] * 3, load.get("end") or ["?"] * 3
    return [
        "# Benchmark results",
        "",
        "Generated by `make bench` (`python -m benchmarks`); the tables come from the run below "
        "(rerun rather than edit them). The notes at the end are written by hand.",
        "",
        f"- Run: {started:%Y-%m-%d %H:%M} UTC, {results['elapsed_s']:.0f} s end to end"
        + (" (quick)" if results.get("quick") else ""),
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}",
        f"- Load average (1/5/15 min): {'/'.join(map(str, start))} at the start, "
        f"{'/'.join(map(str, end))} at the end",
        "- Versions: " + ", ".join(versions),
        "",
        "Instruction counts are user-space instructions under callgrind, in the client process "
        "only (the server runs in a process of its own), with instrumentation switched on around "
        "the measured calls only. They are the same from run to run on a busy machine, so the "
        "verdicts use them. CPU time (`time.process_time()` of the client process) is shown "
        "beside them as median (min–max) over the run's rounds; it moves with the machine's load.",
    ]


def _verdicts(results: dict[str, Any]) -> list[str]:
    if "instructions" not in results:
        reason = results.get("instructions_skipped") or "no instruction counts"
        return ["## Targets", "", f"No verdicts in this run: {reason}."]
    rows = []
    for adapter, rival in RIVALS.items():
        mine, floors = _counts(results, adapter), _floor_counts(results, adapter)
        if mine is None or floors is None:
            rows.append([adapter, "–", "–", "–", "–", "–"])
            continue
        raw, framework = floors
        call = mine.per_call / (raw.per_call + framework.per_call)
        chunk = mine.per_chunk / (raw.per_chunk + framework.per_chunk)
        cpu_call = _cpu_ratios(_records(results, adapter, "invoke"), _batches(results, adapter))
        stream = _stream(results, adapter, 10_000)
        cpu_chunk = _cpu_ratios(
            stream, [r["per_chunk_s"] for r in stream["runs"]] if stream else []
        )
        rival_counts = _counts(results, rival)
        if rival_counts is not None:
            cheaper = rival_counts.per_chunk / mine.per_chunk
            vs_rival = _mark(cheaper >= LIMIT_VS_RIVAL, f"{cheaper:.1f}× fewer than {rival}")
        else:
            vs_rival = "– (rival not counted)"
        own = [
            m - r - f
            for m, r, f in zip(mine.segments, raw.segments, framework.segments, strict=False)
        ]
        if len(own) >= 2:
            flat = own[1] <= max(own[0] * LIMIT_GROWTH, own[0] + GROWTH_SLACK)
            growth = _mark(flat, f"{own[0] / 1e3:.1f} K → {own[1] / 1e3:.1f} K")
        else:
            growth = "–"
        rows.append(
            [
                adapter,
                _mark(call <= LIMIT_VS_FLOOR, f"{call:.2f}×; CPU {_spread(cpu_call, '.2f')}×"),
                _mark(chunk <= LIMIT_VS_FLOOR, f"{chunk:.2f}×; CPU {_spread(cpu_chunk, '.2f')}×"),
                vs_rival,
                growth,
                _concurrency_verdict(results, adapter),
            ]
        )
    head = [
        "Adapter",
        f"Instructions per call ≤ {LIMIT_VS_FLOOR}× floor",
        f"Instructions per chunk ≤ {LIMIT_VS_FLOOR}× floor",
        f"≥ {LIMIT_VS_RIVAL:.0f}× fewer instructions per chunk than the generic rival",
        f"Own instructions per chunk flat (late ≤ {LIMIT_GROWTH}× early)",
        "200 concurrent calls: no errors, pool reused",
    ]
    return ["## Targets", "", *_table(head, rows)]


def _batches(results: dict[str, Any], name: str, kind: str = "invoke") -> list[float]:
    record = _records(results, name, kind)
    return list(record["batches"]) if record else []


def _concurrency_verdict(results: dict[str, Any], name: str) -> str:
    record = _records(results, name, "concurrency")
    if record is None:
        return "–"
    first, second = record["batches"]
    errors = first["errors"] + second["errors"]
    pooled = second["connections_opened"] < first["connections_opened"]
    opened = f"{first['connections_opened']} + {second['connections_opened']} connections"
    return _mark(errors == 0 and pooled, f"{errors} errors, {opened}")


def _instructions_table(results: dict[str, Any]) -> list[str]:
    if "instructions" not in results:
        return []
    rows = []
    for adapter in RIVALS:
        for name in (
            "raw httpx",
            FAMILY_FLOOR[next(s.family for s in CLIENTS if s.name == adapter)],
        ):
            c = _counts(results, adapter, name)
            if c is not None:
                rows.append(_count_row(f"{name} *(in {adapter}'s process)*", c, None))
        floors = _floor_counts(results, adapter)
        for name in (adapter, RIVALS[adapter]):
            c = _counts(results, name)
            if c is not None:
                rows.append(_count_row(name, c, floors))
    head = ["Client", "per call, M", "× floor", "agent step, M", "× floor"]
    head += ["per chunk (0.3k→1k), K", "× floor", "per chunk (1k→3k), K"]
    return [
        "## Instructions",
        "",
        "Per call: 5 non-streamed calls. Agent step: two calls with three tools bound. Per chunk: "
        "the difference between streams of 300, 1,000 and 3,000 chunks, so the request's fixed "
        "cost drops out. The floor is raw httpx plus the framework's trivial model, counted in "
        "the adapter's own process.",
        "",
        *_table(head, rows),
    ]


def _count_row(name: str, c: Counts, floors: tuple[Counts, Counts] | None) -> list[str]:
    def x(mine: float, a: float | None, b: float | None) -> str:
        return f"{mine / (a + b):.2f}×" if a is not None and b is not None else "–"

    raw, fw = floors if floors else (None, None)
    call = (raw.per_call, fw.per_call) if raw and fw else (None, None)
    step = (raw.per_step, fw.per_step) if raw and fw else (None, None)
    chunk = (raw.per_chunk, fw.per_chunk) if raw and fw else (None, None)
    late = f"{c.segments[1] / 1e3:.1f}" if len(c.segments) > 1 else "–"
    return [
        name,
        f"{c.per_call / 1e6:.2f}",
        x(c.per_call, *call),
        f"{c.per_step / 1e6:.2f}",
        x(c.per_step, *step),
        f"{c.per_chunk / 1e3:.1f}",
        x(c.per_chunk, *chunk),
        late,
    ]


def _cpu_table(results: dict[str, Any]) -> list[str]:
    rows = []
    for name in _names(results):
        invoke, agent = _records(results, name, "invoke"), _records(results, name, "agent")
        row = [name, _spread(_batches(results, name), ".2f", 1e3)]
        row.append(_spread(_cpu_ratios(invoke, _batches(results, name)), ".2f"))
        row.append(_spread(_batches(results, name, "agent"), ".2f", 1e3))
        row.append(str(agent["tool_calls"]) if agent else "–")
        for size in (1_000, 10_000, 100_000):
            s = _stream(results, name, size)
            per = [r["per_chunk_s"] for r in s["runs"]] if s else []
            timed_out = " (stopped early)" if s and any(r["timed_out"] for r in s["runs"]) else ""
            row.append(_spread(per, ".1f", 1e6) + timed_out)
            if size == 10_000:
                row.append(_spread(_cpu_ratios(s, per), ".2f"))
        rows.append(row)
    head = ["Client", "call, ms", "× floor", "agent step, ms", "tool calls", "µs/chunk (1k)"]
    head += ["µs/chunk (10k)", "× floor (10k)", "µs/chunk (100k)"]
    return [
        "## CPU time",
        "",
        "Median (min–max). Calls: 5 batches of 20, agent steps: 5 batches of 6, streams: 5, 3 and "
        "1 runs of 1k, 10k and 100k chunks (no 100k run for the generic clients). An adapter's "
        "floors are measured in its own process, interleaved round by round with it; '× floor' "
        "is taken round by round. The floor rows are the floors' own processes.",
        "",
        *_table(head, rows),
    ]


def _concurrency_table(results: dict[str, Any]) -> list[str]:
    rows = []
    for name in _names(results):
        record = _records(results, name, "concurrency")
        if record is None:
            continue
        cells = [name]
        for b in record["batches"]:
            cells.append(f"{b['cpu_s'] / b['calls'] * 1e3:.2f}")
            cells.append(f"{b['connections_opened']}" if record.get("network", True) else "–")
        errors = [b for b in record["batches"] if b["errors"]]
        cells.append(f"{errors[0]['errors']}: {errors[0]['first_error'][:80]}" if errors else "0")
        rows.append(cells)
    head = ["Client", "1st batch CPU ms/call", "opened", "2nd batch CPU ms/call", "opened"]
    return [
        "## 200 concurrent async calls",
        "",
        "Two batches of 200 `ainvoke` / `achat` calls gathered at once on a fresh instance; "
        "connections are counted by the server. Raw httpx uses the adapters' pool limits.",
        "",
        *_table([*head, "errors"], rows),
    ]


def _memory_imports(results: dict[str, Any]) -> list[str]:
    rows = []
    for name in _names(results):
        s = _stream(results, name, 100_000)
        if s and "rss_held_mb" in s["runs"][0]:
            rows.append([name, f"{s['runs'][0]['rss_held_mb']:.1f}"])
    out = [
        "## Memory and import time",
        "",
        *_table(["Client", "peak RSS above start, 100k-chunk stream, MB"], rows),
    ]
    rows = []
    for rec in results.get("imports", []):
        if "error" in rec:
            rows.append([rec["module"], rec["what"], "–", "–", rec["error"]])
        else:
            rows.append(
                [
                    rec["module"],
                    rec["what"],
                    f"{rec['cpu_s'] * 1e3:.0f}",
                    str(rec["modules"]),
                    f"`{rec['statement']}`",
                ]
            )
    head = ["Import", "what", "CPU ms (median)", "modules loaded", "statement"]
    return [*out, "", "Import in a fresh interpreter:", "", *_table(head, rows)]


def _correctness(results: dict[str, Any]) -> list[str]:
    def yn(value: Any) -> str:
        return (
            "–"
            if value is None
            else ("yes" if value is True else "no" if value is False else str(value))
        )

    rows = []
    for name in _names(results):
        c = _records(results, name, "correctness")
        if c is None:
            continue
        default = "–"
        if "default_reasoning" in c:
            default = (
                f"reasoning kept: {yn(c['default_reasoning'])}; leaks `<think>`: "
                f"{yn(c['default_think_leak'])}; strict replay: {c['default_strict_replay'][:60]}"
            )
        leak = c["invoke_think_leak"] or c.get("stream_think_leak", False)
        rows.append([name, yn(c["invoke_reasoning"]), yn(leak), c["strict_replay"][:60], default])
    head = ["Client", "keeps reasoning?", "leaks `<think>`?", "strict multi-turn replay"]
    return [
        "## Correctness (untimed)",
        "",
        *_table([*head, "in its default configuration (no `reasoning_split`)"], rows),
    ]


def _errors(results: dict[str, Any]) -> list[str]:
    lines = [f"- {name}: skipped ({why})" for name, why in results.get("skipped", {}).items()]
    for section in ("clients", "instructions"):
        for name, records in results.get(section, {}).items():
            lines += [
                f"- {name} ({section}), {r['stage']}: {r['error'][:300]}"
                for r in records
                if r["kind"] == "error"
            ]
    return ["## Errors", "", *lines] if lines else []


# --- an agent's later calls: one tool bound, a long history (`_history`) --------------------


def _family(name: str) -> str:
    return next(s.family for s in CLIENTS if s.name == name)


def _history_records(results: dict[str, Any], section: str, name: str, kind: str) -> list[Any]:
    return [r for r in results.get(section, {}).get(name, []) if r["kind"] == kind]


def _history_counts(results: dict[str, Any], name: str) -> dict[int, dict[str, Any]]:
    """Per history length: the instructions record of `name`'s callgrind worker."""
    found = _history_records(results, "history_instructions", name, "history_instructions")
    return {r["length"]: r for r in found}


def _history_cpu(results: dict[str, Any], name: str) -> dict[tuple[int, bool], dict[str, Any]]:
    return {
        (r["length"], r["streamed"]): r
        for r in _history_records(results, "history", name, "history")
    }


def _history_names(results: dict[str, Any]) -> list[str]:
    return [s.name for s in CLIENTS if s.name in results.get("history", {})]


def _composed(name: str) -> str:
    return COMPOSED[_family(name)].name


def _history_ratios(results: dict[str, Any], name: str) -> dict[tuple[int, str], float]:
    """Instructions × the composed floor counted in the same process, per (length, mode)."""
    out = {}
    for length, record in _history_counts(results, name).items():
        mine, floor = record["targets"][name], record["targets"][_composed(name)]
        for mode in ("invoke", "stream"):
            out[(length, mode)] = mine[mode] / floor[mode]
    return out


def _slope(records: dict[int, dict[str, Any]], name: str, mode: str) -> float | None:
    """Instructions per KiB of request body between the two longest histories."""
    lengths = sorted(records)
    if len(lengths) < 2:
        return None
    a, b = records[lengths[-2]], records[lengths[-1]]
    kib = (b["body_bytes"] - a["body_bytes"]) / 1024
    return float((b["targets"][name][mode] - a["targets"][name][mode]) / kib)


def _peak_memory(results: dict[str, Any], name: str) -> float | None:
    stream = _stream(results, name, 100_000)
    held = [r["rss_held_mb"] for r in stream["runs"] if "rss_held_mb" in r] if stream else []
    return max(held) if held else None


def _fleet(results: dict[str, Any], name: str) -> dict[str, Any] | None:
    found = _history_records(results, "history", name, "fleet")
    return found[0] if found else None


def _history_verdicts(results: dict[str, Any]) -> list[str]:
    if "history_instructions" not in results:
        return []
    rows = []
    lengths = ""
    for adapter in RIVALS:
        ratios = _history_ratios(results, adapter)
        cpu = _history_cpu(results, adapter)
        lengths = " / ".join(str(n) for n in sorted({n for n, _ in ratios}))
        cells = [adapter]
        for mode, streamed in (("invoke", False), ("stream", True)):
            mine = [ratios[k] for k in sorted(ratios) if k[1] == mode]
            cpu_ratios = [
                median(_cpu_ratios(cpu.get((n, streamed)), cpu[(n, streamed)]["batches"]))
                for n, m in sorted(ratios)
                if m == mode and (n, streamed) in cpu
            ]
            detail = " / ".join(f"{r:.2f}" for r in mine) + "×"
            if cpu_ratios:
                detail += "; CPU " + " / ".join(f"{r:.2f}" for r in cpu_ratios) + "×"
            cells.append(_mark(bool(mine) and max(mine) <= LIMIT_HISTORY, detail) if mine else "–")
        held, floor_held = _peak_memory(results, adapter), _peak_memory(results, "LangChain floor")
        if _family(adapter) == "langchain" and held is not None and floor_held:
            ratio = held / floor_held
            cells.append(
                _mark(ratio <= LIMIT_MEMORY, f"{ratio:.2f}× ({held:.0f} / {floor_held:.0f} MB)")
            )
        elif held is not None:
            own_floor = _peak_memory(results, FAMILY_FLOOR[_family(adapter)])
            cells.append(f"– {held:.0f} MB (its framework's floor: {own_floor or 0:.0f} MB)")
        else:
            cells.append("–")
        fleet = _fleet(results, adapter)
        if fleet is not None:
            mine_f, floor_f = fleet["targets"][adapter], fleet["targets"][_composed(adapter)]
            cells.append(
                f"{mine_f['cpu_s'] / floor_f['cpu_s']:.2f}× CPU; worst lag "
                f"{mine_f['worst_lag_s'] * 1e3:.0f} ms (floor {floor_f['worst_lag_s'] * 1e3:.0f} ms)"
                f"; {mine_f['errors']} errors"
            )
        else:
            cells.append("–")
        rows.append(cells)
    head = [
        "Adapter",
        f"Invoked, instructions ≤ {LIMIT_HISTORY}× floor ({lengths} messages)",
        f"Streamed, instructions ≤ {LIMIT_HISTORY}× floor ({lengths} messages)",
        f"Peak memory, 100k-chunk stream ≤ {LIMIT_MEMORY}× LangChain floor",
        "Concurrent streams on one loop (CPU time; not judged)",
    ]
    return [
        "## Targets: an agent's later calls",
        "",
        "One tool bound and a history of assistant turns (each with `reasoning_details` and a "
        "tool call) and ~1 KB tool results. The floor is composed: raw httpx posting the same "
        "JSON body plus the framework's trivial model given the same messages, counted in the "
        "adapter's own process.",
        "",
        *_table(head, rows),
    ]


def _history_instructions_table(results: dict[str, Any]) -> list[str]:
    if "history_instructions" not in results:
        return []
    rows = []
    lengths: list[int] = []
    for name in _history_names(results):
        records = _history_counts(results, name)
        lengths = sorted(records)
        if name in RIVALS:  # its composed floor, counted in its process
            floor = _composed(name)
            cells = [f"{floor} *(in {name}'s process)*"]
            for n in lengths:
                for mode in ("invoke", "stream"):
                    cells += [f"{records[n]['targets'][floor][mode] / 1e6:.2f}", "–"]
            slope = _slope(records, floor, "invoke")
            rows.append([*cells, f"{slope / 1e3:.1f}" if slope is not None else "–", "–"])
        cells = [name]
        for n in lengths:
            for mode in ("invoke", "stream"):
                mine, floor_count = (
                    records[n]["targets"][name][mode],
                    records[n]["targets"][_composed(name)][mode],
                )
                cells += [f"{mine / 1e6:.2f}", f"{mine / floor_count:.2f}×"]
        slope, floor_slope = (
            _slope(records, name, "invoke"),
            _slope(records, _composed(name), "invoke"),
        )
        cells.append(f"{slope / 1e3:.1f}" if slope is not None else "–")
        cells.append(f"{slope / floor_slope:.2f}×" if slope is not None and floor_slope else "–")
        rows.append(cells)
    head = ["Client"]
    for n in lengths:
        head += [f"{n} msgs invoked, M", "× floor", f"{n} msgs streamed, M", "× floor"]
    head += ["K per KiB of body (invoked)", "× floor's slope"]
    sizes = {}
    for name in _history_names(results):
        for n, r in _history_counts(results, name).items():
            sizes[n] = r["body_bytes"]
    body = ", ".join(f"{n} messages {b / 1024:.0f} KiB" for n, b in sorted(sizes.items()))
    return [
        "## Instructions per call with a history",
        "",
        f"Per call, two calls each (request bodies: {body}). Streamed: the same answer "
        "(reasoning, then about 50 text chunks) streamed. The slope is the instructions per KiB "
        "of request body between the two longest histories: how the cost grows with the history.",
        "",
        *_table(head, rows),
    ]


def _history_cpu_table(results: dict[str, Any]) -> list[str]:
    rows = []
    lengths: list[int] = []
    for name in _history_names(results):
        cpu = _history_cpu(results, name)
        lengths = sorted({n for n, _ in cpu})
        cells = [name]
        for n in lengths:
            for streamed in (False, True):
                record = cpu.get((n, streamed))
                batches = record["batches"] if record else []
                cells.append(_spread(batches, ".2f", 1e3))
                cells.append(_spread(_cpu_ratios(record, batches), ".2f"))
        rows.append(cells)
        floor = _composed(name)
        if name in RIVALS:
            cells = [f"{floor} *(in {name}'s process)*"]
            for n in lengths:
                for streamed in (False, True):
                    record = cpu.get((n, streamed))
                    cells += [
                        _spread(record["floor_batches"][floor] if record else [], ".2f", 1e3),
                        "–",
                    ]
            rows.insert(len(rows) - 1, cells)
    if not rows:
        return []
    head = ["Client"]
    for n in lengths:
        head += [f"{n} msgs invoked, ms", "× floor", f"{n} msgs streamed, ms", "× floor"]
    return [
        "## CPU time per call with a history",
        "",
        "Median (min–max) over rounds of 10, 4 and 2 calls (10, 100 and 400 messages), each "
        "client interleaved round by round with its composed floor in its own process.",
        "",
        *_table(head, rows),
    ]


def _fleet_table(results: dict[str, Any]) -> list[str]:
    rows = []
    streams = 0
    for name in _history_names(results):
        fleet = _fleet(results, name)
        if fleet is None:
            continue
        streams = fleet["streams"]
        floor = fleet["targets"][_composed(name)]
        for label, figures in (
            (f"{_composed(name)} *(in {name}'s process)*", floor),
            (name, fleet["targets"][name]),
        ):
            if label != name and name not in RIVALS:
                continue
            rows.append(
                [
                    label,
                    f"{figures['per_chunk_s'] * 1e6:.1f}",
                    f"{figures['cpu_s'] / floor['cpu_s']:.2f}×" if label == name else "–",
                    f"{figures['worst_lag_s'] * 1e3:.0f}",
                    f"{figures['wall_s']:.2f}",
                    f"{figures['chunks']:,}",
                    str(figures["errors"]),
                ]
            )
    if not rows:
        return []
    head = [
        "Client",
        "CPU µs/chunk",
        "CPU × floor",
        "worst loop lag, ms",
        "wall, s",
        "chunks",
        "errors",
    ]
    return [
        f"## {streams:,} concurrent async streams on one event loop",
        "",
        f"{streams:,} `astream` / `astream_chat` calls gathered at once on a fresh instance, "
        "each streaming the same answer (reasoning, then about 50 text chunks). CPU is the whole "
        "process's over the whole run; the lag is how late a 1 ms sleep woke at worst (the "
        "longest the loop went without running a callback). CPU time only: counting "
        "instructions of this many streams under callgrind takes too long.",
        "",
        *_table(head, rows),
    ]


def history_sections(results: dict[str, Any]) -> list[list[str]]:
    """The tables of an agent's later calls, in `RESULTS.md` order."""
    return [
        _history_verdicts(results),
        _history_instructions_table(results),
        _history_cpu_table(results),
        _fleet_table(results),
    ]


def build_report(results: dict[str, Any], notes: str = "") -> str:
    sections = [
        _header(results),
        _verdicts(results),
        _instructions_table(results),
        _cpu_table(results),
        _concurrency_table(results),
        *history_sections(results),
        _memory_imports(results),
        _correctness(results),
        _errors(results),
    ]
    body = "\n\n".join("\n".join(s) for s in sections if s)
    return f"{body}\n\n{NOTES_MARK}\n{notes}"


def write_report(results: dict[str, Any], directory: Path, *, write: bool = True) -> str:
    path = directory / "RESULTS.md"
    old = path.read_text() if path.exists() else ""
    notes = old.split(NOTES_MARK, 1)[1].lstrip("\n") if NOTES_MARK in old else ""
    report = build_report(results, notes)
    if write:
        path.write_text(report)
    return report
