"""The ingest progress line: shown while the app syncs a folder, hidden otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from tui.text import literal, short

if TYPE_CHECKING:
    from textual.app import ComposeResult


class IngestProgress(Horizontal):
    """`Ingesting <file>` and a progress bar of files done."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.display = False

    def compose(self) -> ComposeResult:
        """The label and the bar."""
        yield Static("", id="ingest-label")
        yield ProgressBar(total=None, show_eta=False, id="ingest-bar")

    def start(self, what: str) -> None:
        """Show the bar, not yet knowing how many files there are."""
        self.display = True
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one("#ingest-label", Static).update(
            Text(f"Ingesting {literal(short(what, 40))}")
        )

    def advance(self, done: int, total: int, name: str) -> None:
        """One more file done."""
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        self.query_one("#ingest-label", Static).update(
            Text(f"Ingesting {literal(short(name, 40))}")
        )

    def stop(self) -> None:
        """Hide the bar."""
        self.display = False
