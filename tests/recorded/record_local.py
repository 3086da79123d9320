"""Record transcripts from the bundled local server, one set per dialect.

`python -m tests.recorded.record_local [DIRECTORY]` (default `tests/fixtures/recorded/`)
writes `local-server-<dialect>-<case>-001.json`: a plain answer and a tool call, each invoked
and streamed, through `ChatMiniMax` with a recording client. These are recordings of the
scripted local server, not of MiniMax: they give the offline replay test data in every dialect
until transcripts of real endpoints are recorded with `RECORD=1 make test-live`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from minimax_core.recording import Recorder
from minimax_server import DIALECTS, MiniMaxServer

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[1] / "fixtures" / "recorded"
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
CASES = {
    "answer": "Why is the sky blue? One sentence.",
    "tool": "What is the weather in Paris?",
}


def record_dialect(dialect: str, directory: Path, *, reasoning_split: bool = True) -> list[Path]:
    """Record the cases of one dialect (from a strict server) into `directory`."""
    from langchain_minimax import ChatMiniMax

    label = ""
    suffix = "" if reasoning_split else "-inline"
    with MiniMaxServer(api_key="local-key", dialect=dialect, strict=True) as server:
        recorder = Recorder(
            directory,
            source="local-server",
            secrets=[server.api_key],
            meta={
                "dialect": dialect,
                "note": "recorded from the bundled local server (scripted model), not MiniMax",
            },
            label=lambda: label,
        )
        with httpx.Client(transport=recorder.transport()) as client:
            llm = ChatMiniMax(
                model="MiniMax-M2.7",
                api_key=server.api_key,
                base_url=server.base_url,
                reasoning_split=reasoning_split,
                http_client=client,
            )
            for case, prompt in CASES.items():
                model = llm.bind_tools([WEATHER_TOOL]) if case == "tool" else llm
                label = f"{dialect}{suffix}-{case}-invoke"
                model.invoke(prompt)
                label = f"{dialect}{suffix}-{case}-stream"
                for _ in model.stream(prompt):
                    pass
    return recorder.written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else DEFAULT_DIRECTORY
    written: list[Path] = []
    for dialect in DIALECTS:
        written += record_dialect(dialect, directory)
    written += record_dialect("minimax", directory, reasoning_split=False)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
