"""A framework-free client for MiniMax chat completions that keeps the reasoning chain intact.

```python
from minimax_core import MiniMaxClient, build_request

client = MiniMaxClient()  # MINIMAX_API_KEY, MINIMAX_BASE_URL from the environment
turn = client.create(build_request([{"role": "user", "content": "Hi"}], model="MiniMax-M2.7"))
print(turn.reasoning, turn.text)
```
"""

from ._accumulate import Accumulator, completion_from_body, usage_from_wire
from ._client import (
    CHINA_BASE_URL,
    DEFAULT_BASE_URL,
    AsyncChatStream,
    AsyncMiniMaxClient,
    ChatStream,
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
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    StreamError,
    UsageLimitError,
)
from ._limiter import AdaptiveRateLimiter
from ._pools import ClientOptions, client_options
from ._reasoning import ThinkParser, split_content
from ._request import (
    assistant_message,
    build_request,
    normalize_thinking,
    safe_arguments,
    validate_messages,
)
from ._toolcalls import parse_arguments, parse_tool_xml
from .models import DEFAULT_MODEL, MODELS, ModelInfo, model_info
from .types import Completion, StreamDelta, ToolCall, ToolCallDelta, Usage

__version__ = "0.1.0"

__all__ = [
    "CHINA_BASE_URL",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "MODELS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Accumulator",
    "AdaptiveRateLimiter",
    "AsyncChatStream",
    "AsyncMiniMaxClient",
    "AuthenticationError",
    "BadRequestError",
    "ChatStream",
    "ClientOptions",
    "Completion",
    "ContentFilteredError",
    "ContextWindowExceededError",
    "InsufficientBalanceError",
    "InternalServerError",
    "MiniMaxClient",
    "MiniMaxError",
    "ModelInfo",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "StreamDelta",
    "StreamError",
    "ThinkParser",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "UsageLimitError",
    "assistant_message",
    "build_request",
    "client_options",
    "completion_from_body",
    "model_info",
    "normalize_thinking",
    "parse_arguments",
    "parse_tool_xml",
    "resolve_base_url",
    "safe_arguments",
    "split_content",
    "usage_from_wire",
    "validate_messages",
]
