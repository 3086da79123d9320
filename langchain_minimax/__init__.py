"""MiniMax chat models for LangChain, with the reasoning chain kept intact across turns.

```python
from langchain_minimax import ChatMiniMax

llm = ChatMiniMax(model="MiniMax-M2.7")
```

Importing the package registers the `minimax` content-block translator, so
`message.content_blocks` shows MiniMax reasoning, text and tool calls.
"""

from __future__ import annotations

from minimax_core.adapter_kit import require_extra as _require_extra

_require_extra("langchain_core", "langchain", "langchain_minimax")

from . import _translator  # noqa: F401  (registers the `minimax` block translator)
from ._errors import (
    MiniMaxAPIStatusError,
    MiniMaxAuthenticationError,
    MiniMaxBadRequestError,
    MiniMaxConnectionError,
    MiniMaxContentFilteredError,
    MiniMaxContextWindowExceededError,
    MiniMaxInsufficientBalanceError,
    MiniMaxInternalServerError,
    MiniMaxNotFoundError,
    MiniMaxOverloadedError,
    MiniMaxPermissionDeniedError,
    MiniMaxRateLimitError,
    MiniMaxRequestValidationError,
    MiniMaxStreamError,
    MiniMaxTimeoutError,
    MiniMaxUsageLimitError,
)
from ._ratelimit import MiniMaxRateLimiter
from .chat_models import ChatMiniMax

__all__ = [
    "ChatMiniMax",
    "MiniMaxAPIStatusError",
    "MiniMaxAuthenticationError",
    "MiniMaxBadRequestError",
    "MiniMaxConnectionError",
    "MiniMaxContentFilteredError",
    "MiniMaxContextWindowExceededError",
    "MiniMaxInsufficientBalanceError",
    "MiniMaxInternalServerError",
    "MiniMaxNotFoundError",
    "MiniMaxOverloadedError",
    "MiniMaxPermissionDeniedError",
    "MiniMaxRateLimitError",
    "MiniMaxRateLimiter",
    "MiniMaxRequestValidationError",
    "MiniMaxStreamError",
    "MiniMaxTimeoutError",
    "MiniMaxUsageLimitError",
]
