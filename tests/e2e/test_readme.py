"""README.md is true: every ```python block runs unmodified, and the comparison table holds.

Each block runs in a fresh namespace with `MINIMAX_API_KEY` / `MINIMAX_BASE_URL` pointing at a
strict local server, exactly as a reader would run it with their own key. A block that defines
`test_*` functions (the pytest example) has them called with the `minimax_server` fixture.

The comparison table's rows are checked against the same server, for our adapters and, when
they are installed, for `ChatOpenAI(base_url=...)` and `llama-index-llms-minimax`.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import minimax_core
from minimax_server import Fault, MiniMaxServer

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

_FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_HEADING = re.compile(r"^#{1,6} (.+)$", re.M)


def _python_blocks() -> list[tuple[str, int, str]]:
    """(id, first line number, source) of each ```python block, named after its section."""
    text = README.read_text(encoding="utf-8")
    blocks: list[tuple[str, int, str]] = []
    seen: dict[str, int] = {}
    for match in _FENCE.finditer(text):
        headings = _HEADING.findall(text, 0, match.start())
        section = re.sub(r"\W+", "-", headings[-1].lower()).strip("-") if headings else "top"
        seen[section] = seen.get(section, 0) + 1
        line = text.count("\n", 0, match.start(1)) + 1
        blocks.append((f"{section}-{seen[section]}", line, match.group(1)))
    return blocks


BLOCKS = _python_blocks()

# LlamaIndex's workflows read every attribute of an agent when it is built, which trips
# pydantic's deprecation warnings; they are not ours to fix.
pytestmark = [
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211"),
]


@pytest.fixture(scope="module")
def _module_server() -> Iterator[MiniMaxServer]:
    """A strict server of this module's own.

    The README's blocks leave their model objects (and their pooled keep-alive connections)
    behind, as a reader's script would; other test modules count the connections of the shared
    session server, so this module keeps to its own.
    """
    with MiniMaxServer(api_key="test-key", strict=True) as server:
        yield server


@pytest.fixture
def minimax_server(_module_server: MiniMaxServer) -> MiniMaxServer:
    """This module's server, reset for each test (shadows the plugin's fixture)."""
    _module_server.reset()
    return _module_server


@pytest.fixture
def reader_env(minimax_server: MiniMaxServer, monkeypatch: pytest.MonkeyPatch) -> MiniMaxServer:
    """A reader's environment, with the key and endpoint of the local server."""
    monkeypatch.setenv("MINIMAX_API_KEY", minimax_server.api_key)
    monkeypatch.setenv("MINIMAX_BASE_URL", minimax_server.base_url)
    return minimax_server


def test_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize(("line", "source"), [b[1:] for b in BLOCKS], ids=[b[0] for b in BLOCKS])
def test_readme_block_runs(
    line: int, source: str, reader_env: MiniMaxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Padding keeps README line numbers in tracebacks.
    code = compile("\n" * (line - 1) + source, str(README), "exec")
    namespace: dict[str, Any] = {"__name__": "readme_block"}
    exec(code, namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and inspect.isfunction(value):
            params = inspect.signature(value).parameters
            assert set(params) <= {"minimax_server"}, f"{name} asks for unknown fixtures"
            value(**{p: reader_env for p in params})
    out = capsys.readouterr().out
    assert "<think>" not in out and "</think>" not in out


def test_readme_links_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert "benchmarks/RESULTS.md" in local
    for target in local:
        assert (ROOT / target).exists(), f"README links to a missing file: {target}"


def test_readme_names_the_commands_extras_and_sections() -> None:
    text = README.read_text(encoding="utf-8")
    for needle in (
        "make demo",
        "make test",
        'pip install "minimax-agents[langchain]"',
        'pip install "minimax-agents[llamaindex]"',
        'pip install "minimax-agents[all]"',
        "MINIMAX_API_KEY",
        "MINIMAX_BASE_URL",
        "https://api.minimax.io/v1",
        "https://api.minimax.cn/v1",
        "https://api.minimaxi.com/v1",
        "## Reliability",
    ):
        assert needle in text, needle
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "minimax-agents"' in pyproject
    for extra in ("langchain", "llamaindex", "all"):
        assert re.search(rf"^{extra} = \[", pyproject, re.M), extra


# --- the comparison table ----------------------------------------------------------------------

WEATHER_QUESTION = "What is the weather in Paris?"


def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"Sunny, 18 °C in {city}"


def _lc_tool_round(llm: Any) -> Any:
    """Ask for a tool, answer it, ask again: the second request replays the first turn."""
    from langchain_core.messages import HumanMessage, ToolMessage

    bound = llm.bind_tools([get_weather])
    history: list[Any] = [HumanMessage(WEATHER_QUESTION)]
    first = bound.invoke(history)
    assert first.tool_calls, "the model should have called get_weather"
    call = first.tool_calls[0]
    history += [first, ToolMessage(get_weather(**call["args"]), tool_call_id=call["id"])]
    return bound.invoke(history)


def _li_tool_round(llm: Any) -> Any:
    from llama_index.core.llms import ChatMessage
    from llama_index.core.tools import FunctionTool

    tool = FunctionTool.from_defaults(get_weather)
    history = [ChatMessage(role="user", content=WEATHER_QUESTION)]
    first = llm.chat_with_tools([tool], chat_history=history)
    calls = llm.get_tool_calls_from_response(first, error_on_no_tool_call=True)
    history = [
        *history,
        first.message,
        ChatMessage(
            role="tool",
            content=get_weather(**calls[0].tool_kwargs),
            additional_kwargs={"tool_call_id": calls[0].tool_id, "name": calls[0].tool_name},
        ),
    ]
    return llm.chat_with_tools([tool], chat_history=history)


class TestOurs:
    """minimax-agents' column."""

    def test_langchain_clean_answer_reasoning_apart_and_replayed(
        self, minimax_server: MiniMaxServer
    ) -> None:
        from langchain_minimax import ChatMiniMax

        llm = ChatMiniMax(api_key=minimax_server.api_key, base_url=minimax_server.base_url)
        msg = llm.invoke("Hello")
        assert "<think>" not in msg.content
        assert msg.additional_kwargs["reasoning_content"]
        assert [b["type"] for b in msg.content_blocks] == ["reasoning", "text"]
        final = _lc_tool_round(llm)  # the strict server checks the replayed reasoning
        assert "Sunny" in final.content and "<think>" not in final.content

    def test_llamaindex_clean_answer_reasoning_apart_and_replayed(
        self, minimax_server: MiniMaxServer
    ) -> None:
        from llama_index.core.base.llms.types import ThinkingBlock
        from llama_index.core.llms import ChatMessage

        from llamaindex_minimax import MiniMax

        llm = MiniMax(api_key=minimax_server.api_key, base_url=minimax_server.base_url)
        reply = llm.chat([ChatMessage(role="user", content="Hello")])
        assert "<think>" not in (reply.message.content or "")
        assert isinstance(reply.message.blocks[0], ThinkingBlock)
        assert reply.message.blocks[0].content
        final = _li_tool_round(llm)
        assert "Sunny" in (final.message.content or "")

    def test_base_resp_error_is_typed_and_retried(self, minimax_server: MiniMaxServer) -> None:
        from llama_index.core.llms import ChatMessage

        from langchain_minimax import ChatMiniMax
        from llamaindex_minimax import MiniMax

        key, url = minimax_server.api_key, minimax_server.base_url
        minimax_server.inject(Fault(kind="base_resp", code=1002))
        assert ChatMiniMax(api_key=key, base_url=url).invoke("Hello").content
        minimax_server.inject(Fault(kind="base_resp", code=1002))
        with pytest.raises(minimax_core.RateLimitError):
            ChatMiniMax(api_key=key, base_url=url, max_retries=0).invoke("Hello")
        minimax_server.inject(Fault(kind="base_resp", code=1002))
        message = [ChatMessage(role="user", content="Hello")]
        assert MiniMax(api_key=key, base_url=url).chat(message).message.content
        minimax_server.inject(Fault(kind="base_resp", code=1002))
        with pytest.raises(minimax_core.RateLimitError):
            MiniMax(api_key=key, base_url=url, max_retries=0).chat(message)

    def test_agents_keep_reasoning_over_several_steps(self, minimax_server: MiniMaxServer) -> None:
        from langchain.agents import create_agent
        from llama_index.core.agent.workflow import FunctionAgent

        from langchain_minimax import ChatMiniMax
        from llamaindex_minimax import MiniMax

        key, url = minimax_server.api_key, minimax_server.base_url
        question = "What is the weather in Paris? Then convert the result to Fahrenheit."

        def convert_to_fahrenheit(celsius: float) -> float:
            """Convert degrees Celsius to Fahrenheit."""
            return celsius * 9 / 5 + 32

        agent = create_agent(
            ChatMiniMax(api_key=key, base_url=url), [get_weather, convert_to_fahrenheit]
        )
        result = agent.invoke({"messages": [("user", question)]})
        assert "64.4" in result["messages"][-1].content

        async def run() -> str:
            li_agent = FunctionAgent(
                tools=[get_weather, convert_to_fahrenheit], llm=MiniMax(api_key=key, base_url=url)
            )
            return str(await li_agent.run(question))

        assert "64.4" in asyncio.run(run())
        replays = [
            r
            for r in minimax_server.requests
            if any(m.get("role") == "assistant" for m in r.body["messages"])
        ]
        assert len(replays) >= 4  # later steps went back, reasoning and all, and were accepted


class TestChatOpenAI:
    """The `ChatOpenAI(base_url=...)` column."""

    @pytest.fixture(autouse=True)
    def _installed(self) -> None:
        pytest.importorskip("langchain_openai")

    def _llm(self, server: MiniMaxServer, **kwargs: Any) -> Any:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model="MiniMax-M2.7", base_url=server.base_url, api_key=server.api_key, **kwargs
        )

    def test_default_leaks_think_tags(self, minimax_server: MiniMaxServer) -> None:
        msg = self._llm(minimax_server).invoke("Hello")
        assert "<think>" in msg.content
        final = _lc_tool_round(self._llm(minimax_server))
        assert "<think>" in final.content

    def test_with_reasoning_split_the_reasoning_is_lost(
        self, minimax_server: MiniMaxServer
    ) -> None:
        llm = self._llm(minimax_server, extra_body={"reasoning_split": True})
        msg = llm.invoke("Hello")
        assert "<think>" not in msg.content
        assert "reasoning" not in [b["type"] for b in msg.content_blocks]
        assert not any("reasoning" in key for key in msg.additional_kwargs)
        with pytest.raises(Exception, match="reasoning dropped"):
            _lc_tool_round(llm)

    def test_base_resp_error_is_a_type_error(self, minimax_server: MiniMaxServer) -> None:
        minimax_server.inject(Fault(kind="base_resp", code=1002))
        with pytest.raises(TypeError):
            self._llm(minimax_server, max_retries=0).invoke("Hello")


class TestLlamaIndexLlmsMiniMax:
    """The `llama-index-llms-minimax` column."""

    @pytest.fixture(autouse=True)
    def _installed(self) -> None:
        pytest.importorskip("llama_index.llms.minimax")

    def _llm(self, server: MiniMaxServer, **kwargs: Any) -> Any:
        from llama_index.llms.minimax import MiniMax as GenericMiniMax

        return GenericMiniMax(
            model="MiniMax-M2.7", api_base=server.base_url, api_key=server.api_key, **kwargs
        )

    def test_default_leaks_think_tags(self, minimax_server: MiniMaxServer) -> None:
        from llama_index.core.llms import ChatMessage

        reply = self._llm(minimax_server).chat([ChatMessage(role="user", content="Hello")])
        assert "<think>" in (reply.message.content or "")
        final = _li_tool_round(self._llm(minimax_server))
        assert "<think>" in (final.message.content or "")

    def test_with_reasoning_split_the_reasoning_is_shown_but_not_sent_back(
        self, minimax_server: MiniMaxServer
    ) -> None:
        from llama_index.core.base.llms.types import ThinkingBlock
        from llama_index.core.llms import ChatMessage

        llm = self._llm(minimax_server, additional_kwargs={"extra_body": {"reasoning_split": True}})
        reply = llm.chat([ChatMessage(role="user", content="Hello")])
        assert "<think>" not in (reply.message.content or "")
        assert any(isinstance(b, ThinkingBlock) for b in reply.message.blocks)
        with pytest.raises(Exception, match="reasoning dropped"):
            _li_tool_round(llm)

    def test_base_resp_error_is_a_type_error(self, minimax_server: MiniMaxServer) -> None:
        from llama_index.core.llms import ChatMessage

        minimax_server.inject(Fault(kind="base_resp", code=1002))
        with pytest.raises(TypeError):
            self._llm(minimax_server, max_retries=0).chat(
                [ChatMessage(role="user", content="Hello")]
            )
