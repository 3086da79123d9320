"""Pydantic models whose costly fields are computed on first read.

A streamed answer yields one `ChatResponse` per chunk, and each must carry the whole message so
far. Joining the text for every chunk costs O(length) per chunk, O(n²) per answer. A deferred
model instead records what its fields *would* be (a thunk over the stream's shared pieces) and
computes them the first time anything reads them: attribute access, `model_dump`, `copy`,
`repr` or pickling. After that it behaves as an ordinary instance of its base class (except
that pydantic's `==` compares classes, so it never equals a plain instance).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["Deferred", "construct", "deferred", "is_pending"]

# The real per-instance dict. `Deferred.__dict__` shadows it so that pydantic's own machinery,
# which reads `obj.__dict__` for serialisation, copying and repr, fills it first.
_INSTANCE_DICT: Any = BaseModel.__dict__["__dict__"]

Thunks = dict[str, Callable[[], Any]]
M = TypeVar("M", bound=BaseModel)


def _pending(obj: object) -> Thunks | None:
    try:
        thunks: Thunks | None = object.__getattribute__(obj, "_thunks")
    except AttributeError:  # an instance made by copy or unpickling: already complete
        return None
    return thunks


def _fill(obj: object) -> dict[str, Any]:
    values: dict[str, Any] = _INSTANCE_DICT.__get__(obj)
    thunks = _pending(obj)
    if thunks is not None:
        # Cleared first, so a thunk that reads the object does not recurse.
        object.__setattr__(obj, "_thunks", None)
        for name, thunk in thunks.items():
            values.setdefault(name, thunk())
        # Back in declaration order, which serialisation follows.
        ordered = [(name, values[name]) for name in type(obj).model_fields if name in values]  # type: ignore[attr-defined]
        values.clear()
        values.update(ordered)
    return values


class Deferred:
    """Mixin for a pydantic model whose fields in `_thunks` are filled on first read.

    Concrete classes declare `__slots__ = ("_thunks", ...)` and list the mixin first.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Only reached when `name` is not in the instance dict: a pending field, or pydantic's
        # private and extra attributes, which the model's own `__getattr__` serves.
        thunks = _pending(self)
        if thunks is not None and name in thunks:
            return _fill(self)[name]
        return super().__getattr__(name)  # type: ignore[misc]

    @property  # type: ignore[misc]
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        return _fill(self)

    @__dict__.setter
    def __dict__(self, values: dict[str, Any]) -> None:
        _INSTANCE_DICT.__set__(self, values)


def construct(cls: type[M], values: dict[str, Any], fields_set: set[str] | None = None) -> M:
    """`cls.model_construct(**values)` for trusted `values` that name every field.

    The streaming hot path builds two models per chunk; `model_construct` loops over the fields
    in Python to fill defaults, which costs more than the rest of the chunk's work together.
    """
    if not _plain(cls):
        return cls.model_construct(fields_set, **values)
    obj = cls.__new__(cls)
    _INSTANCE_DICT.__set__(obj, values)
    object.__setattr__(
        obj, "__pydantic_fields_set__", set(values) if fields_set is None else fields_set
    )
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


@functools.cache
def _plain(cls: type[BaseModel]) -> bool:
    """Whether `construct` may skip `model_construct`: no private attributes, no post-init,
    no extra fields (what `model_construct` would otherwise set up)."""
    return (
        not cls.__private_attributes__
        and cls.__pydantic_post_init__ is None
        and cls.model_config.get("extra") != "allow"
    )


def deferred(cls: type[M], values: dict[str, Any], thunks: Thunks) -> M:
    """An instance of `cls` (a `Deferred` model) with `values` set now and `thunks` on read.

    `values` and `thunks` together name every field.
    """
    obj = construct(cls, values, {*values, *thunks})
    real: dict[str, Any] = _INSTANCE_DICT.__get__(obj)
    for name in thunks:
        # Absent, so that reading it reaches `__getattr__` (model_construct fills defaults).
        real.pop(name, None)
    object.__setattr__(obj, "_thunks", thunks)
    return obj


def is_pending(obj: object) -> bool:
    """Whether `obj` still has fields that nobody has read (so none were computed)."""
    return bool(_pending(obj))
