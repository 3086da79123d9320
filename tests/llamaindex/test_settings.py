"""`MiniMax` construction: the spellings OpenAILike users bring.

The cases both adapters share (endpoint, key, region) are in `tests/test_adapter_settings.py`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent, ReActAgent
from llama_index.core.base.llms.types import ChatMessage
from pydantic import SecretStr

from llamaindex_minimax import MiniMax
from minimax_core import RequestValidationError, model_info
from minimax_server import MiniMaxServer

from ..settings_matrix import ENDPOINT_CASES, ENV_URL

HI = [ChatMessage(role="user", content="Hello")]


def _noop() -> str:
    """Do nothing."""
    return "done"


@pytest.mark.parametrize(
    ("args", "env_set", "expected"),
    [pytest.param(*c[1:], id=c[0]) for c in ENDPOINT_CASES if "base_url" in c[1]],
)
def test_api_base_spells_base_url_in_the_endpoint_matrix(
    monkeypatch: pytest.MonkeyPatch, args: dict[str, Any], env_set: bool, expected: str
) -> None:
    """OpenAILike's `api_base` means what `base_url` means in the shared endpoint matrix."""
    if env_set:
        monkeypatch.setenv("MINIMAX_BASE_URL", ENV_URL)
    spelled = {**args, "api_base": args["base_url"]}
    del spelled["base_url"]
    assert MiniMax(api_key="k", **spelled).base_url == expected


# --- the spellings OpenAILike and llama-index-llms-minimax users bring --------------------------


def test_api_base_is_where_requests_go(
    monkeypatch: pytest.MonkeyPatch, minimax_server: MiniMaxServer
) -> None:
    with MiniMaxServer() as other:
        monkeypatch.setenv("MINIMAX_BASE_URL", minimax_server.base_url)
        llm = MiniMax(api_key=other.api_key, api_base=other.base_url)
        assert llm.chat(HI).message.content
        assert len(other.requests) == 1
    assert len(minimax_server.requests) == 0


def test_api_key_reads_back_masked() -> None:
    """`llm.api_key` works as it does on OpenAILike, but as a SecretStr: never shown."""
    secret = "sk-openai-like-secret"
    llm = MiniMax(api_key=secret)
    assert isinstance(llm.api_key, SecretStr)
    assert llm.api_key.get_secret_value() == secret
    shown = [repr(llm), str(llm), repr(llm.api_key), str(llm.api_key), llm.to_json()]
    shown += [json.dumps(llm.to_dict()), str(llm.model_dump())]
    assert not any(secret in text for text in shown)
    assert MiniMax(api_key="").api_key is None


def test_metadata_spellings_mean_what_they_meant() -> None:
    llm = MiniMax(
        api_key="k", context_window=32_000, is_function_calling_model=False, is_chat_model=False
    )
    meta = llm.metadata
    assert (meta.context_window, meta.is_function_calling_model, meta.is_chat_model) == (
        32_000,
        False,
        False,
    )
    # LlamaIndex acts on them: an AgentWorkflow picks a ReActAgent for such a model.
    workflow = AgentWorkflow.from_tools_or_functions([_noop], llm=llm)
    assert type(next(iter(workflow.agents.values()))) is ReActAgent
    workflow = AgentWorkflow.from_tools_or_functions([_noop], llm=MiniMax(api_key="k"))
    assert type(next(iter(workflow.agents.values()))) is FunctionAgent
    default = MiniMax(api_key="k").metadata
    assert default.context_window == model_info("MiniMax-M3").context_window
    assert default.is_function_calling_model and default.is_chat_model
    again = MiniMax.from_json(llm.to_json())  # and they survive serialization
    assert again.metadata.context_window == 32_000
    assert not again.metadata.is_function_calling_model


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temprature": 0.2}, "unexpected keyword argument 'temprature'"),
        ({"openai_api_key": "sk-x"}, "unexpected keyword argument 'openai_api_key'"),
        ({"reuse_client": False}, "does not take reuse_client="),
        ({"api_version": "2024-01-01"}, "Azure"),
        ({"base_url": "http://a/v1", "api_base": "http://b/v1"}, "pass only one"),
    ],
)
def test_unknown_keywords_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(RequestValidationError, match=message) as info:
        MiniMax(api_key="k", **kwargs)
    assert "sk-x" not in str(info.value)
