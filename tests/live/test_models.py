"""The model catalog against a real key: what it lists, M4's effort and reasoning, retired ids.

The checks themselves are `minimax-probe`'s (`minimax_core.probe`), so the command and this
suite cannot disagree; here a contradiction fails the test with the probe's sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from minimax_core import DEFAULT_MODEL, model_info
from minimax_core._settings import is_minimax_host
from minimax_core.probe import probe
from minimax_core.recording import Exchange

from .conftest import LiveEndpoint


def test_the_catalog_holds_for_this_key(live: LiveEndpoint) -> None:
    """Models listed, M4's effort levels and reasoning field, retired ids: as the catalog says."""
    report = probe(base_url=live.base_url, api_key=live.api_key, model=live.models[0])
    if report.models is None:
        pytest.skip("the endpoint lists no catalog model (a self-hosted server or a gateway)")
    print(report.table())  # shown with -s: what the key can call, and where M4 reasons
    assert report.contradictions == [], "\n".join(report.contradictions)


def test_the_default_model_is_one_this_key_can_call(live: LiveEndpoint) -> None:
    if not is_minimax_host(live.base_url):
        pytest.skip("the default model is chosen for MiniMax's own API")
    response = httpx.get(
        f"{live.base_url}/models", headers={"Authorization": f"Bearer {live.api_key}"}
    )
    assert response.status_code == 200, response.text[:300]
    listed = {item["id"] for item in response.json()["data"]}
    assert DEFAULT_MODEL in listed, sorted(listed)


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_reasoning_effort_low_on_the_models_under_test(
    make_chat: Callable[..., Any], model_name: str, wire: list[Exchange], streamed: bool
) -> None:
    """`reasoning_effort="low"` goes out as the top-level field and the model still answers."""
    if not model_info(model_name).effort_levels:
        pytest.skip(f"{model_name} has no reasoning effort control in the catalog")
    llm = make_chat(reasoning_effort="low", max_tokens=4096)
    question = "What is 17 + 25? Answer with the number."
    if streamed:
        chunks = list(llm.stream(question))
        text = "".join(str(chunk.content) for chunk in chunks)
    else:
        text = str(llm.invoke(question).content)
    assert text.strip()
    assert b'"reasoning_effort":"low"' in wire[-1].request_body.replace(b" ", b"")


def test_thinking_off_is_refused_before_the_network(
    make_chat: Callable[..., Any], model_name: str, wire: list[Exchange]
) -> None:
    if not model_info(model_name).always_thinks:
        pytest.skip(f"{model_name} can turn thinking off, or is not known to always think")
    with pytest.raises(ValueError, match="always thinks"):
        make_chat(thinking=False)
    assert wire == []
