"""The answer of one turn, as Markdown: streamed while the model writes, then the verified text.

Model text is escaped by `answer_markdown` (brackets, HTML and control characters show literally,
one character for one) and each verified `[n]` becomes a `cite:n` link; links are never opened, a
click on a citation posts `CitationSelected`. A refused answer shows the refusal and the closest
passages. Emphasis, lists and code from a model still render as Markdown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.widgets import Markdown

from assistant.analysis import detect_language
from assistant.export import literal
from assistant.prompts import CITATION_PATTERN, CLOSEST_PASSAGES
from assistant.text import shorten
from tui.messages import CitationSelected

if TYPE_CHECKING:
    from assistant.types import Answer

STREAM_REFRESH_S = 0.05
"""Re-render the streamed text at most 20 times a second (a re-parse per token would lag)."""

CLOSEST_SHOWN = 3

# What could hide or rewrite text is escaped: brackets (reference links and definitions), angle
# brackets (raw HTML, which the Markdown widget drops) and backslashes.
_MARKDOWN_SPECIAL = re.compile(r"([\\\[\]<>])")


def escape_markdown(text: str) -> str:
    """Backslash-escape brackets, angle brackets and backslashes (and make controls visible)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", literal(text))


def answer_markdown(answer: str, cited: set[int] | None = None) -> str:
    """An answer as Markdown: literal text, with each `[n]` a link to its citation.

    Args:
        answer: The answer text with `[n]` markers, as the model or the extractive scorer wrote it.
        cited: The numbers that have a verified citation (None: every marker is a link).
            A marker without a citation is shown as plain text.
    """
    parts: list[str] = []
    pos = 0
    for match in CITATION_PATTERN.finditer(answer):
        parts.append(escape_markdown(answer[pos : match.start()]))
        n = int(match.group(1))
        if cited is None or n in cited:
            parts.append(f"[\\[{n}\\]](cite:{n})")
        else:
            parts.append(escape_markdown(match.group()))
        pos = match.end()
    parts.append(escape_markdown(answer[pos:]))
    # A model's line breaks are kept as paragraph breaks; other whitespace is Markdown's.
    return "".join(parts).replace("\n", "\n\n")


def refusal_markdown(answer: Answer) -> str:
    """The refusal sentence, then the closest passages as links."""
    lines = [f"**{escape_markdown(answer.text)}**", ""]
    if answer.passages:
        lines += [escape_markdown(CLOSEST_PASSAGES[detect_language(answer.question)]), ""]
        lines += [
            f"- [\\[{p.n}\\]](cite:{p.n}) **{escape_markdown(p.source)}** — "
            + escape_markdown(shorten(p.chunk.text, 220))
            for p in answer.passages[:CLOSEST_SHOWN]
        ]
    return "\n".join(lines)


class AnswerView(Markdown):
    """Markdown that streams, then settles on the verified answer."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, classes=classes, open_links=False)
        self.answer: Answer | None = None
        self.streamed = ""
        self._dirty = False

    def add_piece(self, text: str) -> None:
        """Add a streamed piece of the (not yet verified) answer."""
        self.streamed += text
        if not self._dirty:
            self._dirty = True
            self.set_timer(STREAM_REFRESH_S, self._flush)

    def _flush(self) -> None:
        self._dirty = False
        if self.answer is None:
            self.update(answer_markdown(self.streamed, cited=set()))

    def show(self, answer: Answer) -> None:
        """Render the final answer (or, before the model writes, the preliminary one)."""
        self.answer = answer
        if answer.refused:
            self.update(refusal_markdown(answer))
        else:
            self.update(answer_markdown(answer.text, {c.n for c in answer.citations}))

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """A `[n]` link was clicked: ask for its citation; any other link is ignored."""
        event.stop()
        href = event.href
        if self.answer is not None and href.startswith("cite:") and href[5:].isdigit():
            self.post_message(CitationSelected(self.answer, int(href[5:])))
