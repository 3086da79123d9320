"""`python -m demo` (or `make demo`): MiniMax reasoning through LangChain and LlamaIndex.

With `MINIMAX_API_KEY` set, the demo talks to the MiniMax API (`MINIMAX_BASE_URL`, or
`--region cn` for mainland China). Without it, it starts the bundled local MiniMax-compatible
server and says so on its first line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from minimax_core import (
    DEFAULT_MODEL,
    EFFORT_LEVELS,
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    InsufficientBalanceError,
    MiniMaxError,
    RateLimitError,
    StreamError,
    resolve_base_url,
)
from minimax_core.adapter_kit import region_hint
from minimax_server import MiniMaxServer

from ._console import Console
from ._settings import Settings
from ._usage import Tally

OFFLINE_NOTICE = (
    "No MINIMAX_API_KEY set: running against the bundled local MiniMax-compatible server "
    "(scripted answers, not a real model)."
)
_LOCAL_KEY = "local-demo-key"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"model name ({DEFAULT_MODEL})")
    parser.add_argument(
        "--region",
        choices=["global", "cn"],
        default=None,
        help="API region (global: api.minimax.io, cn: api.minimax.cn); "
        "without it MINIMAX_BASE_URL, else global",
    )
    parser.add_argument(
        "--reasoning-effort",
        choices=EFFORT_LEVELS,
        default=None,
        help="how hard MiniMax-M4 and M3.1-Flash think (unset: MiniMax uses max)",
    )
    args = parser.parse_args(argv)
    console = Console()
    base_url = ""
    try:
        with _endpoint(console, args.model, args.region, args.reasoning_effort) as settings:
            base_url = settings.base_url
            return _run(console, settings)
    except KeyboardInterrupt:
        console.line()
        console.line("Interrupted.")
        return 130
    except BrokenPipeError:  # `python -m demo | head`: the reader has gone, stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ImportError as exc:
        _fail(
            console,
            f"The demo needs LangChain and LlamaIndex ({exc}): run `make demo`, or "
            "`pip install -e '.[demo]'` and then `python -m demo`.",
        )
        return 1
    except Exception as exc:
        error = _minimax_error(exc)
        if error is None:
            raise
        _fail(console, _explain(error, base_url))
        return 1


@contextmanager
def _endpoint(
    console: Console, model: str, region: str | None, effort: str | None
) -> Iterator[Settings]:
    """The MiniMax API when a key is set, else a local server started for the demo."""
    key = os.environ.get("MINIMAX_API_KEY", "").strip()
    if key:
        base_url = resolve_base_url(None, region)  # --region wins over MINIMAX_BASE_URL
        console.line(f"MINIMAX_API_KEY is set: using the MiniMax API at {base_url} ({model}).")
        yield Settings(model, key, base_url, offline=False, reasoning_effort=effort)
        return
    console.line(OFFLINE_NOTICE)
    console.line("Set MINIMAX_API_KEY to run the same demo against MiniMax.")
    # strict: the server refuses any replayed turn whose reasoning was dropped or altered.
    with MiniMaxServer(api_key=_LOCAL_KEY, strict=True, chunk_delay=0.006) as server:
        yield Settings(model, _LOCAL_KEY, server.base_url, offline=True, reasoning_effort=effort)


def _run(console: Console, settings: Settings) -> int:
    started = time.perf_counter()
    # Each framework is imported when its part starts: the first line shows at once, and a
    # missing extra gives one sentence instead of a traceback.
    from . import _langchain

    tallies = [_langchain.run(console, settings)]

    from . import _llamaindex

    tallies.append(_llamaindex.run_query_engine(console, settings))
    tallies.append(_llamaindex.run_agent(console, settings))
    console.heading("Token usage (as reported by the server)")
    console.line("  " + Tally.HEADER)
    for tally in [*tallies, Tally.total(tallies)]:
        console.line("  " + tally.row())
    console.line()
    if settings.offline:
        console.paragraph(
            "Every earlier turn went back to the server with its reasoning intact: the local "
            "server runs in strict mode and refuses any turn whose reasoning was dropped."
        )
    console.line(f"Done in {time.perf_counter() - started:.1f} s.")
    return 0


def _minimax_error(exc: BaseException) -> MiniMaxError | None:
    """The MiniMax error behind `exc` (frameworks sometimes wrap exceptions)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, MiniMaxError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _explain(error: MiniMaxError, base_url: str) -> str:
    """One sentence a user can act on."""
    where = base_url or "the MiniMax API"
    if isinstance(error, AuthenticationError):
        # The region advice is the core's (the error already carries it from MiniMax's hosts).
        hint = region_hint(base_url)
        advice = f"; {hint} (here: --region)" if hint else ""
        return f"MiniMax at {where} refused the API key in MINIMAX_API_KEY: check the key{advice}."
    if isinstance(error, InsufficientBalanceError):
        return f"MiniMax at {where} says the account has no balance left for this model ({error})."
    if isinstance(error, RateLimitError):
        return f"MiniMax at {where} is rate-limiting this key even after retries ({error})."
    if isinstance(error, APIConnectionError | StreamError):
        return (
            f"No answer from MiniMax at {where} ({error}); check your network connection "
            "and MINIMAX_BASE_URL."
        )
    if isinstance(error, APIStatusError):
        return f"MiniMax at {where} refused the request: {error}."
    return f"The demo could not run: {error}."


def _fail(console: Console, sentence: str) -> None:
    console.stream.flush()
    print(f"\n{sentence}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
