"""Where requests go and with which key: the one settings path every entry point uses.

The client, `ChatMiniMax` and the LlamaIndex `MiniMax` all resolve their endpoint and key here,
so the same arguments and environment always give the same endpoint:

1. an explicit `base_url`,
2. else the endpoint of `region` (`"global"` or `"cn"`),
3. else `MINIMAX_BASE_URL`,
4. else the global endpoint, `https://api.minimax.io/v1`.

What the code says wins over the environment, so `region="cn"` is never silently overridden by
a `MINIMAX_BASE_URL` left in a shell. The key is the argument, else `MINIMAX_API_KEY`.
Everything here is pure: the environment is passed in (it defaults to `os.environ`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from ._exceptions import APIStatusError, AuthenticationError, MiniMaxError, RequestValidationError
from .models import DEFAULT_MODEL

if TYPE_CHECKING:
    from ._pools import Timeout

__all__ = [
    "CHINA_BASE_URL",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "LEGACY_CHINA_BASE_URL",
    "MINIMAX_DOMAINS",
    "REGIONS",
    "SETTING_DEFAULTS",
    "SettingDefaults",
    "Settings",
    "check_base_url",
    "is_minimax_host",
    "looks_secret",
    "minimax_region",
    "other_region_url",
    "region_hint",
    "region_url",
    "resolve_api_key",
    "resolve_base_url",
    "resolve_settings",
    "with_region_hint",
]

DEFAULT_BASE_URL = "https://api.minimax.io/v1"
"""The international endpoint."""
CHINA_BASE_URL = "https://api.minimax.cn/v1"
"""The mainland China endpoint. Keys are region-bound: a key from one fails on the other.

MiniMax's China docs moved to this host around September 2026: the OpenAPI of its chat
completions reference names `https://api.minimax.cn` as the server, as do the guides
https://platform.minimaxi.com/docs/guides/quickstart-preparation and
https://platform.minimaxi.com/docs/api-reference/text-openai-api (reported in
https://github.com/anomalyco/models.dev/issues/7500).
"""
LEGACY_CHINA_BASE_URL = "https://api.minimaxi.com/v1"
"""The China endpoint MiniMax documented before; still one of MiniMax's own hosts (it answered
requests after the move), so it keeps the China region's hints and prefill mode."""
REGIONS: dict[str, str] = {
    "global": DEFAULT_BASE_URL,
    "international": DEFAULT_BASE_URL,
    "cn": CHINA_BASE_URL,
    "china": CHINA_BASE_URL,
}
DEFAULT_MAX_RETRIES = 2
"""Retries of a failed request, in the client and both adapters."""
BASE_URL_ENV = "MINIMAX_BASE_URL"
API_KEY_ENV = "MINIMAX_API_KEY"

Source = Literal["base_url", "region", "MINIMAX_BASE_URL", "default"]


@dataclass(frozen=True)
class Settings:
    """A resolved endpoint and key. The key is a `SecretStr`, so a repr never shows it."""

    base_url: str
    """The endpoint, without a trailing slash."""
    api_key: SecretStr | None
    """The key, or `None` when there is none (a request then fails before the network)."""
    source: Source
    """Which setting chose `base_url`."""


@dataclass(frozen=True)
class SettingDefaults:
    """The model settings both adapters declare, each with its one default.

    The frameworks need their fields written out (pydantic fields with LangChain's attribute
    docstrings, LlamaIndex's `Field(description=...)` and its explicit `__init__`), so each
    adapter declares them itself, taking the default from `SETTING_DEFAULTS`; a test checks
    that both declare every field here with that default. LangChain names `model` `model_name`
    (aliased `model`), as its other chat models do.
    """

    model: str = DEFAULT_MODEL
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    thinking: bool | str | dict[str, Any] | None = None
    reasoning_effort: str | None = None
    reasoning_split: bool | None = True
    think_prefill: bool | Literal["auto"] = "auto"
    timeout: Timeout | None = None
    max_retries: int = DEFAULT_MAX_RETRIES


SETTING_DEFAULTS = SettingDefaults()
"""The defaults of the model settings (`SettingDefaults`)."""


def region_url(region: str) -> str:
    """The endpoint of a region; an unknown region is refused in one sentence."""
    try:
        return REGIONS[region.strip().lower()]
    except (KeyError, AttributeError):
        raise RequestValidationError(
            f"unknown region {region!r}; use 'global' ({DEFAULT_BASE_URL}) or 'cn' ({CHINA_BASE_URL})"
        ) from None


def check_base_url(base_url: str) -> str:
    """`base_url` without its trailing slash, or a one-sentence error if it is not http(s)."""
    url = base_url.strip().rstrip("/")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise RequestValidationError(f"base_url {url!r} is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise RequestValidationError(
            f"base_url {url!r} must be an http(s) URL with a host, e.g. {DEFAULT_BASE_URL}"
        )
    return url


def resolve_base_url(
    base_url: str | None = None,
    region: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The endpoint: `base_url`, else `region`'s, else `MINIMAX_BASE_URL`, else the global one.

    A `region` is checked even when `base_url` wins, so a typo is never silently ignored.
    """
    return resolve_settings(base_url=base_url, region=region, environ=environ).base_url


def resolve_api_key(
    api_key: str | SecretStr | None = None, environ: Mapping[str, str] | None = None
) -> SecretStr | None:
    """The key: the argument, else `MINIMAX_API_KEY`; an empty key counts as none."""
    if isinstance(api_key, SecretStr):
        return api_key if api_key.get_secret_value() else None
    if api_key is None:
        api_key = (os.environ if environ is None else environ).get(API_KEY_ENV)
    return SecretStr(api_key) if api_key else None


def resolve_settings(
    *,
    api_key: str | SecretStr | None = None,
    base_url: str | None = None,
    region: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve endpoint and key from the arguments, then the environment (see the module doc)."""
    env = os.environ if environ is None else environ
    by_region = region_url(region) if region is not None else None
    source: Source
    if base_url is not None and base_url.strip():
        url, source = base_url, "base_url"
    elif by_region is not None:
        url, source = by_region, "region"
    elif env.get(BASE_URL_ENV, "").strip():
        url, source = env[BASE_URL_ENV], "MINIMAX_BASE_URL"
    else:
        url, source = DEFAULT_BASE_URL, "default"
    return Settings(
        base_url=check_base_url(url),
        api_key=resolve_api_key(api_key, env),
        source=source,
    )


# Name parts that mark a constructor keyword as a credential. A keyword whose name has one of
# them is never forwarded into a request body, however it was spelled.
_SECRET_PARTS = frozenset(
    {"key", "apikey", "secret", "password", "passwd", "token", "credential", "credentials"}
)


def looks_secret(name: str) -> bool:
    """Whether a keyword's name says it holds a credential (`openai_api_key`, `access_token`).

    `max_tokens` and the like are not: only a whole `_`-separated part counts.
    """
    return any(part in _SECRET_PARTS for part in name.lower().replace("-", "_").split("_"))


# --- MiniMax's own hosts: the one place that knows them ----------------------------------

MINIMAX_DOMAINS = ("minimax.io", "minimax.cn", "minimaxi.com", "minimax.chat", "minimaxi.chat")
"""MiniMax's domains, current and former; a host on one of them (or under it) is MiniMax's API."""
Region = Literal["global", "cn"]
# Only the API hosts themselves name a region: a key refused elsewhere on MiniMax's domains
# (a gateway, a former host) gets no advice to switch, which could be wrong there.
_REGION_HOSTS: dict[str, Region] = {
    urlsplit(DEFAULT_BASE_URL).hostname or "": "global",
    urlsplit(CHINA_BASE_URL).hostname or "": "cn",
    urlsplit(LEGACY_CHINA_BASE_URL).hostname or "": "cn",
}


def _host(base_url: str) -> str:
    """The lower-case host of `base_url`, `""` when it has none or cannot be read."""
    try:
        return (urlsplit(base_url).hostname or "").lower()
    except (ValueError, TypeError, AttributeError):
        return ""


@functools.lru_cache(maxsize=64)
def is_minimax_host(base_url: str) -> bool:
    """Whether `base_url` is MiniMax's own API: its host is one of `MINIMAX_DOMAINS` or under one.

    Cached: the prefill decision asks on every request, and parsing a URL costs more than the
    rest of that decision.
    """
    host = _host(base_url)
    return any(host == name or host.endswith("." + name) for name in MINIMAX_DOMAINS)


def minimax_region(base_url: str) -> Region | None:
    """The region of one of MiniMax's API endpoints (`"global"`, `"cn"`), else `None`."""
    return _REGION_HOSTS.get(_host(base_url))


def other_region_url(base_url: str) -> str | None:
    """The endpoint of the other region for one of MiniMax's own endpoints, else `None`."""
    region = minimax_region(base_url)
    if region is None:
        return None
    return CHINA_BASE_URL if region == "global" else DEFAULT_BASE_URL


def region_hint(base_url: str) -> str | None:
    """What to try when one of MiniMax's own endpoints refuses a key: the other region.

    Keys are region-bound, and a key from the other platform is the usual cause of a 1004 or
    2049 there. `None` for any other endpoint (a self-hosted or local server has no regions).
    """
    region = minimax_region(base_url)
    if region == "global":
        return (
            f"keys are region-bound and this request went to the global endpoint "
            f"({DEFAULT_BASE_URL}): a key from the mainland China platform (minimaxi.com) needs "
            f'region="cn" or MINIMAX_BASE_URL={CHINA_BASE_URL}'
        )
    if region == "cn":
        return (
            f"keys are region-bound and this request went to the mainland China endpoint "
            f"({base_url}): a key from the global platform (minimax.io) needs "
            f'region="global" or MINIMAX_BASE_URL={DEFAULT_BASE_URL}'
        )
    return None


def with_region_hint(error: MiniMaxError, base_url: str) -> MiniMaxError:
    """`error`, with `region_hint` added to its message when it is a refused key."""
    hint = region_hint(base_url) if isinstance(error, AuthenticationError) else None
    if hint is not None and isinstance(error, APIStatusError) and hint not in error.message:
        error.message = f"{error.message} ({hint})"
        error.args = (error.message,)
    return error
