"""JSON-schema helpers of the scripted model: resolve, coerce, and make instances."""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Callable
from typing import Any

JsonSchema = dict[str, Any]


class CoercionError(ValueError):
    """A value could not be coerced to the schema."""


def resolve(schema: Any, root: JsonSchema, depth: int = 0) -> JsonSchema:
    """Follow `$ref`, pick the first non-null branch of `anyOf`/`oneOf`, merge `allOf`."""
    if not isinstance(schema, dict) or depth > 20:
        return {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for segment in ref[2:].split("/"):
            target = target.get(segment, {}) if isinstance(target, dict) else {}
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        return resolve({**target, **merged}, root, depth + 1)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            chosen = (non_null or options)[0]
            rest = {k: v for k, v in schema.items() if k != key}
            return resolve({**rest, **resolve(chosen, root, depth + 1)}, root, depth + 1)
    all_of = schema.get("allOf")
    if isinstance(all_of, list):
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for raw_part in all_of:
            part = resolve(raw_part, root, depth + 1)
            props = {**merged.get("properties", {}), **part.get("properties", {})}
            required = [*merged.get("required", []), *part.get("required", [])]
            merged = {**part, **merged, "properties": props, "required": required}
        return merged
    return schema


def type_of(schema: JsonSchema) -> str:
    """The schema's single JSON type, inferred when `type` is missing or a list."""
    t = schema.get("type")
    if isinstance(t, list):
        non_null = [x for x in t if x != "null"]
        t = non_null[0] if non_null else "null"
    if isinstance(t, str):
        return t
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if schema.get("enum"):
        return _json_type(schema["enum"][0])
    if "const" in schema:
        return _json_type(schema["const"])
    return "string"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if value is None:
        return "null"
    return "string"


def parse_literal(text: str) -> Any:
    """Read a value written in a prompt: JSON, a Python literal, or the bare text."""
    text = text.strip()
    for loader in (json.loads, ast.literal_eval):
        try:
            return loader(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    for quote in ('"', "'", "“", "「"):
        closing = {"“": "”", "「": "」"}.get(quote, quote)
        if len(text) >= 2 and text.startswith(quote) and text.endswith(closing):
            return text[1:-1]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def coerce(value: Any, schema: JsonSchema, root: JsonSchema) -> Any:
    """Convert `value` to the schema's type; raise `CoercionError` when that makes no sense."""
    schema = resolve(schema, root)
    if schema.get("enum"):
        for option in schema["enum"]:
            if option == value or str(option).lower() == str(value).lower():
                return option
        raise CoercionError
    kind = type_of(schema)
    if kind == "integer":
        number = _to_number(value)
        if number is None or not float(number).is_integer():
            raise CoercionError
        return int(number)
    if kind == "number":
        number = _to_number(value)
        if number is None:
            raise CoercionError
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise CoercionError
    if kind == "string":
        if isinstance(value, str):
            return value
        return (
            json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
        )
    if kind == "array":
        if isinstance(value, str):
            value = parse_literal(value)
        items = schema.get("items", {})
        values = value if isinstance(value, list | tuple) else [value]
        return [coerce(v, items, root) for v in values]
    if kind == "object":
        if isinstance(value, str):
            value = parse_literal(value)
        if not isinstance(value, dict):
            raise CoercionError
        return value
    if kind == "null":
        return None
    return value


def _to_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() and "." not in str(value) else number


def humanize(name: str) -> str:
    """`customer_name` -> `customer name`, `answerStyle` -> `answer style`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    return " ".join(spaced.lower().split())


StringSource = Callable[[str, JsonSchema], str]
NumberSource = Callable[[str, JsonSchema, bool], "int | float | None"]
BoolSource = Callable[[str], bool]
EnumSource = Callable[[list[Any]], Any]


class InstanceMaker:
    """Make schema-valid instances, asking callbacks for the values found in the prompt."""

    def __init__(
        self,
        root: JsonSchema,
        *,
        strings: StringSource,
        numbers: NumberSource,
        booleans: BoolSource,
        enums: EnumSource,
        fill_optional: bool,
    ) -> None:
        self._root = root
        self._strings = strings
        self._numbers = numbers
        self._booleans = booleans
        self._enums = enums
        self._fill_optional = fill_optional

    def make(self, schema: Any, name: str = "value", depth: int = 0) -> Any:
        """An instance of `schema`; `name` is the property it is for."""
        schema = resolve(schema, self._root)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self._enums(schema["enum"])
        kind = type_of(schema)
        if kind == "object":
            return self.make_object(schema, depth)
        if kind == "array":
            count = max(int(schema.get("minItems", 1 if depth == 0 else 0)), 0)
            count = min(count, int(schema.get("maxItems", count)))
            return [self.make(schema.get("items", {}), name, depth + 1) for _ in range(count)]
        if kind in ("integer", "number"):
            return self._number(schema, name, kind == "integer")
        if kind == "boolean":
            return self._booleans(name)
        if kind == "null":
            return None
        return self._string(schema, name)

    def make_object(
        self, schema: JsonSchema, depth: int = 0, given: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Fill the required properties (all with `fill_optional`), keeping `given` values."""
        schema = resolve(schema, self._root)
        props: dict[str, Any] = schema.get("properties") or {}
        required = [p for p in schema.get("required") or [] if isinstance(p, str)]
        out: dict[str, Any] = {}
        for prop, sub in props.items():
            if given is not None and prop in given:
                try:
                    out[prop] = coerce(given[prop], sub, self._root)
                    continue
                except (CoercionError, RecursionError):
                    pass
            if prop in required or (self._fill_optional and depth < 3):
                out[prop] = self.make(sub, prop, depth + 1)
        for prop in required:
            if prop not in out:
                out[prop] = self._strings(prop, {})
        return out

    def _number(self, schema: JsonSchema, name: str, integer: bool) -> int | float:
        found = self._numbers(name, schema, integer)
        value: int | float = found if found is not None else 0
        low = schema.get("minimum")
        high = schema.get("maximum")
        ex_low = schema.get("exclusiveMinimum")
        ex_high = schema.get("exclusiveMaximum")
        step = 1 if integer else 0.5
        if isinstance(low, int | float) and value < low:
            value = low
        if isinstance(ex_low, int | float) and value <= ex_low:
            value = ex_low + step
        if isinstance(high, int | float) and value > high:
            value = high
        if isinstance(ex_high, int | float) and value >= ex_high:
            value = ex_high - step
        return int(value) if integer else value

    def _string(self, schema: JsonSchema, name: str) -> str:
        fmt = schema.get("format")
        fixed = {
            "date-time": "2025-01-01T00:00:00Z",
            "date": "2025-01-01",
            "time": "00:00:00",
            "email": "user@example.com",
            "uri": "https://example.com",
            "url": "https://example.com",
            "uuid": "00000000-0000-4000-8000-000000000000",
        }
        text = fixed[fmt] if isinstance(fmt, str) and fmt in fixed else self._strings(name, schema)
        min_len = schema.get("minLength")
        max_len = schema.get("maxLength")
        if isinstance(min_len, int) and len(text) < min_len:
            text = text + "x" * (min_len - len(text))
        if isinstance(max_len, int) and len(text) > max_len:
            text = text[:max_len]
        return text
