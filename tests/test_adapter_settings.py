"""Construction settings both adapters must agree on: endpoint, key and region, one case list.

Each case runs over `ChatMiniMax` and LlamaIndex's `MiniMax` through a small driver that knows
how its adapter is built and where it says requests go; the cases come from `settings_matrix`,
which `tests/core/test_settings.py` runs over `resolve_settings`. What only one framework's users
bring (ChatOpenAI's or OpenAILike's spellings) stays in that adapter's `test_settings.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage

import minimax_core as mm
from langchain_minimax import ChatMiniMax
from llamaindex_minimax import MiniMax
from minimax_server import MiniMaxServer

from .settings_matrix import BAD_REGIONS, ENDPOINT_CASES, ENV_URL, KEY_CASES


@dataclass(frozen=True)
class Adapter:
    """How one adapter is built and read back, for the shared settings cases."""

    name: str
    make: Callable[..., Any]
    requests_go_to: Callable[[Any], str]
    """The endpoint of the client the model sends its requests with."""
    say_hello: Callable[[Any], str]
    """One real call, returning the answer text."""

    def key(self, llm: Any) -> str | None:
        return llm.api_key.get_secret_value() if llm.api_key else None


ADAPTERS = [
    Adapter(
        "langchain",
        ChatMiniMax,
        lambda llm: llm._client.base_url,
        lambda llm: str(llm.invoke([HumanMessage("Hello")]).content),
    ),
    Adapter(
        "llamaindex",
        MiniMax,
        lambda llm: llm._sync_client().base_url,
        lambda llm: str(llm.chat([ChatMessage(role="user", content="Hello")]).message.content),
    ),
]
each_adapter = pytest.mark.parametrize("adapter", ADAPTERS, ids=[a.name for a in ADAPTERS])


@each_adapter
@pytest.mark.parametrize(
    ("args", "env_set", "expected"), [pytest.param(*c[1:], id=c[0]) for c in ENDPOINT_CASES]
)
def test_endpoint_matrix(
    monkeypatch: pytest.MonkeyPatch,
    adapter: Adapter,
    args: dict[str, Any],
    env_set: bool,
    expected: str,
) -> None:
    if env_set:
        monkeypatch.setenv("MINIMAX_BASE_URL", ENV_URL)
    llm = adapter.make(api_key="k", **args)
    assert llm.base_url == expected  # the resolved endpoint, as the model reports it
    assert adapter.requests_go_to(llm) == expected  # and where requests go
    assert mm.resolve_settings(**args).base_url == expected


@each_adapter
@pytest.mark.parametrize(
    ("args", "env_key", "expected"), [pytest.param(*c[1:], id=c[0]) for c in KEY_CASES]
)
def test_key_matrix(
    monkeypatch: pytest.MonkeyPatch,
    adapter: Adapter,
    args: dict[str, Any],
    env_key: str | None,
    expected: str | None,
) -> None:
    if env_key:
        monkeypatch.setenv("MINIMAX_API_KEY", env_key)
    assert adapter.key(adapter.make(**args)) == expected


@each_adapter
@pytest.mark.parametrize("env_set", [False, True])
@pytest.mark.parametrize("region", BAD_REGIONS)
def test_an_unknown_region_is_refused_at_construction(
    monkeypatch: pytest.MonkeyPatch, adapter: Adapter, region: str, env_set: bool
) -> None:
    if env_set:
        monkeypatch.setenv("MINIMAX_BASE_URL", ENV_URL)
    # Each adapter raises its framework's subclass; both are the core's error.
    with pytest.raises(mm.RequestValidationError, match=f"unknown region '{region}'"):
        adapter.make(api_key="k", region=region)


@each_adapter
def test_base_url_wins_over_region_and_environment_on_the_wire(
    monkeypatch: pytest.MonkeyPatch, minimax_server: MiniMaxServer, adapter: Adapter
) -> None:
    """With the environment naming one server and `base_url` another, the request goes there."""
    with MiniMaxServer() as other:
        monkeypatch.setenv("MINIMAX_BASE_URL", minimax_server.base_url)
        llm = adapter.make(api_key=other.api_key, base_url=other.base_url, region="cn")
        assert adapter.say_hello(llm)
        assert len(other.requests) == 1
    assert len(minimax_server.requests) == 0
