"""Building and checking the request body, before anything touches the network.

Everything MiniMax would refuse and that can be known locally is refused here with a
`RequestValidationError` that names the problem: an empty history, a tool result whose call id
is unknown, tool arguments that are not JSON (MiniMax answers 2013 to both), `n` other than 1,
the legacy `function_call`, out-of-range sampling parameters, images for a text-only model,
image and video parts outside MiniMax's documented limits (`_media`), an output limit above a
catalog model's, `thinking` off for a model that always thinks, and a `reasoning_effort` level
the model does not take. Ids the catalog does not know get none of the model checks.

Parameters documented as not honoured for a model are sent, with a `MiniMaxWarning`.
"""

from __future__ import annotations

import json
import json.encoder
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._exceptions import MiniMaxWarning, RequestValidationError
from ._json import dumps_body
from ._media import BODY_LIMIT, MB, MediaCheck, check_body_size, check_media_part
from .models import ModelInfo, model_info

__all__ = [
    "NAMED_FIELDS",
    "SAME_NAME_SETTINGS",
    "STRICT_TOOLS_NOT_HONOURED",
    "arguments_json",
    "build_request",
    "check_effort",
    "check_thinking",
    "ignored_parameter_warnings",
    "named_tool_choice",
    "normalize_thinking",
    "request_settings",
    "safe_arguments",
    "text_or_parts",
    "validate_messages",
]

_ROLES = {"system", "user", "assistant", "tool"}

STRICT_TOOLS_NOT_HONOURED = (
    "MiniMax's tool schema has no `strict` field, so strict=True is not sent and cannot "
    "guarantee arguments that match the schema; the library still refuses arguments that are "
    "not a JSON object, and your tool should validate the rest"
)
"""What both adapters say when asked for strict tools (MiniMax's chat-completions reference
lists no `strict` in a function tool)."""
_UNSUPPORTED = {
    "function_call": "the legacy `function_call` is not supported by MiniMax; use `tools` and `tool_choice`",
    "functions": "the legacy `functions` is not supported by MiniMax; use `tools`",
}


def text_or_parts(parts: list[dict[str, Any]], *, media: bool) -> str | list[dict[str, Any]]:
    """Message content from content parts: text-only parts become one string, joined by newlines.

    Every MiniMax model and self-hosted server takes a string; the list is sent only when it
    holds an image or a video (`media`, which the caller knows from building it), and
    `build_request` then checks the model can take them.
    """
    if not media:
        return "\n".join(part["text"] for part in parts)
    return parts


def named_tool_choice(name: str) -> dict[str, Any]:
    """The `tool_choice` that forces the tool called `name`."""
    return {"type": "function", "function": {"name": name}}


def safe_arguments(arguments: str) -> str:
    """Tool-call argument text that MiniMax will accept in history.

    Arguments that are not a JSON object (a truncated or garbled call) would make MiniMax refuse
    the whole request with 2013, so they are replaced by `{}`; the tool result that follows still
    tells the model what went wrong.
    """
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return "{}"
    return arguments if isinstance(value, dict) and arguments.strip() else "{}"


def _unserializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# `json.dumps(value, ensure_ascii=False)` builds a `JSONEncoder` and then the C encoder on every
# call, which costs more than encoding a tool call's few arguments: an agent's history sends
# hundreds of them per request. This is the same C encoder with the same settings, made once.
# Without `markers` it does not look for cycles; any failure is retried with `json.dumps`,
# which raises its usual error.
_C_MAKE_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)
_ENCODE_ARGUMENTS = (
    _C_MAKE_ENCODER(
        None,
        _unserializable,
        json.encoder.encode_basestring,
        None,
        ": ",
        ", ",
        False,
        False,
        True,
    )
    if _C_MAKE_ENCODER is not None
    else None
)


def arguments_json(arguments: Mapping[str, Any]) -> str:
    """`json.dumps(arguments, ensure_ascii=False)`, the same text, at a fraction of the cost."""
    if _ENCODE_ARGUMENTS is not None and type(arguments) is dict:
        try:
            return "".join(_ENCODE_ARGUMENTS(arguments, 0))
        except (TypeError, ValueError, RecursionError):
            pass
    return json.dumps(arguments, ensure_ascii=False)


_JSON_OBJECTS: set[str] = set()
"""Argument texts already read as a JSON object. Strings cannot change, so the text itself is
the key: an edited call's arguments are a different string, read again."""
_JSON_OBJECTS_MAX = 8_192


def _is_json_object(arguments: object) -> bool:
    """Whether tool-call `arguments` are a JSON object's text, as `safe_arguments` judges them."""
    if not isinstance(arguments, str):
        return False
    if arguments in _JSON_OBJECTS:
        return True
    if safe_arguments(arguments) != arguments:
        return False
    if len(_JSON_OBJECTS) >= _JSON_OBJECTS_MAX:
        _JSON_OBJECTS.clear()
    _JSON_OBJECTS.add(arguments)
    return True


def normalize_thinking(thinking: Any) -> dict[str, Any] | None:
    """`thinking` in wire form: `True`/`"adaptive"` → on, `False`/`"disabled"` → off."""
    if thinking is None:
        return None
    if isinstance(thinking, bool):
        return {"type": "adaptive" if thinking else "disabled"}
    if isinstance(thinking, str):
        kind = thinking.lower()
        if kind in ("adaptive", "enabled", "on"):
            return {"type": "adaptive"}
        if kind in ("disabled", "off"):
            return {"type": "disabled"}
        raise RequestValidationError(
            f"thinking must be True, False, 'adaptive' or 'disabled', got {thinking!r}"
        )
    if isinstance(thinking, Mapping) and thinking.get("type") in (
        "adaptive",
        "enabled",
        "disabled",
    ):
        return dict(thinking)
    raise RequestValidationError(
        f"thinking must be True, False, 'adaptive', 'disabled' or {{'type': ...}}, got {thinking!r}"
    )


def check_thinking(wire_thinking: Mapping[str, Any] | None, info: ModelInfo) -> None:
    """Refuse `thinking` disabled for a model that always thinks (MiniMax answers 2013)."""
    if wire_thinking is not None and wire_thinking.get("type") == "disabled" and info.always_thinks:
        low = 'reasoning_effort="low"' if info.effort_levels else "a lower reasoning effort"
        raise RequestValidationError(
            f"{info.name} always thinks and MiniMax refuses thinking disabled for it (code "
            f"2013); leave thinking unset and use {low} for the least thinking"
        )


def check_effort(effort: Any, info: ModelInfo) -> None:
    """Refuse a `reasoning_effort` a catalog model does not take; unknown ids pass through."""
    if effort is None or not info.known:
        return
    if not info.effort_levels:
        raise RequestValidationError(
            f"{info.name} has no reasoning effort control, so reasoning_effort={effort!r} is "
            "refused; MiniMax-M4 and MiniMax-M3.1-Flash take it"
        )
    if effort not in info.effort_levels:
        levels = ", ".join(repr(level) for level in info.effort_levels)
        raise RequestValidationError(f"{info.name} takes reasoning_effort {levels}, got {effort!r}")


# When a parameter counts as set to something the model does not honour.
_NOT_HONOURED: dict[str, Callable[[Any], bool]] = {
    "stop": lambda value: bool(value),
    "parallel_tool_calls": lambda value: value is False,
    "tool_choice": lambda value: value is not None and value != "auto",
}


def ignored_parameter_warnings(info: ModelInfo, params: Mapping[str, Any]) -> list[str]:
    """One sentence per parameter in `params` documented as not honoured by `info`'s model."""
    return [
        f"{info.name} does not honour {name}={params[name]!r} (documented for this model, see "
        "minimax_core.models); the request is sent with it anyway"
        for name in sorted(info.ignores)
        if _NOT_HONOURED[name](params.get(name))
    ]


def validate_messages(messages: Sequence[Mapping[str, Any]], *, model: str) -> None:
    """Refuse a history MiniMax would refuse, naming the message at fault."""
    _validate_messages(messages, model)


def _validate_messages(messages: Sequence[Mapping[str, Any]], model: str) -> MediaCheck:
    if not messages:
        raise RequestValidationError("messages is empty: send at least one message")
    info = model_info(model)
    media = MediaCheck()
    call_ids: set[str] = set()
    for position, message in enumerate(messages):
        role = message.get("role")
        if role not in _ROLES:
            raise RequestValidationError(
                f"messages[{position}] has role {role!r}; expected one of {sorted(_ROLES)}"
            )
        content = message.get("content")
        if isinstance(content, list):
            _check_parts(content, position, info.name, info.image_input, info.video_input, media)
        tool_calls = message.get("tool_calls")
        for call in tool_calls or ():
            function = call.get("function") or {}
            if not _is_json_object(function.get("arguments", "")):
                raise RequestValidationError(
                    f"messages[{position}] tool call {call.get('id')!r} ({function.get('name')!r}) "
                    "has arguments that are not a JSON object; MiniMax refuses such history "
                    "(code 2013)"
                )
            call_id = call.get("id")
            if call_id:
                call_ids.add(call_id if type(call_id) is str else str(call_id))
        if role == "tool":
            call_id = message.get("tool_call_id")
            if not call_id or str(call_id) not in call_ids:
                raise RequestValidationError(
                    f"messages[{position}] is a tool result for call id {call_id!r}, but no earlier "
                    "assistant message made that call; MiniMax refuses such history (code 2013)"
                )
    return media


def _check_parts(
    parts: Sequence[Any],
    position: int,
    model: str,
    image_ok: bool,
    video_ok: bool,
    media: MediaCheck,
) -> None:
    for part in parts:
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind == "image_url" and not image_ok:
            raise RequestValidationError(
                f"messages[{position}] has an image, but {model} takes text only; "
                "use MiniMax-M3 for image input"
            )
        if kind == "video_url" and not video_ok:
            raise RequestValidationError(
                f"messages[{position}] has a video, but {model} takes text only; "
                "use MiniMax-M3 for video input"
            )
        if kind in ("image_url", "video_url"):
            check_media_part(part, kind, position, media)


# Request fields `build_request` takes by name. The same field in `extra` (a framework's
# `model_kwargs`, `extra_body`, `additional_kwargs`) is merged into the named value before any
# check, so nothing invalid reaches the network because of how it was spelled.
NAMED_FIELDS = frozenset(
    {
        "model",
        "stream",
        "temperature",
        "top_p",
        "max_completion_tokens",
        "max_tokens",
        "thinking",
        "reasoning_effort",
        "reasoning_split",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "stop",
        "service_tier",
    }
)


SAME_NAME_SETTINGS = ("temperature", "top_p", "thinking", "reasoning_effort", "reasoning_split")
"""Settings both adapters hold under `build_request`'s own parameter names."""


def request_settings(settings: Mapping[str, Any], call: Mapping[str, Any]) -> dict[str, Any]:
    """`build_request`'s named keywords for one call: the call's value, else the setting's.

    Both mappings are keyed by `build_request` parameters; a call may name the output limit
    `max_tokens` or `max_completion_tokens` (`one_output_limit`). Extras go to `build_request`
    apart and lose to both. A call's empty `model` keeps the setting's. `reasoning_split_given`
    is false only while `reasoning_split` is the default `True` nobody chose, which an extra may
    then replace.
    """
    named = {**settings, **call}
    if "max_tokens" in named:
        named["max_completion_tokens"] = one_output_limit(
            named.pop("max_tokens"), call.get("max_completion_tokens")
        )
    if not named.get("model"):
        named["model"] = settings.get("model")
    named["reasoning_split_given"] = (
        "reasoning_split" in call or settings.get("reasoning_split", True) is not True
    )
    return named


def one_output_limit(max_tokens: Any, max_completion_tokens: Any) -> Any:
    """The output limit given under either name: OpenAI's older `max_tokens` or its current
    `max_completion_tokens`. Both with different values is refused rather than one dropped."""
    if max_completion_tokens is None:
        return max_tokens
    if max_tokens is not None and max_tokens != max_completion_tokens:
        raise RequestValidationError(
            "max_tokens and max_completion_tokens name the same limit; give one, "
            f"got {max_tokens!r} and {max_completion_tokens!r}"
        )
    return max_completion_tokens


def merge_named_extras(
    named: dict[str, Any], extra: dict[str, Any], reasoning_split_given: bool
) -> None:
    """Move `extra`'s named fields into `named`, in place; a value given by name wins.

    Precedence is per-call keyword > named setting > extras: an extra fills a field only while
    it is unset (`None`). `reasoning_split` is `True` by default rather than unset, so an
    extra replaces it unless the caller gave it (`reasoning_split_given`). `max_tokens` is
    OpenAI's older name for `max_completion_tokens` (`one_output_limit`). `model` and `stream`
    are always set, so an extra never changes where or how the request goes.
    """
    if "max_tokens" in extra:
        extra["max_completion_tokens"] = one_output_limit(
            extra.pop("max_tokens"), extra.get("max_completion_tokens")
        )
    for key in NAMED_FIELDS & extra.keys():
        value = extra.pop(key)
        if key == "reasoning_split" and not reasoning_split_given:
            named[key] = value
        elif named.get(key) is None:
            named[key] = value


# Whatever is not inline media (text, tools) stays far below this: a million-token context is a
# few MB of text. So the body is serialised to measure it only when inline media come this close.
_BODY_MARGIN = 16 * MB


def _check_range(name: str, value: float | None, low: float, high: float) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise RequestValidationError(f"{name} must be a number from {low} to {high}, got {value!r}")


def build_request(
    messages: Sequence[Mapping[str, Any]],
    *,
    model: str,
    stream: bool = False,
    temperature: float | None = None,
    top_p: float | None = None,
    max_completion_tokens: int | None = None,
    thinking: Any = None,
    reasoning_split: bool | None = True,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: Any = None,
    parallel_tool_calls: bool | None = None,
    response_format: Mapping[str, Any] | None = None,
    stop: Sequence[str] | str | None = None,
    service_tier: str | None = None,
    include_usage: bool = True,
    reasoning_effort: str | None = None,
    extra: Mapping[str, Any] | None = None,
    reasoning_split_given: bool = True,
) -> dict[str, Any]:
    """The JSON body for `POST /chat/completions`, checked; other `extra` keys are sent as they are.

    A key of `extra` naming a parameter here is checked like that parameter and fills it only
    while it is unset (`merge_named_extras`). `reasoning_split_given=False` says the
    `reasoning_split` passed is a default an extra may replace. `reasoning_effort` goes on the
    wire as the top-level field of that name.
    """
    extra = dict(extra or {})
    if extra and not NAMED_FIELDS.isdisjoint(extra):
        named: dict[str, Any] = {
            "model": model,
            "stream": stream,
            "temperature": temperature,
            "top_p": top_p,
            "max_completion_tokens": max_completion_tokens,
            "thinking": thinking,
            "reasoning_effort": reasoning_effort,
            "reasoning_split": reasoning_split,
            "tools": tools,
            "tool_choice": tool_choice,
            "parallel_tool_calls": parallel_tool_calls,
            "response_format": response_format,
            "stop": stop,
            "service_tier": service_tier,
        }
        merge_named_extras(named, extra, reasoning_split_given)
        temperature, top_p = named["temperature"], named["top_p"]
        max_completion_tokens = named["max_completion_tokens"]
        thinking, reasoning_effort = named["thinking"], named["reasoning_effort"]
        reasoning_split, tools = named["reasoning_split"], named["tools"]
        tool_choice, parallel_tool_calls = named["tool_choice"], named["parallel_tool_calls"]
        response_format, stop = named["response_format"], named["stop"]
        service_tier = named["service_tier"]
    if not isinstance(model, str) or not model.strip():
        raise RequestValidationError("model must be a non-empty model name, e.g. 'MiniMax-M3'")
    for key, reason in _UNSUPPORTED.items():
        if key in extra:
            raise RequestValidationError(reason)
    n = extra.pop("n", None)
    if n not in (None, 1):
        raise RequestValidationError(
            f"n must be 1: MiniMax returns one choice per request, got n={n!r}"
        )
    media = _validate_messages(messages, model)
    _check_range("temperature", temperature, 0.0, 2.0)
    _check_range("top_p", top_p, 0.0, 1.0)
    info = model_info(model)
    if max_completion_tokens is not None:
        if isinstance(max_completion_tokens, bool) or not isinstance(max_completion_tokens, int):
            raise RequestValidationError(
                f"max_tokens must be a whole number, got {max_completion_tokens!r}"
            )
        limit = info.max_output_tokens
        if max_completion_tokens < 1 or (limit is not None and max_completion_tokens > limit):
            bound = f"from 1 to {limit} for {info.name}" if limit is not None else "at least 1"
            raise RequestValidationError(f"max_tokens must be {bound}, got {max_completion_tokens}")
    wire_thinking = normalize_thinking(thinking)
    check_thinking(wire_thinking, info)
    check_effort(reasoning_effort, info)
    if info.ignores:
        given = {
            "stop": stop,
            "parallel_tool_calls": parallel_tool_calls,
            "tool_choice": tool_choice,
        }
        for message in ignored_parameter_warnings(info, given):
            warnings.warn(message, MiniMaxWarning, stacklevel=2)
    if info.replaced_by is not None:
        warnings.warn(
            f"MiniMax has retired {info.name}; move to {info.replaced_by}",
            MiniMaxWarning,
            stacklevel=2,
        )

    body: dict[str, Any] = {"model": model, "messages": list(messages)}
    if stream:
        body["stream"] = True
        if include_usage:
            body["stream_options"] = {"include_usage": True}
    if temperature is not None:
        body["temperature"] = temperature
    if top_p is not None:
        body["top_p"] = top_p
    if max_completion_tokens is not None:
        body["max_completion_tokens"] = max_completion_tokens
    if wire_thinking is not None:
        body["thinking"] = wire_thinking
    if reasoning_effort is not None:
        body["reasoning_effort"] = reasoning_effort
    if reasoning_split is not None:
        body["reasoning_split"] = reasoning_split
    if tools:
        body["tools"] = [_check_tool(tool, i) for i, tool in enumerate(tools)]
    if tool_choice is not None:
        body["tool_choice"] = tool_choice
    if parallel_tool_calls is not None and tools:
        body["parallel_tool_calls"] = parallel_tool_calls
    if response_format is not None:
        if not isinstance(response_format, Mapping):
            raise RequestValidationError(
                f"response_format must be a dict such as {{'type': 'json_object'}}, got "
                f"{response_format!r}"
            )
        body["response_format"] = dict(response_format)
    if stop:
        body["stop"] = [stop] if isinstance(stop, str) else list(stop)
    if service_tier is not None:
        body["service_tier"] = service_tier
    body.update(extra)
    if media.inline_chars > BODY_LIMIT - _BODY_MARGIN:
        check_body_size(len(dumps_body(body)))
    return body


def _check_tool(tool: Mapping[str, Any], position: int) -> dict[str, Any]:
    if not isinstance(tool, Mapping):
        raise RequestValidationError(
            f"tools[{position}] must be a dict {{'type': 'function', 'function': {{...}}}}, "
            f"got {tool!r}"
        )
    if tool.get("type", "function") != "function":
        raise RequestValidationError(
            f"tools[{position}] has type {tool.get('type')!r}; MiniMax accepts only function tools"
        )
    function = tool.get("function")
    if not isinstance(function, Mapping) or not function.get("name"):
        raise RequestValidationError(f"tools[{position}] needs a function with a name")
    try:
        json.dumps(tool)
    except (TypeError, ValueError) as exc:
        raise RequestValidationError(
            f"tools[{position}] ({function.get('name')!r}) is not JSON-serialisable: {exc}"
        ) from exc
    return dict(tool)
