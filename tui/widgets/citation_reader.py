"""The chat's right-hand side: the selected answer's sources, and the document a citation opens.

The reader holds the selected answer (the sources pane lists its passages) and opens passage n:
it picks it in the list, fetches the document from the store in a worker and shows it scrolled to
the quote. The store arrives as an attribute, `assistant`, which the chat screen sets; the
reader never builds one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.containers import Vertical

from assistant.errors import describe
from tui.messages import DocumentLoaded
from tui.widgets.document_viewer import DocumentViewer
from tui.widgets.sources_pane import SourcesPane

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from assistant.answer import Assistant
    from assistant.types import Answer


class CitationReader(Vertical):
    """The sources of one answer above the document of the citation opened."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.answer: Answer | None = None
        """The answer whose passages are listed."""
        self.assistant: Assistant | None = None
        """Whose store documents are read from (None: not open yet)."""

    def compose(self) -> ComposeResult:
        """The sources pane and the document viewer."""
        yield SourcesPane(id="sources")
        yield DocumentViewer(id="document")

    @property
    def sources(self) -> SourcesPane:
        """The sources pane."""
        return self.query_one(SourcesPane)

    @property
    def viewer(self) -> DocumentViewer:
        """The document viewer."""
        return self.query_one(DocumentViewer)

    def select(self, answer: Answer | None) -> None:
        """List the passages of `answer` (None: nothing)."""
        if answer is not self.answer:
            self.answer = answer
            self.sources.show(answer)

    def step(self, step: int) -> None:
        """Open the passage `step` places after the one shown."""
        n = self.sources.neighbour(self.viewer.shown_n, step)
        if self.answer is not None and n is not None:
            self.open(self.answer, n)

    def open(self, answer: Answer, n: int) -> None:
        """Show passage n's document, scrolled to the cited span."""
        if not any(p.n == n for p in answer.passages):
            self.notify(f"This answer has no source [{n}].", timeout=3)
            return
        self.sources.pick(n)
        if self.assistant is None:
            self.notify("The store is not open yet.", severity="warning")
            return
        self._load_document(self.assistant, answer, n)

    @work(thread=True, exclusive=True, group="document", exit_on_error=False)
    def _load_document(self, assistant: Assistant, answer: Answer, n: int) -> None:
        passage = next(p for p in answer.passages if p.n == n)
        try:
            text = assistant.store.document_text(passage.chunk.doc_id)
        except Exception as exc:  # noqa: BLE001 - a store error is a notice
            self.app.call_from_thread(self.notify, describe(exc), severity="error")
            return
        self.post_message(DocumentLoaded(answer, n, text))

    def on_document_loaded(self, message: DocumentLoaded) -> None:
        """Show the fetched document with its quotes highlighted."""
        message.stop()
        self.viewer.show_citation(message.answer, message.n, message.text)
