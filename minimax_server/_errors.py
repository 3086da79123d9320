"""MiniMax's error messages and the Anthropic-style error body the server answers with."""

from __future__ import annotations

import uuid
from typing import Any

from ._validate import ApiError

__all__ = ["HTTP_ERRORS", "OVERLOADED", "STATUS_MESSAGES", "api_error_body", "error_body"]

STATUS_MESSAGES: dict[int, str] = {
    1000: "unknown error",
    1001: "request timeout",
    1002: "rate limit exceeded(RPM)",
    1004: "login fail: Please carry the API secret key in the 'Authorization' field of the "
    "request header",
    1008: "insufficient balance",
    1013: "internal server error",
    1024: "internal error",
    1026: "input new_sensitive",
    1027: "output new_sensitive",
    1033: "system error",
    1039: "token limit",
    1041: "conn limit",
    2013: "invalid params",
    2045: "rate growth limit",
    2049: "invalid api key",
    2056: "usage limit exceeded",
}
# status -> (error type, default MiniMax code) of the Anthropic-style error body.
HTTP_ERRORS: dict[int, tuple[str, int]] = {
    400: ("bad_request_error", 2013),
    401: ("authorized_error", 1004),
    403: ("permission_error", 1004),
    404: ("not_found_error", 2013),
    408: ("timeout_error", 1001),
    429: ("rate_limit_error", 1002),
    500: ("api_error", 1033),
    502: ("api_error", 1000),
    503: ("api_error", 1013),
    504: ("timeout_error", 1001),
    529: ("overloaded_error", 1013),
}
OVERLOADED = "The server cluster is currently under high load. Please retry your request later"


def error_body(status: int, message: str, kind: str | None = None) -> dict[str, Any]:
    """The error body for `status`; `kind` overrides the error type the status implies."""
    kind = kind or HTTP_ERRORS.get(status, ("api_error", 1000))[0]
    return {
        "type": "error",
        "error": {"type": kind, "message": message, "http_code": str(status)},
        "request_id": uuid.uuid4().hex,
    }


def api_error_body(error: ApiError) -> dict[str, Any]:
    """The body answering `error`: its message with its MiniMax code, `message (code)`, or
    an engine's body (vLLM, SGLang, llama.cpp) when it has no MiniMax code."""
    if error.code is None:
        return {"error": {"code": error.status, "message": error.message, "type": error.kind}}
    return error_body(error.status, f"{error.message} ({error.code})", error.kind)
