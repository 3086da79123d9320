"""JSON on the wire: the request body out, response bodies and stream frames in.

An agent's request carries its whole history, and encoding it with the standard library costs
more than everything else a call does: 17.6 M instructions and about 1.2 ms for the 289 KiB
body of a 400-message history, where `orjson` writes the same bytes in 1.2 M and 0.06 ms (see
`benchmarks/RESULTS.md`). It reads frames faster too, so it is used where it is installed (a
dependency on CPython; langsmith, under langchain-core, already brings it). Anything it will
not take is handed to the standard library, which then does exactly what it always did:

- out: non-`str` keys, integers beyond 64 bits, nesting deeper than 254 levels, float
  subclasses, types JSON has no form for (the standard library raises its usual `TypeError`);
- in: `NaN`/`Infinity`, lone surrogates, and anything malformed (the standard library raises its
  usual `ValueError`).

Three differences remain, all harmless here: floats may be spelled differently (`1e-7` for
`1e-07`, the same number); a `uuid.UUID` or a plain `enum.Enum` member, which the standard
library refuses, is written as its value (orjson has no way to hand them over; dates and
dataclasses are handed over); and an integer beyond 64 bits in a response would be read as a
float (no field of a MiniMax response holds one; tool arguments, which can, are parsed apart
with the standard library). A `NaN` or infinity in a request is refused, with either encoder:
JSON has no such value, and `orjson` would send `null` for it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from ._exceptions import RequestValidationError

__all__ = ["dumps_body", "loads", "parse_json_body"]

_orjson_dumps: Callable[[Any], bytes] | None
_orjson_loads: Callable[[str | bytes], Any] | None
try:
    import orjson
except ImportError:  # PyPy, or an install without it
    _orjson_dumps = _orjson_loads = None
else:

    def _not_json(value: Any) -> Any:
        raise TypeError  # the standard library then raises its own error for `value`

    # Dates and dataclasses, which orjson would write and the standard library refuses, go
    # to the standard library too, so a body that fails without orjson fails with it.
    _orjson_dumps = functools.partial(
        orjson.dumps,
        default=_not_json,
        option=orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME,
    )
    _orjson_loads = orjson.loads


def dumps_body(body: Any) -> bytes:
    """The request body as compact UTF-8 JSON; a `NaN` or infinity is refused."""
    if _orjson_dumps is not None:
        try:
            content = _orjson_dumps(body)
        except TypeError:
            pass
        else:
            if _may_hold_non_finite(content):
                _refuse_non_finite(body, _orjson_dumps, depth=2)
            return content
    return _stdlib_dumps(body)


def _may_hold_non_finite(content: bytes) -> bool:
    # orjson writes NaN and infinities as a bare `null`: the whole value, or after `:`, `[` or
    # `,`; the word inside a string (`"type":"null"`) is not one. Each search is a pass over
    # the body that takes about three times as long as orjson's encoding of it, so the word
    # is looked for once, and the three forms only where it occurs.
    return b"null" in content and (
        content.startswith(b"null")
        or b":null" in content
        or b"[null" in content
        or b",null" in content
    )


def _refuse_non_finite(value: Any, encode: Callable[[Any], bytes], depth: int) -> None:
    """The standard library's check, run only on the parts whose encoding has a bare `null`.

    A tool schema's `"default": null` then costs a check of that one tool, not of the history.
    """
    if depth and isinstance(value, (dict, list)):
        for item in value.values() if isinstance(value, dict) else value:
            if _may_hold_non_finite(encode(item)):
                _refuse_non_finite(item, encode, depth - 1)
    else:
        _stdlib_dumps(value)


def _stdlib_dumps(body: Any) -> bytes:
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:
        if "Out of range float" not in str(exc):
            raise
        raise RequestValidationError(
            "the request holds a NaN or infinite number, which JSON cannot carry"
        ) from None
    return text.encode()


def loads(data: str | bytes) -> Any:
    """Parsed JSON; malformed input raises `ValueError`, as `json.loads` does."""
    if _orjson_loads is not None:
        try:
            return _orjson_loads(data)
        except ValueError:
            pass
    return json.loads(data)


def parse_json_body(text: str | bytes) -> Any:
    """`loads(text)`, or `None` for a body that is not JSON (an error page, a proxy's text)."""
    try:
        return loads(text)
    except ValueError:
        return None
