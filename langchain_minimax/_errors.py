"""Errors `ChatMiniMax` raises: each is a `minimax_core` error and a LangChain `ModelError`.

Code that catches `minimax_core.RateLimitError` and code that catches
`langchain_core.exceptions.ModelRateLimitError` both see the same exception:

```
minimax_core class            LangChain class(es)                     ours
RequestValidationError        ModelInvalidRequestError (+ValueError)  MiniMaxRequestValidationError
APIConnectionError            ModelConnectionError                    MiniMaxConnectionError
  APITimeoutError             ModelTimeoutError                       MiniMaxTimeoutError
StreamError                   ModelConnectionError                    MiniMaxStreamError
APIStatusError                ModelAPIError                           MiniMaxAPIStatusError
  BadRequestError             ModelInvalidRequestError                MiniMaxBadRequestError
    ContextWindowExceeded…    ContextOverflowError                    MiniMaxContextWindowExceededError
  AuthenticationError         ModelAuthenticationError                MiniMaxAuthenticationError
  PermissionDeniedError       ModelPermissionDeniedError              MiniMaxPermissionDeniedError
    InsufficientBalanceError                                          MiniMaxInsufficientBalanceError
  NotFoundError               ModelNotFoundError                      MiniMaxNotFoundError
  ContentFilteredError        ModelError                              MiniMaxContentFilteredError
  RateLimitError              ModelRateLimitError                     MiniMaxRateLimitError
    UsageLimitError                                                   MiniMaxUsageLimitError
  InternalServerError         ModelAPIError                           MiniMaxInternalServerError
    OverloadedError                                                   MiniMaxOverloadedError
```

`is_retryable` follows the core's verdict for each answer (a usage-window 2056 is a rate limit
that retrying cannot fix).
"""

from __future__ import annotations

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

import minimax_core as core

__all__ = [
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
    "MiniMaxRequestValidationError",
    "MiniMaxStreamError",
    "MiniMaxTimeoutError",
    "MiniMaxUsageLimitError",
    "to_langchain_error",
]


class MiniMaxRequestValidationError(core.RequestValidationError, ModelInvalidRequestError):
    """The request was refused locally, before anything was sent."""


class MiniMaxConnectionError(core.APIConnectionError, ModelConnectionError):
    """MiniMax could not be reached, or the connection broke before an answer."""


class MiniMaxTimeoutError(core.APITimeoutError, MiniMaxConnectionError, ModelTimeoutError):
    """A connect, read or stream-idle timeout expired."""


class MiniMaxStreamError(core.StreamError, ModelConnectionError):
    """A stream broke or ended before the answer was complete; nothing partial is returned."""


class MiniMaxAPIStatusError(core.APIStatusError, ModelAPIError):
    """MiniMax answered with an error that has no more specific class."""


class MiniMaxBadRequestError(core.BadRequestError, ModelInvalidRequestError):
    """MiniMax refused the request as invalid (HTTP 400 or code 2013)."""


class MiniMaxContextWindowExceededError(
    core.ContextWindowExceededError, MiniMaxBadRequestError, ContextOverflowError
):
    """The prompt and requested output do not fit the model's context window."""


class MiniMaxAuthenticationError(core.AuthenticationError, ModelAuthenticationError):
    """The API key is missing, wrong, or for the other region."""


class MiniMaxPermissionDeniedError(core.PermissionDeniedError, ModelPermissionDeniedError):
    """The account may not do this."""


class MiniMaxInsufficientBalanceError(core.InsufficientBalanceError, MiniMaxPermissionDeniedError):
    """The account balance or quota is exhausted."""


class MiniMaxNotFoundError(core.NotFoundError, ModelNotFoundError):
    """The URL or model does not exist."""


class MiniMaxContentFilteredError(core.ContentFilteredError, ModelError):
    """MiniMax's safety filter refused the input or the output."""


class MiniMaxRateLimitError(core.RateLimitError, ModelRateLimitError):
    """Too many requests or tokens per minute."""


class MiniMaxUsageLimitError(core.UsageLimitError, MiniMaxRateLimitError):
    """The plan's usage window is exhausted; retrying before it resets cannot help."""


class MiniMaxInternalServerError(core.InternalServerError, ModelAPIError):
    """MiniMax failed on its side."""


class MiniMaxOverloadedError(core.OverloadedError, MiniMaxInternalServerError):
    """MiniMax is overloaded (HTTP 529)."""


# Most specific first: the first core class the error is an instance of wins.
_STATUS_CLASSES: tuple[tuple[type[core.APIStatusError], type[core.APIStatusError]], ...] = (
    (core.ContextWindowExceededError, MiniMaxContextWindowExceededError),
    (core.BadRequestError, MiniMaxBadRequestError),
    (core.AuthenticationError, MiniMaxAuthenticationError),
    (core.InsufficientBalanceError, MiniMaxInsufficientBalanceError),
    (core.PermissionDeniedError, MiniMaxPermissionDeniedError),
    (core.NotFoundError, MiniMaxNotFoundError),
    (core.ContentFilteredError, MiniMaxContentFilteredError),
    (core.UsageLimitError, MiniMaxUsageLimitError),
    (core.RateLimitError, MiniMaxRateLimitError),
    (core.OverloadedError, MiniMaxOverloadedError),
    (core.InternalServerError, MiniMaxInternalServerError),
    (core.APIStatusError, MiniMaxAPIStatusError),
)
_PLAIN_CLASSES: tuple[tuple[type[core.MiniMaxError], type[core.MiniMaxError]], ...] = (
    (core.RequestValidationError, MiniMaxRequestValidationError),
    (core.APITimeoutError, MiniMaxTimeoutError),
    (core.APIConnectionError, MiniMaxConnectionError),
    (core.StreamError, MiniMaxStreamError),
)
_OURS = (ModelError,)


def to_langchain_error(error: core.MiniMaxError) -> core.MiniMaxError:
    """The LangChain-flavoured twin of a core error (the error itself if it already is one).

    The caller raises the result `from error`, so the original stays in the traceback.
    """
    if isinstance(error, _OURS):
        return error
    if isinstance(error, core.APIStatusError):
        for core_cls, ours in _STATUS_CLASSES:
            if isinstance(error, core_cls):
                twin = ours(
                    error.message,
                    status_code=error.status_code,
                    code=error.code,
                    request_id=error.request_id,
                    body=error.body,
                    retry_after=error.retry_after,
                )
                twin.retryable = error.retryable
                twin.is_retryable = error.retryable  # type: ignore[attr-defined]
                return twin
    for base, plain in _PLAIN_CLASSES:
        if isinstance(error, base):
            return plain(*error.args)
    return error
