"""The ingest progress line: shown while the app syncs a folder, hidden otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import ProgressBar, Static

from assistant.export import literal
from assistant.text import shorten

if TYPE_CHECKING:
    from textual.app import ComposeResult


@dataclass(frozen=True, slots=True)
class IngestRun:
    """Where an ingest run is: the file (or folder) at hand, and files done of how many."""

    name: str
    done: int = 0
    total: int | None = None
    """None until the run has counted its files."""


class IngestProgress(Horizontal):
    """`Ingesting <file>` and a progress bar of files done; `run` None hides it."""

    run: var[IngestRun | None] = var(None)

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.display = False

    def compose(self) -> ComposeResult:
        """The label and the bar."""
        yield Static("", id="ingest-label")
        yield ProgressBar(total=None, show_eta=False, id="ingest-bar")

    def watch_run(self, run: IngestRun | None) -> None:
        """Show the run, or hide the line when there is none (the bar keeps its last count)."""
        if run is None:
            self.display = False
            return
        self.display = True
        total = None if run.total is None else max(run.total, 1)
        self.query_one(ProgressBar).update(total=total, progress=run.done)
        self.query_one("#ingest-label", Static).update(
            Text(f"Ingesting {literal(shorten(run.name, 40))}")
        )
