"""The wire's JSON: orjson where installed, the standard library otherwise, the same bytes."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest

import minimax_core as mm
from minimax_core import RequestValidationError, _json
from minimax_core._json import dumps_body, loads, parse_json_body
from minimax_server import MiniMaxServer


@dataclasses.dataclass
class _Dataclass:
    field: int = 1


def _stdlib(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.fixture(params=["orjson", "stdlib"])
def encoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs with orjson and as an install without it."""
    if request.param == "stdlib":
        monkeypatch.setattr(_json, "_orjson_dumps", None)
        monkeypatch.setattr(_json, "_orjson_loads", None)
    elif _json._orjson_dumps is None:
        pytest.skip("orjson is not installed here")
    yield request.param


HISTORY = mm.build_request(
    [
        {"role": "system", "content": "Tu es « utile ».\n\tRéponds brièvement."},
        {"role": "user", "content": '天气？ 🌦 \u2028 \x00 \x7f \\ " / </script>'},
        {
            "role": "assistant",
            "content": "",
            "reasoning_details": [{"type": "reasoning.text", "id": "r1", "text": "思考…\n"}],
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city": "Zürich"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "12 °C, «sunny»"},
    ],
    model="MiniMax-M3",
    temperature=0.7,
    top_p=0.95,
    max_completion_tokens=1024,
    tools=[
        {
            "type": "function",
            "function": {
                "name": "weather",
                "description": "Weather now.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
                    "required": ["city"],
                },
            },
        }
    ],
    extra={"metadata": {"run": None, "tags": ["a", "b"], "depth": [[[1, 2.5, True, False]]]}},
)


@pytest.mark.parametrize(
    "body",
    [
        HISTORY,
        {"model": "MiniMax-M3", "messages": [{"role": "user", "content": "hi"}]},
        # What orjson will not take goes to the standard library, which writes it as before.
        {"keys": {1: "int key", None: "none key", 2.5: "float key"}},
        {"big": 2**70, "small": -(2**70)},
        {"deep": json.loads("[" * 300 + "]" * 300)},
        {"tuple": (1, "two", None)},
    ],
    ids=["history", "small", "non-str-keys", "big-int", "deep", "tuple"],
)
def test_the_body_is_the_standard_librarys_bytes(encoder: str, body: Any) -> None:
    assert dumps_body(body) == _stdlib(body)


@pytest.mark.parametrize(
    "value",
    [object(), datetime.datetime(2026, 12, 7), datetime.date(2026, 12, 7), _Dataclass()],
    ids=["object", "datetime", "date", "dataclass"],
)
def test_an_unserializable_value_raises_the_standard_librarys_error(
    encoder: str, value: Any
) -> None:
    name = type(value).__name__
    with pytest.raises(TypeError, match=f"Object of type {name} is not JSON serializable"):
        dumps_body({"x": [value]})


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinities_are_refused(encoder: str, number: float) -> None:
    # orjson alone would send `null`, the standard library alone the invalid token `NaN`.
    with pytest.raises(RequestValidationError, match="NaN or infinite number"):
        dumps_body({"messages": [], "extra": {"x": [1, number]}})


@pytest.mark.parametrize(
    "body",
    [
        {"temperature": float("nan")},
        {"stop": [float("inf")]},
        {"messages": [{"role": "user", "content": "hi"}, {"role": "tool", "x": float("nan")}]},
        {"messages": [{"role": "tool", "content": [{"type": "text", "n": [[-float("inf")]]}]}]},
        {"tools": [{"default": None}], "extra": {"deep": [{"x": [float("nan"), None]}]}},
    ],
    ids=["top-level", "in-a-list", "in-a-message", "deep-in-a-message", "beside-a-null"],
)
def test_nan_is_refused_wherever_it_sits(encoder: str, body: dict[str, Any]) -> None:
    with pytest.raises(RequestValidationError, match="NaN or infinite number"):
        dumps_body(body)


def test_a_null_costs_a_check_of_its_own_part_only(monkeypatch: pytest.MonkeyPatch) -> None:
    if _json._orjson_dumps is None:
        pytest.skip("orjson is not installed here")
    checked: list[Any] = []
    monkeypatch.setattr(_json, "_stdlib_dumps", checked.append)
    tool = {"type": "function", "function": {"name": "f", "parameters": {"default": None}}}
    body = {
        "messages": [{"role": "user", "content": 'say "null", [null] or x:null'}] * 3,
        "tools": [tool],
        "response_format": {"type": "null"},
    }
    assert dumps_body(body) == _stdlib(body)
    # The tool with `"default": null` is checked, and each message whose text has a bare-looking
    # `null`; the word inside a string (`"type":"null"`) costs nothing.
    assert checked == [body["messages"][0]] * 3 + [tool]


def test_nan_is_refused_before_the_network(encoder: str, minimax_server: MiniMaxServer) -> None:
    client = mm.MiniMaxClient(api_key=minimax_server.api_key, base_url=minimax_server.base_url)
    request = mm.build_request(
        [{"role": "user", "content": "hi"}], model="MiniMax-M3", extra={"x": float("nan")}
    )
    with client, pytest.raises(RequestValidationError, match="NaN"):
        client.create(request)
    assert minimax_server.requests == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a": [1, 2.5, "é", null, true]}', {"a": [1, 2.5, "é", None, True]}),
        (b'{"choices": []}', {"choices": []}),
        # What orjson refuses, the standard library still reads, as it did before.
        ('{"x": NaN}', {"x": float("nan")}),
        ('{"s": "\\ud800"}', {"s": "\ud800"}),
    ],
)
def test_loads_reads_what_the_standard_library_reads(
    encoder: str, text: str | bytes, value: Any
) -> None:
    assert repr(loads(text)) == repr(value)


@pytest.mark.parametrize("text", ["{", '{"a": 1} x', "", b"\xff"])
def test_loads_refuses_malformed_json_with_value_error(encoder: str, text: str | bytes) -> None:
    with pytest.raises(ValueError):
        loads(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (b'{"base_resp": {"status_code": 1004}}', {"base_resp": {"status_code": 1004}}),
        ("<html>502 Bad Gateway</html>", None),
        (b"", None),
        (b"\xff", None),
    ],
)
def test_an_error_body_that_is_not_json_reads_as_none(
    encoder: str, text: str | bytes, value: Any
) -> None:
    assert parse_json_body(text) == value
