"""Tool-call arguments as text: `arguments_json` and the check that history arguments are objects."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest

from minimax_core import RequestValidationError, build_request
from minimax_core._request import arguments_json


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"city": "Paris"},
        {"text": 'é "quoted" \\ \n 日本', "n": 1, "x": 1.5, "ok": True, "none": None},
        {"nested": {"list": [1, [2, {"a": "b"}]], "empty": {}}, 3: "int key"},
        {"nan": float("nan"), "inf": float("-inf")},
        OrderedDict(b=1, a=2),
    ],
)
def test_arguments_json_is_json_dumps_without_escaping(arguments: dict[Any, Any]) -> None:
    assert arguments_json(arguments) == json.dumps(arguments, ensure_ascii=False)


def test_arguments_json_raises_what_json_dumps_raises() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        arguments_json({"when": object()})
    cycle: dict[str, Any] = {}
    cycle["self"] = cycle
    with pytest.raises(ValueError, match="Circular reference"):
        arguments_json(cycle)
    assert arguments_json({"after": "errors"}) == '{"after": "errors"}'


def _history(arguments: str) -> list[dict[str, Any]]:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": arguments}}
    return [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "ok"},
    ]


@pytest.mark.parametrize("bad", ["[]", '{"a": ', "", "null", '"text"'])
def test_arguments_already_accepted_do_not_let_other_text_through(bad: str) -> None:
    build_request(_history('{"a": 1}'), model="MiniMax-M2.7")
    build_request(_history('{"a": 1}'), model="MiniMax-M2.7")  # the second time, remembered
    with pytest.raises(RequestValidationError, match="not a JSON object"):
        build_request(_history(bad), model="MiniMax-M2.7")
