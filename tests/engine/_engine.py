"""A real `llama-server` on the scripted model, behind a small steering and recording proxy.

The scripted model has no memory: which script it says is chosen per request by `logit_bias`.
The proxy adds that bias (the script `director` names for the request) and forwards everything
else untouched, streaming the answer back as it comes; it keeps each exchange, the body as the
client sent it and the raw answer bytes, for the checks and the recorded transcripts.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from minimax_core.recording import Exchange

from ._scripted_model import ScriptedModel

# The engine's modes, as self-hosters start it (besides the model and the port).
MODES: dict[str, tuple[str, ...]] = {
    "jinja": ("--jinja",),
    "jinja-reasoning-none": ("--jinja", "--reasoning-format", "none"),
    "jinja-deepseek-legacy": ("--jinja", "--reasoning-format", "deepseek-legacy"),
    "skip-chat-parsing": ("--jinja", "--skip-chat-parsing"),
}
# Greedy decoding; a bound on any answer the grammar might derail; one slot, so requests are
# answered in order; the template's own prompt (no extra system prompt from the server).
COMMON_FLAGS = (
    "--temp", "0", "--top-k", "1", "-n", "400", "-c", "16384", "--parallel", "1",
    "--threads", "1", "--no-warmup", "--alias", "MiniMax-M2",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LlamaServer:
    """`llama-server` started on the model with a mode's flags; `stop()` ends it."""

    def __init__(self, binary: Path, model: Path, flags: Sequence[str], log: Path) -> None:
        self.port = free_port()
        self.flags = tuple(flags)
        self.log = log
        command = [str(binary), "-m", str(model), "--host", "127.0.0.1", "--port", str(self.port)]
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            [*command, *COMMON_FLAGS, *self.flags], stdout=self._out, stderr=subprocess.STDOUT
        )
        self._wait_until_healthy()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_until_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama-server exited: {self.log.read_text()[-2000:]}")
            try:
                status, _ = self.request("GET", "/health")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"llama-server not healthy after {timeout} s")

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"content-type": "application/json"} if payload is not None else {}
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def apply_template(self, body: Mapping[str, Any]) -> str:
        """The prompt the engine renders for a chat request's messages (and tools)."""
        keep = {k: body[k] for k in ("messages", "tools") if k in body}
        status, raw = self.request("POST", "/apply-template", keep)
        assert status == 200, raw[:500]
        prompt: str = json.loads(raw)["prompt"]
        return prompt

    def tokenize(self, text: str) -> list[int]:
        status, raw = self.request("POST", "/tokenize", {"content": text, "parse_special": True})
        assert status == 200, raw[:500]
        tokens: list[int] = json.loads(raw)["tokens"]
        return tokens

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._out.close()


@dataclass
class Seen:
    """One exchange through the proxy: the client's body, the script, the engine's answer."""

    sent: dict[str, Any]
    script: str | None
    status: int
    content_type: str
    body: bytes
    path: str

    def exchange(self, base: str) -> Exchange:
        return Exchange(
            method="POST",
            url=base + self.path,
            request_body=json.dumps(self.sent).encode(),
            status=self.status,
            headers={"content-type": self.content_type},
            body=self.body,
        )


@dataclass
class Proxy:
    """Forwards to the engine, adding each chat request's `logit_bias`; keeps what it saw."""

    engine: LlamaServer
    model: ScriptedModel
    director: Callable[[Mapping[str, Any]], str | None]
    mode: str = ""
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        proxy = self
        # A client may give up on a stream (an error frame) before the proxy has finished
        # relaying it: reading `seen` waits for the exchanges still in flight.
        self._idle = threading.Condition()
        self._in_flight = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                status, raw = proxy.engine.request("GET", self.path)
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                sent = json.loads(self.rfile.read(length) or b"{}")
                with proxy._idle:
                    proxy._in_flight += 1
                try:
                    proxy.relay(self, sent)
                finally:
                    with proxy._idle:
                        proxy._in_flight -= 1
                        proxy._idle.notify_all()

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def relay(self, handler: BaseHTTPRequestHandler, sent: dict[str, Any]) -> None:
        script = self.director(sent) if handler.path.endswith("/chat/completions") else None
        forwarded = dict(sent)
        if script is not None:
            forwarded["logit_bias"] = [[t, b] for t, b in self.model.steer(script).items()]
        connection = http.client.HTTPConnection("127.0.0.1", self.engine.port, timeout=120)
        connection.request(
            "POST",
            handler.path,
            body=json.dumps(forwarded).encode(),
            headers={"content-type": "application/json"},
        )
        response = connection.getresponse()
        content_type = response.getheader("content-type", "")
        handler.send_response(response.status)
        handler.send_header("content-type", content_type)
        handler.send_header("transfer-encoding", "chunked")
        handler.end_headers()
        parts: list[bytes] = []
        try:
            while chunk := response.read1(65536):
                parts.append(chunk)
                handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                handler.wfile.flush()
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up; the engine's answer is still read whole and kept
        finally:
            parts.append(response.read())
            connection.close()
            self.seen.append(
                Seen(sent, script, response.status, content_type, b"".join(parts), handler.path)
            )

    def chats(self) -> list[Seen]:
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=30)
        return [s for s in self.seen if s.path.endswith("/chat/completions")]

    def clear(self) -> None:
        self.seen.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
