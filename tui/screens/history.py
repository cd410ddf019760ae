"""Saved conversations: a searchable list to reopen one, export it to Markdown, or delete it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from assistant.errors import describe
from assistant.export import literal
from assistant.text import shorten
from tui.handoff import export_conversation

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import ComposeResult

    from assistant.conversations import ConversationSummary, History


class HistoryScreen(ModalScreen[int | None]):
    """Returns the id of the conversation to reopen, or None."""

    BINDINGS = [  # noqa: RUF012 - Textual's API
        Binding("escape", "dismiss(None)", "Close"),
        # Priority: these win over the search box's own cut / delete-right keys.
        Binding("ctrl+x", "export", "Export to Markdown", priority=True),
        Binding("ctrl+d", "delete", "Delete", priority=True),
        Binding("down", "focus_list", "List", show=False),
    ]

    def __init__(self, history: History, export_dir: Path) -> None:
        super().__init__()
        self.history = history
        self.export_dir = export_dir
        self.results: list[ConversationSummary] = []

    def compose(self) -> ComposeResult:
        """Search box, conversation list, key hints."""
        with Vertical(id="history-dialog", classes="dialog"):
            yield Input(placeholder="Search questions and answers…", id="history-search")
            yield OptionList(id="history-list")
            yield Static(
                Text(
                    "Enter reopen · Ctrl+X export to Markdown · Ctrl+D delete · Esc close",
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        """List every conversation and focus the search box."""
        dialog = self.query_one(".dialog")
        dialog.border_title = "Conversations"
        dialog.border_subtitle = "Esc close"
        self.refresh_list("")
        self.query_one(Input).focus()

    def refresh_list(self, query: str) -> None:
        """List the conversations matching `query` (all of them when it is empty)."""
        try:
            self.results = (
                self.history.search(query) if query.strip() else self.history.conversations()
            )
        except Exception as exc:  # noqa: BLE001 - a broken history file is a notice
            self.notify(describe(exc), severity="error")
            self.results = []
        options = self.query_one(OptionList)
        options.clear_options()
        for conv in self.results:
            line = Text()
            line.append(literal(conv.title), style="bold")
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conv.updated))
            plural = "s" if conv.turns != 1 else ""
            line.append(f"  {when} · {conv.turns} question{plural}", style="dim")
            if conv.snippet:
                line.append("\n  " + literal(shorten(conv.snippet, 100)), style="italic")
            options.add_option(Option(line, id=f"conversation-{conv.id}"))
        if self.results:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search as the reader types."""
        self.refresh_list(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the search box: reopen the best match."""
        event.stop()
        selected = self._selected()
        if selected is not None:
            self.dismiss(selected)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or click on a conversation: reopen it."""
        event.stop()
        if event.option.id:
            self.dismiss(int(event.option.id.removeprefix("conversation-")))

    def _selected(self) -> int | None:
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or not self.results:
            return None
        return self.results[index].id

    def action_focus_list(self) -> None:
        """Down from the search box goes to the list."""
        self.query_one(OptionList).focus()

    def action_export(self) -> None:
        """Export the highlighted conversation to Markdown."""
        conversation_id = self._selected()
        if conversation_id is None:
            return
        conversation = self.history.load(conversation_id)
        if conversation is None:
            return
        export_conversation(
            self, self.export_dir, conversation.id, conversation.title, conversation.turns
        )

    def action_delete(self) -> None:
        """Delete the highlighted conversation."""
        conversation_id = self._selected()
        if conversation_id is None:
            return
        self.history.delete(conversation_id)
        self.refresh_list(self.query_one(Input).value)
        self.notify("Conversation deleted.", timeout=3)
