"""What the scripted model says: each conversation's steps, as MiniMax-M2 would write them.

A play maps a conversation's first user message to the scripts of its model steps; the step
is the number of assistant turns already in the request. `director` turns a request body into
the script to steer it to (`tests/engine/_engine.py` adds that script's `logit_bias`).

Pieces follow MiniMax's output: the reasoning (after the template's pre-filled `<think>\\n`)
ends with a newline, then `</think>`, `\\n\\n` and the answer or the tool-call block. In most
scripts the tags are single tokens, as MiniMax's tokenizer emits them; `parallel_split` has
them cut across tokens, the opening tag completed by the token that carries both calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minimax_core import probe as probe_module

from ._scripted_model import Script, ScriptedModel

THINK_END, CALL_OPEN, CALL_CLOSE = "</think>", "<minimax:tool_call>", "</minimax:tool_call>"


def invoke(name: str, **arguments: str) -> str:
    """One `<invoke>` element as MiniMax writes it, with a newline before it."""
    params = "".join(f'\n<parameter name="{k}">{v}</parameter>' for k, v in arguments.items())
    return f'\n<invoke name="{name}">{params}\n</invoke>'


def thinking(*pieces: str) -> tuple[str, ...]:
    """Reasoning pieces, the newline MiniMax writes before `</think>`, then the tag."""
    return (*pieces[:-1], pieces[-1] + "\n", THINK_END, "\n\n")


def calls(*elements: str) -> tuple[str, ...]:
    """A tool-call block with single-token tags; the last element ends with a newline."""
    return (CALL_OPEN, *elements[:-1], elements[-1] + "\n", CALL_CLOSE)


SCRIPTS = [
    Script(
        "hello",
        (
            *thinking("The user greets me.", " A short friendly reply."),
            "Hello!",
            " How can I help?",
        ),
    ),
    # The probe's requests.
    Script("sum", (*thinking("17 plus 25 is 42."), "42")),
    Script(
        "weather_call",
        (
            *thinking("The user wants the weather in Paris.", " I call get_weather."),
            *calls(invoke("get_weather", city="Paris")),
        ),
    ),
    Script(
        "weather_answer", (*thinking("The tool says sunny, 18 °C."), "It is sunny, 18 °C in Paris.")
    ),
    Script("goodbye", (*thinking("One word."), "Goodbye!")),
    Script("json", (*thinking("A JSON object with one key."), '{"answer": "Paris"}')),
    # A chain of three steps: a call, a call with typed parameters, the answer.
    Script(
        "chain_weather",
        (
            *thinking("The user asks about Oslo.", " First the weather, with get_weather."),
            *calls(invoke("get_weather", city="Oslo")),
        ),
    ),
    Script(
        "chain_forecast",
        (
            *thinking(
                "Oslo has snow.", " Now get_forecast: days is an integer,", " metric a boolean."
            ),
            *calls(invoke("get_forecast", city="Oslo", days="3", metric="true")),
        ),
    ),
    Script(
        "chain_answer",
        (
            *thinking("Both results are in;", " I can answer."),
            "Oslo has snow at -3 °C,",
            " and the next 3 days stay cold.",
        ),
    ),
    # Two calls in one block.
    Script(
        "parallel",
        (
            *thinking("Two cities:", " one get_weather call for each,", " both in one block."),
            *calls(invoke("get_weather", city="Paris"), invoke("get_weather", city="Rome")),
        ),
    ),
    Script(
        "parallel_split",
        (
            *thinking("Two cities, two calls;", " the tags come split."),
            # The opening tag ends inside the token that carries both calls, so the tool-call
            # grammar, triggered by that tag, cannot stop the second one.
            "<minimax:",
            "tool_call>"
            + invoke("get_weather", city="Paris")
            + invoke("get_weather", city="Rome")
            + "\n</minimax:",
            "tool_call>",
        ),
    ),
    # The same two calls joined by the `", "` llama.cpp's grammar and parser expect (MiniMax
    # never writes it): the proof of where the second call goes missing.
    Script(
        "parallel_comma",
        (
            *thinking("Two calls, joined by a comma."),
            CALL_OPEN,
            invoke("get_weather", city="Paris"),
            ", " + invoke("get_weather", city="Rome").lstrip("\n") + "\n",
            CALL_CLOSE,
        ),
    ),
    Script(
        "parallel_answer",
        (*thinking("The results are in."), "Paris: sunny, 18 °C.", " Rome: cloudy, 21 °C."),
    ),
    # Reasoning that writes the tool-call syntax before the real call.
    Script(
        "syntax_call",
        (
            *thinking(
                "The syntax: <minimax:tool_call> wraps",
                ' <invoke name="get_weather"> elements,',
                " each with <parameter> children.",
                " Now the real call, for Lima.",
            ),
            *calls(invoke("get_weather", city="Lima")),
        ),
    ),
    Script("syntax_answer", (*thinking("Lima answered."), "Lima: mild, 19 °C.")),
]

CHAIN_PROMPT = "What is the weather in Oslo, and the forecast for the next 3 days?"
PARALLEL_PROMPT = "Compare the weather in Paris and Rome."
PARALLEL_SPLIT_PROMPT = "Compare the weather in Paris and Rome, please."
SYNTAX_PROMPT = "Explain the tool-call syntax, then get the weather in Lima."
PARALLEL_COMMA_PROMPT = "Compare the weather in Paris and Rome, with a comma."

PLAYS: dict[str, tuple[str, ...]] = {
    probe_module.PLAIN_QUESTION: ("sum",),
    probe_module.WEATHER_QUESTION: ("weather_call", "weather_answer", "goodbye"),
    probe_module.JSON_QUESTION: ("json",),
    probe_module.TWO_CALLS_QUESTION: ("parallel", "parallel_answer"),
    CHAIN_PROMPT: ("chain_weather", "chain_forecast", "chain_answer"),
    PARALLEL_PROMPT: ("parallel", "parallel_answer"),
    PARALLEL_SPLIT_PROMPT: ("parallel_split", "parallel_answer"),
    SYNTAX_PROMPT: ("syntax_call", "syntax_answer"),
    PARALLEL_COMMA_PROMPT: ("parallel_comma", "parallel_answer"),
}


def build_model() -> ScriptedModel:
    return ScriptedModel.build(SCRIPTS, default="hello")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, Mapping))
    return ""


def director(body: Mapping[str, Any], plays: Mapping[str, tuple[str, ...]] = PLAYS) -> str | None:
    """The script for a chat request: its play's step, or `None` (the default script)."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, Mapping)]
    users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    if not users or users[0] not in plays:
        return None
    steps = plays[users[0]]
    done = sum(1 for m in messages if m.get("role") == "assistant")
    return steps[min(done, len(steps) - 1)]
