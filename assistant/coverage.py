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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.analysis import analyse, fold
from assistant.evidence import Evidence, score_sentences
from assistant.questions import question_names
from assistant.text import sentence_spans

if TYPE_CHECKING:
    from assistant.sections import CoverageSettings
    from assistant.store import Store
    from assistant.types import Chunk, Citation, Passage

LONG_KINDS = frozenset({"list", "summary", "comparison", "explanation"})
"""The question kinds answered as bullets, one per point."""

# "1/ L'expansion d'Alibaba", "2. La philosophie du New Retail", "3) ..." at a line start.
_POINT = re.compile(r"^[ \t]*(\d{1,2})[ \t]*[/.)][ \t]+(\S[^\n]*)$", re.MULTILINE)
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
# What may stand between two compared names: "JD et Tmall", "Alibaba à celle de Walmart".
_JOINER = re.compile(
    r",?\s*(?:et|and|or|ou|vs\.?|versus|with|avec|to|compared to|au|aux)?\s*"
    r"(?:(?:a |and )?(?:celle|celui|ceux|that|those) (?:de|d'|of)|de|d'|of)?"
)
# A run of single words joined by "," and "et"/"and", each perhaps after "en", "de", "du"...
_ARTICLE = r"(?:(?:en|de|du|des|la|le|les|l'|d'|in|the|of)\s*)*"
_SIDE_WORD = r"(?:[^\W\d_]{3,}|\d{4})"
_JOINED_WORDS = re.compile(
    rf"(?<![\w'])(?:{_SIDE_WORD}\s*,\s*{_ARTICLE})*{_SIDE_WORD}\s+(?:et|and)\s+{_ARTICLE}"
    rf"{_SIDE_WORD}(?![\w'])"
)
_ELISION = re.compile(r"\b([dlDL])['’](?=[A-ZÀ-Ý])")
_MIN_SENTENCE = 25  # titles, bylines and captions are rarely points
_SAME = 0.8  # Jaccard overlap above which two sentences say the same thing


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

    def bullet(self) -> str:
        """The Markdown bullet, cited: `- **label** : sentence [n]`."""
        text = " ".join(self.evidence.text.split())
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


Retrieve = Callable[[str], Sequence["Passage"]]


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
        retrieve: Retrieval for one side of a comparison; without it, sides use `evidence`.
    """
    folded = fold(question)
    if kind in ("list", "summary") and passages:
        numbered = _numbered(folded, passages, store, policy)
        if numbered is not None:
            return numbered
    if kind == "summary" and passages and _SUMMARY_OF_ONE.search(folded):
        return _summary_of_document(question, passages, store, policy)
    if kind == "comparison":
        sides = comparison_sides(question)
        if len(sides) >= 2:  # a comparison has two sides or more
            return _comparison(question, sides, evidence, passages, policy, retrieve)
    budget = {
        "list": policy.list_points,
        "summary": policy.summary_points,
        "explanation": policy.explanation_points,
    }.get(kind, 2 * policy.comparison_points)  # a comparison whose sides went unnamed
    if _FIGURES_WORDS.search(folded):
        evidence = _figures_first(evidence)
    chosen = mmr(evidence, budget, policy.diversity, policy.min_relevance)
    if kind == "summary":
        # A topic told across articles reads in their order: the dated first, oldest first.
        chosen.sort(key=lambda ev: (ev.passage.chunk.date or "9999", ev.passage.n, ev.start))
    return _with_sections(question, chosen, passages, store)


def comparison_sides(question: str) -> list[str]:
    """The things a comparison compares: the longest run of names joined by "et", "and", ","...

    "Compare JD et Tmall sur le marché B2C" compares JD and Tmall, not B2C; "la croissance
    d'Alibaba à celle de Walmart" compares Alibaba and Walmart. Without such a run, the first
    two names; without two names, single words joined so ("en août et en octobre").
    """
    # "d'Alibaba" is the name Alibaba after an elided article.
    question = _ELISION.sub(r"\1' ", question)
    names = [" ".join(name) for name in question_names(question)]
    found: list[tuple[int, int, str]] = []
    cursor = 0
    for name in names:
        at = question.find(name, cursor)
        if at < 0:
            continue
        found.append((at, at + len(name), name))
        cursor = at + len(name)
    best: list[str] = []
    run: list[str] = []
    for i, (start, _end, name) in enumerate(found):
        gap = fold(question[found[i - 1][1] : start]).strip(" «»\"'’") if i else None
        if gap is not None and _JOINER.fullmatch(gap):
            run.append(name)
        else:
            run = [name]
        if len(run) > len(best):
            best = list(run)
    if len(best) >= 2:  # two sides at least
        return best
    if len(names) >= 2:
        return names[:2]
    return _joined_words(question)


def _joined_words(question: str) -> list[str]:
    """Sides that are not names, as single words joined by "et", "and" or commas.

    "En août et en octobre", "de physique et de chimie", "2016, 2017 et 2018" compare août
    and octobre, physique and chimie, three years.
    """
    match = _JOINED_WORDS.search(question)
    if match is None:
        return []
    parts = re.split(r"\s*(?:,|\bet\b|\band\b)\s*", match.group())
    return [bare for w in parts if (bare := re.sub(rf"^{_ARTICLE}", "", w).strip())]


def _figures_first(evidence: list[Evidence]) -> list[Evidence]:
    """A question for figures ranks sentences that have some above those that do not."""
    from assistant.numbers import numbers

    return sorted(evidence, key=lambda ev: (not numbers(ev.text), -ev.score))


def _with_sections(
    question: str, chosen: Sequence[Evidence], passages: tuple[Passage, ...], store: Store
) -> Coverage:
    """The chosen sentences as points; a chosen heading stands for the section under it.

    "Les concurrents d'Alibaba tentent aussi de conquérir les campagnes" says what follows: the
    drone deliveries and the funding round are the next sentences, perhaps in the next chunk,
    so they are read from the whole document and each is a point labelled by the heading.
    """
    merged = passages
    points: list[Point] = []
    seen: set[tuple[str, int]] = {(ev.passage.chunk.doc_id, ev.start) for ev in chosen}
    for ev in chosen:
        chunk = ev.passage.chunk
        if not _is_heading(chunk.text, ev.start - chunk.start, ev.end - chunk.start):
            points.append(Point(ev))
            continue
        text = store.document_text(chunk.doc_id) or ""
        section = [
            (a, b) for a, b in _section(text, ev.end, question) if (chunk.doc_id, a) not in seen
        ]
        chunks = store.document_chunks(chunk.doc_id) if section else []
        added = 0
        for a, b in section:
            home = next((c for c in chunks if c.start <= a and b <= c.end), None)
            if home is None:
                continue
            merged = merge_passages(merged, [home])
            passage = next(p for p in merged if p.chunk.chunk_id == home.chunk_id)
            seen.add((chunk.doc_id, a))
            points.append(Point(Evidence(passage, a, b, text[a:b], ev.score), label=ev.text))
            added += 1
        if not added:
            points.append(Point(ev))
    return _keep_cited(points, merged, len(passages))


def _section(text: str, after: int, question: str, sentences: int = 3) -> list[tuple[int, int]]:
    """The sentences under a heading that best answer the question, in document order.

    The section runs to the next heading (three paragraphs at most). A paragraph's first
    sentence says what it is about, so it counts a little more than the question's words alone.
    """
    wanted = set(analyse(question))
    found: list[tuple[float, int, int]] = []
    paragraphs = 0
    for a, b in sentence_spans(text, after, min(len(text), after + 3000)):
        if _is_heading(text, a, b):
            break
        lead = text[:a].rstrip(" \t").endswith("\n")
        paragraphs += lead
        if paragraphs > 3:
            break
        if b - a >= _MIN_SENTENCE:
            shared = len(wanted & set(analyse(text[a:b])))
            found.append((shared + 0.5 * lead - 0.01 * len(found), a, b))
    best = sorted(found, reverse=True)[:sentences]
    return sorted((a, b) for _, a, b in best)


def _is_heading(text: str, start: int, end: int) -> bool:
    """A short line of its own with no final punctuation: a title or a section heading."""
    line = text[start:end]
    own_line = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")
    return own_line and len(line) < 120 and not line.rstrip().endswith((".", "!", "?", "»", ":"))


def mmr(
    candidates: Sequence[Evidence], k: int, diversity: float, min_relevance: float
) -> list[Evidence]:
    """Up to `k` sentences, each the best trade-off of relevance and novelty (MMR).

    Relevance is the sentence's score over the best one's; novelty is one minus its largest
    word overlap (Jaccard) with a sentence already chosen. A sentence that repeats a chosen one
    (a syndicated copy, an overlapping chunk) is never chosen.
    """
    pool = [c for c in candidates if _makes_a_point(c.text)]
    if not pool:
        return []
    best = max(c.score for c in pool)
    if best <= 0:
        return []
    pool = [c for c in pool if c.score >= min_relevance * best]
    words = {id(c): set(analyse(c.text)) for c in pool}
    chosen: list[Evidence] = []
    while pool and len(chosen) < k:

        def value(c: Evidence) -> float:
            overlap = max((_jaccard(words[id(c)], words[id(x)]) for x in chosen), default=0.0)
            return diversity * (c.score / best) - (1 - diversity) * overlap

        pick = max(pool, key=value)
        pool.remove(pick)
        if any(_jaccard(words[id(pick)], words[id(x)]) > _SAME for x in chosen):
            continue
        chosen.append(pick)
    return chosen


def numbered_points(text: str) -> list[tuple[int, int]]:
    """The spans of a text's numbered headings ("1/ ...", "2. ...") without their numbers.

    Only the longest run numbered 1, 2, 3... in order counts; fewer than three is no structure.
    """
    best: list[re.Match[str]] = []
    run: list[re.Match[str]] = []
    for match in _POINT.finditer(text):
        number = int(match.group(1))
        if number == 1:
            run = [match]
        elif run and number == len(run) + 1:
            run.append(match)
        else:
            continue
        if len(run) > len(best):
            best = list(run)
    if len(best) < 3:
        return []
    return [(m.start(2), m.end(2)) for m in best]


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
            stop = _heading_with_sentence(text, start, end, chunk.end)
            points.append(
                Point(
                    Evidence(passage, start, stop, text[start:stop], 1.0),
                    label=text[start:end] if stop > end else "",
                    heading=True,
                )
            )
        if len(points) >= 3:
            return _keep_cited(points, merged, len(passages))
    return None


def _heading_with_sentence(text: str, start: int, end: int, limit: int) -> int:
    """Where a point's span ends: its heading, and the first sentence after it when short."""
    spans = sentence_spans(text, end, min(limit, end + 600))
    if not spans or end - start > 80:  # a long heading is its own sentence
        return end
    return spans[0][1]


def _summary_of_document(
    question: str, passages: tuple[Passage, ...], store: Store, policy: CoverageSettings
) -> Coverage:
    """The main sentences of the best document, in its order.

    A sentence is main when it shares the words the document repeats (centrality), carries
    figures or names, or opens the article (a news lead holds its main facts); the question's
    words count too, and MMR keeps the points distinct.
    """
    from assistant.numbers import numbers

    doc_id = passages[0].chunk.doc_id
    merged = merge_passages(passages, store.document_chunks(doc_id))
    own = tuple(p for p in merged if p.chunk.doc_id == doc_id)
    scored = score_sentences(question, own)
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
    chosen = mmr(rescored, policy.summary_points, policy.diversity, policy.min_relevance)
    chosen.sort(key=lambda e: e.start)
    return _keep_cited([Point(ev) for ev in chosen], merged, len(passages))


def _comparison(
    question: str,
    sides: list[str],
    evidence: list[Evidence],
    passages: tuple[Passage, ...],
    policy: CoverageSettings,
    retrieve: Retrieve | None,
) -> Coverage:
    """The best sentences about each side, each side retrieved with the question on its own."""
    merged = passages
    if retrieve is not None:
        for side in sides:
            others = [s for s in sides if s != side]
            query = question
            for other in others:
                query = query.replace(other, " ")
            merged = merge_passages(merged, retrieve(" ".join(query.split())))
    scored = score_sentences(question, merged) if merged is not passages else evidence
    points: list[Point] = []
    taken: set[tuple[str, int]] = set()
    for side in sides:
        key = fold(side)
        about = [
            ev
            for ev in scored
            if key in fold(ev.text) and (ev.passage.chunk.doc_id, ev.start) not in taken
        ]
        for ev in mmr(about, policy.comparison_points, policy.diversity, policy.min_relevance):
            taken.add((ev.passage.chunk.doc_id, ev.start))
            points.append(Point(ev, label=side))
    if not points:
        budget = 2 * policy.comparison_points
        chosen = mmr(evidence, budget, policy.diversity, policy.min_relevance)
        return Coverage(tuple(Point(ev) for ev in chosen), passages)
    return _keep_cited(points, merged, len(passages))


def _keep_cited(points: Sequence[Point], passages: tuple[Passage, ...], retrieved: int) -> Coverage:
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


def _makes_a_point(text: str) -> bool:
    """A sentence, not a title, a byline, a file id or a link line."""
    words = text.split()
    return (
        len(text) >= _MIN_SENTENCE
        and len(words) >= 4
        and "://" not in text
        and sum(w[:1].isalpha() for w in words) >= len(words) / 2
    )


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
