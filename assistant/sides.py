"""The sides of a comparison question: the names, or the words, that it compares.

"Compare JD et Tmall sur le marché B2C" compares JD and Tmall; "la croissance d'Alibaba à celle
de Walmart" compares Alibaba and Walmart; "en août et en octobre" compares two months.
`assistant/coverage.py` retrieves and chooses the evidence of each side.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.analysis import analyse, fold
from assistant.questions import question_names
from assistant.structure import continues, names_again

if TYPE_CHECKING:
    from assistant.evidence import Evidence

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


def without(question: str, side: str, sides: Sequence[str]) -> str:
    """The question without the names of the sides other than `side`."""
    for other in sides:
        if other != side:
            question = question.replace(other, " ")
    return " ".join(question.split())


def about(side: str, sides: Sequence[str], scored: Sequence[Evidence]) -> list[Evidence]:
    """The sentences about one side: those naming it, and those that go on about them.

    "Quant à JD.com, il teste ... deux magasins sans vendeurs ! L'enseigne conçoit ... la
    reconnaissance faciale": the second sentence is JD.com's too, as is "Hema est une chaîne…"
    after a sentence of Alibaba's that names Hema, and so is every sentence of
    an article whose title names this side and no other ("Concours Eurovision de la chanson
    2016 : ..."). A sentence naming another side is that side's as well, so it never inherits.
    """
    key = fold(side)
    others = [fold(s) for s in sides if s != side]
    naming = [ev for ev in scored if key in fold(ev.text)]
    named_at = {(ev.passage.chunk.chunk_id, ev.end): ev.text for ev in naming}
    out = list(naming)
    for ev in sorted(scored, key=lambda e: e.start):
        chunk = ev.passage.chunk
        folded = fold(ev.text)
        if key in folded or any(o in folded for o in others):
            continue
        title = fold(chunk.title or "")
        if key in title and not any(o in title for o in others):
            out.append(ev)  # an article titled with this side alone is about it throughout
            continue
        for (chunk_id, end), previous in list(named_at.items()):
            if chunk_id != chunk.chunk_id:
                continue
            at, before = ev.start - chunk.start, end - chunk.start
            if continues(chunk.text, before, at) or names_again(chunk.text, previous, before, at):
                out.append(ev)
                named_at[(chunk_id, ev.end)] = ev.text
                break
    out.sort(key=lambda e: -e.score)
    return out


def asked_dimensions(question: str) -> list[str]:
    """What a comparison compares its sides on, when the question lists it after a colon.

    "Compare les éditions 2016 et 2017 : ville hôte, vainqueur et deuxième" asks for three
    things of each side; fewer than two listed things is no such list.
    """
    head, colon, tail = question.rpartition(":")
    if not colon or not head.strip():
        return []
    parts = re.split(r"\s*(?:[,;]|\bet\b|\band\b|\bou\b|\bor\b)\s*", tail.strip(" ?.!"))
    found = [part for part in parts if analyse(part)]
    return found if len(found) >= 2 else []  # two things at least


def by_dimension(theirs: Sequence[Evidence], dimensions: Sequence[str]) -> list[Evidence]:
    """For each asked dimension, the side's sentence that shares most of its words (if any).

    Ties go to the better-scored sentence; a sentence answers one dimension only.
    """
    words = {id(ev): set(analyse(ev.text)) for ev in theirs}
    picks: list[Evidence] = []
    for dimension in dimensions:
        wanted = set(analyse(dimension))
        best = max(
            (ev for ev in theirs if all(ev is not p for p in picks)),
            key=lambda ev: (len(wanted & words[id(ev)]), ev.score),
            default=None,
        )
        if best is not None and wanted & words[id(best)]:
            picks.append(best)
    return picks
