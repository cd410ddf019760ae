"""A date phrase in a question ("en 2017", "depuis janvier 2018", "last month") as a `Filters`.

A compact pattern finds candidate phrases (a keyword such as "depuis", "entre … et", "in", then
a date, or a relative phrase); `dateparser` reads the date itself, with a year required, so a
missing part is never taken from today. Relative phrases ("le mois dernier", "cette année")
are read against the newest article in the store, never against today: a corpus of 2017 news
asked "last month" means its own last month. A question that asks for a date ("Quand …", "en
quelle année …", "when …") gets no filter: its date is the answer, not a window. Front ends show
the filter found and let it be removed; nothing here applies it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from assistant.dates import date_parser
from assistant.filters import FilterError, Filters, period_bounds

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dateparser.date import DateDataParser  # type: ignore[import-untyped]

    from assistant.store import DocumentRecord, Store

_MONTH = (
    r"(?:janvier|janv\.?|f[ée]vrier|f[ée]vr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?|"
    r"ao[uû]t|septembre|sept?\.?|octobre|oct\.?|novembre|nov\.?|d[ée]cembre|d[ée]c\.?|"
    r"january|jan\.?|february|feb\.?|march|mar\.?|april|apr\.?|may|june|jun\.?|july|jul\.?|"
    r"august|aug\.?|september|october|november|december|dec\.?)"
)
# A year not part of a longer number, an amount or a "2017-2018" season.
_YEAR = r"(?:19|20)\d\d(?!\d|\s*[%€$]|[.,]\d|\s*[-–]\s*\d)"
_DAY = r"(?:1er|premier|[0-3]?\d)(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:(?:{_DAY}\s+)?{_MONTH}\s+{_YEAR}|{_MONTH}\s+{_DAY},?\s+{_YEAR}"
    r"|(?:19|20)\d\d-(?:0?[1-9]|1[0-2])(?:-[0-3]?\d)?(?!\d)"
    rf"|{_YEAR})"
)
_NUMBER = (
    r"(?:\d{1,2}|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze"
    r"|two|three|four|five|seven|eight|nine|ten|twelve)"
)
_RELATIVE = (
    r"(?:(?:le|du)\s+mois\s+(?:dernier|pass[ée])|ce\s+mois-ci|ce\s+mois|cette\s+ann[ée]e|"
    r"(?:de\s+)?l'ann[ée]e\s+(?:derni[èe]re|pass[ée]e)|(?:de\s+)?l'an\s+(?:dernier|pass[ée])|"
    r"(?:de\s+)?la\s+semaine\s+(?:derni[èe]re|pass[ée]e)|cette\s+semaine|"
    r"(?:last|this|the\s+past)\s+(?:month|year|week)|"
    rf"(?:les|ces|des)\s+{_NUMBER}\s+derni(?:er|[èe]re)s\s+(?:mois|ann[ée]es|semaines|jours)|"
    rf"(?:the\s+)?(?:last|past)\s+{_NUMBER}\s+(?:months|years|weeks|days))"
)
_NAMED = r"(?:l'ann[ée]e|l'an|the\s+year|le\s+mois\s+de|the\s+month\s+of)"
_WHEN = rf"(?:{_NAMED}\s+)?(?:{_DATE})|{_RELATIVE}"
_ARTICLE = r"(?:(?:le|la|l'|the)\s*)?"
_PATTERN = re.compile(
    rf"(?<!\w)(?:"
    rf"(?P<range>entre|between|du|de|from)\s+{_ARTICLE}(?P<a>(?:{_DAY}\s+)?{_MONTH}(?!\s+{_YEAR})|{_DATE})"
    rf"\s+(?:et|and|à|au|a|to|until|till|through)\s+{_ARTICLE}(?P<b>{_DATE})"
    rf"|(?P<since>depuis|since|à\s+partir\s+de|a\s+partir\s+d[eu]|starting|from|après|apr[eè]s|after)"
    rf"\s+{_ARTICLE}(?P<s>{_WHEN})"
    rf"|(?P<until>jusqu'(?:à|a|en|au)|avant|before|until|till|up\s+to)\s+{_ARTICLE}(?P<u>{_WHEN})"
    rf"|(?P<during>en|in|durant|pendant|au\s+cours\s+de|courant|during|dans|on|le)\s+(?P<d>{_WHEN})"
    rf"|(?P<r>{_RELATIVE})"
    rf")(?!\w)",
    re.IGNORECASE,
)
# The question asks for a date: its date phrase is the subject, not a window.
_ASKS_DATE = re.compile(
    r"^\W*(?:(?:et|mais|and|but)\s+)?(?:quand|depuis\s+quand|jusqu'(?:à|a)\s+quand|"
    r"(?:en|à|a|de|dans)\s+quel(?:le)?s?\s+(?:ann[ée]e|mois|date|jour|moment|p[ée]riode)|"
    r"quel(?:le)?s?\s+(?:ann[ée]e|date|jour)|quelle\s+est\s+la\s+date|"
    r"when|since\s+when|until\s+when|(?:in|on|at)\s+what\s+(?:year|month|date|day|time)|"
    r"(?:in\s+)?which\s+(?:year|month|date|day)|what\s+(?:year|month|date|day))\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "douze": 12, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12,
}  # fmt: skip
# Phrases dateparser reads only in one of their forms.
_RELATIVE_SYNONYMS = (
    (re.compile(r"^du\s+", re.IGNORECASE), "le "),
    (re.compile(r"^de\s+", re.IGNORECASE), ""),
    (
        re.compile(r"l'an\s+(?:dernier|pass[ée])|l'ann[ée]e\s+pass[ée]e", re.IGNORECASE),
        "l'année dernière",
    ),
    (re.compile(r"le\s+mois\s+pass[ée]", re.IGNORECASE), "le mois dernier"),
    (re.compile(r"ce\s+mois$", re.IGNORECASE), "ce mois-ci"),
    (re.compile(r"la\s+semaine\s+pass[ée]e", re.IGNORECASE), "la semaine dernière"),
    (re.compile(r"the\s+past\s+", re.IGNORECASE), "last "),
)
_NAMED_PERIOD = re.compile(rf"^{_NAMED}\s+", re.IGNORECASE)
_COUNTED = re.compile(rf"({_NUMBER})\s+(?:derni\w+\s+)?(\w+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DatePhrase:
    """A date phrase found in a question and the window it means.

    Attributes:
        phrase: The phrase as written (`question[start:end]`).
        start: Where it starts in the question.
        end: Where it ends.
        filters: The date window it means (no source glob).
        label: The window in words: "since 2018-01-01", "2017-01-01 to 2017-12-31".
    """

    phrase: str
    start: int
    end: int
    filters: Filters
    label: str

    def to_dict(self) -> dict[str, str | int]:
        """The `filter_from_question` object of `veille ask --json`."""
        return {"phrase": self.phrase, "start": self.start, "end": self.end}


def window_label(filters: Filters) -> str:
    """A filter in words: "since 2018-01-01", "2017-01-01 to 2017-12-31", "source '2017/*'".

    Args:
        filters: The filters to describe.
    """
    since, until = filters.since, filters.until
    parts = []
    if since is not None and since == until:
        parts.append(f"on {since.isoformat()}")
    elif since is not None and until is not None:
        parts.append(f"{since.isoformat()} to {until.isoformat()}")
    elif since is not None:
        parts.append(f"since {since.isoformat()}")
    elif until is not None:
        parts.append(f"until {until.isoformat()}")
    if filters.source:
        parts.append(f"source {filters.source!r}")
    return ", ".join(parts)


def newest_date(records: Iterable[DocumentRecord]) -> date | None:
    """The publication date of the newest dated document (first day of its period), if any."""
    days = []
    for record in records:
        if record.date:
            try:
                days.append(period_bounds(record.date)[0])
            except FilterError:
                continue
    return max(days, default=None)


def newest_in_store(store: Store) -> date | None:
    """The newest article's date in `store` (`Store.documents_under()` records), if any."""
    return newest_date(store.documents_under().values())


def find_date_filter(question: str, newest: date | None) -> DatePhrase | None:
    """The date window a question's date phrase asks for, or None.

    Args:
        question: The question as typed.
        newest: The newest article's date, which relative phrases ("le mois dernier", "this
            year") are read against; without it they are not used.

    Returns:
        The phrase, its span and its `Filters`; None when the question has no date phrase, asks
        for a date itself ("Quand …", "when …"), or its phrase names no real window.
    """
    text = question.replace("’", "'")  # same length: spans stay those of `question`
    if _ASKS_DATE.search(text):
        return None
    found: list[tuple[re.Match[str], date | None, date | None]] = []
    for match in _PATTERN.finditer(text):
        window = _window(match, newest)
        if window is not None:
            found.append((match, *window))
    if not found:
        return None
    since, until = _combine([(s, u) for _, s, u in found])
    if since is not None and until is not None and since > until:
        return None
    start, end = found[0][0].start(), found[-1][0].end()
    filters = Filters(since=since, until=until)
    return DatePhrase(question[start:end], start, end, filters, window_label(filters))


def _combine(windows: list[tuple[date | None, date | None]]) -> tuple[date | None, date | None]:
    """One window of several phrases.

    Closed periods ("en 2016 et en 2017") are spanned; open bounds ("depuis 2016 jusqu'en
    2017") intersect.
    """
    if len(windows) == 1:
        return windows[0]
    if all(s is not None and u is not None for s, u in windows):
        return min(s for s, _ in windows if s), max(u for _, u in windows if u)
    sinces = [s for s, _ in windows if s is not None]
    untils = [u for _, u in windows if u is not None]
    return max(sinces, default=None), min(untils, default=None)


def _window(match: re.Match[str], newest: date | None) -> tuple[date | None, date | None] | None:
    if match["range"]:
        end = _period(match["b"], newest)
        if end is None:
            return None
        first = _period(match["a"], newest)
        if first is None:  # "entre mars et mai 2017": the first month takes the second's year
            first = _period(f"{match['a']} {end[1].year}", newest)
            if first is not None and first[0] > end[0]:
                first = _period(f"{match['a']} {end[1].year - 1}", newest)
        return (first[0], end[1]) if first is not None else None
    if match["since"]:
        period = _period(match["s"], newest)
        if period is None:
            return None
        after = match["since"].lower().startswith(("apr", "aft"))
        return (period[1] + timedelta(days=1) if after else period[0]), None
    if match["until"]:
        period = _period(match["u"], newest)
        if period is None:
            return None
        before = match["until"].lower().startswith(("av", "bef"))
        return None, (period[0] - timedelta(days=1) if before else period[1])
    period = _period(match["d"] or match["r"], newest)
    if period is not None and match["during"] and match["during"].lower() in ("le", "on"):
        # "le"/"on" only introduce a day ("le 22 novembre 2017"), not "le 2017".
        return period if period[0] == period[1] else None
    return period


def _period(phrase: str, newest: date | None) -> tuple[date, date] | None:
    """The first and last day of a date phrase, absolute or relative to `newest`."""
    phrase = " ".join(phrase.split())
    if re.fullmatch(_RELATIVE, phrase, re.IGNORECASE):
        return _relative(phrase, newest)
    phrase = _NAMED_PERIOD.sub("", phrase)
    if re.fullmatch(r"\d{4}(?:-\d{1,2}){0,2}", phrase):
        try:
            return period_bounds(phrase)
        except FilterError:
            return None
    # A year is required, so nothing is completed from today.
    data = date_parser().get_date_data(phrase)
    return _bounds(data.date_obj, data.period)


def _relative(phrase: str, newest: date | None) -> tuple[date, date] | None:
    if newest is None:
        return None
    counted = _COUNTED.search(phrase)
    base = datetime(newest.year, newest.month, newest.day)  # noqa: DTZ001 - a calendar day
    if counted is not None:
        raw = counted[1].lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 0)
        unit = counted[2].lower()
        unit = next(u for k, u in _UNITS if unit.startswith(k))
        data = _relative_parser(base).get_date_data(f"{n} {unit} ago")
        if data.date_obj is None or n == 0:
            return None
        return data.date_obj.date(), newest
    for pattern, replacement in _RELATIVE_SYNONYMS:
        phrase = pattern.sub(replacement, phrase)
    data = _relative_parser(base).get_date_data(phrase)
    return _bounds(data.date_obj, data.period)


_UNITS = (("mois", "months"), ("month", "months"), ("ann", "years"), ("year", "years"),
          ("sem", "weeks"), ("week", "weeks"), ("jour", "days"), ("day", "days"))  # fmt: skip


def _bounds(moment: datetime | None, period: str | None) -> tuple[date, date] | None:
    if moment is None:
        return None
    day = moment.date()
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if period == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    return day, day


def _relative_parser(base: datetime) -> DateDataParser:
    """Relative phrases counted back from `base` (the newest article's day); no year needed."""
    return date_parser("past", require_year=False, day_first=False, relative_base=base)


def with_question_dates(
    question: str, filters: Filters | None, store: Store
) -> tuple[Filters | None, DatePhrase | None]:
    """The filters of one question: those given, or its date phrase's window when none is dated.

    A window given by the user (`--since`, `--until`, the chat's filter) wins over the
    question's phrase; a source glob given alone is kept beside the phrase's window. The store
    is read (for its newest article) only when the question may hold a date phrase.

    Args:
        question: The question as typed.
        filters: The filters the user set, if any.
        store: The store whose newest article relative phrases are read against.

    Returns:
        (the filters to apply, the phrase they came from or None).
    """
    if (filters is not None and filters.dated) or not _PATTERN.search(question.replace("’", "'")):
        return filters, None
    found = find_date_filter(question, newest_in_store(store))
    if found is None:
        return filters, None
    source = filters.source if filters is not None else None
    read = Filters(found.filters.since, found.filters.until, source, keep_undated=True)
    return read, found
