"""The document viewer: a cited document's full text, scrolled to the cited span, highlighted.

The text is the store's copy of the loaded document, the one citation offsets refer to, so
`text[start:end]` is exactly the quote. It is rendered as `rich.text.Text` with control
characters made visible: markup or ANSI escapes inside a document show as written. Its title
names the document as the sources pane does: its title and date when known, then its file; when
that is too long for the frame, the file and the span are repeated under the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from assistant.export import literal

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from assistant.types import Answer


@dataclass(frozen=True, slots=True)
class Shown:
    """What the viewer shows: the document, its file, and the spans to highlight."""

    source: str
    doc_id: str
    text: str
    quotes: tuple[tuple[int, int], ...]
    passage: tuple[int, int] | None = None
    n: int | None = None
    """The citation number the document was opened for."""
    title: str = ""
    """The document's title, "" if unknown."""
    date: str = ""
    """The document's publication date, ISO cut to its precision, "" if unknown."""


def known_title(title: str, source: str) -> str:
    """The title, or "" when it is only the file's name (ingest's fallback) or unknown."""
    title = " ".join(title.split())
    name = PurePath(source)
    return "" if title in ("", name.name, name.stem) else title


def document_heading(title: str, iso_date: str, source: str) -> str:
    """A document named for a reader: "Les cinq points d'Alibaba · 2017-11-22", else its file.

    The file stays at the end when a title is shown ("… · 2017-11-22 — 2017/alibaba.txt"), so
    the file opened is never in doubt. Control characters are made visible.
    """
    named = known_title(title, source)
    if named:
        return literal(" · ".join(p for p in (named, iso_date) if p) + f" — {source}")
    return literal(" · ".join(p for p in (source, iso_date) if p))


class DocumentViewer(VerticalScroll, can_focus=True):
    """A scrollable document with the cited span highlighted and in view."""

    COMPONENT_CLASSES = {"document-viewer--quote", "document-viewer--passage"}  # noqa: RUF012 - Textual's API

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.shown: Shown | None = None
        self.border_title = "Document"
        self._where = ""
        """The file and span of the document shown, for the subtitle when the title is cut."""
        self._title_cells = 0

    def compose(self) -> ComposeResult:
        """The document's text."""
        yield Static(Text("Pick a source to read it here.", style="dim"), id="document-body")

    def show(self, shown: Shown) -> None:
        """Display a document with its spans highlighted, and scroll to the first quote."""
        self.shown = shown
        text = Text(literal(shown.text))
        if shown.passage is not None:
            text.stylize(self.get_component_rich_style("document-viewer--passage"), *shown.passage)
        quote_style = self.get_component_rich_style("document-viewer--quote")
        for start, end in shown.quotes:
            text.stylize(quote_style, start, end)
        self.query_one("#document-body", Static).update(text)
        first = shown.quotes[0] if shown.quotes else shown.passage
        heading = document_heading(shown.title, shown.date, shown.source)
        span = f" · characters {first[0]}–{first[1]}" if first is not None else ""
        title = Content(heading + span)  # a title's brackets are text, not markup
        self.border_title = title
        self._title_cells = title.cell_length
        self._where = literal(shown.source) + span if known_title(shown.title, shown.source) else ""
        self._fit_subtitle()
        self.call_after_refresh(self._scroll_to_span)

    def _fit_subtitle(self) -> None:
        cut = self._title_cells > self.size.width - 4  # the frame's corners and padding
        self.border_subtitle = Content(self._where) if self._where and cut else None

    def show_citation(self, answer: Answer, n: int, text: str | None) -> None:
        """Show the document of `answer`'s passage n, its verified quotes highlighted.

        `text` is the document as the store has it; None means it is no longer there.
        """
        passage = next(p for p in answer.passages if p.n == n)
        if text is None:
            self.show_missing(passage.source)
            return
        quotes = tuple(
            (c.start, c.end)
            for c in answer.citations
            if c.n == n and text[c.start : c.end] == c.quote
        )
        self.show(
            Shown(
                source=passage.source,
                doc_id=passage.chunk.doc_id,
                text=text,
                quotes=quotes,
                passage=(passage.chunk.start, passage.chunk.end),
                n=n,
                title=passage.chunk.title,
                date=passage.chunk.date,
            )
        )

    @property
    def shown_n(self) -> int | None:
        """The citation number shown, if any."""
        return self.shown.n if self.shown is not None else None

    def clear(self) -> None:
        """Show nothing (a new conversation)."""
        self.shown = None
        self.border_title = "Document"
        self._where = ""
        self._fit_subtitle()
        self.query_one("#document-body", Static).update(
            Text("Pick a source to read it here.", style="dim")
        )

    def show_missing(self, source: str) -> None:
        """The store has no text for this document (removed since the answer was given)."""
        self.shown = None
        self.border_title = Content(literal(source))
        self._where = ""
        self._fit_subtitle()
        self.query_one("#document-body", Static).update(
            Text(f"{literal(source)} is no longer in the store.", style="italic")
        )

    def _scroll_to_span(self, attempts: int = 5) -> None:
        if self.shown is None:
            return
        first = self.shown.quotes[0] if self.shown.quotes else self.shown.passage
        if first is None:
            return
        body = self.query_one("#document-body", Static)
        width = body.content_region.width
        row = visual_row(literal(self.shown.text), first[0], width)
        # A third of the way down: the quote, with the lines that lead to it above.
        target = max(0, row - self.scrollable_content_region.height // 3)
        if target > self.max_scroll_y and attempts > 0:
            # The new text is not laid out yet (the scroll range is the old one's): retry.
            self.call_after_refresh(self._scroll_to_span, attempts - 1)
            return
        self.scroll_to(y=target, animate=False)

    def on_resize(self) -> None:
        """Keep the quote in view when the pane changes size (wrapping moves it)."""
        self._fit_subtitle()
        if self.shown is not None:
            self.call_after_refresh(self._scroll_to_span)

    @property
    def highlighted(self) -> list[str]:
        """The highlighted quotes, as the document has them (for tests and `y`)."""
        if self.shown is None:
            return []
        return [self.shown.text[a:b] for a, b in self.shown.quotes]


def visual_row(text: str, offset: int, width: int) -> int:
    """The screen row (after word wrap at `width`) on which character `offset` appears."""
    if width <= 0:
        return 0
    before = text[:offset]
    lines = before.split("\n")
    rows = sum(len(Content(line).wrap(width)) or 1 for line in lines[:-1])
    # Wrapping the start of the last line gives the row of its end (greedy wrap is prefix-stable).
    return rows + max(len(Content(lines[-1]).wrap(width)), 1) - 1
