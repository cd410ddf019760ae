"""`--since`, `--until`, `--source`: parsing periods, and which documents pass."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import VeilleError
from assistant.filters import Filters, date_ordinal, parse_filters, period_bounds


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2017", date(2017, 1, 1), date(2017, 12, 31)),
        ("2017-11", date(2017, 11, 1), date(2017, 11, 30)),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29)),
        ("2017-11-22", date(2017, 11, 22), date(2017, 11, 22)),
    ],
)
def test_a_period_runs_from_its_first_to_its_last_day(text: str, first: date, last: date) -> None:
    assert period_bounds(text) == (first, last)


@pytest.mark.parametrize("text", ["hier", "2017-13", "2017-02-30", "17", "2017/11"])
def test_a_bad_date_is_a_user_error_with_a_hint(text: str) -> None:
    with pytest.raises(VeilleError) as info:
        parse_filters(since=text)
    assert info.value.hint


def test_since_after_until_is_refused() -> None:
    with pytest.raises(VeilleError, match="after"):
        parse_filters(since="2018", until="2017-06")


def test_no_flag_is_no_filter() -> None:
    assert parse_filters() is None


def test_window_and_glob() -> None:
    f = parse_filters(since="2017-11", until="2017", source="2017/*")
    assert f == Filters(date(2017, 11, 1), date(2017, 12, 31), "2017/*")
    assert f.matches("2017/11/a.txt", "2017-11-22")
    assert f.matches("2017/12/a.txt", "2017-12")
    assert not f.matches("2017/10/a.txt", "2017-10-31")
    assert not f.matches("2018/01/a.txt", "2017-11-22")  # the glob
    # A document without a date is outside every window, a year-dated one counts from 1 Jan.
    assert not f.matches("2017/x.txt", "")
    assert not f.matches("2017/x.txt", "2017")
    assert Filters(until=date(2017, 1, 31)).matches("x", "2017")
    assert Filters(source="*hema*").matches("notes/hema.txt", "")
    assert f.to_dict() == {"since": "2017-11-01", "until": "2017-12-31", "source": "2017/*"}


def test_chroma_clause_leaves_undated_documents_out() -> None:
    assert Filters(until=date(2017, 1, 31)).date_where() == {
        "$and": [{"date_ord": {"$gte": 1}}, {"date_ord": {"$lte": 20170131}}]
    }
    assert Filters(since=date(2017, 1, 1)).date_where() == {"date_ord": {"$gte": 20170101}}
    assert Filters(source="*").date_where() is None


def test_date_ordinal() -> None:
    assert date_ordinal("2017-11-22") == 20171122
    assert date_ordinal("2017-11") == 20171101
    assert date_ordinal("2017") == 20170101
    assert date_ordinal("") == 0


def test_a_window_read_from_the_question_keeps_undated_documents():
    from datetime import date

    from assistant.filters import Filters

    read = Filters(date(2017, 1, 1), date(2017, 12, 31), keep_undated=True)
    assert read.matches("a.txt", "")
    assert read.matches("a.txt", "2017-05")
    assert not read.matches("a.txt", "2018-01-02")
    assert read.date_where() == {
        "$or": [
            {"$and": [{"date_ord": {"$gte": 20170101}}, {"date_ord": {"$lte": 20171231}}]},
            {"date_ord": 0},
        ]
    }
    assert read.to_dict()["keep_undated"] is True
    user = Filters(date(2017, 1, 1), date(2017, 12, 31))
    assert not user.matches("a.txt", "")
    assert "keep_undated" not in user.to_dict()
