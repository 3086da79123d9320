"""The deferred-field models behind cheap streamed chunks."""

from __future__ import annotations

from pydantic import BaseModel, PrivateAttr

from llamaindex_minimax._lazy import Deferred, construct, deferred, is_pending


class Note(BaseModel):
    title: str
    body: str = "empty"
    tags: list[str] = []


class LazyNote(Deferred, Note):
    __slots__ = ("_thunks",)


class PrivateNote(Deferred, Note):
    __slots__ = ("_thunks",)
    _seen: int = PrivateAttr(default=7)


def test_construct_matches_model_construct() -> None:
    values = {"title": "t", "body": "b", "tags": ["x"]}
    fast = construct(Note, dict(values))
    assert fast == Note.model_construct(**values)
    assert fast.model_fields_set == {"title", "body", "tags"}
    assert construct(Note, dict(values), {"title"}).model_fields_set == {"title"}


def test_deferred_fields_are_computed_once_on_first_read() -> None:
    calls: list[str] = []

    def body() -> str:
        calls.append("body")
        return "computed"

    note = deferred(LazyNote, {"title": "t", "tags": []}, {"body": body})
    assert is_pending(note) and calls == []
    assert note.body == "computed" and note.body == "computed"
    assert calls == ["body"] and not is_pending(note)
    assert list(note.model_dump()) == ["title", "body", "tags"]  # declaration order


def test_models_with_private_attributes_take_the_slow_path() -> None:
    note = deferred(PrivateNote, {"title": "t", "tags": []}, {"body": lambda: "late"})
    assert is_pending(note)
    assert note._seen == 7  # served by pydantic, not by the deferred fields
    assert note.model_dump() == {"title": "t", "body": "late", "tags": []}
