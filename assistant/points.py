"""A long answer's points: each bullet's cited sentence, and the passages the bullets cite.

`assistant/coverage.py` chooses the points of a list, summary, comparison or explanation; a
`Point` is one exact span of a stored document and renders as one cited Markdown bullet, and
`Coverage` holds the points with the passages they cite, numbered with no gap after the
retrieved ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.evidence import Evidence

if TYPE_CHECKING:
    from assistant.store import Store
    from assistant.types import Chunk, Citation, Passage


@dataclass(frozen=True, slots=True)
class Point:
    """One bullet: the sentence that makes it (the cited span) and its label, if any.

    Attributes:
        evidence: The cited span, exactly `document_text[start:end]`.
        label: A heading the span starts with or belongs to, or the side of a comparison.
        heading: Whether the span starts with `label` (a numbered point and its sentence).
    """

    evidence: Evidence
    label: str = ""
    heading: bool = False

    def bullet(self, text: str | None = None) -> str:
        """The Markdown bullet, cited: `- **label** : sentence [n]` (or `text` for the sentence).

        `text` is the model's shortening of the sentence (`assistant/bullets.py`); the
        citation stays the sentence's.
        """
        text = " ".join((self.evidence.text if text is None else text).split())
        if not self.label:
            return f"- {text} [{self.evidence.n}]"
        head = " ".join(self.label.split())
        if self.heading and text.startswith(head):  # the span starts with its own heading
            rest = text[len(head) :].lstrip(" :—-")
            text = f"**{head}** : {rest}" if rest else f"**{head}**"
        else:
            text = f"**{head}** : {text}"
        return f"- {text} [{self.evidence.n}]"

    def citation(self) -> Citation:
        """The point's citation."""
        return self.evidence.citation()


@dataclass(frozen=True, slots=True)
class Coverage:
    """The points of one answer and the passages they cite (retrieved, and added for it)."""

    points: tuple[Point, ...]
    passages: tuple[Passage, ...]

    def text(self) -> str:
        """The answer as Markdown bullets, one line each."""
        return "\n".join(p.bullet() for p in self.points)

    def citations(self) -> tuple[Citation, ...]:
        """One citation per bullet, in bullet order."""
        return tuple(p.citation() for p in self.points)


def merge_passages(
    passages: Sequence[Passage], more: Sequence[Passage | Chunk]
) -> tuple[Passage, ...]:
    """`passages`, then those of `more` not already there, numbered on from the last one."""
    from assistant.types import Chunk, Passage

    out = list(passages)
    seen = {p.chunk.chunk_id or (p.chunk.doc_id, p.chunk.start) for p in out}
    for item in more:
        passage = Passage(n=0, chunk=item, score=0.0) if isinstance(item, Chunk) else item
        key = passage.chunk.chunk_id or (passage.chunk.doc_id, passage.chunk.start)
        if key in seen:
            continue
        seen.add(key)
        out.append(replace(passage, n=len(out) + 1))
    return tuple(out)


def keep_cited(points: Sequence[Point], passages: tuple[Passage, ...], retrieved: int) -> Coverage:
    """The points with the retrieved passages, and of the added ones only those a point cites.

    Added passages are numbered on from the retrieved ones in the order the points cite them,
    so the sources pane shows no gap.
    """
    keep = list(passages[:retrieved])
    renumbered: dict[int, Passage] = {p.n: p for p in keep}
    for point in points:
        n = point.evidence.n
        if n not in renumbered:
            renumbered[n] = replace(point.evidence.passage, n=len(keep) + 1)
            keep.append(renumbered[n])
    moved = tuple(
        replace(pt, evidence=replace(pt.evidence, passage=renumbered[pt.evidence.n]))
        for pt in points
    )
    return Coverage(moved, tuple(keep))


def points_at(
    doc_id: str,
    text: str,
    spans: Sequence[tuple[int, int]],
    passages: tuple[Passage, ...],
    store: Store,
    *,
    label: str,
    score: float = 1.0,
) -> tuple[list[Point], tuple[Passage, ...]]:
    """Points for spans of one document, each citing the chunk that holds it (added if new)."""
    chunks = store.document_chunks(doc_id) if spans else []
    merged = passages
    points: list[Point] = []
    for a, b in spans:
        home = next((c for c in chunks if c.start <= a and b <= c.end), None)
        if home is None:
            continue
        merged = merge_passages(merged, [home])
        passage = next(p for p in merged if p.chunk.chunk_id == home.chunk_id)
        points.append(Point(Evidence(passage, a, b, text[a:b], score), label=label))
    return points, merged
