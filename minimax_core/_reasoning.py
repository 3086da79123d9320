"""Separating thinking from the answer in `content`, incrementally.

With `reasoning_split` off (and on self-hosted servers) MiniMax puts its thinking inline:
`"<think>\\n…\\n</think>\\n\\nanswer"`. The tags may be split across stream chunks (`"</thi"`,
`"nk>"`), and a server with no tool parser leaves `<minimax:tool_call>…</minimax:tool_call>` XML
in the text. `ThinkParser` handles all of it one chunk at a time, holding back only what could
still be the start of a tag.

**Thinking-first output.** The MiniMax-M2 chat template ends the prompt with `<think>`, so a
server started without a reasoning parser returns text that begins *inside* the reasoning: the
first tag the client sees is `</think>`. Where the output starts is the `prefill` mode:

- `"never"`: the answer starts as text (MiniMax's own API, a model with thinking off).
- `"always"`: the output starts inside the reasoning (the template opens the think block).
- `"maybe"`: it probably does, so the text is held back until it tells. A `</think>` makes
  what was held reasoning; the end of the stream or a structured reasoning field (the server has
  a reasoning parser) makes it the answer; more than `PREFILL_HOLD` characters make it
  reasoning, unless a `<minimax:tool_call>` began within them. Then the hold lasts
  `TOOL_CALL_HOLD` characters from that tag, and past them, as at the end, the block is the
  answer's tool call. So a tool call is reasoning only when a `</think>` follows it closely (a
  model thinking about the syntax), never for being long: a server whose reasoning parser leaves
  out an empty reasoning field, or a proxy that strips the reasoning, sends a call with nothing
  before it, and taking that for reasoning would lose the call without a word. Reasoning shown
  for being long holds a later tool-call block back the same way.

Nothing is held without bound: at most `PREFILL_HOLD + TOOL_CALL_HOLD` characters and a partial
tag. In every mode an opening `<think>` at the start is honoured, and structured reasoning that
arrives before any content means the content is the answer. The outcome depends only on the
text, never on how it was split into chunks, so a streamed and an invoked answer agree.

Display rules, the same streamed or not: the answer starts at its first non-blank character;
the reasoning has no leading or trailing blank space and no tags. Inside an opened think block
only `</think>` is a tag: a model thinking about a tool call may write its syntax there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ._settings import is_minimax_host
from .models import model_info

__all__ = [
    "PREFILL_HOLD",
    "TOOL_CALL_HOLD",
    "Prefill",
    "ThinkParser",
    "ThinkPrefill",
    "resolve_prefill",
    "split_content",
]

Prefill = Literal["never", "maybe", "always"]
"""Whether `content` starts inside an unopened think block (see the module docstring)."""

ThinkPrefill = Literal["auto"] | bool
"""The user's setting: does the server's chat template open the think block? `"auto"` decides."""

PREFILL_HOLD = 256
"""Characters of presumed reasoning held back in `"maybe"` mode before they are shown."""

TOOL_CALL_HOLD = 4096
"""Characters held in `"maybe"` mode from a `<minimax:tool_call>` on, waiting for a `</think>`
that would make the block reasoning. Past them it is a tool call: a real call can be far longer
(a file's contents), and reasoning that quotes the syntax reaches `</think>` sooner."""

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
TOOL_OPEN = "<minimax:tool_call>"
TOOL_CLOSE = "</minimax:tool_call>"

# The modes whose chunks may skip the scan come first, so one comparison tells them apart.
# `_PRESUMED` is reasoning shown only because the `maybe` hold ran out: there a tool-call block
# is held back again, where in `_THINK` (an opened think block) it is just reasoning.
_TEXT, _THINK, _PRESUMED, _START, _TOOL, _MAYBE = 0, 1, 2, 3, 4, 5
_TAGS_BY_MODE: dict[int, tuple[str, ...]] = {
    _START: (THINK_OPEN,),
    _TEXT: (THINK_OPEN, THINK_CLOSE, TOOL_OPEN),
    _THINK: (THINK_CLOSE,),
    _PRESUMED: (THINK_CLOSE, TOOL_OPEN),
    _TOOL: (TOOL_CLOSE,),
    _MAYBE: (THINK_CLOSE, TOOL_OPEN),
}


class ThinkParser:
    """Split streamed `content` into answer text, reasoning and raw tool-call XML.

    `feed(chunk)` returns the `(text, reasoning)` it can release now; `flush()` releases the
    rest at end of stream. Raw tool-call blocks collect in `tool_xml`. Call `structured()` when
    the server sends reasoning in a field of its own: content is then the answer.
    A `</think>` where no think block is open is dropped from the text.
    """

    __slots__ = (
        "_held",
        "_held_len",
        "_held_space",
        "_hold_limit",
        "_mode",
        "_pending",
        "_prefill",
        "_reasoning_started",
        "_structured",
        "_text_started",
        "_tool_held",
        "tool_xml",
    )

    def __init__(self, *, in_think: bool = False, prefill: Prefill = "never") -> None:
        self._mode = _THINK if in_think else _START
        self._prefill = prefill
        self._structured = False
        self._pending = ""
        self._held: list[str] = []
        self._held_len = 0
        self._hold_limit = PREFILL_HOLD
        self._tool_held = False
        self._text_started = False
        self._reasoning_started = False
        self._held_space = ""
        self.tool_xml: list[str] = []

    def feed(self, chunk: str) -> tuple[str, str]:
        if self._mode <= _PRESUMED and not self._pending and "<" not in chunk:
            # The usual chunk: no tag can start in it.
            text: list[str] = []
            reasoning: list[str] = []
            self._emit(chunk, text, reasoning)
            return (text[0] if text else ""), (reasoning[0] if reasoning else "")
        data = self._pending + chunk if self._pending else chunk
        self._pending = ""
        text = []
        reasoning = []
        if self._structured and self._mode == _MAYBE:
            data = self._release_held() + data
        self._scan(data, text, reasoning)
        return "".join(text), "".join(reasoning)

    def flush(self) -> tuple[str, str]:
        text: list[str] = []
        reasoning: list[str] = []
        pending, self._pending = self._pending, ""
        if self._mode == _MAYBE:
            # The stream ended with no `</think>`: what was held was the answer.
            self._scan(self._release_held() + pending, text, reasoning)
            pending, self._pending = self._pending, ""
        if pending:
            if self._mode == _START:
                self._mode = _TEXT
            self._emit(pending, text, reasoning)
        self._held_space = ""
        return "".join(text), "".join(reasoning)

    def structured(self) -> None:
        """The server sends reasoning in a field of its own: content is the answer."""
        self._structured = True
        if self._mode == _START:
            self._mode = _TEXT

    def _scan(self, data: str, text: list[str], reasoning: list[str]) -> None:
        pos = 0
        while pos < len(data):
            mode = self._mode
            if mode == _START:
                pos = self._start(data, pos)
                if self._mode == _START:
                    return
                continue
            if mode == _MAYBE:
                data, pos = self._hold(data, pos, text, reasoning)
                continue
            lt = data.find("<", pos)
            if lt < 0:
                self._emit(data[pos:], text, reasoning)
                return
            if lt > pos:
                self._emit(data[pos:lt], text, reasoning)
            tag = self._tag_at(data, lt)
            if tag is None:
                return
            if tag:
                self._switch(tag, text, reasoning)
                pos = lt + len(tag)
            else:
                self._emit("<", text, reasoning)
                pos = lt + 1

    def _tag_at(self, data: str, lt: int) -> str | None:
        """The current mode's tag starting at `data[lt]` (a `<`); `""` when none does; `None`
        when the data end in what could still become one, which is then kept for the next chunk."""
        partial = False
        for tag in _TAGS_BY_MODE[self._mode]:
            if data.startswith(tag, lt):
                return tag
            if len(data) - lt < len(tag) and tag.startswith(data[lt:]):
                partial = True
        if partial:
            self._pending = data[lt:]
            return None
        return ""

    def _hold(self, data: str, pos: int, text: list[str], reasoning: list[str]) -> tuple[str, int]:
        """`maybe`: hold `data[pos:]` back until it shows whether it is reasoning or the answer.

        Returns the data and position to scan on from, in the mode decided; text held back that
        turned out to be the answer comes back in front of the rest, to be read again as such.
        The limit is checked after each piece, and tags are never cut, so the decision falls
        at the same place in the text however it was split.
        """
        while pos < len(data):
            lt = data.find("<", pos)
            if lt != pos:
                piece = data[pos:] if lt < 0 else data[pos:lt]
            else:
                tag = self._tag_at(data, pos)
                if tag is None:
                    return data, len(data)
                if tag == THINK_CLOSE:
                    self._commit_held(text, reasoning)
                    self._switch(THINK_CLOSE, text, reasoning)
                    return data, pos + len(THINK_CLOSE)
                if tag == TOOL_OPEN and not self._tool_held:
                    self._hold_tool_call()
                piece = tag or "<"
            self._held.append(piece)
            self._held_len += len(piece)
            pos += len(piece)
            if self._held_len > self._hold_limit:
                if self._tool_held:
                    return self._release_held() + data[pos:], 0
                self._commit_held(text, reasoning)
                return data, pos
        return data, pos

    def _hold_tool_call(self) -> None:
        """A tool-call block starts: hold on, to see whether a `</think>` follows it soon."""
        self._tool_held = True
        self._hold_limit = self._held_len + TOOL_CALL_HOLD

    def _start(self, data: str, pos: int) -> int:
        """Skip leading blank space, then decide where the output starts."""
        size = len(data)
        while pos < size and data[pos].isspace():
            pos += 1
        if pos == size:
            return pos
        if data.startswith(THINK_OPEN, pos):
            self._mode = _THINK
            return pos + len(THINK_OPEN)
        if size - pos < len(THINK_OPEN) and THINK_OPEN.startswith(data[pos:]):
            self._pending = data[pos:]
            return size
        if self._structured or self._prefill == "never":
            self._mode = _TEXT
        elif self._prefill == "always":
            self._mode = _THINK
        else:
            self._mode = _MAYBE
        return pos

    def _switch(self, tag: str, text: list[str], reasoning: list[str]) -> None:
        if tag == THINK_OPEN:
            self._mode = _THINK
        elif tag == THINK_CLOSE:
            self._mode = _TEXT
            self._held_space = ""
        elif tag == TOOL_OPEN and self._mode == _PRESUMED:
            # A tool-call block in reasoning shown only for being long: hold it back.
            self._mode = _MAYBE
            self._hold_tool_call()
            self._held.append(TOOL_OPEN)
            self._held_len += len(TOOL_OPEN)
        elif tag == TOOL_OPEN:
            self._mode = _TOOL
            self.tool_xml.append(TOOL_OPEN)
        else:
            self.tool_xml[-1] += TOOL_CLOSE
            self._mode = _TEXT

    def _commit_held(self, text: list[str], reasoning: list[str]) -> None:
        """What was held is reasoning: show it, and go on in the (presumed) think block."""
        held = "".join(self._held)
        self._held.clear()
        self._held_len = 0
        self._mode = _PRESUMED
        if held:
            self._emit(held, text, reasoning)

    def _release_held(self) -> str:
        """What was held is the answer: returned, to be read again as text (it may hold
        tool-call XML)."""
        held = "".join(self._held)
        self._held.clear()
        self._held_len = 0
        self._mode = _TEXT
        self._held_space = ""
        return held

    def _emit(self, piece: str, text: list[str], reasoning: list[str]) -> None:
        mode = self._mode
        if mode == _TEXT:
            if not self._text_started:
                piece = piece.lstrip()
                if not piece:
                    return
                self._text_started = True
            text.append(piece)
        elif mode == _THINK or mode == _PRESUMED:
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


def split_content(content: str, prefill: Prefill = "maybe") -> tuple[str, str, list[str]]:
    """`(text, reasoning, tool_xml)` of a whole `content` string, as the stream parser gives it."""
    parser = ThinkParser(prefill=prefill)
    text, reasoning = parser.feed(content)
    more_text, more_reasoning = parser.flush()
    return text + more_text, reasoning + more_reasoning, parser.tool_xml


def resolve_prefill(setting: ThinkPrefill, request: Mapping[str, Any], base_url: str) -> Prefill:
    """The `prefill` mode for one request.

    A model told not to think (M3 with `thinking` disabled) has no think block to open, whatever
    the setting. Otherwise `True`/`False` are the user's word, and `"auto"` decides: MiniMax's own
    API never leaves the block unopened, and any other server with a thinking model (M2.x always
    thinks, M3 unless `thinking` is disabled) probably runs the MiniMax chat template, which
    opens it.
    """
    model = request.get("model")
    thinking = request.get("thinking")
    if isinstance(thinking, Mapping) and thinking.get("type") == "disabled":
        if not isinstance(model, str) or model_info(model).can_disable_thinking:
            return "never"
    if setting is True:
        return "always"
    if setting is False:
        return "never"
    return "never" if is_minimax_host(base_url) else "maybe"
