"""Token usage, added up per part of the demo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Tally"]


@dataclass
class Tally:
    """Model calls and tokens of one part of the demo."""

    label: str
    calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0

    def add_langchain(self, usage: Mapping[str, Any] | None) -> None:
        """Add an `AIMessage.usage_metadata` (LangChain's standard usage dict)."""
        self.calls += 1
        if not usage:
            return
        self.input_tokens += int(usage.get("input_tokens") or 0)
        self.output_tokens += int(usage.get("output_tokens") or 0)
        self.cached_tokens += int((usage.get("input_token_details") or {}).get("cache_read") or 0)
        self.reasoning_tokens += int(
            (usage.get("output_token_details") or {}).get("reasoning") or 0
        )

    def add_openai_style(self, usage: Mapping[str, Any] | None) -> None:
        """Add a `{"prompt_tokens", "completion_tokens", ...}` dict (LlamaIndex `raw["usage"]`)."""
        self.calls += 1
        if not usage:
            return
        self.input_tokens += int(usage.get("prompt_tokens") or 0)
        self.output_tokens += int(usage.get("completion_tokens") or 0)
        self.cached_tokens += int(usage.get("cached_tokens") or 0)
        self.reasoning_tokens += int(usage.get("reasoning_tokens") or 0)

    HEADER = f"{'':<26}{'calls':>6}{'input':>9}{'cached':>9}{'output':>9}{'reasoning':>11}"

    def row(self) -> str:
        return (
            f"{self.label:<26}{self.calls:>6}{self.input_tokens:>9,}{self.cached_tokens:>9,}"
            f"{self.output_tokens:>9,}{self.reasoning_tokens:>11,}"
        )

    @classmethod
    def total(cls, tallies: list[Tally]) -> Tally:
        out = cls("total")
        for tally in tallies:
            out.calls += tally.calls
            out.input_tokens += tally.input_tokens
            out.cached_tokens += tally.cached_tokens
            out.output_tokens += tally.output_tokens
            out.reasoning_tokens += tally.reasoning_tokens
        return out
