"""The command palette (Ctrl+P): every action of the chat, searchable by name.

Commands call the chat screen's actions, so the palette, the keys and the footer share one code
path. Textual's own commands (themes, keys, quit, screenshot) stay in the palette beside these.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.screens.chat import ChatScreen

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("New conversation", "new_conversation", "Forget the context and start over (Ctrl+N)"),
    ("Inspector", "inspect", "Rewritten question, ranks, scores and the exact prompt (F2)"),
    ("Conversations", "conversations", "Search, reopen, export or delete saved conversations (F3)"),
    ("Export conversation to Markdown", "export", "Quotes as footnotes, in the data directory (x)"),
    (
        "Save this turn as an eval case",
        "save_eval",
        "Append it to eval_cases.jsonl for `veille eval` (s)",
    ),
    ("Add a folder", "add_folder", "Ingest a folder; the chat keeps answering meanwhile"),
    ("Re-sync the index", "resync", "Ingest again the folders already in the store"),
    ("Open the document in $EDITOR", "open_file", "The shown source, at the quote (o)"),
    ("Copy the quote", "copy_quote", "The highlighted quote, to the clipboard (y)"),
    ("Next source", "next_citation", "Open the next passage (n)"),
    ("Previous source", "previous_citation", "Open the previous passage (p)"),
    ("Stop the answer", "stop", "Cancel generation (Esc)"),
    ("Help", "help", "Keys and concepts (F1)"),
)


class VeilleCommands(Provider):
    """The chat's actions as palette commands."""

    def _chat(self) -> ChatScreen | None:
        from tui.screens.chat import ChatScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        return None

    async def discover(self) -> Hits:
        """All commands, shown when the palette opens."""
        chat = self._chat()
        if chat is None:
            return
        for title, action, help_text in COMMANDS:
            yield DiscoveryHit(title, partial(chat.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands whose title fuzzily matches `query`."""
        chat = self._chat()
        if chat is None:
            return
        matcher = self.matcher(query)
        for title, action, help_text in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(chat.run_action, action),
                    help=help_text,
                )
