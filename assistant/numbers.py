"""Numbers in text, in one canonical form whatever the convention ("3 000", "3.000", "3,000").

Used by evidence scoring and citation checks to tell whether a claim's figures are in a passage.
The eval metrics normalise numbers with rules of their own on purpose (evals/metrics.py): they
must stay independent of the code they judge, so the two disagree on an English "6,100" (6100
here, 6.1 there), and a test pins that difference. `number_words` reads a French number
written in words ("vingt-deux", "vingt et un", "quatre-vingt-dix", "trois cent mille").
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
_GROUP_SEPARATORS = re.compile(r"[ \u00a0\u202f]")


def numbers(text: str) -> set[str]:
    """The numbers in a text, in one canonical form whatever the convention.

    "3 000", "3.000" and "3,000" -> "3000" (a group of exactly three digits is a thousands
    group); "712,2" and "712.2" -> "712.2"; "2016" -> "2016".
    """
    found: set[str] = set()
    for match in _NUMBER.finditer(text):
        raw = _GROUP_SEPARATORS.sub("", match.group())
        parts = re.split(r"[.,]", raw)
        if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
            value = "".join(parts)
        elif len(parts) > 1:
            value = "".join(parts[:-1]) + "." + parts[-1]
        else:
            value = raw
        found.add(value.lstrip("0") or "0")
    return found


_WORD_VALUE: dict[str, int] = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60,
}  # fmt: skip
_WORD_PART = re.compile(r"[^\W\d_]+")
_JOIN = re.compile(r"(?:\s+|-)et(?:\s+|-)|-|\s+")


def _kind(value: int) -> str:
    """What may follow a part of a number below 100 ("vingt" takes a unit, "dix" a 7-9)."""
    if value < 10:
        return "unit"
    if value == 10:
        return "dix"
    if 20 <= value <= 50:
        return "ten"
    return "sixty" if value == 60 else "done"


def number_words(text: str, start: int = 0) -> tuple[int, int] | None:
    """A French number written in words at `start` of `text`: its value and where it ends.

    "Vingt-deux" -> 22, "vingt et un" -> 21, "soixante-dix" -> 70, "quatre-vingt-dix" -> 90,
    "deux cents" -> 200, "trois cent mille" -> 300000, "mille" -> 1000. A word that does not
    continue the number ("deux trois") ends it. None where no number word starts at `start`,
    or where it is only "un"/"une" (an article as often as a number).
    """
    total = hundreds = below = 0
    prev = "start"
    end = pos = start
    while True:
        m = _WORD_PART.match(text, pos)
        if m is None:
            break
        word = m.group().lower()
        joined_by_et = prev != "start" and "et" in text[end : m.start()]
        value = _WORD_VALUE.get(word)
        if joined_by_et and not (value in (1, 11) and prev in ("ten", "sixty")):
            break  # "vingt et un", "soixante et onze"; not "dix et deux"
        if word in ("cent", "cents"):
            if prev not in ("start", "thousand", "unit") or (prev == "unit" and below < 2):
                break
            hundreds, below, prev = (below or 1) * 100, 0, "hundred"
        elif word == "mille":
            if total or prev not in ("start", "hundred", "unit", "ten", "sixty", "dix", "done"):
                break
            total, hundreds, below, prev = (hundreds + below or 1) * 1000, 0, 0, "thousand"
        elif word.startswith("vingt") and prev == "unit" and below == 4 and text[end] == "-":
            below, prev = 80, "sixty"  # quatre-vingt(s): takes 1-19 like soixante
        elif value is None:
            break
        elif prev in ("start", "hundred", "thousand"):
            below, prev = value, _kind(value)
        elif prev == "ten" and value < 10:
            below, prev = below + value, "done"
        elif prev == "sixty" and value < 20:
            below, prev = below + value, "dix" if value == 10 else "done"
        elif prev == "dix" and 7 <= value <= 9 and text[end] == "-":
            below, prev = below + value, "done"
        else:
            break
        end = m.end()
        joiner = _JOIN.match(text, end)
        if joiner is None:
            break
        pos = joiner.end()
    number = total + hundreds + below
    if prev == "start" or number == 1:
        return None
    return number, end
