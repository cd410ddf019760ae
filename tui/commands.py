"""The command palette's chat commands (Ctrl+P), read from the chat screen's `BINDINGS`.

The chat screen lists this provider in its `COMMANDS`, so Textual hands it that screen: each
command runs the screen's action, the one its key runs, and shows the binding's description as
its title and the binding's help with its keys. Textual's own commands (themes, keys, quit) and
the app's (add a folder, re-sync) stay in the palette beside these.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.keys import KeyHelp, palette_entries


class ChatCommands(Provider):
    """The chat screen's actions as palette commands."""

    def _entries(self) -> list[KeyHelp]:
        return palette_entries(self.screen.BINDINGS)

    @staticmethod
    def _help(entry: KeyHelp) -> str:
        return f"{entry.text} ({' or '.join(entry.keys)})"

    async def discover(self) -> Hits:
        """All commands, shown when the palette opens."""
        for entry in self._entries():
            yield DiscoveryHit(
                entry.title, partial(self.screen.run_action, entry.action), help=self._help(entry)
            )

    async def search(self, query: str) -> Hits:
        """Commands whose title fuzzily matches `query`."""
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(entry.title),
                    partial(self.screen.run_action, entry.action),
                    help=self._help(entry),
                )
