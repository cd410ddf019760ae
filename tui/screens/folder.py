"""The "add a folder" dialog: a path to ingest, checked before the dialog closes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from assistant.export import literal

if TYPE_CHECKING:
    from textual.app import ComposeResult


class AddFolderScreen(ModalScreen[Path | None]):
    """Returns the folder (or file) to ingest, or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]  # noqa: RUF012 - Textual's API

    def compose(self) -> ComposeResult:
        """A path input and room for an error."""
        with Vertical(id="folder-dialog", classes="dialog"):
            yield Static(Text("Add a folder to the store (its .txt, .md, .html and .pdf files)"))
            yield Input(placeholder="~/Documents/notes", id="folder-path")
            yield Static("", id="folder-error")

    def on_mount(self) -> None:
        """Title the dialog and focus the path."""
        dialog = self.query_one(".dialog")
        dialog.border_title = "Add a folder"
        dialog.border_subtitle = "Enter ingest · Esc cancel"
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the path, then close with it."""
        event.stop()
        raw = event.value.strip()
        if not raw:
            return
        path = Path(raw).expanduser()
        if not path.exists():
            self.query_one("#folder-error", Static).update(
                Text(f"No such folder: {literal(str(path))}", style="bold")
            )
            return
        self.dismiss(path.resolve())
