"""The local server's models: always-thinking M4 and M3.1-Flash, effort levels, output limits."""

from __future__ import annotations

import httpx
import pytest

from minimax_core import MODELS
from minimax_server import KNOWN_MODELS, MiniMaxServer
from minimax_server._models import EFFORT_LEVELS, SERVED

from ._helpers import body, user

ALWAYS_THINKING = ["MiniMax-M4", "MiniMax-M3.1-Flash", "MiniMax-M3.1-Flash-Preview"]


def _post(client: httpx.Client, payload: dict) -> httpx.Response:
    return client.post("/chat/completions", json={"reasoning_split": True, **payload})


def _reasoning(response: httpx.Response) -> str:
    message = response.json()["choices"][0]["message"]
    return str(message["reasoning_details"][0]["text"])


def test_the_server_serves_what_the_client_catalog_describes() -> None:
    assert set(KNOWN_MODELS) == set(MODELS)
    for name, model in SERVED.items():
        info = MODELS[name]
        assert model.max_output == info.max_output_tokens, name
        assert model.media == info.image_input == info.video_input, name
        assert model.thinking_off == info.thinking_off, name
        assert model.effort_levels == info.effort_levels, name
        assert model.default_effort == info.default_effort, name


@pytest.mark.parametrize("model", ALWAYS_THINKING)
@pytest.mark.parametrize("stream", [False, True])
def test_thinking_disabled_is_refused_with_2013(
    client: httpx.Client, model: str, stream: bool
) -> None:
    payload = body(user("Hi"), model=model, thinking={"type": "disabled"}, stream=stream)
    response = _post(client, payload)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message == "invalid params, model requires adaptive thinking (2013)"
    assert _post(client, body(user("Hi"), model=model, thinking={"type": "adaptive"})).is_success


@pytest.mark.parametrize("model", ALWAYS_THINKING)
def test_each_documented_effort_is_taken_and_max_is_the_default(
    client: httpx.Client, model: str
) -> None:
    lengths = []
    for level in EFFORT_LEVELS:
        response = _post(client, body(user("Hi"), model=model, reasoning_effort=level))
        assert response.is_success, response.text
        reasoning = _reasoning(response)
        assert f"Reasoning effort: {level}." in reasoning
        lengths.append(len(reasoning))
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    unset = _reasoning(_post(client, body(user("Hi"), model=model)))
    assert "Reasoning effort: max." in unset and len(unset) == lengths[-1]


@pytest.mark.parametrize("effort", ["none", "minimal", "MAX", "", 3])
def test_an_undocumented_effort_is_refused(client: httpx.Client, effort: object) -> None:
    response = _post(client, body(user("Hi"), model="MiniMax-M4", reasoning_effort=effort))
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("invalid params, invalid reasoning_effort")
    assert "(allowed: low, medium, high, xhigh, max) (2013)" in message


@pytest.mark.parametrize("model", ["MiniMax-M3", "MiniMax-M2.7"])
def test_models_without_effort_control_think_as_always(client: httpx.Client, model: str) -> None:
    response = _post(client, body(user("Hi"), model=model, reasoning_effort="low"))
    assert response.is_success
    assert "Reasoning effort" not in _reasoning(response)


@pytest.mark.parametrize("name", sorted(SERVED))
def test_output_limits_are_the_models_own(client: httpx.Client, name: str) -> None:
    limit = SERVED[name].max_output
    ok = _post(client, body(user("Hi"), model=name, max_completion_tokens=limit or 10**6))
    assert ok.is_success, ok.text
    if limit is not None:
        over = _post(client, body(user("Hi"), model=name, max_completion_tokens=limit + 1))
        assert over.status_code == 400
        assert f"must be at most {limit} for {name}" in over.json()["error"]["message"]


def test_a_small_budget_leaves_reasoning_and_no_answer(client: httpx.Client) -> None:
    response = _post(client, body(user("Hi"), model="MiniMax-M4", max_completion_tokens=8))
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == ""
    assert choice["message"]["reasoning_details"][0]["text"]


@pytest.mark.parametrize("model", ["MiniMax-M4", "MiniMax-M3.1-Flash"])
def test_new_models_take_images(client: httpx.Client, model: str) -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    content = [{"type": "text", "text": "What is this?"}, image]
    response = _post(client, body({"role": "user", "content": content}, model=model))
    assert response.is_success, response.text


def test_self_hosted_names_are_read_by_family(client: httpx.Client, server: MiniMaxServer) -> None:
    # The self-hosted dialects accept any name; MiniMax's refusals are not theirs.
    server.set_dialect("vllm")
    payload = body(user("Hi"), model="MiniMaxAI/MiniMax-M4", thinking={"type": "disabled"})
    response = _post(client, payload)
    assert response.is_success
    assert "Reasoning effort: max." in response.json()["choices"][0]["message"]["reasoning"]
