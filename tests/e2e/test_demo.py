"""`python -m demo` (what `make demo` runs), in its four situations, as a user would run it.

- no key: it starts the bundled server, says so first, and runs all three parts;
- a key and `MINIMAX_BASE_URL`: it talks to that endpoint (here a local server with that key);
- a wrong key, or an endpoint that does not answer: one sentence on stderr, exit status 1.

The four runs are separate processes started together, so the module takes as long as the
slowest of them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from minimax_server import MiniMaxServer

ROOT = Path(__file__).resolve().parents[2]
OFFLINE_NOTICE = (
    "No MINIMAX_API_KEY set: running against the bundled local MiniMax-compatible server "
    "(scripted answers, not a real model)."
)
SERVER_KEY = "demo-test-key"
TIMEOUT = 90


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def server() -> Iterator[MiniMaxServer]:
    with MiniMaxServer(api_key=SERVER_KEY, strict=True) as running:
        yield running


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def runs(server: MiniMaxServer) -> dict[str, Run]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MINIMAX_")}
    base.pop("NO_COLOR", None)
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH")]))
    envs = {
        "offline": base,
        "m4": base,
        "online": {**base, "MINIMAX_API_KEY": SERVER_KEY, "MINIMAX_BASE_URL": server.base_url},
        "wrong_key": {**base, "MINIMAX_API_KEY": "wrong", "MINIMAX_BASE_URL": server.base_url},
        "unreachable": {
            **base,
            "MINIMAX_API_KEY": SERVER_KEY,
            "MINIMAX_BASE_URL": f"http://127.0.0.1:{_closed_port()}/v1",
        },
    }
    args = {"m4": ["--model", "MiniMax-M4", "--reasoning-effort", "low"]}
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "demo", *args.get(name, [])],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for name, env in envs.items()
    }
    results: dict[str, Run] = {}
    for name, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        results[name] = Run(proc.returncode, out, err)
    return results


def test_offline_demo_says_so_first_and_runs_everything(runs: dict[str, Run]) -> None:
    run = runs["offline"]
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == OFFLINE_NOTICE
    for needle in (
        "LangChain: create_agent with two tools",
        "LlamaIndex: a query engine over four notes",
        "LlamaIndex: FunctionAgent with two tools",
        "tool call   get_weather(city='Paris')",
        "tool call   celsius_to_fahrenheit(celsius=18.0)",
        "tool call   opening_hours(day='sunday')",
        "tool call   delivery_fee(order_total=24)",
        "retrieved   allergens.txt",
        "Token usage",
    ):
        assert needle in run.stdout, needle
    assert sum(line.strip().startswith("thinking") for line in lines) >= 7  # every model call
    assert sum(line.strip().startswith("answer") for line in lines) == 3
    assert "<think>" not in run.stdout
    assert "\x1b[" not in run.stdout  # no ANSI styling when stdout is not a terminal
    assert run.stderr.strip() == "" or "Traceback" not in run.stderr


def test_the_demo_runs_on_m4_at_the_effort_asked_for(runs: dict[str, Run]) -> None:
    run = runs["m4"]
    assert run.returncode == 0, run.stderr
    assert "Reasoning effort: low." in run.stdout  # the local server's M4 says how it thought
    assert "tool call   get_weather(city='Paris')" in run.stdout
    assert sum(line.strip().startswith("answer") for line in run.stdout.splitlines()) == 3


def test_usage_table_adds_up(runs: dict[str, Run]) -> None:
    rows = {}
    stdout = runs["offline"].stdout
    for line in stdout[stdout.index("Token usage") :].splitlines():
        parts = line.split()
        if parts and parts[-1].replace(",", "").isdigit() and len(parts) >= 6:
            label = " ".join(parts[:-5])
            rows[label] = [int(p.replace(",", "")) for p in parts[-5:]]
    assert set(rows) == {
        "LangChain agent",
        "LlamaIndex query engine",
        "LlamaIndex FunctionAgent",
        "total",
    }
    assert rows["LangChain agent"][0] == 3  # model calls
    assert rows["LlamaIndex FunctionAgent"][0] == 3
    parts = [v for k, v in rows.items() if k != "total"]
    assert rows["total"] == [sum(column) for column in zip(*parts, strict=True)]
    assert all(value > 0 for value in rows["total"][:2])


def test_with_a_key_it_uses_the_configured_endpoint(
    runs: dict[str, Run], server: MiniMaxServer
) -> None:
    run = runs["online"]
    assert run.returncode == 0, run.stderr
    first = run.stdout.splitlines()[0]
    assert first.startswith("MINIMAX_API_KEY is set: using the MiniMax API at")
    assert server.base_url in first
    assert "bundled local" not in run.stdout
    assert run.stdout.count("answer  ") == 3
    assert any(r.headers.get("authorization") for r in server.requests)


@pytest.mark.parametrize(
    ("name", "phrase"),
    [("wrong_key", "refused the API key"), ("unreachable", "No answer from MiniMax")],
)
def test_failures_are_one_sentence(runs: dict[str, Run], name: str, phrase: str) -> None:
    run = runs[name]
    assert run.returncode == 1
    message = run.stderr.strip()
    assert phrase in message
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    assert len(message.splitlines()) == 1
    assert message.endswith(".")


@pytest.mark.parametrize(
    ("region", "base_url", "expected"),
    [
        (None, None, "https://api.minimax.io/v1"),
        ("cn", None, "https://api.minimax.cn/v1"),
        (None, "http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1"),
        ("cn", "http://127.0.0.1:9/v1", "https://api.minimax.cn/v1"),  # --region wins
    ],
)
def test_with_a_key_the_endpoint_follows_region_then_base_url(
    monkeypatch: pytest.MonkeyPatch, region: str | None, base_url: str | None, expected: str
) -> None:
    import io

    from demo.__main__ import _endpoint
    from demo._console import Console

    monkeypatch.setenv("MINIMAX_API_KEY", "some-key")
    if base_url:
        monkeypatch.setenv("MINIMAX_BASE_URL", base_url)
    out = io.StringIO()
    with _endpoint(Console(out), "MiniMax-M3", region, None) as settings:
        assert settings.base_url == expected
        assert not settings.offline
    assert out.getvalue().startswith(f"MINIMAX_API_KEY is set: using the MiniMax API at {expected}")
