"""`minimax-probe` against the real engine in each mode, and its advice followed.

The probe's requests are recognised by their questions (`minimax_core.probe` names them), so
the scripted model answers each as MiniMax-M2 would: its two-call question with two calls in
one block, tags as single tokens (or, in the `split` variant, cut across tokens).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from minimax_core import probe as probe_module
from minimax_core.probe import LLAMA_CPP_FIX, main, probe

from ._agents import run_agent
from ._checks import SCENARIOS, assert_calls, assert_clean
from ._engine import MODES, Proxy
from ._plays import PLAYS, director

# What the probe must say per mode: dialect, tool-call form, two calls kept or how lost.
EXPECTED = {
    "jinja": ("sglang", "native", "dropped"),
    "jinja-reasoning-none": ("inline", "native", "dropped"),
    "jinja-deepseek-legacy": ("sglang", "native", "dropped"),
    "skip-chat-parsing": ("raw_no_parser", "xml_in_content", "kept"),
}
# With the tags cut across tokens, llama.cpp's parser fails instead (HTTP 500).
SPLIT_OUTCOME = {mode: "kept" if mode == "skip-chat-parsing" else "failed" for mode in EXPECTED}
SPLIT_PLAYS = {**PLAYS, probe_module.TWO_CALLS_QUESTION: ("parallel_split", "parallel_answer")}


def _probe(proxy: Proxy) -> dict[str, Any]:
    return probe(base_url=proxy.base_url, model="MiniMax-M2", api_key="EMPTY").to_json()


def test_the_probe_names_each_mode_and_its_fix(
    engine: Proxy, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--base-url", engine.base_url, "--api-key", "EMPTY", "--model", "MiniMax-M2"])
    table = capsys.readouterr().out
    report = _probe(engine)
    dialect, tool_calls, parallel = EXPECTED[engine.mode]
    assert (report["dialect"], report["tool_calls"], report["parallel_calls"]) == (
        dialect,
        tool_calls,
        parallel,
    ), table
    assert report["engine"] == "llama.cpp"
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["tool loop keeps reasoning"]["ok"], table
    assert checks["replayed history accepted"]["ok"], table
    assert checks["stream shows no reasoning as answer"]["ok"], table
    # This build refuses a JSON schema when it leaves the reasoning unparsed.
    refused = engine.mode == "jinja-reasoning-none"
    assert checks["response_format"]["ok"] is not refused, table
    assert ("Failed to initialize samplers" in checks["response_format"]["detail"]) is refused
    assert report["settings"]["think_prefill"] is (dialect == "raw_no_parser")
    lost = parallel != "kept"
    assert report["fix"] == (LLAMA_CPP_FIX if lost else None)
    assert report["ok"] is (not lost) and code == (1 if lost else 0)
    assert ("parallel  calls are lost here" in table) is lost
    print(f"\n--- minimax-probe, llama-server {' '.join(MODES[engine.mode])}\n{table}")


def test_the_probe_sees_the_parse_error_of_split_tags(engine: Proxy) -> None:
    engine.director = functools.partial(director, plays=SPLIT_PLAYS)
    report = _probe(engine)
    assert report["parallel_calls"] == SPLIT_OUTCOME[engine.mode], json.dumps(report, indent=1)
    assert report["fix"] == (LLAMA_CPP_FIX if SPLIT_OUTCOME[engine.mode] != "kept" else None)


@pytest.mark.parametrize("flavour", ["lc-invoke", "lc-stream", "li-stream-events"])
async def test_following_the_probe_keeps_the_chain_and_both_calls(
    engines: Any, flavour: str
) -> None:
    """Per mode: the probe's settings run the agent loop there; where calls are lost, its fix
    (the server flags and settings) runs the two-call loop with both calls."""
    for mode in MODES:
        report = _probe(engines.get(mode))
        proxy = engines.get(mode)
        chain = SCENARIOS["chain"]
        run = await run_agent(flavour, proxy.base_url, chain.prompt, report["settings"])
        assert_calls(run.calls, chain, kept=True)
        assert run.answer == chain.answer

        settings = dict(report["settings"])
        if report["fix"] is not None:
            [mode] = [
                m for m, flags in MODES.items() if list(flags) == report["fix"]["server_flags"]
            ]
            proxy = engines.get(mode)
            settings.update(report["fix"]["settings"], base_url=proxy.base_url)
        for name in ("parallel", "parallel_split"):
            scenario = SCENARIOS[name]
            run = await run_agent(flavour, proxy.base_url, scenario.prompt, settings)
            assert_calls(run.calls, scenario, kept=True)
            assert run.answer == scenario.answer
            assert_clean(run.answer)
