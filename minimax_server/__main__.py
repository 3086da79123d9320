"""`python -m minimax_server --port N`: run the local MiniMax-compatible server."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from ._lifecycle import MiniMaxServer
from ._types import DIALECTS


def startup_text(base_url: str, api_key: str) -> str:
    """What the CLI prints: where it listens, its key, and the lines that point clients at it."""
    return "\n".join(
        [
            f"MiniMax-compatible server listening on {base_url}",
            f"API key: {api_key}  (scripted answers, not a real model)",
            "Point the README quickstarts (and the demo) at it from another shell:",
            f"  export MINIMAX_API_KEY={shlex.quote(api_key)}",
            f"  export MINIMAX_BASE_URL={shlex.quote(base_url)}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m minimax_server",
        description="A local MiniMax-compatible chat-completions server with a scripted model.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("MINIMAX_SERVER_API_KEY", "test-key"),
        help="the Bearer key clients must send (default: test-key)",
    )
    parser.add_argument("--dialect", choices=DIALECTS, default="minimax")
    parser.add_argument("--strict", action="store_true", help="refuse altered reasoning replays")
    parser.add_argument("--any-model", action="store_true", help="accept any model name")
    parser.add_argument("--no-done", action="store_true", help="end streams without [DONE]")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between chunks")
    args = parser.parse_args(argv)

    server = MiniMaxServer(
        api_key=args.api_key,
        dialect=args.dialect,
        strict=args.strict,
        any_model=True if args.any_model else None,
        host=args.host,
        port=args.port,
        send_done=False if args.no_done else None,
        chunk_delay=args.chunk_delay,
    )
    server.start()
    print(startup_text(server.base_url, server.api_key), flush=True)
    sys.stdout.flush()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
