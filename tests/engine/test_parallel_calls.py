"""Where llama.cpp loses the second of two calls: the separator its tool grammar expects.

The same two calls, once as MiniMax writes them (a newline between the `<invoke>` elements)
and once joined by `", "`: llama.cpp's own parsing (every `--jinja` mode) keeps both only in
the second form, which MiniMax never produces; `--skip-chat-parsing` keeps both either way.
"""

from __future__ import annotations

from minimax_core import MiniMaxClient, build_request

from ._engine import Proxy
from ._plays import PARALLEL_COMMA_PROMPT, PARALLEL_PROMPT
from .test_transcripts import WEATHER_TOOL


def _cities(proxy: Proxy, prompt: str) -> list[str]:
    with MiniMaxClient(base_url=proxy.base_url, api_key="EMPTY", max_retries=0) as client:
        request = build_request(
            [{"role": "user", "content": prompt}], model="MiniMax-M2", tools=[WEATHER_TOOL]
        )
        completion = client.create(request, think_prefill=proxy.mode == "skip-chat-parsing")
    return [str((c.args or {}).get("city")) for c in completion.valid_tool_calls]


def test_the_second_call_is_kept_only_when_joined_by_a_comma(engine: Proxy) -> None:
    own_parsing = engine.mode != "skip-chat-parsing"
    assert _cities(engine, PARALLEL_PROMPT) == (["Paris"] if own_parsing else ["Paris", "Rome"])
    if own_parsing:
        assert _cities(engine, PARALLEL_COMMA_PROMPT) == ["Paris", "Rome"]
