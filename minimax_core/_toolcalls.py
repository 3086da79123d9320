"""Tool calls: checking argument JSON, and reading raw `<minimax:tool_call>` XML.

A self-hosted MiniMax-M2 server started without a tool parser leaves the model's own tool-call
syntax in `content`:

```
<minimax:tool_call>
<invoke name="get_weather">
<parameter name="city">Paris</parameter>
<parameter name="days">3</parameter>
</invoke>
</minimax:tool_call>
```

Parameter values are raw text (strings unquoted, arrays and objects as JSON); their types come
from the tool's JSON schema, the way vLLM's `minimax_m2` parser coerces them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .replay import new_tool_call_id
from .types import ToolCall

__all__ = ["new_tool_call_id", "parse_arguments", "parse_tool_xml"]

_INVOKE = re.compile(r"<invoke\s+name\s*=\s*([\"']?)([^\"'>\s]+)\1\s*>(.*?)(?:</invoke>|$)", re.S)
_PARAMETER = re.compile(
    r"<parameter\s+name\s*=\s*([\"']?)([^\"'>]+?)\1\s*>(.*?)(?:</parameter>|(?=<parameter)|$)", re.S
)


def parse_arguments(arguments: str) -> tuple[dict[str, Any] | None, str | None]:
    """Parse a tool call's argument text: `(object, None)` or `(None, reason it is invalid)`.

    Empty text means no arguments, as some servers send for tools without parameters.
    """
    if not arguments.strip():
        return {}, None
    try:
        value = json.loads(arguments)
    except ValueError as exc:
        return None, f"arguments are not valid JSON ({exc})"
    if not isinstance(value, dict):
        return None, f"arguments must be a JSON object, got {type(value).__name__}"
    return value, None


def parse_tool_xml(
    blocks: Sequence[str], tools: Sequence[Mapping[str, Any]] | None, *, first_index: int = 0
) -> list[ToolCall]:
    """Tool calls from raw `<minimax:tool_call>` blocks, typed by the request's tool schemas."""
    schemas = _schemas_by_name(tools)
    calls: list[ToolCall] = []
    for block in blocks:
        for invoke in _INVOKE.finditer(block):
            name = invoke.group(2)
            properties = schemas.get(name, {})
            args: dict[str, Any] = {}
            for param in _PARAMETER.finditer(invoke.group(3)):
                key = param.group(2).strip()
                args[key] = coerce_value(param.group(3).strip("\n"), properties.get(key))
            calls.append(
                ToolCall(
                    id=new_tool_call_id(),
                    name=name,
                    arguments=json.dumps(args, ensure_ascii=False),
                    args=args,
                    index=first_index + len(calls),
                )
            )
    return calls


def _schemas_by_name(tools: Sequence[Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for tool in tools or ():
        function = tool.get("function", tool)
        if not isinstance(function, Mapping) or "name" not in function:
            continue
        parameters = function.get("parameters") or {}
        properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
        out[str(function["name"])] = dict(properties) if isinstance(properties, Mapping) else {}
    return out


def _schema_types(schema: Any) -> list[str]:
    if not isinstance(schema, Mapping):
        return []
    kind = schema.get("type")
    types: list[str] = []
    if isinstance(kind, str):
        types.append(kind)
    elif isinstance(kind, list):
        types.extend(str(k) for k in kind)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key) or ():
            types.extend(_schema_types(option))
    if not types and "enum" in schema:
        types.extend(sorted({type(v).__name__ for v in schema["enum"]}))
    return types


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def coerce_value(raw: str, schema: Any) -> Any:
    """Type a raw XML parameter value by its schema: null, integer, number, boolean, JSON, text."""
    types = _schema_types(schema)
    text = raw.strip()
    if not types:
        return _json_or_text(raw)
    if "null" in types and text.lower() in {"null", "none", "nil"}:
        return None
    for kind in ("integer", "int", "number", "float", "boolean", "bool", "object", "array", "list"):
        if kind not in types:
            continue
        if kind in ("integer", "int"):
            try:
                return int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    continue
                if number.is_integer():
                    return int(number)
        elif kind in ("number", "float"):
            try:
                number = float(text)
            except ValueError:
                continue
            return int(number) if number.is_integer() and "." not in text else number
        elif kind in ("boolean", "bool"):
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
        else:
            try:
                return json.loads(text)
            except ValueError:
                continue
    if "string" in types or "str" in types:
        return raw
    return _json_or_text(raw)


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw
