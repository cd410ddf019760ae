"""What a question asks for, and whether a sentence gives it: the answer-type and binding checks.

A sentence that shares the question's words is not an answer unless it holds what the question
asks for, bound to the right thing. "Combien de drones JD.com utilise-t-il ?" wants a figure
that counts drones; "JD.com expérimente la livraison par drone dans trois provinces" has a
figure, but it counts provinces. `expect(question)` reads the expected answer type and its
focus (the thing counted) from the question, in French or English; `figures(sentence)` finds
each figure with the noun it is bound to ("22 magasins", "712,2 millions de dollars",
"17,3% des ventes"); `gives(expectation, sentence)` says whether the sentence answers.

Rules, not a model: French puts a figure before what it counts, so the noun after the figure
(past multipliers and "de") is what it counts; a noun just before it ("une clientèle de 2
milliards") counts too. Nouns match by stem, close spelling, or a group of `lexicon.GROUPS`,
which is also what carries an English question over French text. The checks run in every mode,
the extractive one included, and feed the refusal decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, Literal

from assistant import lexicon
from assistant.analysis import STOP_WORDS, analyse, fold

Kind = Literal["quantity", "date", "who", "place", "name", "other"]

_TOKEN: Final = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d+)*|%|[^\W\d_]+(?:['’][^\W\d_]+)?")
_YEAR: Final = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTH_NAMES: Final = (
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre "
    "january february march april may june july august september october november december"
)
_MONTHS: Final = frozenset(_MONTH_NAMES.split())
_LINKS: Final = frozenset({"de", "d", "des", "du", "of", "en"})

# Question forms, on folded text. The first group is the focus where there is one.
_QUANTITY_FOCUSED: Final = (
    re.compile(r"\bcombien (?:de |d['’]|d )(?:l['’])?([a-z-]+)"),
    re.compile(r"\bhow many ([a-z-]+)"),
    re.compile(
        r"\b(?:quel(?:le)?s?|what) (?:est|etait|sont|is|was|are) (?:le |la |les |the )?"
        r"(?:nombre|number|total) (?:de |d['’]|des |du |of )(?:l['’]|the )?([a-z-]+)"
    ),
)
_SHARE: Final = re.compile(
    r"\b(?:quelle part|quel pourcentage|quelle proportion|what share|what percentage|"
    r"what proportion|how much of)\b"
)
_QUANTITY: Final = re.compile(
    r"\b(combien|how much|how many|quel montant|what amount|quel chiffre|quel prix|"
    r"what price|how long|how far|combien de temps)\b"
)
_DATE: Final = re.compile(
    r"\b(quand|en quelle annee|quelle annee|a quelle date|quel jour|depuis quand|when|"
    r"what year|which year|what date|on what day)\b"
)
_WHO: Final = re.compile(
    r"^(?:qui|who)\b|\b(?:quelle (?:entreprise|societe|firme|compagnie)|quel groupe|"
    r"which (?:company|firm|group|investor)|who)\b"
)
# "où" is matched before folding: folded, it is "ou" (or).
_WHERE: Final = re.compile(r"(?:^|\s|d['’])où\b")
_PLACE: Final = re.compile(
    r"\b(?:where|dans quelle ville|quelle ville|quel pays|which city|"
    r"which country|dans quel pays|in which city|in which country)\b"
)
_NAME: Final = re.compile(
    r"\b(?:quel (?:est le )?nom|comment s['’]appelle|comment se nomme|what is the name|"
    r"what name|how is .* called)\b"
)


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a question asks for.

    Attributes:
        kind: The answer type.
        focus: The stems of what a quantity must count ("magasin"), synonyms and translations
            included; empty when the question does not say ("Combien investit Alibaba ?").
        focus_word: The focus as the question wrote it, for messages.
        share: The question asks for a share or a percentage.
    """

    kind: Kind
    focus: frozenset[str] = field(default_factory=frozenset)
    focus_word: str = ""
    share: bool = False


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure of a sentence and the nouns it is bound to (stems), with its offsets."""

    start: int
    end: int
    text: str
    bound: frozenset[str]


def expect(question: str) -> Expectation:
    """The answer type a question asks for, and the focus of a quantity."""
    q = fold(question).replace("’", "'")
    for pattern in _QUANTITY_FOCUSED:
        match = pattern.search(q)
        if match:
            word = match.group(1)
            return Expectation("quantity", related_stems(word), word, share=bool(_SHARE.search(q)))
    if _SHARE.search(q):
        return Expectation("quantity", related_stems("pourcentage"), "%", share=True)
    if _DATE.search(q):
        return Expectation("date")
    if _QUANTITY.search(q):
        return Expectation("quantity")
    if _NAME.search(q):
        return Expectation("name")
    if _WHO.search(q):
        return Expectation("who")
    if _WHERE.search(question.lower()) or _PLACE.search(q):
        return Expectation("place")
    return Expectation("other")


@lru_cache(maxsize=4096)
def related_stems(word: str) -> frozenset[str]:
    """The stems of `word` and of every word of its `lexicon.GROUPS` group."""
    stems = set(_stems(word))
    for group in _groups():
        if stems & group:
            stems |= group
    return frozenset(stems)


@lru_cache(maxsize=1)
def _groups() -> tuple[frozenset[str], ...]:
    return tuple(
        frozenset(s for w in line.split() for s in _stems(w))
        for line in lexicon.GROUPS.strip().splitlines()
    )


def _stems(word: str) -> list[str]:
    folded = fold(word)
    stems = analyse(folded) or [folded]
    # English plurals: the French stemmer leaves "stores" as "stor"; "store" gives "stor" too.
    if folded.endswith("s") and len(folded) > 3:
        stems += analyse(folded[:-1]) or [folded[:-1]]
    return stems


def _is_number(token: str) -> bool:
    return token[0].isdigit() or fold(token) in lexicon.NUMBER_WORDS


def figures(sentence: str) -> list[Figure]:
    """Each figure of a sentence with the nouns it counts (and the unit it is in)."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(sentence)]
    found: list[Figure] = []
    for i, (a, b, text) in enumerate(tokens):
        if not _is_number(text) or (i > 0 and _is_number(tokens[i - 1][2])):
            continue
        if _YEAR.fullmatch(text):
            continue  # a year dates something; it counts nothing
        bound: set[str] = set()
        j = i + 1
        # Past further number words, multipliers and "de" ("712,2 millions de dollars").
        while j < len(tokens) and (
            _is_number(tokens[j][2])
            or fold(tokens[j][2]) in lexicon.MULTIPLIERS
            or fold(tokens[j][2]) in _LINKS
        ):
            j += 1
        while j < len(tokens):
            word = fold(tokens[j][2])
            if word == "%":
                bound.add("%")
                bound |= related_stems("pourcentage")
                j += 1
            elif word in STOP_WORDS or word in _LINKS:
                j += 1
                continue
            else:
                bound.update(_stems(word))
                j += 1
            # After a unit, what it measures: "17,3% des ventes", "dollars de chiffre".
            if (word in lexicon.CURRENCIES or word == "%") and (
                j + 1 < len(tokens) and fold(tokens[j][2]) in _LINKS
            ):
                nxt = fold(tokens[j + 1][2])
                if nxt not in STOP_WORDS and not _is_number(nxt):
                    bound.update(_stems(nxt))
            break
        # A noun just before ("une clientèle de 2 milliards", "un effectif de 500").
        k = i - 1
        if k >= 0 and fold(tokens[k][2]) in _LINKS:
            k -= 1
            if k >= 0 and fold(tokens[k][2]) not in STOP_WORDS:
                bound.update(_stems(tokens[k][2]))
        found.append(Figure(a, b, text, frozenset(bound)))
    return found


def _related(stems: frozenset[str], wanted: frozenset[str]) -> bool:
    if stems & wanted:
        return True
    # Close spellings and cognates ("drone"/"dron", "kilometer"/"kilometr"): a shared
    # five-letter beginning, but only between words no group of the lexicon knows, so that
    # "personnes" (people) never passes for "personnel" (staff).
    known = _known()
    return any(
        len(s) >= 5 and len(w) >= 5 and s[:5] == w[:5] and s not in known and w not in known
        for s in stems
        for w in wanted
    )


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset().union(*_groups())


def has_date(sentence: str) -> bool:
    """Whether a sentence states a date: a year, or a month name."""
    if _YEAR.search(sentence):
        return True
    return any(fold(w) in _MONTHS for w in re.findall(r"[^\W\d_]+", sentence))


def has_name(sentence: str, question: str) -> bool:
    """Whether a sentence names someone or something the question does not already name."""
    asked = {fold(w) for w in re.findall(r"[\w.-]+", question)}
    words = re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w.-]*[A-Za-z0-9]", sentence.strip())
    return any(fold(w) not in asked and fold(w) not in STOP_WORDS for w in words)


def gives(expectation: Expectation, sentence: str, question: str = "") -> bool:
    """Whether a sentence holds what the question asks for (its type, bound to its focus)."""
    kind = expectation.kind
    if kind == "quantity":
        found = figures(sentence)
        if not found:
            return False
        if not expectation.focus:
            return True
        return any(_related(f.bound, expectation.focus) for f in found)
    if kind == "date":
        return has_date(sentence)
    if kind in ("who", "name", "place"):
        return has_name(sentence, question) if question else True
    return True


def bound_figures_agree(claim: str, quote: str) -> bool:
    """Whether every figure of a claim counts, in the quote, the same kind of thing.

    "Alibaba has 600 million employees [1]" over "600 millions de personnes" does not agree:
    the quote's 600 million counts people, the claim's counts employees. A figure of the claim
    with no noun ("22 [1]") or a quote figure with no noun agrees with anything.
    """
    quote_figures = figures(quote)
    for figure in figures(claim):
        if not figure.bound:
            continue
        wanted = frozenset(s for stem in figure.bound for s in _expand(stem))
        same_value = [q for q in quote_figures if _same_value(q.text, figure.text)]
        if not same_value:
            continue  # the number check elsewhere decides
        if not any(not q.bound or _related(q.bound, wanted) for q in same_value):
            return False
    return True


def _expand(stem: str) -> frozenset[str]:
    for group in _groups():
        if stem in group:
            return group
    return frozenset({stem})


def _same_value(a: str, b: str) -> bool:
    from assistant.numbers import numbers

    na, nb = numbers(a), numbers(b)
    if na and nb:
        return bool(na & nb)
    return fold(a) == fold(b)
