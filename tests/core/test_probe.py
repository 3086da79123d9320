"""`minimax-probe` against every dialect of the local server, and its failures."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from minimax_core import MODELS, AuthenticationError
from minimax_core.probe import (
    DIALECTS,
    LLAMA_CPP_FIX,
    TWO_CALLS_QUESTION,
    ModelFindings,
    catalog_contradictions,
    dialect_of,
    explain_failure,
    judge_two_calls,
    main,
    parallel_call_fix,
    probe,
    read_wire,
    recommended_settings,
)
from minimax_server import MiniMaxServer

# What each local-server dialect is, in the probe's terms.
EXPECTED = {
    "minimax": ("minimax", "native"),
    "vllm": ("vllm", "native"),
    "sglang": ("sglang", "native"),
    "inline": ("inline", "native"),
    "raw_xml": ("inline", "xml_in_content"),
    "raw_no_parser": ("raw_no_parser", "xml_in_content"),
    "proxy": ("minimax", "native"),
}


@pytest.fixture
def server(
    minimax_server: MiniMaxServer, request: pytest.FixtureRequest
) -> Iterator[MiniMaxServer]:
    """The strict session server, switched to the test's dialect."""
    minimax_server.set_dialect(request.param)
    yield minimax_server
    minimax_server.set_dialect("minimax")


def test_every_server_dialect_is_covered() -> None:
    from minimax_server import DIALECTS as SERVER_DIALECTS

    assert set(SERVER_DIALECTS) <= set(EXPECTED)
    assert {d for d, _ in EXPECTED.values()} <= set(DIALECTS)


def test_probe_and_server_spell_each_dialect_alike() -> None:
    """A dialect both name has one name: the probe's `inline` is the server's `inline`."""
    from minimax_server import DIALECTS as SERVER_DIALECTS

    assert set(DIALECTS) - {"unknown"} <= set(SERVER_DIALECTS)
    assert all(name == probe_name for name, (probe_name, _) in EXPECTED.items() if name in DIALECTS)


@pytest.mark.parametrize("server", list(EXPECTED), indirect=True)
def test_probe_names_the_dialect_and_keeps_the_chain(
    server: MiniMaxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--base-url", server.base_url, "--api-key", server.api_key, "--json"])
    report = json.loads(capsys.readouterr().out)
    dialect, tool_calls = EXPECTED[server.dialect]
    assert report["dialect"] == dialect
    assert report["tool_calls"] == tool_calls
    assert report["ok"] is True and code == 0
    assert report["settings"]["base_url"] == server.base_url
    for check in report["checks"]:
        assert set(check) == {"name", "ok", "detail"}
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["tool loop keeps reasoning"]["ok"]
    assert checks["stream [DONE]"]["ok"]
    assert checks["stream shows no reasoning as answer"]["ok"]
    assert report["settings"]["think_prefill"] is (dialect == "raw_no_parser")
    # The proxy reports zero usage; the probe says so instead of hiding it.
    assert checks["stream usage"]["ok"] is (server.dialect != "proxy")
    assert server.api_key not in json.dumps(report)


def test_human_report_is_a_table(
    minimax_server: MiniMaxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base-url", minimax_server.base_url, "--api-key", "test-key"]) == 0
    out = capsys.readouterr().out
    assert "dialect   minimax" in out
    assert re.search(r"^tool loop keeps reasoning +yes ", out, re.M)
    assert "test-key" not in out


def test_key_and_url_from_the_environment(
    minimax_server: MiniMaxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", "test-key")
    monkeypatch.setenv("MINIMAX_BASE_URL", minimax_server.base_url)
    assert main(["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dialect"] == "minimax"


def test_wrong_key_is_one_sentence_without_the_key(
    minimax_server: MiniMaxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "sk-wrong-key-0123456789"
    assert main(["--base-url", minimax_server.base_url, "--api-key", secret, "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "refused the API key" in err
    assert "code 1004" in err and secret not in err
    assert "other platform" not in err  # not a MiniMax host: no region advice


def test_unreachable_host(capsys: pytest.CaptureFixture[str]) -> None:
    with socket_closed_port() as port:
        code = main(["--base-url", f"http://127.0.0.1:{port}/v1", "--api-key", "k"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and "could not reach" in err and "--base-url" in err


def test_missing_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--base-url", "http://127.0.0.1:9/v1"]) == 2
    assert "MINIMAX_API_KEY" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("base_url", "other"),
    [
        ("https://api.minimax.io/v1", "https://api.minimax.cn/v1"),
        ("https://api.minimax.cn/v1", "https://api.minimax.io/v1"),
        ("https://api.minimaxi.com/v1", "https://api.minimax.io/v1"),  # the old China host
    ],
)
def test_wrong_region_suggests_the_other_one(
    base_url: str, other: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """MiniMax answers a key from the other region with 1004; nothing leaves the machine."""

    def refuse(request: httpx.Request) -> httpx.Response:
        assert request.url.host == httpx.URL(base_url).host
        body = {"base_resp": {"status_code": 1004, "status_msg": "login fail: invalid api key"}}
        return httpx.Response(401, json=body)

    secret = "sk-region-key-42"
    code = main(
        ["--base-url", base_url, "--api-key", secret], transport=httpx.MockTransport(refuse)
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"--base-url {other}" in err and secret not in err


def test_a_refusal_inside_an_http_200_answer() -> None:
    """MiniMax often answers 1004 as HTTP 200 with a `base_resp`; the sentence says the code."""
    error = AuthenticationError("login fail", status_code=200, code=1004)
    sentence = explain_failure(error, "https://api.minimax.io/v1")
    assert "(code 1004)" in sentence and "HTTP" not in sentence
    assert "--base-url https://api.minimax.cn/v1" in sentence


def test_explain_failure_for_a_self_hosted_host() -> None:
    error = AuthenticationError("invalid key", status_code=401, code=1004)
    sentence = explain_failure(error, "http://gpu-box:8000/v1")
    assert "refused the API key" in sentence and "region" not in sentence


@pytest.mark.parametrize(
    ("split_on", "split_off", "dialect"),
    [
        ("reasoning_details", "inline", "minimax"),
        ("reasoning", "reasoning", "vllm"),
        ("reasoning_content", "reasoning_content", "sglang"),
        ("inline", "inline", "inline"),
        (None, "inline", "inline"),
        ("inline_without_opening_tag", "inline_without_opening_tag", "raw_no_parser"),
        ("none", "none", "unknown"),
    ],
)
def test_dialect_of(split_on: str | None, split_off: str, dialect: str) -> None:
    assert dialect_of(split_on, split_off) == dialect


def test_read_wire_finds_reasoning_without_an_opening_tag() -> None:
    """What vLLM or SGLang send with no reasoning or tool parser (the template opens <think>)."""
    body = {
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": "The user asks for the weather.\n</think>\n\n<minimax:tool_call>\n"
                    '<invoke name="get_weather">\n<parameter name="city">Paris</parameter>\n'
                    "</invoke>\n</minimax:tool_call>",
                }
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14},
    }
    view = read_wire("application/json", json.dumps(body).encode())
    assert view.reasoning_location == "inline_without_opening_tag"
    assert view.tool_call_form == "xml_in_content"
    assert view.usage and not view.done


def socket_closed_port() -> Any:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed() -> Iterator[int]:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        yield port

    return closed()


def test_installed_as_a_console_script() -> None:
    from importlib.metadata import entry_points

    [script] = entry_points(group="console_scripts", name="minimax-probe")
    assert script.load() is main


def test_a_wrong_prefill_setting_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a server with no reasoning parser, `think_prefill=False` shows reasoning as answer."""
    import minimax_core.probe as probe_module

    recommended = probe_module.recommended_settings

    def wrong(dialect: str, **where: str) -> dict[str, Any]:
        return {**recommended(dialect, **where), "think_prefill": False}

    monkeypatch.setattr(probe_module, "recommended_settings", wrong)
    with MiniMaxServer(api_key="k", dialect="raw_no_parser", strict=True) as server:
        report = probe(base_url=server.base_url, api_key="k")
    failed = {c.name for c in report.checks if not c.ok}
    assert "stream shows no reasoning as answer" in failed
    assert report.dialect == "raw_no_parser" and not report.ok


@pytest.mark.parametrize(
    ("model", "prefill"),
    [("MiniMax-M2.7", True), ("MiniMaxAI/MiniMax-M2", True), ("MiniMax-M3", True)],
)
def test_prefill_for_servers_without_a_reasoning_parser(model: str, prefill: object) -> None:
    """`True` for every model: M3 with thinking disabled starts with the answer all the same
    (`resolve_prefill` knows a model told not to think opens no think block)."""
    settings = recommended_settings("raw_no_parser", base_url="http://h/v1", model=model)
    assert settings["think_prefill"] == prefill
    assert recommended_settings("unknown", base_url="http://h/v1", model=model).keys() == {
        "base_url",
        "model",
        "reasoning_split",
    }


class TwoCallsLost(httpx.BaseTransport):
    """The local server, except that the two-call request is answered as a lossy server does.

    `dropped`: the answer carries only the first call (llama.cpp's lazy grammar closing the
    block early); `failed`: llama.cpp's HTTP 500 when its parser cannot read two calls.
    `llama_cpp` adds the `timings` llama.cpp's server puts in every answer.
    """

    def __init__(self, how: str, *, llama_cpp: bool = True) -> None:
        self.how, self.llama_cpp = how, llama_cpp
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        two = body["messages"][0]["content"] == TWO_CALLS_QUESTION
        if two and self.how == "failed":
            # What llama-server 11434 answers (tests/engine records it).
            message = (
                "got exception: Unexpected empty grammar stack after accepting piece: "
                'tool_call>\n<invoke name="get_weather">… (315)'
            )
            error = {"error": {"code": 500, "message": message, "type": "server_error"}}
            return httpx.Response(500, json=error)
        response = self.inner.handle_request(request)
        raw = response.read()
        if body.get("stream"):
            return httpx.Response(response.status_code, headers=response.headers, content=raw)
        data = json.loads(raw)
        if self.llama_cpp:
            data["timings"] = {"predicted_n": 1}
        if two:
            [choice] = data["choices"]
            assert len(choice["message"]["tool_calls"]) == 2, "the local model made two calls"
            choice["message"]["tool_calls"] = choice["message"]["tool_calls"][:1]
        return httpx.Response(200, json=data)


@pytest.mark.parametrize("how", ["dropped", "failed"])
def test_a_lost_second_call_is_reported_with_the_fix(
    how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with MiniMaxServer(api_key="k", dialect="sglang", strict=True) as server:
        code = main(["--base-url", server.base_url, "--api-key", "k"], transport=TwoCallsLost(how))
        report = probe(base_url=server.base_url, api_key="k", transport=TwoCallsLost(how))
    out = capsys.readouterr().out
    assert code == 1 and not report.ok
    assert report.engine == "llama.cpp" and report.parallel_calls == how
    assert report.fix == LLAMA_CPP_FIX
    [check] = [c for c in report.checks if c.name == "two calls in one turn"]
    assert not check.ok
    assert ("got one (Paris)" if how == "dropped" else "HTTP 500") in check.detail
    # The reasoning chain itself was kept: only the parallel calls are lost.
    assert {c.name for c in report.checks if not c.ok} == {"two calls in one turn"}
    assert re.search(
        r"^parallel  calls are lost here; to keep them: --jinja --skip-chat-parsing, then "
        r"think_prefill=True, reasoning_split=None$",
        out,
        re.M,
    )
    assert "engine    llama.cpp" in out


def test_a_lost_call_elsewhere_gets_generic_advice() -> None:
    with MiniMaxServer(api_key="k", dialect="vllm", strict=True) as server:
        report = probe(
            base_url=server.base_url,
            api_key="k",
            transport=TwoCallsLost("dropped", llama_cpp=False),
        )
    assert report.engine is None and report.parallel_calls == "dropped"
    assert report.fix is not None and report.fix["server_flags"] == []
    assert "without its tool-call parser" in report.fix["advice"]


@pytest.mark.parametrize(
    ("calls", "outcome"),
    [
        ([{"city": "Rome"}, {"city": "Paris"}], "kept"),
        ([{"city": "Paris"}], "dropped"),
        ([], "none"),
    ],
)
def test_judge_two_calls(calls: list[dict[str, Any]], outcome: str) -> None:
    assert judge_two_calls(calls, None)[0] == outcome
    assert parallel_call_fix(outcome, llama_cpp=True) == (
        LLAMA_CPP_FIX if outcome == "dropped" else None
    )


def test_the_catalog_is_checked_against_the_key(
    minimax_server: MiniMaxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The local server serves what the catalog says, so nothing contradicts it."""
    assert main(["--base-url", minimax_server.base_url, "--api-key", "test-key", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    models = report["models"]
    assert "MiniMax-M4" in models["listed"] and models["effort_model"] == "MiniMax-M4"
    assert models["effort_accepted"] == {
        "low": True,
        "medium": True,
        "high": True,
        "xhigh": True,
        "max": True,
        "none": False,
    }
    spent = models["effort_output_tokens"]
    assert set(spent) == {"low", "medium", "high", "xhigh", "max"}  # "none" was refused
    assert spent["low"] < spent["max"]  # the field is read: the server thinks longer at max
    assert models["thinking_off_refused"] is True
    assert models["reasoning"] == {"invoked": "reasoning_details", "streamed": "reasoning_details"}
    assert models["retired_ids_answer"] == {"MiniMax-M2.7": True, "MiniMax-M2.5": True}
    assert report["contradictions"] == []
    efforts = [
        r.body.get("reasoning_effort")
        for r in minimax_server.requests
        if r.path.endswith("/chat/completions") and r.body["model"] == "MiniMax-M4"
    ]
    assert efforts[:6] == ["low", "medium", "high", "xhigh", "max", "none"]


def test_a_finding_that_contradicts_the_catalog_is_one_line(
    minimax_server: MiniMaxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A catalog that is wrong for the endpoint: a level M4 does not take, M2.7 marked retired."""
    m4 = MODELS["MiniMax-M4"]
    monkeypatch.setitem(
        MODELS, "MiniMax-M4", dataclasses.replace(m4, effort_levels=(*m4.effort_levels, "ultra"))
    )
    m27 = dataclasses.replace(MODELS["MiniMax-M2.7"], replaced_by="MiniMax-M3")
    monkeypatch.setitem(MODELS, "MiniMax-M2.7", m27)
    assert main(["--base-url", minimax_server.base_url, "--api-key", "test-key"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "contradicted" in line]
    assert lines == [
        "catalog   contradicted: MiniMax-M4 refused reasoning_effort='ultra', a level the "
        "catalog lists",
        "catalog   contradicted: MiniMax-M2.7 answered, though the catalog marks it retired",
        "catalog   contradicted: MiniMax-M2.7 is listed by GET /models, though the catalog "
        "marks it retired",
    ]


def test_catalog_contradictions_is_pure() -> None:
    found = ModelFindings(
        listed=["MiniMax-M4"],
        effort_model="MiniMax-M4",
        effort_accepted=dict.fromkeys(("low", "medium", "high", "xhigh", "max"), True),
        thinking_off_refused=False,
        answers={"MiniMax-M2.7": "NotFoundError: model not found", "MiniMax-M2.5": None},
    )
    assert catalog_contradictions(found) == [
        "MiniMax-M4 accepted thinking disabled, which the catalog says it refuses",
        "MiniMax-M2.7 did not answer (NotFoundError: model not found); the catalog does not "
        "mark it retired",
    ]
    assert catalog_contradictions(ModelFindings()) == []


def test_no_catalog_checks_where_no_catalog_model_is_listed() -> None:
    """A self-hosted server lists its own names: the catalog is not about it."""

    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": [{"id": "MiniMaxAI/MiniMax-M2"}]})
        message = {"role": "assistant", "content": "42", "reasoning": "17 + 25 = 42"}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        return httpx.Response(200, json={"id": "x", "choices": [choice]})

    report = probe(
        base_url="http://gpu-box:8000/v1",
        model="MiniMaxAI/MiniMax-M2",
        api_key="EMPTY",
        transport=httpx.MockTransport(serve),
    )
    assert report.models is None and report.contradictions == []
    assert "catalog" not in report.table()
