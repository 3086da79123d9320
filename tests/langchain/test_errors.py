"""Every core error has a twin that is also LangChain's matching `ModelError`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
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

import langchain_minimax as lc
import minimax_core as core
from langchain_minimax import ChatMiniMax
from langchain_minimax._errors import to_langchain_error
from minimax_server import Fault, MiniMaxServer

STATUS_CASES: list[tuple[type[core.APIStatusError], type[Exception], type[Exception]]] = [
    (core.BadRequestError, lc.MiniMaxBadRequestError, ModelInvalidRequestError),
    (core.ContextWindowExceededError, lc.MiniMaxContextWindowExceededError, ContextOverflowError),
    (core.AuthenticationError, lc.MiniMaxAuthenticationError, ModelAuthenticationError),
    (core.PermissionDeniedError, lc.MiniMaxPermissionDeniedError, ModelPermissionDeniedError),
    (core.InsufficientBalanceError, lc.MiniMaxInsufficientBalanceError, ModelPermissionDeniedError),
    (core.NotFoundError, lc.MiniMaxNotFoundError, ModelNotFoundError),
    (core.ContentFilteredError, lc.MiniMaxContentFilteredError, ModelError),
    (core.RateLimitError, lc.MiniMaxRateLimitError, ModelRateLimitError),
    (core.UsageLimitError, lc.MiniMaxUsageLimitError, ModelRateLimitError),
    (core.InternalServerError, lc.MiniMaxInternalServerError, ModelAPIError),
    (core.OverloadedError, lc.MiniMaxOverloadedError, ModelAPIError),
    (core.APIStatusError, lc.MiniMaxAPIStatusError, ModelAPIError),
]


@pytest.mark.parametrize(("core_cls", "ours", "langchain_cls"), STATUS_CASES)
@pytest.mark.parametrize("retryable", [True, False])
def test_status_errors_keep_their_fields(
    core_cls: type[core.APIStatusError],
    ours: type[Exception],
    langchain_cls: type[Exception],
    retryable: bool,
) -> None:
    original = core_cls(
        "boom", status_code=400, code=2013, request_id="r1", body={"x": 1}, retry_after=1.5
    )
    original.retryable = retryable
    twin = to_langchain_error(original)
    assert type(twin) is ours
    assert isinstance(twin, core_cls) and isinstance(twin, langchain_cls)
    assert isinstance(twin, core.APIStatusError)
    assert (twin.message, twin.status_code, twin.code, twin.request_id, twin.body) == (
        "boom",
        400,
        2013,
        "r1",
        {"x": 1},
    )
    assert twin.retry_after == 1.5
    assert twin.retryable is retryable
    assert isinstance(twin, ModelError) and twin.is_retryable is retryable
    assert str(twin) == "[HTTP 400, MiniMax code 2013] boom (request id r1)"


@pytest.mark.parametrize(
    ("core_cls", "ours", "langchain_cls", "retryable"),
    [
        (
            core.RequestValidationError,
            lc.MiniMaxRequestValidationError,
            ModelInvalidRequestError,
            False,
        ),
        (core.APIConnectionError, lc.MiniMaxConnectionError, ModelConnectionError, True),
        (core.APITimeoutError, lc.MiniMaxTimeoutError, ModelTimeoutError, True),
        (core.StreamError, lc.MiniMaxStreamError, ModelConnectionError, True),
    ],
)
def test_local_and_transport_errors(
    core_cls: type[core.MiniMaxError],
    ours: type[Exception],
    langchain_cls: type[ModelError],
    retryable: bool,
) -> None:
    twin = to_langchain_error(core_cls("went wrong"))
    assert type(twin) is ours and isinstance(twin, core_cls) and isinstance(twin, langchain_cls)
    assert str(twin) == "went wrong"
    assert isinstance(twin, ModelError) and twin.is_retryable is retryable


def test_request_validation_stays_a_value_error() -> None:
    assert isinstance(to_langchain_error(core.RequestValidationError("bad")), ValueError)


def test_an_error_that_already_is_ours_is_returned_as_is() -> None:
    error = lc.MiniMaxRateLimitError("slow", status_code=429)
    assert to_langchain_error(error) is error


def test_every_error_class_is_exported() -> None:
    exported = {n for n in lc.__all__ if n.startswith("MiniMax") and n.endswith("Error")}
    assert exported == {ours.__name__ for _, ours, _ in STATUS_CASES} | {
        "MiniMaxRequestValidationError",
        "MiniMaxConnectionError",
        "MiniMaxTimeoutError",
        "MiniMaxStreamError",
    }
    assert lc.__all__ == sorted(lc.__all__)


FAULTS: list[tuple[Fault, type[Exception]]] = [
    (Fault(kind="base_resp", code=1026), lc.MiniMaxContentFilteredError),
    (Fault(kind="base_resp", code=2056), lc.MiniMaxUsageLimitError),
    (Fault(kind="http_status", status=401), lc.MiniMaxAuthenticationError),
    (Fault(kind="http_status", status=500), lc.MiniMaxInternalServerError),
]
STREAM_ONLY: list[tuple[Fault, type[Exception]]] = [
    (Fault(kind="sse_error_frame", code=1027, after_chunks=2), lc.MiniMaxContentFilteredError),
]


@pytest.mark.parametrize(
    ("fault", "ours", "call"),
    [(f, o, "invoke") for f, o in FAULTS] + [(f, o, "stream") for f, o in FAULTS + STREAM_ONLY],
)
def test_server_failures_raise_the_twin_chained_from_the_core_error(
    make_llm: Callable[..., ChatMiniMax],
    minimax_server: MiniMaxServer,
    fault: Fault,
    ours: type[Exception],
    call: str,
) -> None:
    minimax_server.inject(fault)
    llm = make_llm()
    with pytest.raises(ours) as info:
        llm.invoke("Hello") if call == "invoke" else list(llm.stream("Hello"))
    assert isinstance(info.value.__cause__, core.MiniMaxError)
    assert not isinstance(info.value.__cause__, ModelError)
