"""Typed results shared by every part of Veille: chunks, passages, citations, answers.

Front ends (the CLI, the TUI, the evals) render these objects and never parse model
output themselves. Every object is frozen and has one serialisation beside it: `to_dict()` is
the JSON shape that `veille ask --json` prints, `veille eval` stores and the conversation
history keeps, and `from_dict()` reads it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Mode = Literal["extractive", "local", "openai", "server"]
"""Which answerer produced an answer."""

ModeSetting = Literal["auto", "local", "openai", "server", "extractive"]
"""What `generation.mode` and `--mode` accept: a `Mode`, or `auto` to pick one."""

MODE_CHOICES: tuple[str, ...] = ("auto", "local", "openai", "server", "extractive")
"""`ModeSetting`'s values, for command-line choices."""

EXTRACTIVE_MODEL = "extractive (sentence scoring)"
"""The `model` named by answers that no language model wrote."""

CHUNKER_VERSION = "sentences-v2"
"""Identity of the chunking rules (ingest/chunking.py), recorded in the store's manifest: a
store chunked by other rules is refused until it is rebuilt. Bump it when chunk boundaries
change or what a chunk carries does (v2: each chunk's document title and date)."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A span of a loaded document, as stored in the index.

    Attributes:
        source: Document path relative to the ingested root.
        doc_id: Unique key of the document (its absolute path).
        text: The chunk's text, exactly `document_text[start:end]`.
        start: Character offset of the chunk in the document text.
        end: Character offset one past the chunk's last character.
        chunk_id: Deterministic id of the chunk in the store.
        title: The document's title ("" if unknown).
        date: The document's publication date, ISO cut to its precision ("" if unknown).
    """

    source: str
    doc_id: str
    text: str
    start: int
    end: int
    chunk_id: str = ""
    title: str = ""
    date: str = ""


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with its rank in each retriever and its fused score.

    Attributes:
        n: The citation number shown to the reader (1-based).
        chunk: The retrieved chunk.
        score: Fused reciprocal-rank score (higher is better).
        dense_rank: 1-based rank in the dense retriever, None if it did not return it.
        bm25_rank: 1-based rank in BM25, None if it did not return it.
        dense_similarity: Cosine similarity of the chunk to the question, if known.
        also_in: The sources of the other documents of its group of near copies (syndicated
            copies, reposts), which the results do not show again.
    """

    n: int
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_similarity: float | None = None
    also_in: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """The document path relative to the ingested root."""
        return self.chunk.source

    def to_dict(self) -> dict[str, Any]:
        """The `passages[]` entry of `veille ask --json`."""
        return {
            "n": self.n,
            "source": self.chunk.source,
            "doc_id": self.chunk.doc_id,
            "chunk_id": self.chunk.chunk_id,
            "text": self.chunk.text,
            "score": round(self.score, 6),
            "start": self.chunk.start,
            "end": self.chunk.end,
            "dense_rank": self.dense_rank,
            "bm25_rank": self.bm25_rank,
            "dense_similarity": (
                None if self.dense_similarity is None else round(self.dense_similarity, 4)
            ),
            "title": self.chunk.title,
            "date": self.chunk.date,
            "also_in": list(self.also_in),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        """The inverse of `to_dict`."""
        return cls(
            n=int(data["n"]),
            chunk=Chunk(
                source=data["source"],
                doc_id=data.get("doc_id", ""),
                text=data["text"],
                start=int(data["start"]),
                end=int(data["end"]),
                chunk_id=data.get("chunk_id", ""),
                title=data.get("title") or "",
                date=data.get("date") or "",
            ),
            score=float(data["score"]),
            dense_rank=data.get("dense_rank"),
            bm25_rank=data.get("bm25_rank"),
            dense_similarity=data.get("dense_similarity"),
            also_in=tuple(data.get("also_in") or ()),
        )


@dataclass(frozen=True, slots=True)
class Citation:
    """A quoted span that supports a claim: `document_text[start:end] == quote`.

    Attributes:
        n: The number of the passage it cites.
        source: Document path relative to the ingested root.
        chunk_id: Id of the cited chunk.
        quote: The exact quoted text.
        start: Character offset of the quote in the document text.
        end: Character offset one past the quote's end.
    """

    n: int
    source: str
    chunk_id: str
    quote: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """The `citations[]` entry of `veille ask --json`."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        """The inverse of `to_dict`."""
        return cls(**{f: data[f] for f in ("n", "source", "chunk_id", "quote", "start", "end")})


@dataclass(frozen=True, slots=True)
class Timings:
    """Wall-clock milliseconds of the phases of one answer."""

    retrieve: float = 0.0
    first_token: float | None = None
    total: float = 0.0

    def to_dict(self) -> dict[str, float | None]:
        """Rounded timings for JSON output (`timings_ms`)."""
        return {
            "retrieve": round(self.retrieve, 1),
            "first_token": None if self.first_token is None else round(self.first_token, 1),
            "total": round(self.total, 1),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timings:
        """The inverse of `to_dict`."""
        return cls(
            retrieve=float(data.get("retrieve", 0.0)),
            first_token=data.get("first_token"),
            total=float(data.get("total", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of one question.

    Attributes:
        question: The question as the user asked it.
        text: The answer text, with `[n]` markers (the JSON key is `answer`).
        refused: True when the corpus does not hold the answer.
        mode: Which answerer produced it.
        model: The model name (embedding-only answers name the extractive scorer).
        citations: The verified citations, in the order they appear.
        passages: The retrieved passages shown to the answerer.
        timings: Phase timings.
        standalone_question: The question after rewriting follow-ups, if it differs.
        notes: What verification changed (re-pointed or dropped citations).
        prompt: The exact prompt sent to the model, if any (for the inspector).
        prompt_tokens: The prompt's token count, if known.
        kind: What kind of answer the question asked for (`assistant.kinds.QuestionKind`:
            "fact", "list", "summary", "comparison", "explanation" or "corpus").
        confidence: The calibrated probability that the evidence answers right
            (`assistant.confidence`), for a question that reached the evidence step.
        signals: What that confidence was computed from, by name.
    """

    question: str
    text: str
    refused: bool
    mode: Mode
    model: str
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    timings: Timings = field(default_factory=Timings)
    standalone_question: str | None = None
    notes: tuple[str, ...] = ()
    prompt: str | None = None
    prompt_tokens: int | None = None
    kind: str = "fact"
    confidence: float | None = None
    signals: Mapping[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The object `veille ask --json` prints (a public contract: keys are only added)."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "model": self.model,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "timings_ms": self.timings.to_dict(),
            "standalone_question": self.standalone_question,
            "notes": list(self.notes),
            "prompt_tokens": self.prompt_tokens,
            "prompt": self.prompt,
            "kind": self.kind,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "signals": None if self.signals is None else dict(self.signals),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """The inverse of `to_dict` (extra keys, such as an eval row's metrics, are ignored)."""
        return cls(
            question=data["question"],
            text=data["answer"],
            refused=bool(data["refused"]),
            mode=data["mode"],
            model=data["model"],
            citations=tuple(Citation.from_dict(c) for c in data.get("citations", ())),
            passages=tuple(Passage.from_dict(p) for p in data.get("passages", ())),
            timings=Timings.from_dict(data.get("timings_ms") or {}),
            standalone_question=data.get("standalone_question"),
            notes=tuple(data.get("notes", ())),
            prompt=data.get("prompt"),
            prompt_tokens=data.get("prompt_tokens"),
            kind=str(data.get("kind") or "fact"),
            confidence=data.get("confidence"),
            signals=data.get("signals"),
        )


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file that ingest could not use, and why (one line)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one `veille ingest` run changed in the store."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: tuple[SkippedFile, ...] = ()
    notes: tuple[SkippedFile, ...] = ()
    """Files ingested with a caveat (an encoding guessed with low confidence)."""
    chunks_added: int = 0
    chunks_deleted: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """The one-line summary printed at the end of a run."""
        return (
            f"{self.added} added, {self.updated} updated, {self.deleted} deleted, "
            f"{len(self.skipped)} skipped ({self.unchanged} unchanged; "
            f"{self.chunks_added} chunks embedded, {self.chunks_deleted} removed) "
            f"in {self.seconds:.1f}s"
        )
