"""Both adapters' agent loops on the real engine, in each of its modes, with default settings.

Checked on every run: the tools executed with the calls the model wrote (typed arguments
typed), the answer is exactly the model's and clean, the reasoning is visible, and the prompt
the engine renders for each step holds every earlier step's thinking once, byte for byte.

Two calls in one block: llama.cpp's own tool handling (`--jinja`, with any reasoning format)
loses the second one. Its tool-call grammar, generated from the template, joins calls with a
fixed `", "` MiniMax never writes: with the tags as single tokens, as MiniMax's tokenizer emits
them, the grammar forbids the second `<invoke>` and the block is closed after the first call
(HTTP 200, one call); when the token that completes the opening tag already carries both
calls, the grammar fails on it (HTTP 500 invoked, an error frame streamed: "Unexpected empty
grammar stack after accepting piece"). `--skip-chat-parsing` passes the raw output through
and the library reads both calls.
"""

from __future__ import annotations

import pytest

from minimax_core import MiniMaxError

from ._agents import FLAVOURS, run_agent
from ._checks import (
    SCENARIOS,
    answer_of,
    assert_calls,
    assert_clean,
    assert_prompts_hold_the_thinking,
    reasoning_of,
)
from ._engine import Proxy

# The modes whose answers keep both calls of a two-call block.
KEEPS_BOTH_CALLS = {"skip-chat-parsing"}
GRAMMAR_ERROR = "Unexpected empty grammar stack after accepting piece"


def test_the_engine_renders_the_prompt_the_model_was_built_for(engine: Proxy) -> None:
    """The scripted model starts from the prompt's last token: the pre-filled `<think>\\n`."""
    prompt = engine.engine.apply_template({"messages": [{"role": "user", "content": "Hi"}]})
    assert prompt.endswith("]~b]ai\n<think>\n")
    assert engine.engine.tokenize(prompt)[-1] == ord("\n")


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_agent_loop(engine: Proxy, name: str, flavour: str) -> None:
    scenario = SCENARIOS[name]
    kept = engine.mode in KEEPS_BOTH_CALLS or not scenario.parallel
    if name == "parallel_split" and not kept:
        with pytest.raises(MiniMaxError, match=GRAMMAR_ERROR) as info:
            await run_agent(flavour, engine.base_url, scenario.prompt)
        # The library's default retries are on: a failure that recurs is sent once, and the
        # error names the mode that keeps both calls and no MiniMax code.
        assert "not retried" in str(info.value) and "--skip-chat-parsing" in str(info.value)
        assert "MiniMax code" not in str(info.value)
        # Invoked: HTTP 500; streamed: HTTP 200, then an error frame.
        [failed] = engine.chats()
        assert failed.status == (200 if failed.sent.get("stream") else 500)
        assert GRAMMAR_ERROR.encode() in failed.body
        return
    run = await run_agent(flavour, engine.base_url, scenario.prompt)

    assert_calls(run.calls, scenario, kept)
    assert run.answer == scenario.answer
    assert_clean(run.answer)
    chats = engine.chats()
    assert [c.script for c in chats] == list(scenario.steps)
    assert all(c.status == 200 for c in chats)
    if flavour.startswith("lc-"):
        assert run.reasoning == [reasoning_of(s) for s in scenario.steps]
    elif flavour == "li-stream-events":
        for step in scenario.steps:
            assert reasoning_of(step) in run.reasoning_text
    else:
        assert run.reasoning_text == reasoning_of(scenario.steps[-1])
    assert answer_of(scenario.steps[-1]) == run.answer
    assert assert_prompts_hold_the_thinking(engine.engine, chats) == sum(range(len(scenario.steps)))
