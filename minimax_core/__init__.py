"""A framework-free client for MiniMax chat completions that keeps the reasoning chain intact.

```python
from minimax_core import MiniMaxClient, build_request

client = MiniMaxClient()  # MINIMAX_API_KEY, MINIMAX_BASE_URL from the environment
turn = client.create(build_request([{"role": "user", "content": "Hi"}], model="MiniMax-M3"))
print(turn.reasoning, turn.text)
```

The package exports the client, the result types, the errors and request building;
`minimax_core.models` is the model catalog and `minimax_core.replay` the reasoning-replay
contract, `minimax_core.adapter_kit` what framework adapters build on. Modules starting with
`_` are private.
"""

from ._accumulate import TurnView
from ._client import (
    CHINA_BASE_URL,
    DEFAULT_BASE_URL,
    AsyncMiniMaxClient,
    MiniMaxClient,
    resolve_base_url,
)
from ._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentFilteredError,
    ContextWindowExceededError,
    InsufficientBalanceError,
    InternalServerError,
    MiniMaxError,
    MiniMaxWarning,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    StreamError,
    UsageLimitError,
)
from ._files import DEFAULT_PURPOSE, AsyncFiles, FileObject, Files
from ._limiter import AdaptiveRateLimiter
from ._request import build_request, normalize_thinking, safe_arguments, validate_messages
from ._settings import Settings, resolve_settings
from ._streaming import AsyncChatStream, ChatStream
from .models import DEFAULT_MODEL, EFFORT_LEVELS, MODELS, ModelInfo, model_info
from .replay import assistant_message
from .types import Completion, StreamDelta, ToolCall, ToolCallDelta, Usage

__version__ = "0.1.0"

__all__ = [
    "CHINA_BASE_URL",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "DEFAULT_PURPOSE",
    "EFFORT_LEVELS",
    "MODELS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AdaptiveRateLimiter",
    "AsyncChatStream",
    "AsyncFiles",
    "AsyncMiniMaxClient",
    "AuthenticationError",
    "BadRequestError",
    "ChatStream",
    "Completion",
    "ContentFilteredError",
    "ContextWindowExceededError",
    "FileObject",
    "Files",
    "InsufficientBalanceError",
    "InternalServerError",
    "MiniMaxClient",
    "MiniMaxError",
    "MiniMaxWarning",
    "ModelInfo",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "Settings",
    "StreamDelta",
    "StreamError",
    "ToolCall",
    "ToolCallDelta",
    "TurnView",
    "Usage",
    "UsageLimitError",
    "assistant_message",
    "build_request",
    "model_info",
    "normalize_thinking",
    "resolve_base_url",
    "resolve_settings",
    "safe_arguments",
    "validate_messages",
]
