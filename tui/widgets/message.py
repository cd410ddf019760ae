"""One turn of the chat: the question, its evidence, its answer, and what verification noted.

The screen drives it through attributes and methods (evidence arrived, a piece streamed, the
answer completed, failed or was cancelled); refused answers get the `-refused` class, so the
stylesheet can set them apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from assistant.export import literal
from tui.widgets.answer_view import AnswerView
from tui.widgets.evidence_view import EvidenceView

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from assistant.answer import EvidenceFound
    from assistant.types import Answer


class ChatMessage(Vertical):
    """A question and everything that answers it."""

    def __init__(self, question: str, turn: int, *, answer: Answer | None = None) -> None:
        super().__init__(classes="-pending")
        self.question = question
        self.turn = turn
        self.answer: Answer | None = answer
        """The final answer, or the preliminary one while the model writes."""
        self.final = answer is not None

    def on_mount(self) -> None:
        """A reopened conversation's turn renders its saved answer at once."""
        if self.final and self.answer is not None:  # a reopened conversation
            self.complete(self.answer)

    def compose(self) -> ComposeResult:
        """Question, evidence, progress line, answer, notes."""
        yield Static(Text(literal(self.question)), classes="question")
        yield EvidenceView(classes="evidence")
        yield Static(Text("searching the documents…"), classes="progress")
        yield AnswerView(classes="answer")
        yield Static("", classes="notes")

    @property
    def answer_view(self) -> AnswerView:
        """The Markdown view of the answer."""
        return self.query_one(AnswerView)

    def _progress(self, text: str | None) -> None:
        progress = self.query_one(".progress", Static)
        progress.display = text is not None
        if text is not None:
            progress.update(Text(text))

    def show_evidence(self, found: EvidenceFound) -> None:
        """Retrieval is done: show the best sentences and wait for the answer."""
        self.answer = found.preliminary
        self.query_one(EvidenceView).show(found.evidence, found.preliminary)
        self._progress("writing the answer…")

    def add_piece(self, text: str) -> None:
        """A piece of the answer streamed in."""
        self._progress(None)
        self.answer_view.add_piece(text)

    def complete(self, answer: Answer) -> None:
        """The verified answer: render it, its citations as links, and its notes."""
        self.answer = answer
        self.final = True
        self.remove_class("-pending")
        self.set_class(answer.refused, "-refused")
        self._progress(None)
        evidence = self.query_one(EvidenceView)
        evidence.answer = answer
        if answer.refused:
            evidence.display = False  # the refusal lists the closest passages itself
        self.answer_view.show(answer)
        notes = [n for n in answer.notes if not n.startswith("refused:")]
        if answer.refused:
            notes += [n.removeprefix("refused: ") for n in answer.notes if n.startswith("refused:")]
        note_view = self.query_one(".notes", Static)
        note_view.display = bool(notes)
        note_view.update(Text(literal(" · ".join(notes))))

    def fail(self, error: str) -> None:
        """Answering failed: say so in the turn (the notice says it too)."""
        self.remove_class("-pending")
        self.add_class("-failed")
        self._progress(f"no answer: {literal(error)}")

    def cancel(self) -> None:
        """The reader stopped the answer."""
        if self.final:
            return
        self.remove_class("-pending")
        self.add_class("-cancelled")
        self._progress("stopped")
