"""`python -m minimax_server --port N` starts, answers, and stops on SIGTERM."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_cli_serves_and_stops() -> None:
    port = _free_port()
    command = [sys.executable, "-m", "minimax_server", "--port", str(port), "--api-key", "k"]
    command += ["--dialect", "vllm", "--strict"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == f"MiniMax-compatible server listening on http://127.0.0.1:{port}/v1"
        r = httpx.post(
            f"http://127.0.0.1:{port}/v1/chat/completions",
            json={"model": "minimax-m2", "messages": [{"role": "user", "content": "Hello"}]},
            headers={"Authorization": "Bearer k"},
            timeout=10,
        )
        assert r.status_code == 200
        assert r.json()["choices"][0]["message"]["reasoning"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
