"""`python -m benchmarks.plain_chunks`: is `llamaindex_minimax._lazy` still worth its keep?

LlamaIndex's streamed `ChatResponse`s carry the whole message so far. `_lazy` builds each one
without validation and defers the message's blocks until something reads them. This counts
instructions per chunk (callgrind, as `make bench` does) for LlamaIndex `MiniMax` three ways,
each with its composed floor (raw httpx + LlamaIndex's `MockLLM`) measured in the same process:

- `lazy`: the shipped code;
- `plain`: every chunk's `ChatMessage` and `ChatResponse` built with the validating
  constructors, blocks joined from the stream so far;
- `construct`: the same objects built with pydantic's `model_construct` (no validation).

The verdict in `RESULTS.md` ("`_lazy.py` against plain pydantic") comes from this run: `_lazy`
stays while plain construction misses 1.1x of the floor.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

VARIANTS = ("lazy", "plain", "construct")
CLIENT = "MiniMax (ours)"


def apply(variant: str) -> None:
    """Swap the accumulator's per-chunk builder in this process (a worker's, before it runs)."""
    from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole

    from llamaindex_minimax import _messages_in as convert

    if variant == "lazy":
        return
    validated = variant == "plain"

    def feed(self: Any, delta: Any) -> ChatResponse:
        text, reasoning = delta.text, delta.reasoning
        self._text_count += bool(text)
        self._reasoning_count += bool(reasoning)
        if delta.tool_calls:
            for piece in delta.tool_calls:
                self._args[piece.index] = self._args.get(piece.index, 0) + bool(piece.arguments)
            self._calls = tuple(self._args.items())
        snapshot = convert._Snapshot(
            self._turn, self._text_count, self._reasoning_count, self._calls
        )
        fields = {
            "role": MessageRole.ASSISTANT,
            "blocks": snapshot.blocks(),
            "additional_kwargs": snapshot.additional_kwargs() if self._calls else {},
        }
        extra = {"thinking_delta": reasoning} if reasoning else {}
        if validated:
            return ChatResponse(message=ChatMessage(**fields), delta=text, additional_kwargs=extra)
        return ChatResponse.model_construct(
            message=ChatMessage.model_construct(**fields),
            delta=text,
            raw=None,
            logprobs=None,
            additional_kwargs=extra,
        )

    convert.ChatStreamAccumulator.feed = feed  # type: ignore[method-assign]


_WORKER = (
    "import sys; from benchmarks.plain_chunks import apply; apply(sys.argv.pop(1)); "
    "from benchmarks._worker import main; raise SystemExit(main(sys.argv[1:]))"
)


def _per_chunk(streams: list[dict[str, Any]]) -> list[float]:
    return [
        (b["instructions"] - a["instructions"]) / (b["chunks"] - a["chunks"])
        for a, b in itertools.pairwise(streams)
    ]


def measure(variant: str, base_url: str, scratch: Path) -> dict[str, list[float]]:
    """Instructions per chunk (300→1k, 1k→3k) of the adapter and its two floors."""
    from . import _callgrind
    from ._server import ROOT, child_env

    out_base = scratch / variant
    command = _callgrind.command(
        out_base, sys.executable, "-c", _WORKER, variant, CLIENT, base_url, "--instructions"
    )
    env = child_env()
    env[_callgrind.OUT_ENV] = str(out_base)
    env["PYTHONHASHSEED"] = "0"
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        record = json.loads(line) if line.startswith("{") else {}
        if record.get("kind") == "instructions":
            return {name: _per_chunk(t["streams"]) for name, t in record["targets"].items()}
    raise RuntimeError(f"{variant}: the worker reported no counts: {done.stderr[-500:]}")


def main() -> int:
    from . import _callgrind
    from ._server import ServerProcess

    reason = _callgrind.supported()
    if reason:
        print(f"cannot count instructions here: {reason}", file=sys.stderr)
        return 1
    print("| build | per chunk (0.3k→1k), K | × floor | per chunk (1k→3k), K | × floor |")
    print("|---|---|---|---|---|")
    with ServerProcess() as server, tempfile.TemporaryDirectory() as scratch:
        for variant in VARIANTS:
            counts = measure(variant, server.base_url, Path(scratch))
            own = counts.pop(CLIENT)
            floor = [sum(values) for values in zip(*counts.values(), strict=True)]
            cells = " | ".join(
                f"{mine / 1e3:.1f} | {mine / low:.2f}×"
                for mine, low in zip(own, floor, strict=True)
            )
            print(f"| {variant} | {cells} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
