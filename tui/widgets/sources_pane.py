"""The sources pane: the passages of the selected answer, their documents, what each is cited for.

Each passage is named by its document's title and date when ingest found them ("Les cinq points
d'Alibaba · 2017-11-22", the file under it), else by its file name.

Selecting an entry (Enter, click, or a number key on the screen) posts `CitationSelected`; the
screen then opens the document at the cited span.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from assistant.export import literal
from assistant.text import shorten
from tui.messages import CitationSelected
from tui.widgets.document_viewer import known_title

if TYPE_CHECKING:
    from assistant.types import Answer


class SourcesPane(OptionList):
    """One option per passage: `[n] title · date` (or file), then the quote it supports."""

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
            title = known_title(p.chunk.title, p.source)
            line.append(literal(title or p.source), style="underline" if p.n in cited else "")
            if p.chunk.date:
                line.append(f" · {literal(p.chunk.date)}")
            if p.also_in:
                others = len(p.also_in)
                line.append(f"  also in {others} other source{'s' if others > 1 else ''}")
            if p.n in cited:
                line.append("  cited", style="bold")
                snippet = cited[p.n].quote
            else:
                snippet = p.chunk.text
            if title:
                line.append("\n    ")
                line.append(literal(p.source), style="italic")
            line.append("\n")
            line.append(literal(shorten(snippet, 110)), style="dim")
            options.append(Option(line, id=f"passage-{p.n}"))
        self.add_options(options)

    def neighbour(self, n: int | None, step: int) -> int | None:
        """The passage `step` places after n (wrapping round); from none, the first or the last."""
        if self.answer is None or not self.answer.passages:
            return None
        numbers = [p.n for p in self.answer.passages]
        if n not in numbers:
            return numbers[0] if step > 0 else numbers[-1]
        return numbers[(numbers.index(n) + step) % len(numbers)]

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
