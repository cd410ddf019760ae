"""The typed events of one answer's stream: evidence first, then tokens, then the answer.

`Assistant.stream()` (`assistant/answer.py`) yields them; the CLI, the chat, the MCP server and
the evals consume the same stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.evidence import Evidence
    from assistant.retrieval import Retrieval
    from assistant.types import Answer


@dataclass(frozen=True, slots=True)
class EvidenceFound:
    """Retrieval is done: the passages, the best sentences, and the extractive answer."""

    retrieval: Retrieval
    evidence: tuple[Evidence, ...]
    preliminary: Answer


@dataclass(frozen=True, slots=True)
class TokenStreamed:
    """A piece of the model's answer, as it arrives (before verification)."""

    text: str


@dataclass(frozen=True, slots=True)
class AnswerReady:
    """The final, verified answer."""

    answer: Answer


Event = EvidenceFound | TokenStreamed | AnswerReady
