"""What a framework adapter builds on: the core's public kit for `langchain_minimax`,
`llamaindex_minimax` and any adapter written later.

An adapter translates framework objects to and from the core's neutral ones; every fact about
MiniMax's wire format stays in the core. This module is the one door to those facts, so the
adapters import no private (`_`-prefixed) core module (a test checks it):

- **content parts**: `file_url` (`mm_file://`), `data_url`, `media_part`, `text_or_parts`,
  and the media helpers `guess_media_type`, `check_inline_size`;
- **tool calls**: `tool_call_wire` (the one writer of a wire `tool_calls` item, also behind
  `ToolCall.to_wire`), `named_tool_choice`, `parse_arguments`, `safe_arguments`, `arguments_json` (arguments
  written as MiniMax reads them, with one reusable encoder);
- **request settings**: `SETTING_DEFAULTS` (the settings both adapters declare, with their
  defaults), `request_settings` (a call's keywords over the settings), `SAME_NAME_SETTINGS`,
  `NAMED_FIELDS`, `check_thinking`, `check_effort`, `STRICT_TOOLS_NOT_HONOURED`;
- **clients**: `client_options`, `timeout_options`, `ClientOptions`, `KeyProvider`, `Timeout`,
  and the limiter types `Limit`, `SharedLimit`;
- **settings and hosts**: `looks_secret`, `is_minimax_host`, `minimax_region`, `region_hint`;
- **packaging and answers**: `require_extra`, `warn_if_thinking_used_budget`.
"""

from __future__ import annotations

from ._budget import warn_if_thinking_used_budget
from ._extras import require_extra
from ._limiter import Limit, SharedLimit
from ._media import (
    FILE_URL_SCHEME,
    check_inline_size,
    data_url,
    file_url,
    guess_media_type,
    media_part,
)
from ._pools import ClientOptions, KeyProvider, Timeout, client_options, timeout_options
from ._request import (
    NAMED_FIELDS,
    SAME_NAME_SETTINGS,
    STRICT_TOOLS_NOT_HONOURED,
    arguments_json,
    check_effort,
    check_thinking,
    named_tool_choice,
    request_settings,
    safe_arguments,
    text_or_parts,
)
from ._settings import (
    SETTING_DEFAULTS,
    SettingDefaults,
    is_minimax_host,
    looks_secret,
    minimax_region,
    region_hint,
)
from ._toolcalls import parse_arguments
from .types import tool_call_wire

__all__ = [
    "FILE_URL_SCHEME",
    "NAMED_FIELDS",
    "SAME_NAME_SETTINGS",
    "SETTING_DEFAULTS",
    "STRICT_TOOLS_NOT_HONOURED",
    "ClientOptions",
    "KeyProvider",
    "Limit",
    "SettingDefaults",
    "SharedLimit",
    "Timeout",
    "arguments_json",
    "check_effort",
    "check_inline_size",
    "check_thinking",
    "client_options",
    "data_url",
    "file_url",
    "guess_media_type",
    "is_minimax_host",
    "looks_secret",
    "media_part",
    "minimax_region",
    "named_tool_choice",
    "parse_arguments",
    "region_hint",
    "request_settings",
    "require_extra",
    "safe_arguments",
    "text_or_parts",
    "timeout_options",
    "tool_call_wire",
    "warn_if_thinking_used_budget",
]
