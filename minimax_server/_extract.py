"""Extractive answers for retrieval prompts: the scripted model reads the context it was given.

A query engine sends the retrieved passages and the question in one prompt (LlamaIndex's
"Context information is below. ... Query: ... Answer:", and the chat engines' "Here are the
relevant documents for the context:" prompts). The scripted model answers with the sentences of
that context that share the most words with the question, in their original order, so a
notebook's answers make sense; it never adds a word of its own knowledge.
"""

from __future__ import annotations

import re

__all__ = ["context_answer", "split_retrieval_prompt"]

_SEPARATOR = re.compile(r"^-{5,}\s*$", re.M)
_QUERY = re.compile(r"^(?:Query|Question|Query_str)\s*:\s*(.+?)\s*$", re.M | re.I)
_METADATA = re.compile(r"^[a-z_]+:\s*\S+\s*$", re.M)  # file_name: x.txt
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:[:'][a-z0-9]+)*")
_STOP = frozenset(
    """a an and are as at be by can do does for from how i in is it its of on or the this to was
    what when where which who why will with you your me my we our about tell there their they
    much many any some""".split()
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _terms(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def split_retrieval_prompt(text: str) -> tuple[str, str] | None:
    """(context, question) of a retrieval prompt, or `None` for any other prompt."""
    parts = _SEPARATOR.split(text)
    if len(parts) < 3:
        return None
    context = "\n".join(parts[1:-1])
    query = _QUERY.search(parts[-1])
    question = query.group(1) if query else parts[-1].strip().splitlines()[-1:]
    if isinstance(question, list):
        question = question[0] if question else ""
    return (context, question) if context.strip() and question.strip() else None


def _sentences(context: str) -> list[str]:
    """The context's sentences; metadata lines and headings (no closing stop) are left out."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", _METADATA.sub("", context)):
        lines = [line.strip() for line in paragraph.strip().splitlines() if line.strip()]
        if len(lines) > 1 and lines[0][-1:].isalnum() and lines[1][:1].isupper():
            lines = lines[1:]  # a heading such as "Harbor Lane Bakery: delivery"
        text = " ".join(lines)
        if text.endswith((".", "!", "?")):
            out += [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    return out


def context_answer(context: str, question: str, limit: int = 2) -> str | None:
    """The context's sentences that best match `question` (up to `limit`), or `None`.

    Each shared word counts by how rare it is in the context, so "rye" outweighs "bread"; a
    runner-up sentence is kept only if it scores at least half as well as the best.
    """
    wanted = _terms(question)
    sentences = _sentences(context)
    terms = [_terms(s) & wanted for s in sentences]
    seen = {term: sum(term in found for found in terms) for term in wanted}
    scored = [(sum(1 / seen[t] for t in found), i) for i, found in enumerate(terms) if found]
    best = sorted(scored, key=lambda pair: (-pair[0], pair[1]))[:limit]
    if not best:
        return None
    best = [pair for pair in best if pair[0] >= best[0][0] / 2]  # no weak runner-up
    return " ".join(sentences[i] for _, i in sorted(best, key=lambda pair: pair[1]))
