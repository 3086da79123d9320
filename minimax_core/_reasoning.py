"""Separating thinking from the answer in `content`, incrementally.

With `reasoning_split` off (and on self-hosted servers) MiniMax puts its thinking inline:
`"<think>\\n…\\n</think>\\n\\nanswer"`. The tags may be split across stream chunks (`"</thi"`,
`"nk>"`), the opening tag may be missing (the chat template pre-fills it), and a server with no
tool parser leaves `<minimax:tool_call>…</minimax:tool_call>` XML in the text. `ThinkParser`
handles all of it one chunk at a time, holding back only what could still be the start of a tag.

Display rules, the same streamed or not: the answer starts at its first non-blank character;
the reasoning has no leading or trailing blank space and no tags.
"""

from __future__ import annotations

__all__ = ["ThinkParser", "split_content"]

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
TOOL_OPEN = "<minimax:tool_call>"
TOOL_CLOSE = "</minimax:tool_call>"

_TEXT, _THINK, _TOOL = 0, 1, 2
_TAGS_BY_MODE: dict[int, tuple[str, ...]] = {
    _TEXT: (THINK_OPEN, THINK_CLOSE, TOOL_OPEN),
    _THINK: (THINK_CLOSE,),
    _TOOL: (TOOL_CLOSE,),
}


class ThinkParser:
    """Split streamed `content` into answer text, reasoning and raw tool-call XML.

    `feed(chunk)` returns the `(text, reasoning)` it can release now; `flush()` releases the
    rest at end of stream. Raw tool-call blocks collect in `tool_xml`. `orphan_close` is set when
    a `</think>` arrived with no opening tag, so text already released was in fact reasoning; the
    final message is then rebuilt with `split_content`.
    """

    __slots__ = (
        "_held_space",
        "_mode",
        "_pending",
        "_reasoning_started",
        "_text_started",
        "orphan_close",
        "tool_xml",
    )

    def __init__(self, *, in_think: bool = False) -> None:
        self._mode = _THINK if in_think else _TEXT
        self._pending = ""
        self._text_started = False
        self._reasoning_started = False
        self._held_space = ""
        self.tool_xml: list[str] = []
        self.orphan_close = False

    def feed(self, chunk: str) -> tuple[str, str]:
        data = self._pending + chunk if self._pending else chunk
        self._pending = ""
        text: list[str] = []
        reasoning: list[str] = []
        if "<" not in data:
            self._emit(data, text, reasoning)
            return "".join(text), "".join(reasoning)
        pos = 0
        size = len(data)
        while pos < size:
            lt = data.find("<", pos)
            if lt < 0:
                self._emit(data[pos:], text, reasoning)
                break
            if lt > pos:
                self._emit(data[pos:lt], text, reasoning)
            tail = data[lt:]
            matched = False
            partial = False
            for tag in _TAGS_BY_MODE[self._mode]:
                if tail.startswith(tag):
                    self._switch(tag)
                    pos = lt + len(tag)
                    matched = True
                    break
                if len(tail) < len(tag) and tag.startswith(tail):
                    partial = True
            if matched:
                continue
            if partial:
                self._pending = tail
                break
            self._emit("<", text, reasoning)
            pos = lt + 1
        return "".join(text), "".join(reasoning)

    def flush(self) -> tuple[str, str]:
        text: list[str] = []
        reasoning: list[str] = []
        if self._pending:
            self._emit(self._pending, text, reasoning)
            self._pending = ""
        self._held_space = ""
        return "".join(text), "".join(reasoning)

    def _switch(self, tag: str) -> None:
        if tag == THINK_OPEN:
            self._mode = _THINK
        elif tag == THINK_CLOSE:
            if self._mode == _TEXT:
                self.orphan_close = True
            self._mode = _TEXT
            self._held_space = ""
        elif tag == TOOL_OPEN:
            self._mode = _TOOL
            self.tool_xml.append(TOOL_OPEN)
        else:
            self.tool_xml[-1] += TOOL_CLOSE
            self._mode = _TEXT

    def _emit(self, piece: str, text: list[str], reasoning: list[str]) -> None:
        mode = self._mode
        if mode == _TEXT:
            if not self._text_started:
                piece = piece.lstrip()
                if not piece:
                    return
                self._text_started = True
            text.append(piece)
        elif mode == _THINK:
            if not self._reasoning_started:
                piece = piece.lstrip()
                if not piece:
                    return
                self._reasoning_started = True
            piece = self._held_space + piece
            kept = piece.rstrip()
            self._held_space = piece[len(kept) :]
            if kept:
                reasoning.append(kept)
        else:
            self.tool_xml[-1] += piece


def split_content(content: str) -> tuple[str, str, list[str]]:
    """`(text, reasoning, tool_xml)` of a whole `content` string, as the stream parser gives it.

    A `</think>` with no opening tag before it means the opening tag was pre-filled by the chat
    template: everything before it is reasoning.
    """
    close = content.find(THINK_CLOSE)
    in_think = close >= 0 and THINK_OPEN not in content[:close]
    parser = ThinkParser(in_think=in_think)
    text, reasoning = parser.feed(content)
    more_text, more_reasoning = parser.flush()
    return text + more_text, reasoning + more_reasoning, parser.tool_xml
