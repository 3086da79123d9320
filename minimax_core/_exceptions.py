"""The exception tree and the one table that maps MiniMax failures onto it.

```
MiniMaxError
├── RequestValidationError (also ValueError)   bad input caught before the network
├── APIConnectionError                         the request never got an answer
│   └── APITimeoutError                        connect, read or stream-idle timeout
├── StreamError                                a stream broke or ended early
└── APIStatusError                             the server said no (HTTP error or base_resp)
    ├── BadRequestError                        400, 2013 invalid params
    │   └── ContextWindowExceededError         the prompt does not fit the model
    ├── AuthenticationError                    401, 1004, 2049
    ├── PermissionDeniedError                  403, 2038, 2061
    │   └── InsufficientBalanceError           1008, 1028, 1030
    ├── NotFoundError                          404
    ├── ContentFilteredError                   1026 (input), 1027 (output)
    ├── RateLimitError                         429, 1002, 1039, 1041, 2045
    │   └── UsageLimitError                    2056 (plan window exhausted; not retried)
    └── InternalServerError                    5xx, 1000, 1001, 1013, 1024, 1033
        └── OverloadedError                    529
```

An engine's 5xx (no MiniMax code) is not retried when its message says it recurs
(`PERMANENT_SERVER_FAILURES`); a 501 is a `BadRequestError`, never retried.

Warnings (a request MiniMax will not fully honour, an answer cut short by its own thinking)
are `MiniMaxWarning`, a `UserWarning`, so one filter silences or raises them all.

MiniMax reports errors two ways: HTTP 200 with a non-zero `base_resp.status_code`, and HTTP
4xx/5xx whose code sits at the end of the message as `(NNNN)`. Both go through `status_error`,
so the same failure always raises the same class.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ContentFilteredError",
    "ContextWindowExceededError",
    "InsufficientBalanceError",
    "InternalServerError",
    "MiniMaxError",
    "MiniMaxWarning",
    "NotFoundError",
    "OverloadedError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "StreamError",
    "UsageLimitError",
]


class MiniMaxError(Exception):
    """Root of every error this library raises."""


class MiniMaxWarning(UserWarning):
    """Something MiniMax will not do as asked, said before or after the call (never an error)."""


class RequestValidationError(MiniMaxError, ValueError):
    """The request is wrong in a way that is known before sending it."""


class APIConnectionError(MiniMaxError):
    """The server could not be reached, or the connection broke before an answer."""


class APITimeoutError(APIConnectionError):
    """A connect, read or stream-idle timeout expired."""


class StreamError(MiniMaxError):
    """A stream ended or broke before the answer was complete; nothing partial is returned."""


class APIStatusError(MiniMaxError):
    """The server answered with an error, as an HTTP status or a non-zero `base_resp` code."""

    retryable: bool = False
    """Whether sending the same request again may succeed (from `CODE_TABLE`/`STATUS_TABLE`)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: int | None = None,
        request_id: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after
        super().__init__(message)

    def __str__(self) -> str:
        parts = []
        if self.status_code is not None:
            parts.append(f"HTTP {self.status_code}")
        if self.code is not None:
            parts.append(f"MiniMax code {self.code}")
        prefix = f"[{', '.join(parts)}] " if parts else ""
        suffix = f" (request id {self.request_id})" if self.request_id else ""
        return f"{prefix}{self.message}{suffix}"

    def __reduce__(self) -> tuple[Any, ...]:
        kwargs = {
            "status_code": self.status_code,
            "code": self.code,
            "request_id": self.request_id,
            "body": self.body,
            "retry_after": self.retry_after,
        }
        return (_rebuild_status_error, (type(self), self.message, kwargs))


def _rebuild_status_error(
    cls: type[APIStatusError], message: str, kwargs: dict[str, Any]
) -> APIStatusError:
    return cls(message, **kwargs)


class BadRequestError(APIStatusError):
    """The request was refused as invalid (HTTP 400 or code 2013)."""


class ContextWindowExceededError(BadRequestError):
    """The prompt and the requested output do not fit the model's context window."""


class AuthenticationError(APIStatusError):
    """The API key is missing, wrong, or belongs to the other region (1004, 2049)."""


class PermissionDeniedError(APIStatusError):
    """The account may not do this (verification, plan or model not allowed)."""


class InsufficientBalanceError(PermissionDeniedError):
    """The account balance or quota is exhausted (1008)."""


class NotFoundError(APIStatusError):
    """The URL or model does not exist (HTTP 404)."""


class ContentFilteredError(APIStatusError):
    """MiniMax's safety filter refused the input (1026) or the output (1027)."""


class RateLimitError(APIStatusError):
    """Too many requests or tokens per minute (429, 1002, 2045)."""


class UsageLimitError(RateLimitError):
    """The plan's usage window is exhausted (2056); retrying before it resets cannot help."""


class InternalServerError(APIStatusError):
    """MiniMax failed on its side (5xx, 1000, 1013, 1024, 1033)."""


class OverloadedError(InternalServerError):
    """MiniMax is overloaded (HTTP 529)."""


# code -> (class, retryable). The one table both error regimes go through.
CODE_TABLE: dict[int, tuple[type[APIStatusError], bool]] = {
    1000: (InternalServerError, True),
    1001: (InternalServerError, True),
    1002: (RateLimitError, True),
    1004: (AuthenticationError, False),
    1008: (InsufficientBalanceError, False),
    1013: (InternalServerError, True),
    1024: (InternalServerError, True),
    1026: (ContentFilteredError, False),
    1027: (ContentFilteredError, False),
    1028: (InsufficientBalanceError, False),
    1030: (InsufficientBalanceError, False),
    1033: (InternalServerError, True),
    1039: (RateLimitError, False),
    1041: (RateLimitError, True),
    1042: (BadRequestError, False),
    2013: (BadRequestError, False),
    2038: (PermissionDeniedError, False),
    2045: (RateLimitError, True),
    2049: (AuthenticationError, False),
    2056: (UsageLimitError, False),
    2061: (PermissionDeniedError, False),
}

# HTTP status -> (class, retryable), used when the body carries no MiniMax code.
STATUS_TABLE: dict[int, tuple[type[APIStatusError], bool]] = {
    400: (BadRequestError, False),
    401: (AuthenticationError, False),
    403: (PermissionDeniedError, False),
    404: (NotFoundError, False),
    408: (APIStatusError, True),
    409: (APIStatusError, True),
    413: (BadRequestError, False),
    422: (BadRequestError, False),
    429: (RateLimitError, True),
    501: (BadRequestError, False),
    529: (OverloadedError, True),
}

_PARSER_HINT = (
    "the server's own tool-call parser rejected the model's output. For MiniMax models on "
    "llama.cpp, start llama-server with --jinja --skip-chat-parsing and set think_prefill=True: "
    "this library then reads the calls from the raw output itself"
)

# Self-hosted engines answer HTTP 5xx for failures that the same request meets again every time.
# A MiniMax code in the body always wins over this table; MiniMax's own messages match none of
# it. (fragment of the lowercased message, hint for the user or "")
PERMANENT_SERVER_FAILURES: tuple[tuple[str, str], ...] = (
    # llama.cpp's tool-call parser rejecting the model's output; for MiniMax-M2 it is what two
    # calls in one block meet (the parser joins calls with a fixed separator), on every retry.
    ("does not match the expected", _PARSER_HINT),
    # llama.cpp's tool-call grammar failing on a token that carries two calls: "Unexpected
    # empty grammar stack after accepting piece" (HTTP 500, or an error frame in a stream).
    ("empty grammar stack", _PARSER_HINT),
    # llama.cpp without --jinja: "tools param requires --jinja flag".
    ("requires --jinja", "restart llama-server with --jinja"),
    # Any engine naming a start-up flag it lacks ("... requires --enable-auto-tool-choice").
    ("requires --", "the server must be restarted with the flag it names"),
    ("flag is required", "the server must be restarted with the flag it names"),
)

_CODE_IN_MESSAGE = re.compile(r"\((\d{4,5})\)\s*$")
_CONTEXT_HINTS = (
    "context window",
    "context length",
    "too long",
    "exceeds the context",
    "too many tokens",
)


def classify(status_code: int | None, code: int | None) -> tuple[type[APIStatusError], bool]:
    """The exception class for a failure and whether retrying may help.

    When the HTTP status and the MiniMax code disagree, the more specific class wins (a 529 with
    code 1013 is an `OverloadedError`, a 403 with 1008 an `InsufficientBalanceError`); when they
    are unrelated, a telling status (401, 403, 404, 429, 5xx) wins over the code. A final code
    stays final (2056 is not retried on HTTP 429) unless the server itself failed (5xx).
    """
    by_code = CODE_TABLE.get(code) if code is not None else None
    by_status = _status_entry(status_code)
    if by_code is None:
        return by_status or (APIStatusError, False)
    code_cls, retryable = by_code
    if status_code is not None and status_code >= 500:
        retryable = True
    if by_status is None:
        return code_cls, retryable
    status_cls = by_status[0]
    if issubclass(code_cls, status_cls) or status_cls in (APIStatusError, BadRequestError):
        return code_cls, retryable
    return status_cls, retryable


def _status_entry(status_code: int | None) -> tuple[type[APIStatusError], bool] | None:
    if status_code is None or status_code < 400:
        return None
    if status_code in STATUS_TABLE:
        return STATUS_TABLE[status_code]
    return (InternalServerError, True) if status_code >= 500 else (BadRequestError, False)


def code_from_message(message: str) -> int | None:
    """The MiniMax code at the end of an error message, as in `"... (2013)"`."""
    match = _CODE_IN_MESSAGE.search(message)
    return int(match.group(1)) if match else None


def read_error_body(body: Any) -> tuple[str | None, int | None, str | None]:
    """Message, MiniMax code and request id from any error body shape MiniMax sends."""
    if not isinstance(body, Mapping):
        return None, None, None
    request_id = body.get("request_id") or body.get("id")
    request_id = request_id if isinstance(request_id, str) else None
    base = body.get("base_resp")
    if isinstance(base, Mapping) and base.get("status_code"):
        msg = base.get("status_msg")
        return (str(msg) if msg else None), _as_int(base.get("status_code")), request_id
    error = body.get("error")
    if isinstance(error, Mapping):
        msg = error.get("message")
        message = str(msg) if msg is not None else None
        code = _minimax_code(error.get("code"))
        if message is not None:
            code = code_from_message(message) or code
        return message, code, request_id
    if isinstance(error, str):
        return error, code_from_message(error), request_id
    msg = body.get("message") or body.get("detail")
    if isinstance(msg, str):
        return msg, code_from_message(msg), request_id
    return None, None, request_id


def _minimax_code(value: Any) -> int | None:
    """`error.code` as a MiniMax code: MiniMax's are four digits. OpenAI-compatible engines
    (vLLM, SGLang, llama.cpp) echo the HTTP status there, which is no MiniMax code."""
    code = _as_int(value)
    return code if code is not None and code >= 1000 else None


def permanent_failure_hint(status_code: int | None, code: int | None, message: str) -> str | None:
    """The hint (possibly empty) for a 5xx or an error frame without a MiniMax code whose
    message says a retry meets it again; `None` when the failure may pass on a retry."""
    # No status: an error frame inside a 200 stream, where llama.cpp sends its failures.
    if code is not None or (status_code is not None and status_code < 500):
        return None
    lowered = message.lower()
    for fragment, hint in PERMANENT_SERVER_FAILURES:
        if fragment in lowered:
            return hint
    return None


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and str(value).strip() else None
    except (TypeError, ValueError):
        return None


def status_error(
    *,
    status_code: int | None,
    body: Any,
    raw_text: str = "",
    request_id: str | None = None,
    retry_after: float | None = None,
) -> tuple[APIStatusError, bool]:
    """Build the exception for an error answer, and say whether it may be retried."""
    message, code, body_request_id = read_error_body(body)
    if message is None:
        message = raw_text.strip()[:500] or "no error message"
        code = code or code_from_message(message)
    cls, retryable = classify(status_code, code)
    hint = permanent_failure_hint(status_code, code, message)
    if hint is not None:
        retryable = False
        message = f"{message} (not retried: {hint})" if hint else f"{message} (not retried)"
    if cls is BadRequestError and any(hint in message.lower() for hint in _CONTEXT_HINTS):
        cls = ContextWindowExceededError
    error = cls(
        message,
        status_code=status_code,
        code=code,
        request_id=request_id or body_request_id,
        body=body,
        retry_after=retry_after,
    )
    error.retryable = retryable
    return error, retryable


def base_resp_error(payload: Mapping[str, Any]) -> APIStatusError | None:
    """The error carried by a non-zero `base_resp` in a 200 body or an SSE frame, if any."""
    base = payload.get("base_resp")
    if not isinstance(base, Mapping) or not base.get("status_code"):
        error = payload.get("error")
        if isinstance(error, Mapping) and error.get("message"):
            return status_error(status_code=None, body=payload)[0]
        return None
    return status_error(status_code=200, body=payload)[0]
