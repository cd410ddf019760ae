"""The sides of a comparison question: the names, or the words, that it compares.

"Compare JD et Tmall sur le marché B2C" compares JD and Tmall; "la croissance d'Alibaba à celle
de Walmart" compares Alibaba and Walmart; "en août et en octobre" compares two months.
`assistant/coverage.py` retrieves and chooses the evidence of each side.
"""

from __future__ import annotations

import re

from assistant.analysis import fold
from assistant.questions import question_names

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
