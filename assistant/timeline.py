"""Dated events of a document text: each explicit date, resolved against the document's date.

`extract(text, reference)` finds the date phrases of a text ("le 9 juin", "en novembre 2017",
"depuis janvier 2018", "courant avril", "2016", "1er janvier 2016", "20/06") with a compact
pattern, parses each with `dateparser` (French), and gives it a precision (day, month, year).
A phrase without a year takes the year of the document's own date (`reference`) that puts it
nearest to that date ("avril dernier": the last April before it); with no reference year, it
stays unresolved (`date` None) rather than guessed. Each event's quote is its whole sentence
at offsets into the text (`text[start:end] == quote`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Final, Literal

from assistant.analysis import STOP_WORDS, fold
from assistant.text import sentence_spans

Precision = Literal["day", "month", "year"]

_MONTH_NAMES: Final = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_MONTH_NUMBER: Final = {fold(m): i for i, m in enumerate(_MONTH_NAMES, 1)}
_MONTH: Final = (
    r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre"
    r"|d[ée]cembre)"
)
_YEAR: Final = r"(?:1[89]|20)\d\d"
_WEEKDAY: Final = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_CUE: Final = (
    r"(?:le|en|depuis|courant|dès|début|fin|mi-|au mois de|à partir de|jusqu'en|jusqu’en|"
    r"jusqu'au|jusqu’au|d'ici|d’ici|avant|après)"
)
_RELATIVE: Final = r"(?:derni[eè]re?s?|prochaine?s?)"
_DATE: Final = re.compile(
    rf"(?:\b(?P<cue>{_CUE})\s*)?(?:(?:{_WEEKDAY})\s+)?"
    rf"(?:(?P<day>[0-3]?\d)(?:\s?er)?\s+(?P<dm>{_MONTH})"
    rf"(?:\s+(?P<dy>{_YEAR})|\s+(?P<drel>{_RELATIVE}))?\b"
    rf"|(?P<mm>{_MONTH})\s+(?P<my>{_YEAR})\b"
    rf"|(?<![\d/])(?P<nd>[0-3]?\d)/(?P<nm>[01]?\d)(?:/(?P<ny>{_YEAR}))?(?![\d/])"
    rf"|(?P<bm>{_MONTH})(?:\s+(?P<rel>{_RELATIVE}))?\b"
    rf"|(?<![\d.,\u00a0\u202f])(?<!\d\s)(?P<y>{_YEAR})\b(?![.,\u00a0\u202f]?\d))",
    re.IGNORECASE,
)
# A bare month is a date only after a cue ("courant avril", "entre juin et août").
_BARE_MONTH_AFTER: Final = re.compile(r"(?:\bentre|\bet|\bou|\bde)\s+$")
# "les années 1980" is a decade, not the year 1980.
_DECADE_BEFORE: Final = re.compile(r"\bann[ée]es\s+$", re.IGNORECASE)
FUTURE_WEIGHT = 2.0
"""How much farther a yearless date may lie ahead than behind and still be read as ahead:
news reports mostly what happened, so "le 8 juin" in January is last June, not next."""


@dataclass(frozen=True, slots=True)
class Event:
    """One explicit date of a document, with the sentence that states it."""

    date: str | None
    precision: Precision
    text: str
    quote: str
    start: int
    end: int
    text_start: int


def extract(text: str, reference: str | None = None) -> list[Event]:
    """Every explicit date of a document text, in text order.

    Args:
        text: The document's full text; every offset refers to it.
        reference: The document's own date, ISO cut to its precision ("2017-06-20",
            "2017-06", "2017"); yearless dates are resolved against it.

    Returns:
        One `Event` per date phrase; `date` is None where the year cannot be resolved.
    """
    ref = _reference(reference)
    events: list[Event] = []
    for a, b in sentence_spans(text):
        for m in _DATE.finditer(text, a, b):
            event = _event(text, m, ref, a, b)
            if event is not None:
                events.append(event)
    return events


def _reference(reference: str | None) -> tuple[int, int | None, int | None] | None:
    if not reference:
        return None
    parts = reference.split("-")
    try:
        numbers = [int(p) for p in parts[:3]]
    except ValueError:
        return None
    year = numbers[0]
    month = numbers[1] if len(numbers) > 1 else None
    day = numbers[2] if len(numbers) > 2 else None
    return year, month, day


def _event(
    text: str, m: re.Match[str], ref: tuple[int, int | None, int | None] | None, a: int, b: int
) -> Event | None:
    g = m.groupdict()
    relative = ""
    if g["dm"]:
        day, month, year, precision = int(g["day"]), _month(g["dm"]), g["dy"], "day"
        relative = g["drel"] or ""
    elif g["mm"]:
        day, month, year, precision = None, _month(g["mm"]), g["my"], "month"
    elif g["nd"]:
        if not (g["ny"] or g["cue"]):
            return None  # "(1/5)", "5/7": a score or a ratio, unless "le 20/06"
        day, month, year, precision = int(g["nd"]), int(g["nm"]), g["ny"], "day"
    elif g["bm"]:
        if g["bm"][0].isupper():
            return None  # "Mars" the planet, "Mai" a name: French months are lower case
        if not (g["cue"] or g["rel"] or _BARE_MONTH_AFTER.search(text, a, m.start())):
            return None
        day, month, year, precision = None, _month(g["bm"]), None, "month"
        relative = g["rel"] or ""
    else:
        if _DECADE_BEFORE.search(text, a, m.start()):
            return None
        following = text[m.end() : b].split(None, 1)
        nxt = following[0] if following else ""
        if nxt[:1].islower() and fold(nxt.strip(".,;:")) not in STOP_WORDS:
            return None  # "2000 personnes": a count, not a year
        if re.fullmatch(r"[A-Z]{1,3}\d+\W*", nxt):
            return None  # "2014 UZ224": a catalogue designation, not a year
        day, month, year, precision = None, None, g["y"], "year"
    if (month is None and precision != "year") or (month is not None and not 1 <= month <= 12):
        return None
    relative = "dernier" if relative[:4].lower() == "dern" else "prochain" if relative else ""
    resolved = int(year) if year else _resolve_year(month or 1, day, relative, ref)
    iso = None
    if resolved is not None:
        iso = _parse(resolved, month, day)
        if iso is None:
            return None  # "31 février", "45/13": not a date
    phrase = m.group()
    return Event(
        date=iso,
        precision=precision,  # type: ignore[arg-type]
        text=phrase,
        quote=text[a:b],
        start=a,
        end=b,
        text_start=m.start(),
    )


def _month(name: str) -> int:
    return _MONTH_NUMBER[fold(name)]


def _resolve_year(
    month: int, day: int | None, relative: str, ref: tuple[int, int | None, int | None] | None
) -> int | None:
    """The year of a yearless date: the one nearest the document's date, or None."""
    if ref is None:
        return None
    year, ref_month, ref_day = ref
    if ref_month is None:
        return None if relative else year
    here = ref_month * 31 + (ref_day or 15)
    there = month * 31 + (day or 15)
    if relative == "dernier":
        return year if there < here else year - 1
    if relative == "prochain":
        return year if there > here else year + 1
    # The nearest of last year's, this year's and next year's, a date ahead counting
    # farther than one behind (a news article looks back).
    candidates = [
        (abs(d) * (FUTURE_WEIGHT if d > 0 else 1.0), -k, year + k)
        for k in (0, -1, 1)
        for d in [there + 372 * k - here]
    ]
    return min(candidates)[2]


@lru_cache(maxsize=4096)
def _parse(year: int, month: int | None, day: int | None) -> str | None:
    """ISO cut to precision, checked by dateparser (which refuses "31 février")."""
    phrase = " ".join(
        str(p) for p in (day, _MONTH_NAMES[month - 1] if month else None, year) if p is not None
    )
    found = _parser().get_date_data(phrase).date_obj
    if found is None or found.year != year:
        return None
    if day is not None and month is not None:
        return date(year, month, found.day).isoformat() if found.day == day else None
    if month is not None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


@lru_cache(maxsize=1)
def _parser() -> Any:
    from dateparser.date import DateDataParser  # type: ignore[import-untyped]

    return DateDataParser(languages=["fr"], settings={"PREFER_DAY_OF_MONTH": "first"})
