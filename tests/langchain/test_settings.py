"""`ChatMiniMax` construction: the spellings ChatOpenAI users bring.

The cases both adapters share (endpoint, key, region) are in `tests/test_adapter_settings.py`.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps

from langchain_minimax import ChatMiniMax, MiniMaxRequestValidationError
from minimax_server import MiniMaxServer

# --- the spellings ChatOpenAI and ChatDeepSeek users bring --------------------------------------

SECRET = "sk-alias-secret-value"


@pytest.mark.parametrize(
    ("spelling", "field", "value", "read"),
    [
        ("openai_api_key", "api_key", SECRET, lambda m: m.api_key.get_secret_value()),
        ("minimax_api_key", "api_key", SECRET, lambda m: m.api_key.get_secret_value()),
        ("api_key", "api_key", SECRET, lambda m: m.api_key.get_secret_value()),
        ("openai_api_base", "base_url", "http://127.0.0.1:7/v1", lambda m: m.base_url),
        ("api_base", "base_url", "http://127.0.0.1:7/v1", lambda m: m.base_url),
        ("base_url", "base_url", "http://127.0.0.1:7/v1", lambda m: m.base_url),
        ("request_timeout", "timeout", 7.0, lambda m: m.timeout),
        ("timeout", "timeout", 7.0, lambda m: m.timeout),
        ("max_retries", "max_retries", 5, lambda m: m.max_retries),
        ("model_name", "model_name", "MiniMax-M3", lambda m: m.model_name),
        ("model", "model_name", "MiniMax-M3", lambda m: m.model_name),
        ("max_completion_tokens", "max_tokens", 99, lambda m: m.max_tokens),
        ("stop_sequences", "stop", ["END"], lambda m: m.stop),
    ],
)
def test_other_libraries_spellings_mean_what_they_meant(
    spelling: str, field: str, value: Any, read: Any
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a mapped spelling is not an "unknown parameter"
        llm = ChatMiniMax(**{**({} if field == "api_key" else {"api_key": "k"}), spelling: value})
    assert read(llm) == value
    assert llm.model_kwargs == {}
    assert SECRET not in repr(llm) and SECRET not in str(llm)


def test_mapped_spellings_never_reach_the_body_or_a_repr(minimax_server: MiniMaxServer) -> None:
    llm = ChatMiniMax(
        openai_api_key=minimax_server.api_key,
        api_base=minimax_server.base_url,
        request_timeout=30,
        model_name="MiniMax-M2.7",
    )
    assert llm.invoke("Hello").content
    body = minimax_server.requests[-1].body
    assert not {"openai_api_key", "api_key", "api_base", "request_timeout", "timeout"} & set(body)
    shown = [repr(llm), str(llm), json.dumps(dumpd(llm)), dumps(llm)]
    assert not any(minimax_server.api_key in text for text in shown)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"api_key": "a", "openai_api_key": "b"}, "both api_key= and openai_api_key="),
        ({"base_url": "http://a/v1", "api_base": "http://b/v1"}, "both base_url= and api_base="),
        ({"openai_organization": "org"}, "does not take openai_organization="),
        ({"openai_proxy": "http://proxy"}, "http_client="),
        ({"anthropic_api_key": SECRET}, "anthropic_api_key=, which looks like a credential"),
        ({"access_token": SECRET}, "looks like a credential"),
        ({"model_kwargs": {"deepseek_api_key": SECRET}}, "looks like a credential"),
    ],
)
def test_refused_spellings_say_why(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(MiniMaxRequestValidationError, match=message) as info:
        ChatMiniMax(**kwargs)
    assert SECRET not in str(info.value)


def test_unknown_keywords_warn_and_are_sent(minimax_server: MiniMaxServer) -> None:
    """LangChain's convention (ChatOpenAI's too): a warning, then the body via model_kwargs."""
    with pytest.warns(UserWarning, match="top_k was transferred to model_kwargs"):
        llm = ChatMiniMax(
            api_key=minimax_server.api_key, base_url=minimax_server.base_url, top_k=40
        )
    assert llm.model_kwargs == {"top_k": 40}
    llm.invoke("Hello")
    assert minimax_server.requests[-1].body["top_k"] == 40
