"""The sources pane: the passages of the selected answer, their files and what each is cited for.

Selecting an entry (Enter, click, or a number key on the screen) posts `CitationSelected`; the
screen then opens the document at the cited span.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tui.messages import CitationSelected
from tui.text import literal, short

if TYPE_CHECKING:
    from assistant.types import Answer


class SourcesPane(OptionList):
    """One option per passage: `[n] file`, then the quote it supports (or the passage's start)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.answer: Answer | None = None
        self.border_title = "Sources"

    def show(self, answer: Answer | None) -> None:
        """List the passages of `answer` (None empties the pane)."""
        self.answer = answer
        self.clear_options()
        if answer is None:
            return
        cited = {c.n: c for c in answer.citations}
        options = []
        for p in answer.passages:
            line = Text()
            line.append(f"[{p.n}] ", style="bold")
            line.append(literal(p.source), style="underline" if p.n in cited else "")
            if p.n in cited:
                line.append("  cited", style="bold")
                snippet = cited[p.n].quote
            else:
                snippet = p.chunk.text
            line.append("\n")
            line.append(literal(short(snippet, 110)), style="dim")
            options.append(Option(line, id=f"passage-{p.n}"))
        self.add_options(options)

    def pick(self, n: int) -> bool:
        """Highlight passage `n`; False if the answer has no such passage."""
        try:
            self.highlighted = self.get_option_index(f"passage-{n}")
        except OptionDoesNotExist:
            return False
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or click on a passage: open it."""
        event.stop()
        if self.answer is not None and event.option.id:
            self.post_message(CitationSelected(self.answer, int(event.option.id.split("-")[1])))
