"""`assistant.dates.date_parser`: one cached dateparser per set of settings, each setting kept."""

from __future__ import annotations

from datetime import date, datetime

from assistant.dates import date_parser


def _read(parser: object, phrase: str) -> date | None:
    found = parser.get_date_data(phrase).date_obj  # type: ignore[attr-defined]
    return None if found is None else found.date()


def test_the_same_settings_share_one_parser_and_others_get_their_own() -> None:
    assert date_parser("past") is date_parser("past")
    assert date_parser() is not date_parser("past")


def test_a_year_is_required_unless_told_otherwise_and_the_day_comes_first() -> None:
    assert _read(date_parser(), "20 juin") is None
    assert _read(date_parser("past"), "20/06") is None
    assert _read(date_parser(), "05/06/2017") == date(2017, 6, 5)
    assert _read(date_parser("past"), "juin 2017") == date(2017, 6, 1)
    assert _read(date_parser(), "3 mars 2016") == date(2016, 3, 3)


def test_relative_phrases_count_from_the_base_given_to_a_month_s_first_day() -> None:
    base = datetime(2018, 5, 15)  # noqa: DTZ001 - a calendar day
    parser = date_parser("past", require_year=False, day_first=False, relative_base=base)
    assert _read(parser, "hier") == date(2018, 5, 14)
    assert _read(parser, "le mois dernier") == date(2018, 4, 1)
    assert _read(parser, "3 months ago") == date(2018, 2, 1)
