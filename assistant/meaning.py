"""Ranking a few candidate sentences by meaning, with the store's multilingual embedding model.

The lexical score (`assistant/evidence.py`) counts the question's words in a sentence; an
English question over French articles ("moves into physical stores") shares none with the
sentence that answers it ("deux magasins… sans vendeurs"). The e5 model that retrieval uses
compares meanings across languages: `by_meaning` adds to each candidate's score how much
closer its vector is to the query's than the other candidates' are. Only the best few
candidates by lexical score are embedded (each costs ~10 ms on two cores), and a vector is
computed once per answer whichever side or query reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.evidence import Evidence


class SentenceVectors:
    """The vectors of the sentences and queries of one answer, each embedded once."""

    def __init__(self, embeddings: Embeddings) -> None:
        """Wrap the store's embedding model."""
        self.embeddings = embeddings
        self._passages: dict[str, list[float]] = {}
        self._queries: dict[str, list[float]] = {}

    def passages(self, texts: Sequence[str]) -> list[list[float]]:
        """The vectors of `texts` as e5 passages, embedding only those not seen before."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._passages))
        if missing:
            for text, vector in zip(missing, self.embeddings.embed_documents(missing), strict=True):
                self._passages[text] = vector
        return [self._passages[t] for t in texts]

    def query(self, text: str) -> list[float]:
        """The vector of `text` as an e5 query."""
        if text not in self._queries:
            self._queries[text] = self.embeddings.embed_query(text)
        return self._queries[text]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = (sum(x * x for x in a) * sum(y * y for y in b)) ** 0.5
    return dot / norm if norm else 0.0


def by_meaning(
    query: str,
    candidates: Sequence[Evidence],
    vectors: SentenceVectors,
    *,
    limit: int,
    weight: float,
) -> list[Evidence]:
    """The candidates, the best `limit` by score re-scored by meaning, best first.

    e5 cosines of one query to sentences of one topic sit in a narrow band (0.78–0.90), so
    what counts is where a sentence's cosine lies between the lowest and the highest of the
    candidates: the closest gains `weight`, the farthest nothing. Candidates past `limit`
    keep their score (they were far below on words already).
    """
    ranked = sorted(candidates, key=lambda ev: -ev.score)
    head, tail = ranked[:limit], ranked[limit:]
    if len(head) < 2 or weight <= 0:
        return ranked
    asked = vectors.query(query)
    cosines = [_cosine(asked, v) for v in vectors.passages([ev.text for ev in head])]
    low, high = min(cosines), max(cosines)
    spread = high - low
    if spread <= 0:
        return ranked
    rescored = [
        replace(ev, score=ev.score + weight * (c - low) / spread)
        for ev, c in zip(head, cosines, strict=True)
    ]
    rescored.sort(key=lambda ev: -ev.score)
    return rescored + tail
