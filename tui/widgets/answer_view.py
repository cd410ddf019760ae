"""The answer of one turn, as Markdown: streamed while the model writes, then the verified text.

Model text is escaped by `tui.text.answer_markdown` (brackets, HTML and control characters show
literally) and each verified `[n]` becomes a `cite:n` link; links are never opened, a click on a
citation posts `CitationSelected`. A refused answer shows the refusal and the closest passages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Markdown

from assistant.analysis import detect_language
from assistant.prompts import CLOSEST_PASSAGES
from tui.messages import CitationSelected
from tui.text import answer_markdown, escape_markdown, short

if TYPE_CHECKING:
    from assistant.types import Answer

STREAM_REFRESH_S = 0.05
"""Re-render the streamed text at most 20 times a second (a re-parse per token would lag)."""

CLOSEST_SHOWN = 3


def refusal_markdown(answer: Answer) -> str:
    """The refusal sentence, then the closest passages as links."""
    lines = [f"**{escape_markdown(answer.text)}**", ""]
    if answer.passages:
        lines += [escape_markdown(CLOSEST_PASSAGES[detect_language(answer.question)]), ""]
        lines += [
            f"- [\\[{p.n}\\]](cite:{p.n}) **{escape_markdown(p.source)}** — "
            + escape_markdown(short(p.chunk.text, 220))
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
