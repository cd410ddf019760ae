"""Figures and dates of a text: the sample corpus's hand lists, exact quotes, year resolution."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant import figures, timeline
from assistant.analysis import fold
from assistant.lexicon import stems_of

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "ingest" / "sample_corpus"
HAND = json.loads((ROOT / "evals" / "figures_sample.json").read_text(encoding="utf-8"))


def _head(what: str) -> str:
    return stems_of(fold(what).split()[0])[0]


def test_every_hand_listed_figure_is_found_and_what_it_counts_is_right() -> None:
    found_total = listed = judged = right = 0
    missing: list[str] = []
    for name, expected in HAND["files"].items():
        facts = figures.extract((SAMPLE / name).read_text(encoding="utf-8"))
        remaining = list(facts)
        for item in expected:
            listed += 1
            match = next((f for f in remaining if f.value == item["value"]), None)
            if match is None:
                missing.append(f"{name}: {item['value']}")
                continue
            remaining.remove(match)
            found_total += 1
            if match.what:  # an empty `what` abstains; a wrong one counts against precision
                judged += 1
                right += item["what"] is not None and _head(match.what) == _head(item["what"])
        assert not remaining, f"{name}: figures not in the hand list: {remaining}"
    assert not missing, missing
    assert found_total == listed
    assert judged >= 30
    assert right / judged >= 0.95


def test_money_and_percentages_carry_their_unit_and_scale() -> None:
    text = (
        "Alibaba investit 712,2 millions de dollars dans Huitongda. Les zones rurales ne "
        "concentrent que 17,3% des ventes en ligne du pays. Hema a ouvert 22 magasins."
    )
    got = {f.value: f for f in figures.extract(text)}
    assert got["712,2 millions de dollars"].number == 712.2e6
    assert got["712,2 millions de dollars"].unit == "dollars"
    assert got["712,2 millions de dollars"].entity == "Alibaba"
    assert got["17,3%"].unit == "%"
    assert got["17,3%"].what == "ventes en ligne"
    assert got["22"].what == "magasins"
    assert got["22"].entity == "Hema"


def test_years_dates_times_list_marks_and_ordinals_are_not_figures() -> None:
    text = (
        "Dernière mise à jour à 13h38 le 20/06\n1/ L'expansion\nEn 2016 Alibaba est devenu "
        "le 1er distributeur, le 9 juin, sur le marché B2C."
    )
    assert figures.extract(text) == []


SENTENCES = [
    s
    for path in sorted(SAMPLE.glob("*.txt"))
    for s in path.read_text(encoding="utf-8").split("\n")
    if s.strip()
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6),
    st.sampled_from(["\n", " ", "\n\n"]),
)
def test_every_quote_is_the_text_at_its_offsets(parts: list[str], glue: str) -> None:
    text = glue.join(parts)
    for f in figures.extract(text):
        assert text[f.start : f.end] == f.quote
        assert text[f.value_start : f.value_start + len(f.value)] == f.value
        assert f.start <= f.value_start < f.end
    for e in timeline.extract(text, "2017-06-20"):
        assert text[e.start : e.end] == e.quote
        assert text[e.text_start : e.text_start + len(e.text)] == e.text
        assert e.start <= e.text_start < e.end


EXPECTED_DATES = {
    # file: (date phrase, ISO date against a 2017-06-20 reference, precision), in text order
    "000_ee5a528fd7f4285d.txt": [
        ("le 20/06", "2017-06-20", "day"),
        ("le dimanche 18 juin", "2017-06-18", "day"),
        ("le 12 juin", "2017-06-12", "day"),
        ("le 9 juin", "2017-06-09", "day"),
        ("2016", "2016", "year"),
        ("en avril dernier", "2017-04", "month"),
    ],
    "001_f00b6cf2c989c739.txt": [
        ("en janvier 2016", "2016-01", "month"),
        ("En novembre 2017", "2017-11", "month"),
        ("depuis janvier 2018", "2018-01", "month"),
        ("courant avril", "2017-04", "month"),
    ],
    "002_35a95145e6805c4a.txt": [("22 novembre 2017", "2017-11-22", "day")],
    "003_2922aea180172e7c.txt": [
        ("au mois de mai", "2017-05", "month"),
        ("2013", "2013", "year"),
        ("juin", "2017-06", "month"),
        ("août", "2017-08", "month"),
    ],
    "004_93719627ca9a1645.txt": [
        ("En 2016", "2016", "year"),
        ("En 2016", "2016", "year"),
        ("en 2016", "2016", "year"),
    ],
}


def test_every_date_of_the_sample_is_found_with_its_precision() -> None:
    for name, expected in EXPECTED_DATES.items():
        events = timeline.extract((SAMPLE / name).read_text(encoding="utf-8"), "2017-06-20")
        assert [(e.text, e.date, e.precision) for e in events] == expected, name


def test_a_yearless_date_is_resolved_only_against_a_reference() -> None:
    text = "JD.com a lancé le 9 juin un évènement. Alibaba a levé des fonds courant avril."
    unresolved = timeline.extract(text)
    assert [(e.date, e.precision) for e in unresolved] == [(None, "day"), (None, "month")]
    # Early January looks back to last December, not ahead to next December.
    (december,) = timeline.extract("La vente du 20 décembre a battu un record.", "2018-01-05")
    assert december.date == "2017-12-20"
    (last,) = timeline.extract("Il l'a annoncé en avril dernier.", "2018-03-01")
    assert last.date == "2017-04"
    assert timeline.extract("Le 31 février 2017 n'existe pas.", None) == []


def test_counts_of_thousands_are_not_years() -> None:
    events = timeline.extract("Plus de 2000 personnes sont venues en 2017.", "2017-05-01")
    assert [e.text for e in events] == ["en 2017"]


TIMELINE_HAND = json.loads((ROOT / "evals" / "timeline_sample.json").read_text(encoding="utf-8"))


def test_every_hand_listed_date_is_found_in_order_with_its_precision() -> None:
    listed = found_total = right_found = 0
    missing: list[str] = []
    for name, item in TIMELINE_HAND["files"].items():
        text = (SAMPLE / name).read_text(encoding="utf-8")
        events = timeline.extract(text, item["reference"])
        wanted = [(d["phrase"], d["expected"], d["precision"]) for d in item["dates"]]
        got = [(e.text, e.date, e.precision) for e in events]
        listed += len(wanted)
        found_total += len(got)
        remaining = list(got)
        for want in wanted:
            if want in remaining:
                remaining.remove(want)
                right_found += 1
            else:
                missing.append(f"{name}: {want}")
        # In the text's order: the hand list is written in reading order.
        assert [g for g in got if g in wanted] == [w for w in wanted if w in got], name
    assert not missing, missing  # recall 1.0: every explicit date, its date and precision
    assert right_found / found_total >= 0.95  # what is found is a listed date


def test_scores_decades_and_designations_are_not_dates_and_dernier_looks_back() -> None:
    text = (
        "Onufriyenko (1/5) et Narcisse (5/7). Le transfert le plus cher des années 1980. "
        "Nommée 2014 UZ224, elle orbite loin. Les 14 juillet et 19 décembre derniers."
    )
    got = [(e.text, e.date) for e in timeline.extract(text, "2017-01-08")]
    assert got == [("14 juillet", "2016-07-14"), ("19 décembre derniers", "2016-12-19")]


def test_a_tokenised_first_of_the_month_is_a_day() -> None:
    (event,) = timeline.extract("Les patineurs de plus de 13 ans au 1 er juillet 2018.", None)
    assert (event.date, event.precision) == ("2018-07-01", "day")


def test_a_yearless_date_looks_back_unless_it_is_soon() -> None:
    # Written in January: "le 8 juin" is last June (155 days ahead, 217 behind)...
    (june,) = timeline.extract("L'attaque la plus meurtrière a eu lieu le 8 juin.", "2017-01-08")
    assert june.date == "2016-06-08"
    # ...while a date three weeks ahead is ahead.
    (may,) = timeline.extract("L'ouverture se fera le 22 mai.", "2017-05-02")
    assert may.date == "2017-05-22"


def test_number_words_are_read_whole() -> None:
    text = (
        "Vingt-deux membres ont voté. Vingt et un pays ont signé. Deux cents personnes sont "
        "venues. Quatre-vingt-dix élus ont refusé. Il a recueilli 17 pour cent des voix."
    )
    got = [(f.value, f.number, f.unit, f.what, f.entity) for f in figures.extract(text)]
    assert got == [
        ("Vingt-deux", 22.0, "", "membres", ""),
        ("Vingt et un", 21.0, "", "pays", ""),
        ("Deux cents", 200.0, "", "personnes", ""),
        ("Quatre-vingt-dix", 90.0, "", "élus", ""),
        ("17 pour cent", 17.0, "%", "voix", ""),
    ]


def test_times_of_day_and_flight_numbers_are_not_figures_but_durations_are() -> None:
    text = (
        "Le vol 661 s'est écrasé. À 9 heures 45, un incident s'est produit. Le dépôt s'est "
        "achevé à 18 heures. Le vote a eu lieu à 21 heures locales. Il est resté 18 heures "
        "sous les décombres, après une garde à vue de 48 heures."
    )
    got = [(f.value, f.unit) for f in figures.extract(text)]
    assert got == [("18 heures", "heures"), ("48 heures", "heures")]


def test_a_verb_after_a_figure_is_not_what_it_counts() -> None:
    (_, hundred) = figures.extract("Sur les 109 escadrons, 100 vont être déployés.")
    assert (hundred.value, hundred.what) == ("100", "")


def test_names_halves_speeds_and_minutes_seconds() -> None:
    text = (
        "Elle écrivait à la Revue des deux Mondes. Il a gagné un Ironman 70.3 en Floride. "
        "Elle sort de l'eau avec 3 minutes 30 d'avance. Alina Zagitova, à 15 et demi, gagne. "
        "Des rafales de 90 à 100 km/h ont soufflé."
    )
    got = [(f.value, f.number, f.unit) for f in figures.extract(text)]
    assert got == [
        ("3 minutes", 3.0, "minutes"),
        ("15 et demi", 15.5, ""),
        ("90", 90.0, "km/h"),
        ("100 km/h", 100.0, "km/h"),
    ]
