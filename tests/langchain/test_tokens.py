"""Token counts without MiniMax's tokenizer: approximate, offline, never a transformers import."""

from __future__ import annotations

import subprocess
import sys

import pytest
from langchain_core.messages import AIMessage, HumanMessage, trim_messages

from langchain_minimax import ChatMiniMax
from minimax_core.models import approximate_tokens


def test_counts_are_approximate_and_offline() -> None:
    llm = ChatMiniMax(api_key="k")
    assert llm.get_num_tokens("") == 0
    assert llm.get_num_tokens("Hello world, how are you?") == 7  # 25 characters / 4
    assert llm.get_num_tokens("你好世界") == 4  # one per CJK character
    history = [HumanMessage("a " * 400), AIMessage("b " * 400), HumanMessage("and now?")]
    assert llm.get_num_tokens_from_messages(history) > 400
    kept = trim_messages(history, max_tokens=100, token_counter=llm, strategy="last")
    assert kept == [history[-1]]


def test_token_ids_say_why_there_are_none() -> None:
    with pytest.raises(NotImplementedError, match="tokenizer is not published"):
        ChatMiniMax(api_key="k").get_token_ids("Hello")
    own = ChatMiniMax(api_key="k", custom_get_token_ids=lambda text: list(range(len(text))))
    assert own.get_token_ids("abc") == [0, 1, 2]
    assert own.get_num_tokens("abcd") == 4


def test_no_transformers_is_imported() -> None:
    code = (
        "import sys\nfrom langchain_minimax import ChatMiniMax\n"
        "ChatMiniMax(api_key='k').get_num_tokens('Hello there')\n"
        "print('transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_approximation_grows_with_the_text() -> None:
    assert approximate_tokens("word " * 100) == 125
    assert approximate_tokens("abc") == 1
