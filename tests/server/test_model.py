"""The scripted model: when it calls tools, with which arguments, and what it answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field

from ._helpers import ADD_TEN, MAGIC, MAGIC_PROMPT, WEATHER, body, user


def _tool(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": schema}}


def _message(client: httpx.Client, *messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    r = client.post("/chat/completions", json=body(*messages, reasoning_split=True, **extra))
    assert r.status_code == 200, r.text
    msg: dict[str, Any] = r.json()["choices"][0]["message"]
    return msg


def _calls(msg: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in msg.get("tool_calls") or []
    ]


def _results(msg: dict[str, Any], *values: str) -> list[dict[str, Any]]:
    return [
        {"role": "tool", "tool_call_id": call["id"], "content": value}
        for call, value in zip(msg["tool_calls"], values, strict=True)
    ]


NO_ARGS = _tool("magic_function_no_args", {"type": "object", "properties": {}})
ADDER = _tool(
    "my_adder_tool",
    {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    },
)
UNICODE = _tool(
    "unicode_customer",
    {
        "type": "object",
        "properties": {"customer_name": {"type": "string"}, "description": {"type": "string"}},
        "required": ["customer_name", "description"],
    },
)
GREETING = _tool(
    "greeting_generator",
    {
        "type": "object",
        "properties": {"answer_style": {"type": "string"}},
        "required": ["answer_style"],
    },
)


def test_positional_call_syntax(client: httpx.Client) -> None:
    assert _calls(_message(client, user(MAGIC_PROMPT), tools=[MAGIC])) == [
        ("magic_function", {"input": 3})
    ]
    no_args = "What is the value of magic_function_no_args()? Use the tool."
    assert _calls(_message(client, user(no_args), tools=[NO_ARGS])) == [
        ("magic_function_no_args", {})
    ]


def test_tool_choice_rules(client: httpx.Client) -> None:
    tools = [MAGIC, WEATHER]
    named = {"type": "function", "function": {"name": "get_weather"}}
    assert _calls(_message(client, user("Hello!"), tools=tools, tool_choice=named))[0][0] == (
        "get_weather"
    )
    assert _calls(_message(client, user("Hello!"), tools=tools, tool_choice="required")) == [
        ("magic_function", {"input": 0})
    ]
    assert not _message(client, user("Hello!"), tools=tools).get("tool_calls")
    assert not _message(client, user(MAGIC_PROMPT), tools=tools, tool_choice="none").get(
        "tool_calls"
    )


def test_required_takes_numbers_in_order(client: httpx.Client) -> None:
    msg = _message(client, user("What is 3 + 4"), tools=[ADDER], tool_choice="required")
    assert _calls(msg) == [("my_adder_tool", {"a": 3, "b": 4})]


def test_tool_named_by_a_word_and_place_argument(client: httpx.Client) -> None:
    question = user("What is the weather in San Francisco, CA? Use fahrenheit.")
    msg = _message(client, question, tools=[WEATHER])
    assert _calls(msg) == [("get_weather", {"location": "San Francisco, CA", "unit": "fahrenheit"})]
    after = _message(client, question, msg, *_results(msg, "It's sunny."), tools=[WEATHER])
    assert after["content"] == "The result of get_weather is It's sunny."
    assert "tool_calls" not in after


def test_unicode_and_truthy_strings(client: httpx.Client) -> None:
    prompt = "Create a customer named '你好啊集团' (Hello Group) - a Chinese technology company"
    (call,) = _calls(_message(client, user(prompt), tools=[UNICODE], tool_choice="required"))
    assert call[1]["customer_name"] == "你好啊集团" and call[1]["description"]
    greeting = user("Using the tool, generate a Pirate greeting.")
    (call,) = _calls(_message(client, greeting, tools=[GREETING], tool_choice="required"))
    assert call[1]["answer_style"]


def test_keyword_arguments_and_coercion(client: httpx.Client) -> None:
    tool = _tool(
        "search",
        {
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "limit": {"type": "integer"},
                "exact": {"type": "boolean"},
                "ratio": {"type": "number"},
            },
            "required": ["query", "limit", "exact", "ratio"],
        },
    )
    prompt = 'Call search(query="cats", limit="5", exact=true, ratio=2)'
    assert _calls(_message(client, user(prompt), tools=[tool])) == [
        ("search", {"query": "cats", "limit": 5, "exact": True, "ratio": 2})
    ]
    prompt = "Use the tool with query: dogs and limit=7, ratio 0.5, not exact"
    assert _calls(_message(client, user(prompt), tools=[tool])) == [
        ("search", {"query": "dogs", "limit": 7, "exact": False, "ratio": 0.5})
    ]


def test_sequential_agent_loop_uses_previous_result(client: httpx.Client) -> None:
    question = user("Call magic_function(3), then pass the result to add_ten.")
    tools = [MAGIC, ADD_TEN]
    first = _message(client, question, tools=tools)
    assert _calls(first) == [("magic_function", {"input": 3})]
    history = [question, first, *_results(first, "5")]
    second = _message(client, *history, tools=tools)
    assert _calls(second) == [("add_ten", {"x": 5})]
    history += [second, *_results(second, "15")]
    third = _message(client, *history, tools=tools)
    assert "tool_calls" not in third
    assert third["content"] == "The result of magic_function is 5. The result of add_ten is 15."


@pytest.mark.parametrize(("parallel", "expected"), [(None, 2), (False, 1)])
def test_parallel_calls(client: httpx.Client, parallel: bool | None, expected: int) -> None:
    question = user("Compute magic_function(3) and magic_function(4) at the same time.")
    extra = {} if parallel is None else {"parallel_tool_calls": parallel}
    msg = _message(client, question, tools=[MAGIC], **extra)
    calls = msg["tool_calls"]
    assert len(calls) == expected
    assert [c["index"] for c in calls] == list(range(expected))
    assert [c["id"].rsplit("_", 1)[1] for c in calls] == [str(i + 1) for i in range(expected)]
    assert _calls(msg) == [("magic_function", {"input": n}) for n in (3, 4)][:expected]
    if expected == 1:
        follow = _message(client, question, msg, *_results(msg, "5"), tools=[MAGIC], **extra)
        assert _calls(follow) == [("magic_function", {"input": 4})]


class Address(BaseModel):
    street: str
    zip_code: int = Field(ge=10000, le=99999)


class Person(BaseModel):
    name: str
    age: int = Field(gt=0)
    role: str = Field(json_schema_extra={"enum": ["admin", "user"]})
    nickname: str | None = None
    address: Address
    tags: list[str] = Field(min_length=1)


def test_structured_output_schema_valid(client: httpx.Client) -> None:
    schema = Person.model_json_schema()
    tool = _tool("Person", schema)
    question = user("Alice is 31 and a user of the system.")
    (call,) = _calls(_message(client, question, tools=[tool], tool_choice="required"))
    person = Person.model_validate(call[1])
    assert person.age == 31 and person.role == "user"
    fmt = {"type": "json_schema", "json_schema": {"name": "Person", "schema": schema}}
    content = _message(client, question, response_format=fmt)["content"]
    Person.model_validate_json(content)


def test_json_object_uses_keys_from_prompt(client: httpx.Client) -> None:
    prompt = (
        "Tell me a joke about cats. Return the result as a JSON with 'setup' and 'punchline' "
        "keys. Return nothing other than JSON."
    )
    content = _message(client, user(prompt), response_format={"type": "json_object"})["content"]
    assert set(json.loads(content)) == {"setup", "punchline"}


def test_stop_and_max_tokens(client: httpx.Client) -> None:
    msg = _message(client, user("hi"), stop=["you"])
    assert msg["content"] == "Hello! How can I help "
    r = client.post("/chat/completions", json=body(user("Tell me a story"), max_tokens=20))
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "length"
    assert len(choice["message"]["content"]) <= 20 * 4 + len("<think>\n\n</think>\n\n")


def test_answers_from_prompt_and_reasoning_names_the_decision(client: httpx.Client) -> None:
    msg = _message(client, user("Summarise the plot of Hamlet."))
    assert "Summarise the plot of Hamlet" in msg["content"]
    tool_turn = _message(client, user(MAGIC_PROMPT), tools=[MAGIC])
    reasoning = tool_turn["reasoning_content"]
    assert 'I will call magic_function with {"input": 3}' in reasoning
    assert "fingerprint" in reasoning
    other = _message(client, user(MAGIC_PROMPT), user("again"), tools=[MAGIC])
    assert other["reasoning_content"] != reasoning


def test_deterministic(client: httpx.Client) -> None:
    one = _message(client, user(MAGIC_PROMPT), tools=[MAGIC])
    two = _message(client, user(MAGIC_PROMPT), tools=[MAGIC])
    assert one["reasoning_details"] == two["reasoning_details"]
    assert _calls(one) == _calls(two)


def test_use_the_tools_calls_each_in_turn(client: httpx.Client) -> None:
    question = user("Check the weather in Paris in celsius and compute something. Use the tools.")
    tools = [MAGIC, WEATHER]
    first = _message(client, question, tools=tools)
    assert _calls(first) == [("get_weather", {"location": "Paris", "unit": "celsius"})]
    history = [question, first, *_results(first, "sunny")]
    second = _message(client, *history, tools=tools)
    assert [name for name, _ in _calls(second)] == ["magic_function"]
    history += [second, *_results(second, "2")]
    third = _message(client, *history, tools=tools)
    assert (
        third["content"] == "The result of get_weather is sunny. The result of magic_function is 2."
    )
