"""`resolve_settings`: the one path from arguments and environment to endpoint and key."""

from __future__ import annotations

from typing import Any

import pytest

import minimax_core as mm
from minimax_core._settings import (
    LEGACY_CHINA_BASE_URL,
    is_minimax_host,
    looks_secret,
    minimax_region,
)

from ..settings_matrix import BAD_REGIONS, ENDPOINT_CASES, ENV_URL, KEY_CASES


@pytest.mark.parametrize(
    ("args", "env_set", "expected"), [pytest.param(*c[1:], id=c[0]) for c in ENDPOINT_CASES]
)
def test_endpoint(args: dict[str, Any], env_set: bool, expected: str) -> None:
    environ = {"MINIMAX_BASE_URL": ENV_URL} if env_set else {}
    assert mm.resolve_settings(environ=environ, **args).base_url == expected
    assert mm.resolve_base_url(args.get("base_url"), args.get("region"), environ) == expected


def test_source_says_which_setting_won() -> None:
    env = {"MINIMAX_BASE_URL": ENV_URL}
    assert mm.resolve_settings(environ={}).source == "default"
    assert mm.resolve_settings(environ=env).source == "MINIMAX_BASE_URL"
    assert mm.resolve_settings(region="cn", environ=env).source == "region"
    assert (
        mm.resolve_settings(base_url="http://h/v1", region="cn", environ=env).source == "base_url"
    )


@pytest.mark.parametrize(
    ("args", "env_key", "expected"), [pytest.param(*c[1:], id=c[0]) for c in KEY_CASES]
)
def test_key(args: dict[str, Any], env_key: str | None, expected: str | None) -> None:
    environ = {"MINIMAX_API_KEY": env_key} if env_key else {}
    settings = mm.resolve_settings(environ=environ, **args)
    key = settings.api_key
    assert (key.get_secret_value() if key else None) == expected
    assert expected is None or expected not in repr(settings)


@pytest.mark.parametrize("region", BAD_REGIONS)
@pytest.mark.parametrize("base_url", [None, "http://h/v1"])
def test_unknown_region_is_refused_even_when_base_url_wins(
    region: str, base_url: str | None
) -> None:
    with pytest.raises(mm.RequestValidationError, match=f"unknown region '{region}'"):
        mm.resolve_settings(base_url=base_url, region=region, environ={})


def test_the_environment_is_read_when_none_is_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINIMAX_BASE_URL", ENV_URL)
    monkeypatch.setenv("MINIMAX_API_KEY", "env-key")
    settings = mm.resolve_settings()
    assert settings.base_url == ENV_URL
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "env-key"
    assert mm.MiniMaxClient(region="cn").base_url == mm.CHINA_BASE_URL


def test_secret_looking_names() -> None:
    for name in ("openai_api_key", "api_key", "anthropic_api_key", "access_token", "client_secret"):
        assert looks_secret(name), name
    for name in ("max_tokens", "max_completion_tokens", "top_logprobs", "temperature", "keyword"):
        assert not looks_secret(name), name


@pytest.mark.parametrize(
    ("base_url", "own", "region"),
    [
        (mm.DEFAULT_BASE_URL, True, "global"),
        (mm.CHINA_BASE_URL, True, "cn"),
        (LEGACY_CHINA_BASE_URL, True, "cn"),
        ("https://API.MiniMax.io/v1/", True, "global"),  # hosts compare case-blind
        ("https://gateway.minimax.io/v1", True, None),  # MiniMax's, but names no region
        ("https://api.minimax.chat/v1", True, None),  # a former domain
        ("https://notminimax.io/v1", False, None),
        ("http://127.0.0.1:8000/v1", False, None),
        ("not a url", False, None),
    ],
)
def test_minimax_hosts_one_place(base_url: str, own: bool, region: str | None) -> None:
    assert is_minimax_host(base_url) is own
    assert minimax_region(base_url) == region
