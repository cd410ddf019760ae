"""Messages the chat's workers and widgets post upwards, named for what already happened.

Workers run the `assistant/` calls in threads and report through these; widgets report the
reader's choices (a citation picked). Each answer message carries the `turn` number it belongs
to, so that messages from a cancelled, stale worker are recognised and dropped. The ingest
worker's messages live beside it, in `tui.ingest_worker`. `AssistantState` is what the app
makes of the assistant's messages, the state the chat screen is bound to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.message import Message

if TYPE_CHECKING:
    from assistant.answer import Assistant, EvidenceFound
    from assistant.types import Answer


class AssistantLoaded(Message):
    """The store, the embeddings and the keyword index are open: questions can be asked."""

    def __init__(
        self, assistant: Assistant, *, documents: int, chunks: int, note: str | None = None
    ) -> None:
        super().__init__()
        self.assistant = assistant
        self.documents = documents
        self.chunks = chunks
        self.note = note
        """Why the assistant is not the one the settings asked for (a fallback), if it is not."""


class AssistantFailed(Message):
    """The assistant could not be built (no store yet, mismatched store, ...)."""

    def __init__(self, error: str, *, empty_store: bool = False) -> None:
        super().__init__()
        self.error = error
        self.empty_store = empty_store


class ModelWarmed(Message):
    """The chat model finished loading (or failed to: `error` says why)."""

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error


@dataclass(frozen=True, slots=True)
class AssistantState:
    """Where the app's assistant is, after these messages; the app owns it, the chat renders it."""

    phase: Literal["loading", "ready", "failed"] = "loading"
    assistant: Assistant | None = None
    """Who answers; a store that fails to reopen after an ingest leaves the previous one."""
    documents: int = 0
    chunks: int = 0
    warming: bool = False
    """The chat model is still loading."""
    error: str | None = None
    """Why the last load failed, one line."""
    empty_store: bool = False
    """The load failed on an empty store (`StoreEmptyError`): nothing is ingested yet."""


class EvidenceArrived(Message):
    """Retrieval is done for a question: passages, best sentences, preliminary answer."""

    def __init__(self, turn: int, found: EvidenceFound) -> None:
        super().__init__()
        self.turn = turn
        self.found = found


class AnswerStreamed(Message):
    """A piece of the model's answer arrived."""

    def __init__(self, turn: int, text: str) -> None:
        super().__init__()
        self.turn = turn
        self.text = text


class AnswerCompleted(Message):
    """The verified answer is ready."""

    def __init__(self, turn: int, answer: Answer) -> None:
        super().__init__()
        self.turn = turn
        self.answer = answer


class AnswerFailed(Message):
    """Answering raised an error; `error` is one line, fit for a notice."""

    def __init__(self, turn: int, error: str) -> None:
        super().__init__()
        self.turn = turn
        self.error = error


class CitationSelected(Message):
    """The reader picked passage `n` of an answer (by click, number key or the sources list)."""

    def __init__(self, answer: Answer, n: int) -> None:
        super().__init__()
        self.answer = answer
        self.n = n


class DocumentLoaded(Message):
    """A cited document's text was fetched from the store."""

    def __init__(self, answer: Answer, n: int, text: str | None) -> None:
        super().__init__()
        self.answer = answer
        self.n = n
        self.text = text
