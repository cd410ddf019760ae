"""Evidence: the sentences of the retrieved passages that best answer the question.

This is the no-LLM answer (extractive mode), the evidence front ends show before a model's
first token, and the short context the local model is given (whole chunks would make its
compute-bound prefill slow). Scoring is lexical (IDF-weighted stems shared with the question),
plus the passage's rank, plus a bonus for numbers when the question asks for a quantity or a
date, so English questions over French text still find "22 magasins" for "how many stores".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.analysis import analyse, fold
from assistant.numbers import numbers
from assistant.text import sentence_spans
from assistant.types import Citation, Passage

_QUANTITY = re.compile(
    r"\b(combien|quel(le)?s? (est|sont) (le|la|les) (nombre|montant|chiffre|part|taille|prix)|"
    r"how (many|much)|what (is|was) the (number|amount|size|share|price)|quand|en quelle ann[ée]e|"
    r"when|what year|quel pourcentage|what percentage)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One sentence of a passage, scored for the question; offsets are in the document text."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float

    @property
    def n(self) -> int:
        """The citation number (that of the passage)."""
        return self.passage.n

    def citation(self) -> Citation:
        """This sentence as a citation."""
        chunk = self.passage.chunk
        return Citation(
            n=self.passage.n,
            source=chunk.source,
            chunk_id=chunk.chunk_id,
            quote=self.text,
            start=self.start,
            end=self.end,
        )


def _match(term: str, terms: set[str]) -> float:
    """Score how well *term* matches *terms*: 1 same stem, 0.7 a shared 5-letter prefix.

    The prefix match catches French/English cognates ("product"/"produit",
    "investing"/"investit"), so English questions find French sentences.
    """
    if term in terms:
        return 1.0
    if len(term) >= 5 and not term[0].isdigit():
        head = term[:5]
        if any(t.startswith(head) for t in terms):
            return 0.7
    return 0.0


def asks_quantity(question: str) -> bool:
    """Whether the question asks for a number, an amount or a date."""
    return bool(_QUANTITY.search(fold(question)) or _QUANTITY.search(question))


def score_sentences(question: str, passages: tuple[Passage, ...]) -> list[Evidence]:
    """Every sentence of the passages, best first (ties: passage order, then position)."""
    q_terms = set(analyse(question))
    sentences: list[tuple[Passage, int, int, str, set[str]]] = []
    for passage in passages:
        text = passage.chunk.text
        for a, b in sentence_spans(text):
            sentences.append((passage, a, b, text[a:b], set(analyse(text[a:b]))))
    if not sentences:
        return []
    # IDF over the candidate sentences: a word in every sentence says nothing.
    df: dict[str, int] = {}
    for *_, terms in sentences:
        for t in terms & q_terms:
            df[t] = df.get(t, 0) + 1
    n = len(sentences)
    idf = {t: math.log(1 + n / df.get(t, n)) for t in q_terms}
    total = sum(idf.values()) or 1.0
    wants_number = asks_quantity(question)
    q_numbers = numbers(question)
    scored: list[tuple[float, int, Evidence]] = []
    for order, (passage, a, b, text, terms) in enumerate(sentences):
        lexical = sum(idf[t] * _match(t, terms) for t in q_terms) / total
        prior = 0.25 / passage.n
        bonus = 0.0
        if wants_number and (numbers(text) - q_numbers):
            bonus = 0.3
        if len(text) < 25:  # titles and bylines are rarely answers
            bonus -= 0.3
        score = lexical + prior + bonus
        evidence = Evidence(
            passage=passage,
            start=passage.chunk.start + a,
            end=passage.chunk.start + b,
            text=text,
            score=score,
        )
        scored.append((score, order, evidence))
    scored.sort(key=lambda t: (-t[0], t[1]))
    unique: list[Evidence] = []
    seen: set[tuple[str, int]] = set()
    for _, _, ev in scored:
        key = (ev.passage.chunk.doc_id, ev.start)
        if key not in seen:  # overlapping chunks repeat sentences
            seen.add(key)
            unique.append(ev)
    return unique


def extractive_answer(
    evidence: list[Evidence], *, max_sentences: int = 2
) -> tuple[str, list[Citation]]:
    """The best sentence, and a second one if it scores nearly as well, each with `[n]`."""
    if not evidence:
        return "", []
    best = evidence[0].score
    chosen = [evidence[0], *(ev for ev in evidence[1:max_sentences] if ev.score >= 0.8 * best)]
    chosen.sort(key=lambda e: (e.n, e.start))
    text = " ".join(f"{ev.text} [{ev.n}]" for ev in chosen)
    return text, [ev.citation() for ev in chosen]
