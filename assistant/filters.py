"""Which documents a question may draw on: a publication-date window and a source glob.

`--since 2017`, `--until 2017-11`, `--source 'wikinews/2017/*'` become one typed `Filters`; a
period given by its year or month stands for its first day (`since`) or its last (`until`).
A document is dated by the first day of its period (`date_ord`, YYYYMMDD, in each chunk's
metadata), so Chroma can select by number, and BM25 hits are checked the same way. A document
without a date is outside every date window: a filter is never loosened silently.
"""

from __future__ import annotations

import argparse
import calendar
import re
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from typing import Any

from assistant.errors import VeilleError

_PERIOD = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


class FilterError(VeilleError):
    """A `--since`, `--until` or `--source` value that cannot be used."""


def period_bounds(text: str) -> tuple[date, date]:
    """The first and last day of a period written "2017", "2017-11" or "2017-11-22".

    Raises:
        FilterError: The text is not such a period, or names no real day.
    """
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        msg = f"{text!r} is not a date"
        raise FilterError(msg, hint="write a year, a month or a day: 2017, 2017-11 or 2017-11-22")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None  # the pattern requires it
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        exact = date(year, month, day)
    except ValueError:
        msg = f"{text!r} is not a real date"
        raise FilterError(
            msg, hint="months go from 01 to 12, days as the calendar has them"
        ) from None
    return exact, exact


def date_ordinal(iso: str) -> int:
    """YYYYMMDD of the first day of a period written as ISO cut to its precision; 0 if none."""
    if not iso:
        return 0
    try:
        first, _ = period_bounds(iso)
    except FilterError:
        return 0
    return first.year * 10000 + first.month * 100 + first.day


def _ordinal(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True, slots=True)
class Filters:
    """A publication-date window and a source glob; None means no bound.

    Attributes:
        since: The first day a document's date may be.
        until: The last day a document's date may be.
        source: A shell glob (`fnmatch`) the document's source path must match.
        keep_undated: Keep documents without a date. A window the user set leaves them out;
            one read from the question's words keeps them, so a question that names a year
            still finds the articles whose date is unknown.
    """

    since: date | None = None
    until: date | None = None
    source: str | None = None
    keep_undated: bool = False

    @property
    def active(self) -> bool:
        """Whether anything is filtered at all."""
        return self.since is not None or self.until is not None or bool(self.source)

    @property
    def dated(self) -> bool:
        """Whether a date window is set (then undated documents are left out)."""
        return self.since is not None or self.until is not None

    def matches(self, source: str, iso_date: str) -> bool:
        """Whether a document with this source path and ISO date passes the filters."""
        if self.source and not fnmatchcase(source, self.source):
            return False
        if not self.dated:
            return True
        ordinal = date_ordinal(iso_date)
        if ordinal == 0:
            return self.keep_undated
        low = _ordinal(self.since) if self.since is not None else 1
        high = _ordinal(self.until) if self.until is not None else 99991231
        return low <= ordinal <= high

    def date_where(self) -> dict[str, Any] | None:
        """The Chroma `where` clause of the date window on `date_ord`, None without one."""
        if not self.dated:
            return None
        # date_ord is 0 for an undated document: the lower bound is at least 1 to leave it out.
        low = _ordinal(self.since) if self.since is not None else 1
        clauses: list[dict[str, Any]] = [{"date_ord": {"$gte": low}}]
        if self.until is not None:
            clauses.append({"date_ord": {"$lte": _ordinal(self.until)}})
        window = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        return {"$or": [window, {"date_ord": 0}]} if self.keep_undated else window

    def to_dict(self) -> dict[str, str | bool | None]:
        """The `filters` object of `veille ask --json` (ISO days, the glob as given).

        `keep_undated` appears only when undated documents are kept (a window read from the
        question's words).
        """
        out: dict[str, str | bool | None] = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "source": self.source,
        }
        if self.keep_undated:
            out["keep_undated"] = True
        return out


def parse_filters(
    since: str | None = None, until: str | None = None, source: str | None = None
) -> Filters | None:
    """`Filters` from command-line strings, or None when none is given.

    Args:
        since: "2017", "2017-11" or "2017-11-22": from the first day of that period.
        until: The same forms: up to the last day of that period.
        source: A glob on the document's path relative to its folder ("2017/*", "*hema*").

    Raises:
        FilterError: A value is not a date, or the window is empty (since after until).
    """
    if not since and not until and not source:
        return None
    low = period_bounds(since)[0] if since else None
    high = period_bounds(until)[1] if until else None
    if low is not None and high is not None and low > high:
        msg = f"--since {since} is after --until {until}"
        raise FilterError(msg, hint="swap them, or widen the window")
    return Filters(since=low, until=high, source=source or None)


def add_filter_flags(parser: argparse.ArgumentParser) -> None:
    """`--since`, `--until` and `--source` on a command (`veille ask`, `veille eval`)."""
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="only documents published from this day, month or year on (2017, 2017-11, "
        "2017-11-22); undated documents are left out",
    )
    parser.add_argument(
        "--until",
        metavar="DATE",
        help="only documents published up to the end of this day, month or year",
    )
    parser.add_argument(
        "--source",
        metavar="GLOB",
        help="only documents whose path (relative to their folder) matches, e.g. '2017/*'",
    )


def filters_from_args(args: argparse.Namespace) -> Filters | None:
    """The `Filters` of parsed `add_filter_flags` flags, or None when none is given.

    Raises:
        FilterError: A value cannot be used.
    """
    return parse_filters(
        getattr(args, "since", None), getattr(args, "until", None), getattr(args, "source", None)
    )
