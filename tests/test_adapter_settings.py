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
    request_body: Callable[..., dict[str, Any]]
    """The checked wire body of one non-streamed call, with these per-call keywords."""

    def key(self, llm: Any) -> str | None:
        return llm.api_key.get_secret_value() if llm.api_key else None


ADAPTERS = [
    Adapter(
        "langchain",
        ChatMiniMax,
        lambda llm: llm._client.base_url,
        lambda llm: str(llm.invoke([HumanMessage("Hello")]).content),
        lambda llm, **kw: llm._request_body([HumanMessage("Hello")], None, False, **kw),
    ),
    Adapter(
        "llamaindex",
        MiniMax,
        lambda llm: llm._sync_client().base_url,
        lambda llm: str(llm.chat([ChatMessage(role="user", content="Hello")]).message.content),
        lambda llm, **kw: llm._request(
            [ChatMessage(role="user", content="Hello")], stream=False, **kw
        ),
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


OUTPUT_LIMIT_CASES = [
    # (id, instance max_tokens, per-call keywords, max_completion_tokens on the wire)
    ("the instance's", 100, {}, 100),
    ("a call's max_tokens", 100, {"max_tokens": 50}, 50),
    ("a call's max_completion_tokens", 100, {"max_completion_tokens": 60}, 60),
    ("both names, one value", 100, {"max_tokens": 70, "max_completion_tokens": 70}, 70),
    ("an extra fills the unset limit", None, {"extra_body": {"max_tokens": 40}}, 40),
    ("an extra loses to the instance", 100, {"extra_body": {"max_completion_tokens": 40}}, 100),
]


@each_adapter
@pytest.mark.parametrize(
    ("setting", "call", "sent"), [pytest.param(*c[1:], id=c[0]) for c in OUTPUT_LIMIT_CASES]
)
def test_the_output_limit_under_either_name(
    adapter: Adapter, setting: int | None, call: dict[str, Any], sent: int
) -> None:
    """`max_tokens` and `max_completion_tokens` are one limit, with one precedence everywhere."""
    llm = adapter.make(api_key="k", max_tokens=setting)
    body = adapter.request_body(llm, **call)
    assert body["max_completion_tokens"] == sent
    assert "max_tokens" not in body


@each_adapter
@pytest.mark.parametrize(
    "call",
    [
        {"max_tokens": 50, "max_completion_tokens": 60},
        {"extra_body": {"max_tokens": 50, "max_completion_tokens": 60}},
    ],
    ids=["keywords", "extras"],
)
def test_two_different_output_limits_are_refused(adapter: Adapter, call: dict[str, Any]) -> None:
    """Neither value is dropped in silence: the error names both."""
    llm = adapter.make(api_key="k")
    with pytest.raises(mm.RequestValidationError, match="got 50 and 60"):
        adapter.request_body(llm, **call)
