"""The scripted model answers retrieval prompts from the context it was given, extractively."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core import Document, Settings, SimpleKeywordTableIndex
from llama_index.core.llms import ChatMessage

from llamaindex_minimax import MiniMax
from minimax_server import MiniMaxServer
from minimax_server._extract import context_answer, split_retrieval_prompt

DATA = Path(__file__).resolve().parents[2] / "notebooks" / "data"
CONTEXT = "\n\n".join(
    f"file_name: {path.name}\n\n{path.read_text(encoding='utf-8')}"
    for path in sorted(DATA.glob("*.txt"))
)


def _prompt(question: str) -> str:  # LlamaIndex's default question-answering template
    return (
        f"Context information is below.\n---------------------\n{CONTEXT}\n"
        "---------------------\nGiven the context information and not prior knowledge, "
        f"answer the query.\nQuery: {question}\nAnswer: "
    )


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "When does the bakery open on Sundays?",
            "On Sundays it opens at 8:00 and closes at 14:00.",
        ),
        ("Which loaf is baked on Wednesdays, and is it gluten-free?", "not certified gluten-free"),
        ("What can you tell me about rye bread?", "rye starter called Marguerite"),
        ("How long is the dough proved?", "proved overnight for 16 hours"),
    ],
)
def test_answers_come_from_the_matching_sentences(question: str, answer: str) -> None:
    parts = split_retrieval_prompt(_prompt(question))
    assert parts is not None and parts[1] == question
    found = context_answer(*parts)
    assert found is not None and answer in found
    assert "file_name" not in found and "Harbor Lane Bakery:" not in found  # no metadata


def test_nothing_is_invented() -> None:
    assert context_answer(CONTEXT, "What is the capital of Peru?") is None
    assert split_retrieval_prompt("What is the capital of Peru?") is None


def test_a_query_engine_gets_sensible_answers(minimax_server: MiniMaxServer) -> None:
    llm = MiniMax(api_key=minimax_server.api_key, base_url=minimax_server.base_url)
    documents = [Document(text=path.read_text(encoding="utf-8")) for path in DATA.glob("*.txt")]
    previous = Settings._llm
    Settings.llm = llm
    try:
        index = SimpleKeywordTableIndex.from_documents(documents, max_keywords_per_chunk=100)
        answer = index.as_query_engine().query("When does the bakery open on Sundays?")
    finally:
        Settings._llm = previous
    assert "On Sundays it opens at 8:00" in str(answer)
    unknown = llm.complete(_prompt("What is the capital of Peru?")).text
    assert unknown == "The context given does not answer this question."


def test_a_greeting_with_a_question_is_a_question(minimax_server: MiniMaxServer) -> None:
    llm = MiniMax(api_key=minimax_server.api_key, base_url=minimax_server.base_url)
    question = ChatMessage(role="user", content="Hello! What can you tell me about rye bread?")
    assert "How can I help" not in str(llm.chat([question]).message.content)
    assert llm.chat([ChatMessage(role="user", content="Hello")]).message.content == (
        "Hello! How can I help you today?"
    )
