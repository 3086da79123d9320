"""Tools, `tool_choice` and structured-output formats in MiniMax's (OpenAI-shaped) wire form."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool

from minimax_core import RequestValidationError
from minimax_core.adapter_kit import named_tool_choice

__all__ = [
    "drop_disabled_params",
    "json_schema_format",
    "response_format_to_wire",
    "tool_choice_to_wire",
    "tools_to_wire",
]

# `response_format` dicts already in wire form, sent as they are.
_WIRE_FORMATS = frozenset({"json_schema", "json_object", "text"})

ToolLike = Mapping[str, Any] | type | Callable[..., Any] | BaseTool


def tools_to_wire(tools: Sequence[ToolLike]) -> list[dict[str, Any]]:
    """OpenAI-format tool dicts (what LangGraph's `create_react_agent` also expects to read).

    Never with `strict`: MiniMax's tool schema has no such field (`STRICT_TOOLS_NOT_HONOURED`).
    """
    return [convert_to_openai_tool(tool) for tool in tools]  # type: ignore[arg-type]


def tool_choice_to_wire(choice: Any, *, tool_names: Sequence[str]) -> Any:
    """LangChain's `tool_choice` values in wire form; `None` means "leave it out".

    `"any"`, `"required"` and `True` force some tool; `"auto"`/`"none"` pass through; a bound
    tool's name forces that tool; a dict is sent as given, Anthropic's `{"type": "tool",
    "name": ...}` translated.
    """
    if choice is None or choice is False:
        return None
    if choice is True or choice in ("any", "required"):
        return "required"
    if choice in ("auto", "none"):
        return choice
    if isinstance(choice, str):
        if choice not in tool_names:
            raise RequestValidationError(
                f"tool_choice {choice!r} is not one of the bound tools {list(tool_names)}; use "
                "'auto', 'none', 'any'/'required', or the name of a bound tool"
            )
        return named_tool_choice(choice)
    if isinstance(choice, Mapping):
        if choice.get("type") == "tool" and isinstance(choice.get("name"), str):
            return named_tool_choice(choice["name"])
        if choice.get("type") == "any":
            return "required"
        return dict(choice)
    raise RequestValidationError(
        f"tool_choice must be a string, bool or dict, got {type(choice).__name__}"
    )


def json_schema_format(schema: Mapping[str, Any] | type, *, strict: bool | None) -> dict[str, Any]:
    """`response_format` asking for JSON that matches `schema` (pydantic, TypedDict, JSON)."""
    if isinstance(schema, Mapping) and schema.get("type") == "json_schema":
        return dict(schema)
    function = convert_to_openai_function(schema, strict=strict)  # type: ignore[arg-type]
    spec: dict[str, Any] = {"name": function["name"], "schema": function["parameters"]}
    if function.get("description"):
        spec["description"] = function["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def response_format_to_wire(value: Any, *, strict: bool | None = None) -> dict[str, Any] | None:
    """`response_format` as ChatOpenAI takes it, in wire form; `None` leaves it out.

    Takes an OpenAI-style dict (`{"type": "json_schema" | "json_object" | "text", ...}`), a
    `{"name": ..., "schema": ...}` dict, a pydantic class, a TypedDict or a JSON schema dict.
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        kind = value.get("type")
        if kind in _WIRE_FORMATS:
            if kind == "json_schema" and not isinstance(value.get("json_schema"), Mapping):
                raise RequestValidationError(
                    "response_format {'type': 'json_schema'} needs a 'json_schema' dict with "
                    "'name' and 'schema'"
                )
            return dict(value)
        if "name" in value and isinstance(value.get("schema"), Mapping):
            spec = dict(value)
            if strict is not None:
                spec["strict"] = strict
            return {"type": "json_schema", "json_schema": spec}
    if isinstance(value, (Mapping, type)):
        try:
            return json_schema_format(value, strict=strict)
        except (TypeError, ValueError, KeyError) as exc:
            raise RequestValidationError(
                f"response_format {value!r} is neither an OpenAI-style response_format dict nor "
                f"a schema (pydantic class, TypedDict, JSON schema): {exc}"
            ) from exc
    raise RequestValidationError(
        "response_format must be an OpenAI-style dict ({'type': 'json_schema' | 'json_object' "
        f"| 'text', ...}}), a pydantic class, a TypedDict or a JSON schema dict, got {value!r}"
    )


# What a request is: never dropped by `disabled_params`.
_ESSENTIAL = frozenset({"model", "messages", "stream"})


def drop_disabled_params(body: dict[str, Any], disabled: Mapping[str, Any]) -> None:
    """Remove ChatOpenAI-style `disabled_params` from `body`, in place.

    `{"field": None}` drops the field whatever its value; `{"field": [values]}` only when it
    holds one of them. `model`, `messages` and `stream` are what a request is, and stay.
    """
    for name, values in disabled.items():
        if name in body and name not in _ESSENTIAL and (values is None or body[name] in values):
            del body[name]
