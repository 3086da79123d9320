"""The local MiniMax-compatible server in its own process, and its control endpoints.

The server runs as `python -m minimax_server --port 0` so that none of its CPU is counted
in the client processes that are measured.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx

from ._common import API_KEY

ROOT = Path(__file__).resolve().parent.parent


def child_env() -> dict[str, str]:
    """Environment for the server and worker processes: the repo importable, no tracing."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    for name in ("LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING", "LANGCHAIN_TRACING"):
        env[name] = "false"
    for name in (
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
        "MINIMAX_BASE_URL",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        env.pop(name, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    return env


class ServerProcess:
    """`python -m minimax_server` on a free port, stopped on exit."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> ServerProcess:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "minimax_server", "--port", "0", "--api-key", API_KEY],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        holder: list[str] = []
        reader = threading.Thread(target=lambda: holder.append(self._proc.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout=30)
        line = holder[0] if holder else ""
        match = re.search(r"http://\S+", line)
        if not match:
            self._proc.kill()
            err = self._proc.stderr.read() if self._proc.stderr else ""
            raise RuntimeError(f"the local server did not start: {line!r} {err[-2000:]}")
        self.base_url = match.group(0).rstrip("/")
        Control(self.base_url).stats()  # wait until it answers
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


class Control:
    """The server's `/_control/*` endpoints over one kept-alive connection.

    The connection is opened before any `reset()`, so it never counts in `connections_opened`.
    """

    def __init__(self, base_url: str) -> None:
        root = base_url.rstrip("/").removesuffix("/v1")
        self._http = httpx.Client(base_url=root, timeout=120.0, trust_env=False)

    def _post(self, name: str, body: dict[str, Any]) -> None:
        response = self._http.post(f"/_control/{name}", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"control {name}: HTTP {response.status_code} {response.text}")

    def reset(self) -> None:
        self._post("reset", {})

    def reply(self, text: str, reasoning: str | None = None) -> None:
        """Queue the exact answer to the next chat request."""
        self._post("reply", {"text": text, "reasoning": reasoning})

    def config(self, **settings: Any) -> None:
        self._post("config", settings)

    def stats(self) -> dict[str, Any]:
        response = self._http.get("/_control/stats")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def close(self) -> None:
        self._http.close()
