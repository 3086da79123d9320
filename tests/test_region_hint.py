"""A key refused by one of MiniMax's own hosts points at the other region, in every layer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

import minimax_core as mm
from langchain_minimax import ChatMiniMax, MiniMaxAuthenticationError
from llamaindex_minimax import MiniMax
from minimax_core._reasoning import resolve_prefill
from minimax_core._settings import LEGACY_CHINA_BASE_URL, region_hint

# MiniMax's real answers to a key from the other region (see the error table in _exceptions).
REFUSALS: dict[str, tuple[int, dict[str, Any]]] = {
    "http-401-1004": (
        401,
        {
            "type": "error",
            "error": {
                "type": "authorized_error",
                "message": "login fail: Please carry the API secret key in the 'Authorization' "
                "field of the request header (1004)",
                "http_code": "401",
            },
        },
    ),
    "base-resp-2049": (200, {"base_resp": {"status_code": 2049, "status_msg": "invalid api key"}}),
}


def _refusing(status: int, body: dict[str, Any]) -> Callable[[], httpx.Client]:
    # MiniMax's own hosts cannot be reached from a test: their answer is replayed in process.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=json.dumps(body).encode())

    return lambda: httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(("status", "body"), REFUSALS.values(), ids=list(REFUSALS))
@pytest.mark.parametrize(
    ("base_url", "other"),
    [
        (mm.DEFAULT_BASE_URL, 'region="cn"'),
        (mm.CHINA_BASE_URL, 'region="global"'),
        (LEGACY_CHINA_BASE_URL, 'region="global"'),  # the host MiniMax documented before
    ],
)
def test_each_layer_names_the_other_region(
    status: int, body: dict[str, Any], base_url: str, other: str
) -> None:
    make = _refusing(status, body)
    calls: list[Callable[[], Any]] = [
        lambda: mm.MiniMaxClient(api_key="k", base_url=base_url, http_client=make()).create(
            mm.build_request([{"role": "user", "content": "Hi"}], model="MiniMax-M2.7")
        ),
        lambda: ChatMiniMax(api_key="k", base_url=base_url, http_client=make()).invoke("Hi"),
        lambda: MiniMax(api_key="k", base_url=base_url, http_client=make()).chat(
            [ChatMessage(role="user", content="Hi")]
        ),
    ]
    for call in calls:
        with pytest.raises(mm.AuthenticationError) as info:
            call()
        assert "keys are region-bound" in str(info.value)
        assert other in str(info.value)
        assert info.value.code in (1004, 2049)  # MiniMax's code is kept
    with pytest.raises(MiniMaxAuthenticationError):
        calls[1]()


def test_no_hint_for_other_servers(minimax_server: Any) -> None:
    """A local or self-hosted server has no regions: its refusal is passed on as it is."""
    llm = ChatMiniMax(api_key="wrong", base_url=minimax_server.base_url)
    with pytest.raises(MiniMaxAuthenticationError) as info:
        llm.invoke("Hi")
    assert "region" not in str(info.value)
    assert "invalid api key" in str(info.value)  # the local server says the key was wrong
    assert region_hint("http://127.0.0.1:8000/v1") is None


def test_region_cn_uses_the_host_minimax_documents_now() -> None:
    assert mm.resolve_settings(region="cn").base_url == "https://api.minimax.cn/v1"
    assert LEGACY_CHINA_BASE_URL == "https://api.minimaxi.com/v1"
    # Both China hosts are MiniMax's own: no prefill guessing on either.
    for url in (mm.CHINA_BASE_URL, LEGACY_CHINA_BASE_URL):
        assert resolve_prefill("auto", {"model": "MiniMax-M3"}, url) == "never"
