"""Both error regimes map through one table to the same classes."""

from __future__ import annotations

import pickle

import pytest

import minimax_core as mm
from minimax_core._exceptions import base_resp_error, status_error


def _http_body(message: str, kind: str = "bad_request_error", status: int = 400) -> dict:
    return {
        "type": "error",
        "error": {"type": kind, "message": message, "http_code": str(status)},
        "request_id": "06a1b2c3d4e5f60718293a4b5c6d7e8f",
    }


@pytest.mark.parametrize(
    ("code", "cls", "retryable"),
    [
        (1000, mm.InternalServerError, True),
        (1001, mm.InternalServerError, True),
        (1002, mm.RateLimitError, True),
        (1004, mm.AuthenticationError, False),
        (1008, mm.InsufficientBalanceError, False),
        (1013, mm.InternalServerError, True),
        (1024, mm.InternalServerError, True),
        (1026, mm.ContentFilteredError, False),
        (1027, mm.ContentFilteredError, False),
        (1033, mm.InternalServerError, True),
        (1041, mm.RateLimitError, True),
        (2013, mm.BadRequestError, False),
        (2045, mm.RateLimitError, True),
        (2049, mm.AuthenticationError, False),
        (2056, mm.UsageLimitError, False),
    ],
)
def test_base_resp_on_200_and_code_in_http_message_agree(
    code: int, cls: type[mm.APIStatusError], retryable: bool
) -> None:
    in_200 = base_resp_error({"base_resp": {"status_code": code, "status_msg": "some failure"}})
    assert in_200 is not None
    in_http, http_retryable = status_error(
        status_code=400, body=_http_body(f"some failure ({code})")
    )
    assert type(in_200) is cls and type(in_http) is cls
    assert in_200.code == in_http.code == code
    assert in_200.retryable is retryable and http_retryable is retryable


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (400, mm.BadRequestError, False),
        (401, mm.AuthenticationError, False),
        (403, mm.PermissionDeniedError, False),
        (404, mm.NotFoundError, False),
        (408, mm.APIStatusError, True),
        (409, mm.APIStatusError, True),
        (429, mm.RateLimitError, True),
        (500, mm.InternalServerError, True),
        (503, mm.InternalServerError, True),
        (529, mm.OverloadedError, True),
    ],
)
def test_http_status_without_a_code(status: int, cls: type[Exception], retryable: bool) -> None:
    error, may_retry = status_error(status_code=status, body=None, raw_text="<html>oops</html>")
    assert type(error) is cls and may_retry is retryable
    assert error.status_code == status and error.message == "<html>oops</html>"


def test_real_401_body() -> None:
    body = _http_body(
        "login fail: Please carry the API secret key in the 'Authorization' field of the request header (1004)",
        "authorized_error",
        401,
    )
    error, retryable = status_error(status_code=401, body=body)
    assert isinstance(error, mm.AuthenticationError) and not retryable
    assert error.code == 1004 and error.request_id == "06a1b2c3d4e5f60718293a4b5c6d7e8f"
    assert str(error).startswith("[HTTP 401, MiniMax code 1004] login fail")


def test_5xx_makes_a_normally_final_code_retryable() -> None:
    _, retryable = status_error(status_code=500, body=_http_body("system error (2013)", status=500))
    assert retryable


def test_context_overflow_is_its_own_class() -> None:
    error, _ = status_error(
        status_code=400, body=_http_body("invalid params, context window exceeds limit (2013)")
    )
    assert isinstance(error, mm.ContextWindowExceededError)


def test_zero_base_resp_is_no_error() -> None:
    assert base_resp_error({"base_resp": {"status_code": 0, "status_msg": ""}}) is None
    assert base_resp_error({"choices": []}) is None


def test_errors_pickle_with_their_fields() -> None:
    error, _ = status_error(status_code=429, body=_http_body("rate limit (1002)", status=429))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is mm.RateLimitError and copy.code == 1002 and copy.status_code == 429


def test_validation_error_is_a_value_error() -> None:
    assert issubclass(mm.RequestValidationError, ValueError)
    assert issubclass(mm.APITimeoutError, mm.APIConnectionError)


@pytest.mark.parametrize(
    ("status", "code", "cls", "retryable"),
    [
        (529, 1013, mm.OverloadedError, True),  # the status is more specific
        (403, 1008, mm.InsufficientBalanceError, False),  # the code is more specific
        (429, 2056, mm.UsageLimitError, False),  # a final code stays final on 429
        (429, 1002, mm.RateLimitError, True),
        (404, 2013, mm.NotFoundError, False),  # unrelated: a telling status wins
        (401, 1004, mm.AuthenticationError, False),
        (500, 2013, mm.InternalServerError, True),
        (400, 1026, mm.ContentFilteredError, False),
        (400, 1004, mm.AuthenticationError, False),
    ],
)
def test_status_and_code_together(
    status: int, code: int, cls: type[mm.APIStatusError], retryable: bool
) -> None:
    error, may_retry = status_error(
        status_code=status, body=_http_body(f"failure ({code})", status=status)
    )
    assert type(error) is cls and may_retry is retryable and error.code == code
