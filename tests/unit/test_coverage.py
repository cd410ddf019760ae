"""The pieces of long answers that need no store: numbered points, comparison sides, MMR."""

from __future__ import annotations

from assistant.coverage import Point, comparison_sides, merge_passages, mmr, numbered_points
from assistant.evidence import Evidence
from assistant.types import Chunk, Passage

ARTICLE = (
    "Alibaba en 5 points\n"
    "Intro sentence here, long enough to count.\n"
    "1/ L'expansion d'Alibaba\n"
    "Texte.\n"
    "2/ La philosophie du New Retail\n"
    "Texte.\n"
    "3/ Ses ambitions en France\n"
    "En 2017, 3 magasins ont ouvert.\n"
    "1. Une liste sans suite\n"
)


def _ev(text: str, score: float, n: int = 1, start: int = 0) -> Evidence:
    chunk = Chunk("a.txt", "doc-a", text, start, start + len(text), f"c{n}-{start}")
    return Evidence(Passage(n, chunk, 1.0), start, start + len(text), text, score)


def test_numbered_points_are_the_longest_run_from_one_without_their_numbers():
    spans = numbered_points(ARTICLE)
    assert [ARTICLE[a:b] for a, b in spans] == [
        "L'expansion d'Alibaba",
        "La philosophie du New Retail",
        "Ses ambitions en France",
    ]


def test_two_numbered_lines_are_no_structure():
    assert numbered_points("1/ Un\n2/ Deux\n") == []
    assert numbered_points("Rien de numéroté ici.") == []


def test_comparison_sides_are_the_joined_names_not_every_name():
    assert comparison_sides(
        "Compare JD et Tmall sur le marché B2C de l'électroménager en Chine."
    ) == [
        "JD",
        "Tmall",
    ]
    assert comparison_sides("Compare la croissance d'Alibaba à celle de Walmart.") == [
        "Alibaba",
        "Walmart",
    ]
    assert comparison_sides(
        "Compare les stratégies d'Alibaba, de JD.com et de Pingduoduo pour les campagnes."
    ) == ["Alibaba", "JD.com", "Pingduoduo"]
    assert comparison_sides("How do Alibaba and JD.com compare in physical stores?") == [
        "Alibaba",
        "JD.com",
    ]


def test_mmr_prefers_a_new_point_to_a_near_copy_of_a_chosen_one():
    first = _ev("Alibaba ouvre 22 magasins Hema à Shanghai et à Pékin cette année.", 1.0)
    copy = _ev("Alibaba ouvre 22 magasins Hema à Shanghai et à Pékin cette année !", 0.95, 2)
    other = _ev("JD.com teste la livraison par drone dans trois provinces du nord.", 0.6, 3)
    chosen = mmr([first, copy, other], 2, diversity=0.7, min_relevance=0.3)
    assert chosen == [first, other]


def test_mmr_drops_titles_and_sentences_far_below_the_best():
    title = _ev("Alibaba", 2.0)
    best = _ev("Alibaba investit 712 millions de dollars dans Huitongda.", 1.0)
    weak = _ev("Une phrase sans rapport avec la question posée ici.", 0.1, 2)
    assert mmr([title, best, weak], 5, diversity=0.7, min_relevance=0.35) == [best]


def test_bullets_cite_their_passage_and_label_a_heading_once():
    ev = _ev("L'expansion d'Alibaba\nEn 2016 Alibaba est devenu le 1er distributeur.", 1.0, 4)
    heading = Point(ev, label="L'expansion d'Alibaba", heading=True)
    assert heading.bullet() == (
        "- **L'expansion d'Alibaba** : En 2016 Alibaba est devenu le 1er distributeur. [4]"
    )
    side = Point(_ev("Alibaba et JD.com sont les deux leaders.", 1.0, 2), label="Alibaba")
    assert side.bullet() == "- **Alibaba** : Alibaba et JD.com sont les deux leaders. [2]"
    assert heading.citation().quote == ev.text


def test_merged_passages_are_numbered_on_and_never_repeated():
    a = _ev("Premier passage assez long pour compter.", 1.0, 1).passage
    b = _ev("Second passage assez long pour compter.", 1.0, 2, start=100).passage
    extra = Chunk("b.txt", "doc-b", "Autre texte.", 0, 12, "x1")
    merged = merge_passages([a, b], [a.chunk, extra, extra])
    assert [(p.n, p.chunk.chunk_id) for p in merged] == [
        (1, a.chunk.chunk_id),
        (2, b.chunk.chunk_id),
        (3, "x1"),
    ]


def test_sides_that_are_not_names_are_the_words_joined_by_et():
    assert comparison_sides("Compare les séismes en Italie en août et en octobre 2016.") == [
        "août",
        "octobre",
    ]
    assert comparison_sides("Compare les éditions 2016, 2017 et 2018 du concours.") == [
        "2016",
        "2017",
        "2018",
    ]
    # Two names win over joined words, even with words between them.
    assert comparison_sides(
        "Compare les attentats de Bruxelles de mars 2016 et l'attentat de Nice de juillet 2016."
    ) == ["Bruxelles", "Nice"]


def test_link_lines_and_file_ids_are_never_points():
    link = _ev("2016_08_27-001 https://fr.wikinews.org/wiki/Italie_séisme_centre", 2.0)
    fact = _ev("Le séisme de magnitude 6,2 a frappé le centre de l'Italie cette nuit.", 1.0, 2)
    assert mmr([link, fact], 3, diversity=0.7, min_relevance=0.35) == [fact]
