"""The help screen: what the chat shows and every key, in one page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

if TYPE_CHECKING:
    from textual.app import ComposeResult

HELP = """\
# Veille

Ask a question about your documents. The **evidence** (the best sentences of the passages found)
appears at once; the **answer** streams in below it. Every `[n]` in an answer is a citation:
its quote is checked against the document, character for character. When the documents do not
hold the answer, Veille says so and lists the closest passages.

## Keys

| Key | What it does |
| --- | --- |
| Enter | Ask (follow-up questions keep the conversation's context) |
| Esc | Stop the answer being written; otherwise leave / return to the prompt |
| 1 … 9 | Open source [n] (outside the prompt; Alt+1 … Alt+9 anywhere) |
| n / p | Next / previous source |
| Enter, click | Open the source under the cursor, or a clicked `[n]` |
| o | Open the document in `$EDITOR` / `$PAGER`, at the quote |
| y | Copy the highlighted quote |
| F2 or i | Inspector: rewritten question, ranks and scores, the exact prompt |
| F3 or h | Saved conversations: search, reopen, export |
| Ctrl+N | New conversation |
| s | Save the last answer as an eval case |
| x | Export the conversation to Markdown |
| / | Back to the prompt |
| Tab | Move between panes |
| Ctrl+P | Every command: add a folder, re-sync, themes, … |
| F1 | This help |
| Ctrl+Q | Quit |
"""


class HelpScreen(ModalScreen[None]):
    """Keys and concepts."""

    BINDINGS = [  # noqa: RUF012 - Textual's API
        Binding("escape,f1,q", "dismiss(None)", "Close"),
    ]

    def compose(self) -> ComposeResult:
        """The help text."""
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Markdown(HELP)

    def on_mount(self) -> None:
        """Title the dialog."""
        dialog = self.query_one(".dialog")
        dialog.border_title = "Help"
        dialog.border_subtitle = "Esc close"
