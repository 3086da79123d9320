"""Terminal output for the demo: labelled, word-wrapped lines, dim reasoning on a TTY only."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import TextIO

__all__ = ["Console", "LiveField"]

_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"

LABEL_WIDTH = 12
"""Labels (`thinking`, `tool call`, `answer`...) are padded to this width; text starts after."""


class Console:
    """Writes the demo's output: headings, labelled fields, and fields that stream in live.

    ANSI styling is used only when `stream` is a terminal and `NO_COLOR` is not set, so piped
    or captured output is plain text with the same labels.
    """

    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        if color is None:
            color = self.stream.isatty() and "NO_COLOR" not in os.environ
        self.color = color
        self.width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 100))

    def style(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color and text else text

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def line(self, text: str = "") -> None:
        self.write(text + "\n")

    def heading(self, text: str) -> None:
        self.line()
        self.line(
            self.style(f"== {text} ", _BOLD) + self.style("=" * (self.width - len(text) - 4), _BOLD)
        )

    def paragraph(self, text: str) -> None:
        """Plain text, wrapped to the width."""
        self.line(textwrap.fill(text, width=self.width))

    def field(self, label: str, text: str, *, dim: bool = False) -> None:
        """`label` then `text`, wrapped under itself."""
        live = self.live(label, dim=dim)
        live.write(text)
        live.close()

    def live(self, label: str, *, dim: bool = False) -> LiveField:
        """A field whose text arrives in pieces (a stream of reasoning or answer deltas)."""
        return LiveField(self, label, dim=dim)


class LiveField:
    """Word-wraps text that arrives in arbitrary pieces, with a hanging indent.

    A word is held back until the whitespace after it arrives, so no word is ever broken
    across lines, whatever the chunking of the stream.
    """

    def __init__(self, console: Console, label: str, *, dim: bool) -> None:
        self._console = console
        self._dim = dim
        self._indent = 2 + LABEL_WIDTH
        self._word = ""
        self._column = self._indent
        self._newlines = 0
        self._wrote_word = False
        self._styled = dim and console.color
        """Whether each line of text is wrapped in dim/reset codes (opened at its first word)."""
        self._line_open = False
        console.write("  " + console.style(label.ljust(LABEL_WIDTH), _DIM if dim else _BOLD))

    def write(self, text: str) -> None:
        for char in text:
            if char.isspace():
                self._flush_word()
                if char == "\n":
                    self._newlines += 1
            else:
                self._word += char

    def close(self) -> None:
        self._flush_word()
        self._end_line()
        self._console.write("\n")

    def _end_line(self) -> None:
        if self._line_open:
            self._console.write(_RESET)
            self._line_open = False

    def _newline(self) -> None:
        self._end_line()
        self._console.write("\n" + " " * self._indent)
        self._column = self._indent

    def _flush_word(self) -> None:
        word, self._word = self._word, ""
        if not word:
            return
        if self._newlines and self._wrote_word:
            if self._newlines > 1:  # a paragraph break: keep one empty line
                self._console.write("\n")
            self._newline()
        self._newlines = 0
        at_start = self._column == self._indent
        if not at_start and self._column + 1 + len(word) > self._console.width:
            self._newline()
            at_start = True
        text = word if at_start else " " + word
        if self._styled and not self._line_open:
            self._console.write(_DIM)
            self._line_open = True
        self._console.write(text)
        self._column += len(text)
        self._wrote_word = True
