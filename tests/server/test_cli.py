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


def test_cli_says_its_key_and_how_to_point_clients_at_it() -> None:
    """The printed export lines work as printed: a client reading only them gets answers."""
    port = _free_port()
    command = [sys.executable, "-m", "minimax_server", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(5)]
        assert lines[1].startswith("API key: test-key")
        exports = dict(line.removeprefix("export ").split("=", 1) for line in lines[3:])
        assert exports == {
            "MINIMAX_API_KEY": "test-key",
            "MINIMAX_BASE_URL": f"http://127.0.0.1:{port}/v1",
        }
        env = {**exports, "PATH": "", "PYTHONPATH": str(ROOT)}
        code = "from minimax_core import MiniMaxClient, build_request as b\n" + (
            "print(MiniMaxClient().create(b([{'role': 'user', 'content': 'Hello'}],"
            " model='MiniMax-M2.7')).text)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip()
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_a_wrong_key_is_called_wrong_and_a_missing_one_missing() -> None:
    from minimax_server import MiniMaxServer

    with MiniMaxServer(api_key="right") as server:
        url = f"{server.base_url}/chat/completions"
        body = {"model": "MiniMax-M2.7", "messages": [{"role": "user", "content": "Hi"}]}
        wrong = httpx.post(url, json=body, headers={"Authorization": "Bearer nope"}, timeout=10)
        missing = httpx.post(url, json=body, timeout=10)
    for answer in (wrong, missing):  # MiniMax's shape and code either way
        assert answer.status_code == 401
        assert answer.json()["error"]["type"] == "authorized_error"
        assert answer.json()["error"]["message"].endswith("(1004)")
    assert "invalid api key" in wrong.json()["error"]["message"]
    assert "Please carry the API secret key" in missing.json()["error"]["message"]
