"""The help screen: what the chat shows and every key, in one page.

The key table is built from the bindings it is given (the chat's and the app's, see `tui.keys`),
so a key and its description are written once, beside the action they run. Only the keys that
belong to widgets and to Textual itself (Enter in the prompt, Tab, Ctrl+P) are written here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from tui.keys import help_entries

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.app import ComposeResult
    from textual.binding import BindingType

INTRO = """\
# Veille

Ask a question about your documents. The **evidence** (the best sentences of the passages found)
appears at once; the **answer** streams in below it. Every `[n]` in an answer is a citation:
its quote is checked against the document, character for character. When the documents do not
hold the answer, Veille says so and lists the closest passages.

## Keys

| Key | What it does |
| --- | --- |
"""

OTHER_KEYS = {
    "ask": ("Enter", "Ask (follow-up questions keep the conversation's context)"),
    "open": ("Enter, click", "Open the source under the cursor, or a clicked `[n]`"),
    "tab": ("Tab", "Move between panes"),
    "palette": ("Ctrl+P", "Every command: add a folder, re-sync, themes, …"),
}
"""Keys the prompt, the lists and Textual handle: not in Veille's bindings."""

ORDER = (
    *("ask", "stop", "select_citation", "next_citation", "open", "open_file", "copy_quote"),
    *("inspect", "conversations", "figures", "timeline", "new_conversation", "save_eval"),
    *("export", "focus_prompt"),
    *("tab", "palette", "help", "quit"),
)
"""The table's order, by action (or `OTHER_KEYS` name); keys not named here come last."""

_VARIABLE = re.compile(r"\$[A-Z][A-Z_]*")


def help_markdown(bindings: Iterable[BindingType]) -> str:
    """The help page: the introduction, then one table row per documented key."""
    rows = {name: f"| {keys} | {text} |" for name, (keys, text) in OTHER_KEYS.items()}
    for entry in help_entries(bindings):
        text = _VARIABLE.sub(lambda m: f"`{m.group()}`", entry.text)  # $EDITOR reads as code
        rows.setdefault(entry.name, f"| {entry.key_text} | {text} |")
    ordered = [rows.pop(name) for name in ORDER if name in rows]
    return INTRO + "\n".join([*ordered, *rows.values()]) + "\n"


class HelpScreen(ModalScreen[None]):
    """Keys and concepts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss(None)", "Close"),
    ]

    def __init__(self, bindings: Iterable[BindingType]) -> None:
        super().__init__()
        self.text = help_markdown(bindings)
        """The page, as Markdown."""

    def compose(self) -> ComposeResult:
        """The help text."""
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Markdown(self.text)

    def on_mount(self) -> None:
        """Title the dialog."""
        dialog = self.query_one(".dialog")
        dialog.border_title = "Help"
        dialog.border_subtitle = "Esc close"
