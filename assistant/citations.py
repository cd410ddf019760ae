"""Check every citation of a generated answer against the passage it points to.

A sentence's `[n]` stands only if passage n supports it: the sentence's numbers all appear in the
passage, and its content words do too (for an answer in another language than the passage, its
names and numbers). An unsupported citation is re-pointed to a passage that does support the
sentence; a sentence no passage supports is dropped, and the answer says so. The quote of each
citation is the passage sentence that best matches the claim, with exact document offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import lexicon
from assistant.analysis import analyse, fold
from assistant.evidence import Evidence
from assistant.grounding import bound_figures_agree
from assistant.numbers import numbers
from assistant.prompts import CITATION_PATTERN, DROPPED_CLAIM_NOTE, REFUSAL_MARKER
from assistant.text import sentence_spans
from assistant.types import Citation, Passage


@dataclass(frozen=True, slots=True)
class Verified:
    """The answer after verification."""

    text: str
    citations: tuple[Citation, ...]
    repointed: int
    dropped: int
    notes: tuple[str, ...]


_ENTITY = re.compile(r"(?<!^)(?<![.!?]\s)\b([A-Z][\w.-]*[A-Za-z0-9])")


def _entities(sentence: str) -> set[str]:
    return {fold(m.group(1)) for m in _ENTITY.finditer(sentence.strip())}


def supports(
    claim: str, passage_text: str, *, same_language: bool = True, context: str | None = None
) -> float:
    """How well a passage supports a claim: 0 (not at all) to 1; >= 0.5 counts as support.

    Every name of the claim must appear in `context` (all the retrieved text; the passage
    itself when not given), its numbers in the passage. Across languages only names and
    numbers can be checked: "3.000 références y sont cataloguées" supports "3,000 items are
    listed in the Hema app" when another retrieved passage names Hema.
    """
    claim_numbers = numbers(claim)
    passage_numbers = numbers(passage_text)
    if claim_numbers - passage_numbers:
        return 0.0
    terms = set(analyse(CITATION_PATTERN.sub("", claim)))
    passage_terms = set(analyse(passage_text))
    overlap = len(terms & passage_terms) / len(terms) if terms else 0.0
    entities = _entities(CITATION_PATTERN.sub("", claim))
    folded = fold(context if context is not None else passage_text)

    def written(name: str) -> bool:
        # "China" in an English answer is written "Chine" in a French passage.
        return any(n in folded for n in {name, *lexicon.aliases(name)})

    if same_language:
        # A name the passage's document never mentions is the model's ("Hema compte 22
        # magasins à Hangzhou [1]" over a passage about Shanghai): not supported.
        if not all(written(e) for e in entities):
            return min(overlap, 0.25)
        return overlap
    if entities and all(written(e) for e in entities):
        return max(overlap, 0.75)
    if claim_numbers and not entities:
        return max(overlap, 0.6)
    return overlap


def _best_quote(
    claim: str, evidence: list[Evidence], n: int, same_language: bool
) -> Evidence | None:
    candidates = [ev for ev in evidence if ev.n == n]
    if not candidates:
        return None
    # Across languages most sentences score alike; the one that writes the claim's names wins.
    names = _entities(claim)
    return max(
        candidates,
        key=lambda ev: (
            supports(claim, ev.text, same_language=same_language),
            len(names & _words(ev.text)),
            ev.score,
        ),
    )


def _words(text: str) -> set[str]:
    """The folded words of a text, each with the other spellings of a place it names."""
    words = {w.strip(".-") for w in re.findall(r"[\w.-]+", fold(text))}
    return words.union(*(lexicon.aliases(w) for w in words))


def new_names(claim: str, question: str) -> set[str]:
    """The claim's names that its question does not name: what the claim adds, by name.

    Words capitalised in one language only (English months, nationalities, "Internet") are
    not names here: the corpus writes them otherwise.
    """
    asked = _words(question)
    return {
        e
        for e in _entities(CITATION_PATTERN.sub("", claim))
        if e not in asked and e not in lexicon.NOT_NAMES and not e[:1].isdigit()
    }


def _naming_quote(names: set[str], passage: Passage) -> Evidence | None:
    """The first sentence of a passage that writes all of `names`."""
    chunk = passage.chunk
    for a, b in sentence_spans(chunk.text):
        if names <= _words(chunk.text[a:b]):
            return Evidence(passage, chunk.start + a, chunk.start + b, chunk.text[a:b], 0.0)
    return None


def verify(
    answer: str,
    passages: tuple[Passage, ...],
    evidence: list[Evidence],
    *,
    language: str,
    passage_language: str = "fr",
    threshold: float = 0.5,
    bindings: bool = True,
    parse_bindings: bool = False,
    quote_numbers: bool = False,
    question: str | None = None,
) -> Verified:
    """Verify, re-point or drop each sentence's citations.

    Args:
        answer: The model's answer with `[n]` markers.
        passages: The retrieved passages (the only ones a citation may name).
        evidence: Scored sentences of those passages (quotes come from here).
        language: The answer's language.
        passage_language: The corpus language, to relax word matching across languages.
        threshold: The support score a passage must reach (`grounding.support`).
        bindings: Also require each figure of a claim to count, in its quote, the same kind of
            thing ("600 million employees" is not "600 millions de personnes").
        parse_bindings: With `bindings`, in a French claim over French passages, also require
            the figure to belong, in the quote's dependency parse, to the name that owns it in
            the claim ("Suning détient 23%" over "… 23% pour Tmall…, suivie de Suning").
        quote_numbers: Every number of a claim must be in its quote, the one sentence it is
            cited with, not just in the passage ("400 milliards … in 2016" where 400 and
            2016 are in two sentences about two things).
        question: With it, the names a claim adds to the question must be written in the
            sentence it is quoted with ("Gome Electrical Appliances [4]" is not supported by
            passage 4 because another retrieved passage names Gome): such a claim is
            re-pointed to the passage that names them, or dropped.
    """
    same = language == passage_language
    by_n = {p.n: p for p in passages}
    # Names are checked against everything retrieved: a two-article answer may name, in the
    # sentence citing one article, the company the other one is about.
    context = "\n".join(p.chunk.text for p in passages)

    def _quote(claim: str, n: int) -> Evidence | None:
        """The sentence a claim is quoted with.

        The best evidence sentence of passage n, or (with `question`) the passage's first
        sentence that writes the claim's new names.
        """
        quote = _best_quote(claim, evidence, n, same) or _fallback_quote(by_n[n])
        if question is None:
            return quote
        added = new_names(claim, question)
        if not added or (quote is not None and added <= _words(quote.text)):
            return quote
        return _naming_quote(added, by_n[n])

    def support(claim: str, n: int) -> float:
        score = supports(claim, by_n[n].chunk.text, same_language=same, context=context)
        if score < threshold:
            return score
        if quote_numbers and numbers(claim):
            held = _best_quote(claim, evidence, n, same)
            if held is None or numbers(claim) - numbers(held.text):
                return 0.0
        quote = _quote(claim, n)
        if question is not None and quote is None:
            return 0.0
        parsed = parse_bindings and same and passage_language == "fr"
        if (
            bindings
            and quote is not None
            and not bound_figures_agree(claim, quote.text, parse=parsed)
        ):
            return 0.0
        return score

    kept: list[str] = []
    citations: list[Citation] = []
    repointed = dropped = 0
    for a, b in sentence_spans(answer.replace(REFUSAL_MARKER, "")):
        sentence = answer[a:b].strip()
        claim = CITATION_PATTERN.sub("", sentence).strip()
        if not re.search(r"\w", claim):
            continue
        cited = [int(m) for m in CITATION_PATTERN.findall(sentence)]
        valid = [n for n in cited if n in by_n and support(claim, n) >= threshold]
        if not valid:
            ranked = sorted(
                by_n.values(),
                key=lambda p: -support(claim, p.n),
            )
            best = ranked[0] if ranked else None
            if best is not None and support(claim, best.n) >= threshold:
                valid = [best.n]
                repointed += 1 if cited else 0
            else:
                dropped += 1
                continue
        marks = ""
        for n in dict.fromkeys(valid):
            quote = _quote(claim, n)
            if quote is None:
                continue
            citation = quote.citation()
            if citation not in citations:
                citations.append(citation)
            marks += f" [{n}]"
        body = claim.rstrip()
        end = body[-1] if body[-1] in ".!?" else ""
        kept.append(body[: len(body) - len(end)].rstrip() + marks + (end or "."))
    notes: list[str] = []
    if repointed:
        notes.append(f"{repointed} citation(s) re-pointed to the passage that supports the claim")
    if dropped:
        notes.append(f"{dropped} unsupported sentence(s) removed")
    text = " ".join(kept)
    if dropped and kept:
        text += " " + DROPPED_CLAIM_NOTE.get(language, DROPPED_CLAIM_NOTE["en"])
    return Verified(text, tuple(citations), repointed, dropped, tuple(notes))


def _fallback_quote(passage: Passage) -> Evidence | None:
    spans = sentence_spans(passage.chunk.text)
    if not spans:
        return None
    a, b = spans[0]
    chunk = passage.chunk
    return Evidence(passage, chunk.start + a, chunk.start + b, chunk.text[a:b], 0.0)
