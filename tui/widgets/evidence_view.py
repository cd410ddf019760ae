"""The evidence of one answer: the best sentences of the retrieved passages, shown at once.

Each line is `[n] sentence — file`; clicking the `[n]` opens that passage's document. Sentences
are document text, so they are rendered as `rich.text.Text` (literally), never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from assistant.export import literal
from assistant.text import shorten
from tui.messages import CitationSelected

if TYPE_CHECKING:
    from assistant.evidence import Evidence
    from assistant.types import Answer

SHOWN = 3
"""Sentences shown: enough to see the answer coming, few enough to keep the chat readable."""


class EvidenceView(Static):
    """The best sentences with their `[n]`; `answer` is the answer they belong to."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, classes=classes)
        self.answer: Answer | None = None
        self.display = False

    def show(self, evidence: tuple[Evidence, ...], answer: Answer) -> None:
        """Render the best sentences of `evidence`, which belong to `answer`."""
        self.answer = answer
        if not evidence:
            self.display = False
            return
        text = Text()
        for i, ev in enumerate(evidence[:SHOWN]):
            if i:
                text.append("\n")
            text.append(
                f"[{ev.n}]",
                style=Style(bold=True, meta={"@click": f"select_citation({ev.n})"}),
            )
            text.append(" ")
            text.append(literal(shorten(ev.text, 300)))
            text.append(f" — {literal(ev.passage.source)}", style="dim")
        self.update(text)
        self.border_title = "Evidence"
        self.display = True

    def action_select_citation(self, n: int) -> None:
        """A `[n]` was clicked."""
        if self.answer is not None:
            self.post_message(CitationSelected(self.answer, n))
