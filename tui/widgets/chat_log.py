"""The scrolling conversation: one `ChatMessage` per turn, newest at the bottom."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.widgets.message import ChatMessage

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from assistant.types import Answer

WELCOME = (
    "Ask a question about your documents; every answer cites the passages it used.\n"
    "Try: Combien de magasins Hema a-t-il ouverts ?\n"
    "F1 help · Ctrl+P every command"
)


class ChatLog(VerticalScroll, can_focus=True):
    """The turns of the current conversation."""

    def compose(self) -> ComposeResult:
        """The welcome text, until the first question."""
        yield Static(Text(WELCOME), classes="welcome")

    def on_mount(self) -> None:
        """Follow the newest turn."""
        self.anchor()  # keep the newest turn in view while it streams

    def add_message(self, question: str, turn: int, *, answer: Answer | None = None) -> ChatMessage:
        """Append a turn for `question` (already answered if `answer` is given) and return it."""
        self.query(".welcome").remove()
        message = ChatMessage(question, turn, answer=answer)
        self.mount(message)
        self.anchor()
        return message

    def messages(self) -> list[ChatMessage]:
        """The turns shown, oldest first."""
        return list(self.query(ChatMessage))

    def clear(self) -> None:
        """Start over with an empty log."""
        self.remove_children()
        self.mount(Static(Text(WELCOME), classes="welcome"))
