"""Shared prompts, settings and measuring helpers (no framework imports here)."""

from __future__ import annotations

import gc
import os
import resource
import statistics
import threading
from collections.abc import Sequence
from dataclasses import dataclass

MODEL = "MiniMax-M2.7"
API_KEY = "test-key"

GREETING = "Hello there"
"""The server greets back: a small answer ("Hello! How can I help you today?") with reasoning."""
SMALL_ANSWER = "Hello! How can I help you today?"

LONG_PROMPT = "Write a long answer."
STREAM_REASONING = "The user wants a long answer. I will write it."
"""Reasoning of the scripted long answers: a handful of chunks before the text."""

AGENT_PROMPT = "What are the weather, time and population in Paris? Use the tools in parallel."
"""The scripted model answers this with three tool calls in one turn, then a text answer."""
AGENT_TOOLS = ("get_weather", "get_time", "get_population")
TOOL_RESULT = "sunny"

CHARS_PER_CHUNK = 8
"""The server streams text in random 2-14 character pieces: about 8 characters a chunk."""

_WORDS = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
    "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu"
).split()


def long_text(chunks: int) -> str:
    """A deterministic answer that the server streams in about `chunks` pieces."""
    target = chunks * CHARS_PER_CHUNK
    words: list[str] = []
    size = 0
    i = 0
    while size < target:
        word = _WORDS[i % len(_WORDS)]
        words.append(word)
        size += len(word) + 1
        i += 1
    return " ".join(words)[:target]


def pieces(chunks: int) -> list[str]:
    """`chunks` pieces of the same answer, for the framework floors (no server involved)."""
    text = long_text(chunks)
    return [text[i : i + CHARS_PER_CHUNK] for i in range(0, len(text), CHARS_PER_CHUNK)]


@dataclass(frozen=True)
class Settings:
    """What a client needs to talk to the local server."""

    base_url: str
    api_key: str = API_KEY
    model: str = MODEL
    reasoning_split: bool = True
    """For the generic clients: send MiniMax's `reasoning_split` through their extra-body knob,
    so that every client receives the same bytes. False = their default configuration."""


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def rss_bytes() -> int:
    """Resident set size of this process now."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the peak is the best we have
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class RssSampler:
    """Samples the RSS every few milliseconds in a thread; `peak` above the starting value.

    The sampler costs a few microseconds every 5 ms (about 0.1% of a core), which is counted in
    the process CPU of the run it watches; small enough to ignore.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.baseline = 0
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            value = rss_bytes()
            if value > self.peak:
                self.peak = value

    def __enter__(self) -> RssSampler:
        gc.collect()
        self.baseline = self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def held_mb(self) -> float:
        return (self.peak - self.baseline) / 1e6
