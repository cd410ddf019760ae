"""What a loaded document says of itself: title, publication date, author, outlet, language.

Each date source is read in order of trust and the first that gives a date wins: Markdown front
matter, HTML `<meta>`, PDF metadata (these come from the loader, `LoadedDocument.metadata`),
then a dateline near the top of the text ("22 novembre 2017", "1er janvier 2016, 14h30 . –",
"Dernière mise à jour à 13h38 le 20/06"), then a date in the file name ("2017-11-22",
"20171122"). A small pattern only finds the candidate phrase; `dateparser` reads it, told never
to fill a missing year from today: a dateline without a year takes the file name's year, or
stays unresolved (`DocumentMetadata.unresolved_date`) rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, TypedDict

from assistant.analysis import detect_language
from assistant.dates import date_parser
from assistant.filters import date_ordinal

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from assistant.store import DocumentRecord
    from ingest.loaders import LoadedDocument

DatePrecision = Literal["day", "month", "year"]
DateSource = Literal["front-matter", "html-meta", "pdf", "dateline", "filename"]

DATELINE_CHARS = 300
"""How far into the text any date phrase counts as the document's dateline."""
DATELINE_SHAPE_CHARS = 1000
"""How far a phrase shaped like a dateline ("3 mars 2018 . –") is looked for, past a preamble."""
TITLE_MAX_CHARS = 150

_MONTHS_FR = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"  # noqa: E501
_MONTHS_EN = "january|february|march|april|may|june|july|august|september|october|november|december"
_DAY = r"(?:1\s?er|[0-3]?\d)"
_TIME = r"(?:,?\s+(?:à\s+)?\d{1,2}\s?[h:]\s?\d{2}(?:\s?UTC)?)?"
# Day-month-year (or month-year), numeric D/M[/Y], ISO, and English "November 22, 2017".
_CANDIDATE = re.compile(
    rf"\b(?:(?:{_DAY}\s+)?(?:{_MONTHS_FR})\s+\d{{4}}"
    rf"|{_DAY}\s+(?:{_MONTHS_FR})(?!\s+\d)"
    rf"|(?:{_MONTHS_EN})\s+\d{{1,2}},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|[0-3]?\d/[01]?\d(?:/(?:\d{4}|\d{2}))?(?![/\d]))",
    re.IGNORECASE,
)
# What follows a Wikinews-style dateline: "1er janvier 2016, 14h30 . –".
_DATELINE_END = re.compile(rf"{_TIME}\s*\.?\s*[–—-]")
_UPDATED = re.compile(
    r"\s*(?:dernière mise à jour|mis à jour|mise à jour|publié le|updated|published)\b",
    re.IGNORECASE,
)
_HAS_YEAR = re.compile(r"\d{4}|\d/\d{1,2}/\d{2}$")
_FILENAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?([01]\d)[-_.]?([0-3]\d)(?!\d)")


class RecordFields(TypedDict):
    """The `assistant.store.DocumentRecord` fields that metadata fills."""

    title: str
    date: str
    date_precision: str
    date_source: str
    language: str


@dataclass(frozen=True, slots=True)
class PublicationDate:
    """A publication date, to the precision it was given.

    Attributes:
        value: The first day of the period ("novembre 2017" is 2017-11-01).
        precision: "day", "month" or "year".
        source: Where it was read: front-matter, html-meta, pdf, dateline or filename.
        phrase: The text it was read from.
    """

    value: date
    precision: DatePrecision
    source: DateSource
    phrase: str

    @property
    def iso(self) -> str:
        """ISO 8601 cut to the precision: "2017-11-22", "2017-11" or "2017"."""
        full = self.value.isoformat()
        return {"day": full, "month": full[:7], "year": full[:4]}[self.precision]

    @property
    def ordinal(self) -> int:
        """YYYYMMDD of the first day of the period (what date filters compare)."""
        return date_ordinal(self.iso)


@dataclass(frozen=True, slots=True)
class DocumentMetadata:
    """What a document says of itself; empty strings where it says nothing.

    Attributes:
        title: The declared title, else the first short line, else the file stem.
        date: The publication date, or None.
        unresolved_date: A dateline phrase whose year is unknown ("20/06"), kept unguessed.
        author: The declared author.
        outlet: The declared publication (site name).
        language: "fr" or "en".
    """

    title: str
    date: PublicationDate | None
    unresolved_date: str = ""
    author: str = ""
    outlet: str = ""
    language: str = ""

    def record_fields(self) -> RecordFields:
        """The `DocumentRecord` fields this fills (title, date, precision, source, language)."""
        d = self.date
        return RecordFields(
            title=self.title,
            date=d.iso if d else "",
            date_precision=d.precision if d else "",
            date_source=d.source if d else "",
            language=self.language,
        )


def chunk_metadata(title: str, iso_date: str) -> dict[str, str | int]:
    """What every chunk of a document carries into Chroma, so that `where` can select by date."""
    return {"title": title, "date": iso_date, "date_ord": date_ordinal(iso_date)}


def extract_metadata(doc: LoadedDocument, *, use_filename: bool = True) -> DocumentMetadata:
    """Title, publication date, author, outlet and language of a loaded document.

    Args:
        doc: The loaded document (its text and what its format declared).
        use_filename: Let the file name give the date or a dateline's missing year (turned
            off to measure what the text alone gives).
    """
    declared = doc.metadata
    source = doc.metadata_source
    file_date = filename_date(doc.path) if use_filename else None
    found: PublicationDate | None = None
    unresolved = ""
    if declared.get("date") and source in ("front-matter", "html-meta", "pdf"):
        found = parse_date(declared["date"], source)  # type: ignore[arg-type]
    if found is None:
        found, unresolved = dateline(doc.text, file_date.value.year if file_date else None)
    if found is None:
        found = file_date
    return DocumentMetadata(
        title=declared.get("title") or fallback_title(doc.text, doc.path),
        date=found,
        unresolved_date=unresolved if found is None else "",
        author=declared.get("author", ""),
        outlet=declared.get("outlet", ""),
        language=detect_language(doc.text[:2000]),
    )


def fallback_title(text: str, path: Path) -> str:
    """The first line of at least two words if it is short enough for a title, else the stem."""
    for line in text.split("\n"):
        words = line.split()
        # A lone word first ("Article") is a page's rubric, and a dateline is not a title.
        if len(words) < 2 or _UPDATED.match(line) or _CANDIDATE.fullmatch(line.strip()):
            continue
        if len(line.strip()) < TITLE_MAX_CHARS:
            return " ".join(words)
        break
    return path.stem


def dateline(text: str, year: int | None = None) -> tuple[PublicationDate | None, str]:
    """The date a document's first lines state, and a year-less phrase when none resolves.

    A phrase shaped like a dateline (a date then " . –") is taken first within the first
    `DATELINE_SHAPE_CHARS`; otherwise the first date phrase within `DATELINE_CHARS`.

    Args:
        text: The document text.
        year: The year to complete a phrase that has none (from the file name), if known.

    Returns:
        (the date or None, the phrase left unresolved for want of a year, or "").
    """
    head = text[:DATELINE_SHAPE_CHARS]
    candidates = list(_CANDIDATE.finditer(head))
    shaped = [
        m
        for m in candidates
        if (m.start() == 0 or head[m.start() - 1] == "\n")
        and _HAS_YEAR.search(m.group())
        and _DATELINE_END.match(head, m.end())
    ]
    early = [m for m in candidates if m.start() < DATELINE_CHARS]
    for match in shaped[:1] + early:
        phrase = " ".join(match.group().split())
        if _HAS_YEAR.search(phrase):
            found = parse_date(phrase, "dateline")
        elif year is not None:
            completed = f"{phrase}/{year}" if "/" in phrase else f"{phrase} {year}"
            found = parse_date(completed, "dateline")
        else:
            return None, phrase
        if found is not None:
            return PublicationDate(found.value, found.precision, "dateline", phrase), ""
    return None, ""


def filename_date(path: Path) -> PublicationDate | None:
    """A day written in the file's name ("2017-11-22", "2017_11_22-001", "20171122")."""
    match = _FILENAME_DATE.search(path.stem)
    if match is None:
        return None
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return PublicationDate(day, "day", "filename", match.group())


def parse_date(phrase: str, source: DateSource) -> PublicationDate | None:
    """A date phrase read by `dateparser` (French or English), None without a year."""
    # A year required ("20/06" alone is not this year's), day first, the first of a month or
    # year given alone (the precision records that the day was never stated).
    data = date_parser("past").get_date_data(phrase)
    if data.date_obj is None:
        return None
    period = data.period or "day"
    precision: DatePrecision = (
        "year" if period == "year" else "month" if period == "month" else "day"
    )
    day = data.date_obj.date()
    first = {
        "day": day,
        "month": day.replace(day=1),
        "year": day.replace(month=1, day=1),
    }[precision]
    return PublicationDate(first, precision, source, phrase)


def dates_line(records: Iterable[DocumentRecord]) -> str:
    """`veille status`'s line on publication dates: how many documents have one, and the range."""
    records = list(records)
    dates = sorted(r.date for r in records if r.date)
    if not dates:
        return f"dates: none of the {len(records)} documents has a publication date"
    return f"dates: {len(dates)} of {len(records)} documents dated, from {dates[0]} to {dates[-1]}"
