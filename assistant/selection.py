"""Which sentences make a long answer's points: relevance, novelty (MMR), spread over documents.

`assistant/coverage.py` decides where the points of a list, summary, comparison or explanation
come from; this module chooses among candidate sentences. Maximal marginal relevance trades a
sentence's score against its overlap with those already chosen. News on one topic is told in
several articles (a death toll that rises day after day, one laureate an article), so a
question whose evidence spans several documents first takes the best sentence of each
document that is nearly as relevant as the best one, and MMR fills the rest of the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.analysis import analyse
from assistant.structure import MIN_SENTENCE, is_dateline

if TYPE_CHECKING:
    from assistant.evidence import Evidence

SAME = 0.8
"""Word overlap (Jaccard) above which two sentences say the same thing."""


def mmr(
    candidates: Sequence[Evidence],
    k: int,
    diversity: float,
    min_relevance: float,
    *,
    chosen_before: Sequence[Evidence] = (),
) -> list[Evidence]:
    """Up to `k` sentences, each the best trade-off of relevance and novelty (MMR).

    Relevance is the sentence's score over the best one's; novelty is one minus its largest
    word overlap (Jaccard) with a sentence already chosen (`chosen_before` counts as chosen
    but is not returned). A sentence that repeats a chosen one (a syndicated copy, an
    overlapping chunk) is never chosen.
    """
    pool = [c for c in candidates if makes_a_point(c.text)]
    if not pool:
        return []
    best = max(c.score for c in pool)
    if best <= 0:
        return []
    pool = [c for c in pool if c.score >= min_relevance * best]
    words = {id(c): set(analyse(c.text)) for c in [*pool, *chosen_before]}
    before = list(chosen_before)
    chosen: list[Evidence] = []
    while pool and len(chosen) < k:

        def value(c: Evidence) -> float:
            overlap = max(
                (jaccard(words[id(c)], words[id(x)]) for x in [*before, *chosen]), default=0.0
            )
            return diversity * (c.score / best) - (1 - diversity) * overlap

        pick = max(pool, key=value)
        pool.remove(pick)
        if any(jaccard(words[id(pick)], words[id(x)]) > SAME for x in [*before, *chosen]):
            continue
        chosen.append(pick)
    return chosen


def spread(
    candidates: Sequence[Evidence],
    k: int,
    diversity: float,
    min_relevance: float,
    *,
    document_share: float,
    documents: int,
    on_subject: frozenset[str] | None = None,
) -> list[Evidence]:
    """Up to `k` sentences: the best of each relevant document first, then MMR over the rest.

    With `on_subject` (the documents that name what the question names), only their sentences
    are candidates and each of them is relevant; otherwise a document is relevant when its best
    sentence scores at least `document_share` of the best sentence overall. At most
    `documents` relevant documents (best first) give their best sentence before MMR chooses the
    remaining points, the first ones counting as already chosen.
    """
    pool = [c for c in candidates if makes_a_point(c.text)]
    if on_subject:
        pool = [c for c in pool if c.passage.chunk.doc_id in on_subject] or pool
    if not pool:
        return []
    top = max(c.score for c in pool)
    if top <= 0:
        return []
    share = 0.0 if on_subject else document_share
    firsts: dict[str, Evidence] = {}
    for ev in sorted(pool, key=lambda e: -e.score):
        if ev.score < share * top or len(firsts) >= min(documents, k):
            break
        firsts.setdefault(ev.passage.chunk.doc_id, ev)
    leads = mmr(list(firsts.values()), min(documents, k), 1.0, 0.0)
    rest = [c for c in pool if all(c is not x for x in leads)]
    return leads + mmr(rest, k - len(leads), diversity, min_relevance, chosen_before=leads)


def makes_a_point(text: str) -> bool:
    """A sentence, not a title, a byline, a dateline, a file id or a link line."""
    words = text.split()
    return (
        len(text) >= MIN_SENTENCE
        and len(words) >= 4
        and "://" not in text
        and not is_dateline(text)
        and sum(w[:1].isalpha() for w in words) >= len(words) / 2
    )


def jaccard(a: set[str], b: set[str]) -> float:
    """Word overlap of two sets: shared over all."""
    return len(a & b) / len(a | b) if a and b else 0.0
