"""Evidence that covers: the points of a list, summary, comparison or explanation answer.

A fact question is answered by its best sentence (`assistant/evidence.py`). A list or a summary
needs one sentence per point: the document's own numbered points when it has them ("1/ ..."),
else the best sentences chosen for relevance and diversity (maximal marginal relevance), in
document order for a summary of one article; a comparison gets the best sentences of each side,
each side retrieved on its own. Every point is an exact span of a stored document, so every
bullet of the answer is cited and checkable like a single fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.analysis import analyse, fold
from assistant.announcements import follow_announcements
from assistant.evidence import Evidence, score_sentences
from assistant.meaning import SentenceVectors, by_meaning
from assistant.points import Coverage, Point, keep_cited, merge_passages, points_at
from assistant.selection import makes_a_point, mmr, spread
from assistant.sides import about, asked_dimensions, by_dimension, comparison_sides, without
from assistant.structure import (
    asked_heading,
    heading_with_sentence,
    is_heading,
    numbered_points,
    paragraph_of,
    section_spans,
    with_continuations,
)
from assistant.topics import about_topic

if TYPE_CHECKING:
    from assistant.sections import CoverageSettings
    from assistant.store import Store
    from assistant.types import Passage

LONG_KINDS = frozenset({"list", "summary", "comparison", "explanation"})
"""The question kinds answered as bullets, one per point."""

# Words that say the question wants the document's own points.
_POINTS_WORDS = re.compile(
    r"\b(points?|etapes?|raisons?|lecons?|cles?|piliers?|axes?|steps?|reasons?|takeaways?|"
    r"lessons?|keys?|pillars?)\b"
)
_SUMMARY_OF_ONE = re.compile(
    r"\b(resume|resumer|resumez|synthetise|summari[sz]e|summary of)\b.*\b(article|texte|"
    r"document|papier|story|piece)\b"
)
_FIGURES_WORDS = re.compile(r"\b(chiffres?|montants?|figures?|numbers?|amounts?|statisti\w*)\b")


Retrieve = Callable[[str, int], Sequence["Passage"]]
"""Retrieval of a question's best passages, as many as the second argument asks."""


def cover(
    kind: str,
    question: str,
    evidence: list[Evidence],
    passages: tuple[Passage, ...],
    *,
    store: Store,
    policy: CoverageSettings,
    retrieve: Retrieve | None = None,
) -> Coverage:
    """The points that answer a `kind` question (one of `LONG_KINDS`) from its evidence.

    Args:
        kind: The question's kind.
        question: The standalone question.
        evidence: The question's scored sentences, best first.
        passages: The retrieved passages (citation numbers 1..k).
        store: Where whole documents are read (numbered points, summaries).
        policy: The budgets and the diversity trade-off.
        retrieve: Retrieval for one side of a comparison, and of more passages than
            `passages` for the other kinds; without it, only `evidence` is read.
    """
    folded = fold(question)
    evidence = with_continuations(evidence)
    if kind in ("list", "summary") and passages:
        numbered = _numbered(folded, passages, store, policy)
        if numbered is not None:
            return numbered
    if kind == "summary" and passages and _SUMMARY_OF_ONE.search(folded):
        return _summary_of_document(question, passages, store, policy)
    if kind == "comparison":
        sides = comparison_sides(question)
        if len(sides) >= 2:  # a comparison has two sides or more
            return _comparison(question, sides, evidence, passages, store, policy, retrieve)
    budget = {
        "list": policy.list_points,
        "summary": policy.summary_points,
        "explanation": policy.explanation_points,
    }.get(kind, 2 * policy.comparison_points)  # a comparison whose sides went unnamed
    if kind != "comparison" and passages:
        asked = _asked_section(question, passages, store, max(budget, policy.list_points))
        if asked is not None:
            return asked
    pool = passages
    if retrieve is not None and policy.passages > len(passages):
        # Points are spread over articles: a topic's second article may rank below k.
        pool = merge_passages(passages, retrieve(question, policy.passages))
        if len(pool) > len(passages):
            evidence = with_continuations(score_sentences(question, pool))
    if _FIGURES_WORDS.search(folded):
        evidence = _figures_first(evidence)
    on_subject = _on_subject(question, pool, store)
    if kind == "summary" and on_subject:
        # A topic summary reads the articles about the topic, not those that only mention it.
        on_subject = about_topic(question, on_subject, store, policy.topic_share) or on_subject
    chosen = spread(
        evidence,
        budget,
        policy.diversity,
        policy.min_relevance,
        document_share=policy.document_share,
        documents=policy.documents,
        on_subject=on_subject,
    )
    if kind == "summary":
        # A topic told across articles reads in their order: the dated first, oldest first.
        chosen.sort(key=lambda ev: (ev.passage.chunk.date or "9999", ev.passage.n, ev.start))
    return _with_sections(
        question, chosen, pool, store, shown=len(passages), listing=kind == "list"
    )


def _on_subject(question: str, passages: Sequence[Passage], store: Store) -> frozenset[str]:
    """The documents among `passages` that name most of what the question names.

    "Compare les deux incidents ayant touché EgyptAir" is about the articles naming EgyptAir,
    not a flood article that shares "touché"; empty when no document names any of them.
    """
    from assistant.questions import question_names

    names = [fold(" ".join(name)) for name in question_names(question)]
    if not names:
        return frozenset()
    held: dict[str, int] = {}
    for p in passages:
        doc_id = p.chunk.doc_id
        if doc_id not in held:
            text = fold(store.document_text(doc_id) or p.chunk.text)
            held[doc_id] = sum(name in text for name in names)
    most = max(held.values(), default=0)
    return frozenset(d for d, n in held.items() if n == most and most > 0)


def _figures_first(evidence: list[Evidence]) -> list[Evidence]:
    """A question for figures ranks sentences that have some above those that do not."""
    from assistant.numbers import numbers

    return sorted(evidence, key=lambda ev: (not numbers(ev.text), -ev.score))


def _with_sections(
    question: str,
    chosen: Sequence[Evidence],
    passages: tuple[Passage, ...],
    store: Store,
    *,
    shown: int,
    listing: bool = False,
) -> Coverage:
    """The chosen sentences as points; a chosen heading stands for the section under it.

    "Les concurrents d'Alibaba tentent aussi de conquérir les campagnes" says what follows: the
    drone deliveries and the funding round are the next sentences, perhaps in the next chunk,
    so they are read from the whole document and each is a point labelled by the heading.
    With `listing` (a list question), a point that announces items it does not name
    ("Plusieurs candidats ont été recalés.") stands for the sentences of its paragraph after it.
    """
    merged = passages
    points: list[Point] = []
    seen: set[tuple[str, int]] = {(ev.passage.chunk.doc_id, ev.start) for ev in chosen}
    for ev in chosen:
        chunk = ev.passage.chunk
        if not is_heading(chunk.text, ev.start - chunk.start, ev.end - chunk.start):
            points.append(Point(ev))
            continue
        text = store.document_text(chunk.doc_id) or ""
        spans = section_spans(text, ev.end, question)
        section = [(a, b) for a, b in spans if (chunk.doc_id, a) not in seen]
        added, merged = points_at(
            chunk.doc_id, text, section, merged, store, label=ev.text, score=ev.score
        )
        seen.update((chunk.doc_id, pt.evidence.start) for pt in added)
        points.extend(added or [Point(ev)])
    if listing:
        points, merged = follow_announcements(points, merged, store, seen)
    return keep_cited(points, merged, shown)


def _asked_section(
    question: str, passages: tuple[Passage, ...], store: Store, budget: int
) -> Coverage | None:
    """The sentences under the heading the question names, in one of the top documents.

    "Quels chiffres ... pour illustrer l'expansion d'Alibaba ?" asks for the section "1/
    L'expansion d'Alibaba": its sentences, up to `budget`, are the points, labelled by it.
    The author bounded the section, so a why-question gets it whole too (the list budget).
    """
    best: tuple[float, int, str, str, int, int] | None = None
    docs: list[str] = []
    for p in passages[:3]:
        if p.chunk.doc_id not in docs:
            docs.append(p.chunk.doc_id)
    for rank, doc_id in enumerate(docs):
        text = store.document_text(doc_id) or ""
        found = asked_heading(question, text)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], -rank, doc_id, text, found[1], found[2])
    if best is None:
        return None
    _, _, doc_id, text, start, end = best
    spans = section_spans(text, end, question, sentences=budget, paragraphs=budget)
    points, merged = points_at(doc_id, text, spans, passages, store, label=text[start:end])
    if not points:
        return None
    return keep_cited(points, merged, len(passages))


# -- the strategies ------------------------------------------------------------------------------


def _numbered(
    folded: str,
    passages: tuple[Passage, ...],
    store: Store,
    policy: CoverageSettings,
) -> Coverage | None:
    """The numbered points of the first top document that has them, if the question wants them."""
    wants_points = bool(_POINTS_WORDS.search(folded))
    docs: list[str] = []
    for p in passages[:3]:
        if p.chunk.doc_id not in docs:
            docs.append(p.chunk.doc_id)
    for rank, doc_id in enumerate(docs):
        if not wants_points and rank > 0:
            break  # an unasked-for structure only counts in the best document
        text = store.document_text(doc_id)
        if not text:
            continue
        spans = numbered_points(text)
        if not spans or (not wants_points and not _SUMMARY_OF_ONE.search(folded)):
            continue
        chunks = store.document_chunks(doc_id)
        merged = merge_passages(passages, chunks)
        by_chunk = {p.chunk.chunk_id: p for p in merged}
        points: list[Point] = []
        for start, end in spans[: max(policy.list_points, policy.summary_points)]:
            chunk = next((c for c in chunks if c.start <= start < c.end), None)
            if chunk is None:
                continue
            passage = by_chunk[chunk.chunk_id]
            stop = heading_with_sentence(text, start, end, chunk.end)
            points.append(
                Point(
                    Evidence(passage, start, stop, text[start:stop], 1.0),
                    label=text[start:end] if stop > end else "",
                    heading=True,
                )
            )
        if len(points) >= 3:
            return keep_cited(points, merged, len(passages))
    return None


def _summary_of_document(
    question: str, passages: tuple[Passage, ...], store: Store, policy: CoverageSettings
) -> Coverage:
    """The main sentences of the best document, in its order.

    A sentence is main when it shares the words the document repeats (centrality), carries
    figures or names, or opens the article (a news lead holds its main facts); the question's
    words count too, and MMR keeps the points distinct. Each paragraph first gives its main
    sentence, so a point made only in the last paragraph is not crowded out by the lead; the
    title, headings and bylines are not points.
    """
    from assistant.numbers import numbers

    doc_id = passages[0].chunk.doc_id
    merged = merge_passages(passages, store.document_chunks(doc_id))
    own = tuple(p for p in merged if p.chunk.doc_id == doc_id)
    scored = [ev for ev in score_sentences(question, own) if not _heading_evidence(ev)]
    words = {id(ev): set(analyse(ev.text)) for ev in scored}
    frequency: dict[str, int] = {}
    for terms in words.values():
        for term in terms:
            frequency[term] = frequency.get(term, 0) + 1
    order = {ev.start: i for i, ev in enumerate(sorted(scored, key=lambda e: e.start))}
    rescored: list[Evidence] = []
    for ev in scored:
        terms = words[id(ev)]
        central = sum(frequency[t] - 1 for t in terms) / (len(terms) + 8)
        lead = max(0.0, 0.3 - 0.05 * order[ev.start])
        facts = 0.2 if numbers(ev.text) else 0.0
        rescored.append(replace(ev, score=0.5 * ev.score + central + lead + facts))
    rescored.sort(key=lambda e: -e.score)
    text = store.document_text(doc_id) or ""
    firsts: dict[int, Evidence] = {}
    for ev in rescored:
        if makes_a_point(ev.text):
            firsts.setdefault(paragraph_of(text, ev.start), ev)
    budget = policy.summary_points
    # Every paragraph of the summarised article is on its topic: none is cut for relevance.
    chosen = mmr(list(firsts.values()), budget, policy.diversity, 0.0)
    rest = [ev for ev in rescored if ev not in chosen]
    chosen += mmr(
        rest, budget - len(chosen), policy.diversity, policy.min_relevance, chosen_before=chosen
    )
    chosen.sort(key=lambda e: e.start)
    return keep_cited([Point(ev) for ev in chosen], merged, len(passages))


def _comparison(
    question: str,
    sides: list[str],
    evidence: list[Evidence],
    passages: tuple[Passage, ...],
    store: Store,
    policy: CoverageSettings,
    retrieve: Retrieve | None,
) -> Coverage:
    """The best sentences about each side, each side retrieved with the question on its own.

    A side's sentences are ranked by the question's words and, when the store has its
    embedding model, by meaning too: "moves into physical stores" shares no word with
    "deux magasins… sans vendeurs".
    """
    merged = passages
    if retrieve is not None:
        for side in sides:
            merged = merge_passages(
                merged, retrieve(without(question, side, sides), policy.passages)
            )
    points: list[Point] = []
    taken: set[tuple[str, int]] = set()
    dimensions = asked_dimensions(question)
    embeddings = getattr(store, "embeddings", None)
    vectors = SentenceVectors(embeddings) if embeddings is not None else None
    for side in sides:
        # Each side's sentences are ranked by the question without the other sides' names,
        # so a sentence about this side and the topic comes before one naming every side.
        asked = without(question, side, sides)
        scored = with_continuations(score_sentences(asked, merged))
        theirs = [
            ev
            for ev in about(side, sides, scored)
            if (ev.passage.chunk.doc_id, ev.start) not in taken and not _heading_evidence(ev)
        ]
        if vectors is not None:
            theirs = by_meaning(
                asked,
                theirs,
                vectors,
                limit=policy.side_meaning_sentences,
                weight=policy.side_meaning_weight,
            )
        # The dimensions the question lists get a sentence each first, MMR the rest.
        picks = by_dimension(theirs, dimensions)
        budget = max(policy.comparison_points, len(dimensions))
        rest = [ev for ev in theirs if all(ev is not p for p in picks)]
        more = mmr(
            rest, budget - len(picks), policy.diversity, policy.min_relevance, chosen_before=picks
        )
        for ev in picks + more:
            taken.add((ev.passage.chunk.doc_id, ev.start))
            points.append(Point(ev, label=side))
    if not points:
        budget = 2 * policy.comparison_points
        chosen = mmr(evidence, budget, policy.diversity, policy.min_relevance)
        return Coverage(tuple(Point(ev) for ev in chosen), passages)
    return keep_cited(points, merged, len(passages))


def _heading_evidence(ev: Evidence) -> bool:
    chunk = ev.passage.chunk
    return is_heading(chunk.text, ev.start - chunk.start, ev.end - chunk.start)
