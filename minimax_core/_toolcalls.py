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
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .replay import new_tool_call_id
from .types import ToolCall

__all__ = ["new_tool_call_id", "parse_arguments", "parse_tool_xml"]

_ATTRIBUTE = re.compile(r"""([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_INVOKE_OPEN = re.compile(r"<invoke\b([^>]*)>")
_PARAMETER_OPEN = re.compile(r"<parameter\b([^>]*)>")
_BLOCK_OPEN = "<minimax:tool_call>"
_BLOCK_CLOSE = "</minimax:tool_call>"
_INVOKE_CLOSE = "</invoke>"
_PARAMETER_CLOSE = "</parameter>"
# What may follow a real `</parameter>`; anything else means the tag was text inside the value.
_AFTER_PARAMETER = ("<parameter", _INVOKE_CLOSE, _BLOCK_CLOSE)


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
    """Tool calls from raw `<minimax:tool_call>` blocks, typed by the request's tool schemas.

    Read as MiniMax's reference parser and vLLM read them: attributes other than `name` are
    ignored, values are stripped of surrounding blank space, a `</parameter>` ends a value only
    where a tag may follow it, and a tool the request did not define is still called (its values
    stay text). A call that cannot be read (no name, cut off before `</invoke>` or
    `</parameter>`, a block with no `<invoke>`) is returned as an invalid call (`args` None,
    `error` set) with its XML as `arguments`: never dropped, never left in the answer.
    """
    schemas = _schemas_by_name(tools)
    calls: list[ToolCall] = []
    for block in blocks:
        for name, args, xml, error in _invokes(block):
            index = first_index + len(calls)
            if error is not None or args is None:
                calls.append(
                    ToolCall(new_tool_call_id(), name, xml, None, error=error, index=index)
                )
                continue
            properties = schemas.get(name, {})
            typed = {key: coerce_value(value, properties.get(key)) for key, value in args.items()}
            calls.append(
                ToolCall(
                    id=new_tool_call_id(),
                    name=name,
                    arguments=json.dumps(typed, ensure_ascii=False),
                    args=typed,
                    index=index,
                )
            )
    return calls


_Invoke = tuple[str, "dict[str, str] | None", str, "str | None"]


def _invokes(block: str) -> list[_Invoke]:
    """`(name, raw values, xml, error)` of each `<invoke>` in one block, in order."""
    body = block[len(_BLOCK_OPEN) :] if block.startswith(_BLOCK_OPEN) else block
    closed = body.endswith(_BLOCK_CLOSE)
    if closed:
        body = body[: -len(_BLOCK_CLOSE)]
    found: list[_Invoke] = []
    pos = 0
    while True:
        opening = _INVOKE_OPEN.search(body, pos)
        if opening is None:
            break
        name = _attribute(opening.group(1), "name")
        args, end, error = _parameters(body, opening.end())
        xml = body[opening.start() : end]
        if error is None and not name:
            error = "the tool call has no name"
        found.append((name or "", args, xml, error))
        pos = end
    if not found and (body.strip() or not closed):
        found.append(("", None, block, "the tool-call block holds no <invoke>"))
    return found


def _parameters(body: str, pos: int) -> tuple[dict[str, str] | None, int, str | None]:
    """Read parameters from `pos` to `</invoke>`: `(values, end, error)`."""
    args: dict[str, str] = {}
    size = len(body)
    while True:
        while pos < size and body[pos].isspace():
            pos += 1
        if body.startswith(_INVOKE_CLOSE, pos):
            return args, pos + len(_INVOKE_CLOSE), None
        opening = _PARAMETER_OPEN.match(body, pos)
        if opening is None:
            following = [
                found
                for found in (body.find("<parameter", pos), body.find(_INVOKE_CLOSE, pos))
                if found > pos
            ]
            if not following:
                return None, size, "the tool call was cut off before </invoke>"
            pos = min(following)  # text between parameters is not part of any value
            continue
        end = _value_end(body, opening.end())
        if end < 0:
            return None, size, "the tool call was cut off inside a parameter value"
        key = (_attribute(opening.group(1), "name") or "").strip()
        # A repeated parameter keeps its first value, as SGLang does.
        args.setdefault(key, body[opening.end() : end].strip())
        pos = end + len(_PARAMETER_CLOSE)


def _value_end(body: str, start: int) -> int:
    """Where the value starting at `start` ends: the first `</parameter>` a tag may follow."""
    end = body.find(_PARAMETER_CLOSE, start)
    while end >= 0:
        after = body[end + len(_PARAMETER_CLOSE) :].lstrip()
        if not after or after.startswith(_AFTER_PARAMETER):
            return end
        end = body.find(_PARAMETER_CLOSE, end + 1)
    return -1


def _attribute(text: str, wanted: str) -> str | None:
    for found in _ATTRIBUTE.finditer(text):
        if found.group(1) == wanted:
            value = found.group(2) if found.group(2) is not None else found.group(3)
            return value if value is not None else found.group(4)
    stripped = text.strip()
    # `<invoke get_weather>`-like: no attribute syntax at all, the name alone.
    if wanted == "name" and stripped and "=" not in stripped:
        return stripped.strip("\"'")
    return None


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
        # A parameter the schema does not describe stays text, as in MiniMax's reference parser.
        return raw
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
            if not math.isfinite(number):
                continue  # `1e999`, `nan`: JSON has no such number, so the text is kept
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
        value = json.loads(raw)
    except ValueError:
        return raw
    # `1e999` and `NaN` parse, but no JSON can carry them back out.
    return raw if isinstance(value, float) and not math.isfinite(value) else value
