"""A question's date phrase becomes a date window: what is found, what it means, what is left."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.date_phrases import find_date_filter, newest_date, window_label
from assistant.filters import Filters
from assistant.store import DocumentRecord

NEWEST = date(2018, 3, 15)
"""The newest article of an imagined store: relative phrases are read against it."""

D = date


@pytest.mark.parametrize(
    ("question", "phrase", "since", "until"),
    [
        ("Que s'est-il passé en 2017 ?", "en 2017", D(2017, 1, 1), D(2017, 12, 31)),
        (
            "Qu'est-ce qui a changé depuis janvier 2018 ?",
            "depuis janvier 2018",
            D(2018, 1, 1),
            None,
        ),
        (
            "Quelles élections en novembre 2017 ?",
            "en novembre 2017",
            D(2017, 11, 1),
            D(2017, 11, 30),
        ),
        (
            "Qu'a fait Alibaba entre mars et mai 2017 ?",
            "entre mars et mai 2017",
            D(2017, 3, 1),
            D(2017, 5, 31),
        ),
        (
            "Et entre novembre et février 2018 ?",
            "entre novembre et février 2018",
            D(2017, 11, 1),
            D(2018, 2, 28),
        ),
        (
            "Que s'est-il passé du 1er mars au 15 mai 2017 ?",
            "du 1er mars au 15 mai 2017",
            D(2017, 3, 1),
            D(2017, 5, 15),
        ),
        ("Qu'est-il arrivé le mois dernier ?", "le mois dernier", D(2018, 2, 1), D(2018, 2, 28)),
        ("Que dit l'article du mois dernier ?", "du mois dernier", D(2018, 2, 1), D(2018, 2, 28)),
        ("Quels accords cette année ?", "cette année", D(2018, 1, 1), D(2018, 12, 31)),
        ("Qui a gagné l'an dernier ?", "l'an dernier", D(2017, 1, 1), D(2017, 12, 31)),
        ("Qui a gagné l’année dernière ?", "l’année dernière", D(2017, 1, 1), D(2017, 12, 31)),
        (
            "Qu’est-ce qui a changé depuis l’an dernier ?",
            "depuis l’an dernier",
            D(2017, 1, 1),
            None,
        ),
        (
            "Que s'est-il passé la semaine dernière ?",
            "la semaine dernière",
            D(2018, 3, 5),
            D(2018, 3, 11),
        ),
        ("Quels attentats ces 3 derniers mois ?", "ces 3 derniers mois", D(2017, 12, 1), NEWEST),
        ("Que s'est-il passé avant 2017 ?", "avant 2017", None, D(2016, 12, 31)),
        ("Quels matchs jusqu'en juin 2016 ?", "jusqu'en juin 2016", None, D(2016, 6, 30)),
        (
            "Combien de magasins le 22 novembre 2017 ?",
            "le 22 novembre 2017",
            D(2017, 11, 22),
            D(2017, 11, 22),
        ),
        (
            "Quels résultats en 2016 et en 2017 ?",
            "en 2016 et en 2017",
            D(2016, 1, 1),
            D(2017, 12, 31),
        ),
        (
            "Depuis 2016 jusqu'en 2017 ?",
            "Depuis 2016 jusqu'en 2017",
            D(2016, 1, 1),
            D(2017, 12, 31),
        ),
        ("What happened last month?", "last month", D(2018, 2, 1), D(2018, 2, 28)),
        ("What changed since March 2018?", "since March 2018", D(2018, 3, 1), None),
        ("Who won the election in 2016?", "in 2016", D(2016, 1, 1), D(2016, 12, 31)),
        (
            "What happened between 2016 and 2017?",
            "between 2016 and 2017",
            D(2016, 1, 1),
            D(2017, 12, 31),
        ),
        ("What happened after 2016?", "after 2016", D(2017, 1, 1), None),
        (
            "From March to May 2017, who resigned?",
            "From March to May 2017",
            D(2017, 3, 1),
            D(2017, 5, 31),
        ),
        ("What happened in May 2017?", "in May 2017", D(2017, 5, 1), D(2017, 5, 31)),
        ("Which deals this year?", "this year", D(2018, 1, 1), D(2018, 12, 31)),
        ("Sales in 2017-11?", "in 2017-11", D(2017, 11, 1), D(2017, 11, 30)),
    ],
)
def test_a_date_phrase_becomes_a_window_with_its_span(
    question: str, phrase: str, since: date | None, until: date | None
) -> None:
    found = find_date_filter(question, NEWEST)
    assert found is not None
    assert (found.phrase, found.filters) == (phrase, Filters(since=since, until=until))
    assert question[found.start : found.end] == phrase
    assert found.label == window_label(found.filters)


@pytest.mark.parametrize(
    "question",
    [
        # The date is what is asked: no window.
        "Quand Hema a-t-il ouvert son premier magasin en 2017 ?",
        "En quelle année Alibaba a-t-il été fondé ?",
        "Depuis quand Alibaba investit-il en Europe ?",
        "When did the attack happen in 2016?",
        "What year did Alibaba buy Lazada?",
        "In which month of 2017 did Hema open?",
        # No date phrase, or a number that only looks like a year.
        "Combien de magasins Hema a-t-il ouverts ?",
        "Hema a ouvert 2017 magasins ?",
        "Quel est le plan Vision 2030 ?",
        "Combien de ventes en 2017 % ?",
        "La saison 2017-2018 ?",
        "Le chiffre de 2017",
        "It may rain in May",
        # A month without its year is never completed from today.
        "Que s'est-il passé en mars ?",
    ],
)
def test_no_window_when_the_date_is_asked_or_absent(question: str) -> None:
    assert find_date_filter(question, NEWEST) is None


def test_relative_phrases_need_the_newest_article_never_today() -> None:
    assert find_date_filter("Qu'est-il arrivé le mois dernier ?", None) is None
    found = find_date_filter("Qu'est-il arrivé le mois dernier ?", date(2016, 1, 10))
    assert found is not None
    assert found.filters == Filters(since=D(2015, 12, 1), until=D(2015, 12, 31))
    # An absolute phrase does not need it.
    assert find_date_filter("Que s'est-il passé en 2017 ?", None) is not None


def test_labels_and_json_object() -> None:
    found = find_date_filter("Qu'est-ce qui a changé depuis janvier 2018 ?", NEWEST)
    assert found is not None
    assert found.label == "since 2018-01-01"
    assert found.to_dict() == {"phrase": "depuis janvier 2018", "start": 23, "end": 42}
    assert window_label(Filters(until=D(2016, 12, 31), source="2016/*")) == (
        "until 2016-12-31, source '2016/*'"
    )
    assert window_label(Filters(D(2017, 11, 22), D(2017, 11, 22))) == "on 2017-11-22"


def _record(n: int, iso: str) -> DocumentRecord:
    return DocumentRecord(f"d{n}", f"{n}.txt", "/r", "0" * 64, 1, date=iso)


def test_the_newest_article_is_the_latest_dated_record() -> None:
    records = [_record(1, "2017-11-22"), _record(2, ""), _record(3, "2018-01"), _record(4, "2016")]
    assert newest_date(records) == D(2018, 1, 1)
    assert newest_date([_record(1, ""), _record(2, "garbage")]) is None
