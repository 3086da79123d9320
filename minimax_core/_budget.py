"""An answer that never came because the thinking used up the output budget.

MiniMax counts thinking against `max_completion_tokens`. With a small limit, or a high
reasoning effort (M4 and M3.1-Flash think at `max` by default), the turn can end with
`finish_reason: "length"`, reasoning, and no answer at all. The adapters say so instead of
handing back an empty message in silence.
"""

from __future__ import annotations

import warnings

from ._exceptions import MiniMaxWarning
from .types import Completion

__all__ = ["thinking_used_budget", "warn_if_thinking_used_budget"]


def thinking_used_budget(completion: Completion) -> bool:
    """Whether the turn ended at the output limit with reasoning but no answer and no call."""
    return (
        completion.finish_reason == "length"
        and not completion.text
        and not completion.tool_calls
        and bool(completion.reasoning)
    )


def warn_if_thinking_used_budget(completion: Completion, model: str | None = None) -> None:
    """Warn (`MiniMaxWarning`) when `thinking_used_budget`; `model` names the requested one."""
    # The finish reason first: this runs once per answer, and almost every answer is "stop".
    if completion.finish_reason == "length" and thinking_used_budget(completion):
        warnings.warn(
            f"{completion.model or model or 'the model'} used the whole output budget thinking and gave no "
            "answer (finish_reason 'length'); raise max_tokens or lower reasoning_effort",
            MiniMaxWarning,
            stacklevel=3,
        )
