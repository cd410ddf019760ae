"""One place that builds `dateparser` parsers, each built once per set of settings.

A `DateDataParser` loads its language data when it is made (tens of milliseconds), so every
caller keeps one; this factory caches them by their settings, and states each setting Veille
uses in one vocabulary: the publication dates read at ingest (`ingest/metadata.py`) and the date
phrases of a question (`assistant/date_phrases.py`) differ only in the arguments they pass.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from datetime import datetime

    from dateparser.date import DateDataParser  # type: ignore[import-untyped]

Prefer = Literal["past", "future", "current_period"]


def date_parser(
    prefer: Prefer | None = None,
    *,
    require_year: bool = True,
    day_first: bool = True,
    relative_base: datetime | None = None,
    languages: tuple[str, ...] = ("fr", "en"),
) -> DateDataParser:
    """A cached French and English date parser; a month given alone reads as its first day.

    Settings left at None or False are not passed at all, so dateparser's own defaults
    apply to them.

    Args:
        prefer: `PREFER_DATES_FROM`: which side of today (or of `relative_base`) a date
            without its year, or a weekday, falls on; None leaves dateparser's default.
        require_year: Refuse a date without a year (`REQUIRE_PARTS`), rather than completing
            it from today ("20/06" would become this year's 20 June).
        day_first: Read "05/06/2017" as 5 June, as French writes it (`DATE_ORDER` DMY).
        relative_base: The "today" that relative phrases ("il y a 3 mois") count from.
        languages: The languages tried, in order.

    Returns:
        The parser, shared by every caller that asks with the same arguments.
    """
    return _parser(prefer, require_year, day_first, relative_base, languages)


@lru_cache(maxsize=16)
def _parser(
    prefer: Prefer | None,
    require_year: bool,
    day_first: bool,
    relative_base: datetime | None,
    languages: tuple[str, ...],
) -> DateDataParser:
    from dateparser.date import DateDataParser

    settings: dict[str, Any] = {"PREFER_DAY_OF_MONTH": "first"}
    if require_year:
        settings["REQUIRE_PARTS"] = ["year"]
    if day_first:
        settings["DATE_ORDER"] = "DMY"
    if prefer is not None:
        settings["PREFER_DATES_FROM"] = prefer
    if relative_base is not None:
        settings["RELATIVE_BASE"] = relative_base
    return DateDataParser(languages=list(languages), settings=settings)
