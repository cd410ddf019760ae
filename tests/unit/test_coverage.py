"""The pieces of long answers: numbered points, sections, comparison sides, MMR, summaries.

Rules that read a whole document run over a small in-memory store (its text and chunks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from assistant.coverage import (
    Point,
    cover,
    merge_passages,
    mmr,
)
from assistant.evidence import Evidence, score_sentences
from assistant.sections import CoverageSettings
from assistant.sides import comparison_sides
from assistant.structure import asked_heading, continues, numbered_points, with_continuations
from assistant.types import Chunk, Passage

if TYPE_CHECKING:
    from assistant.store import Store

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


class _OneDocument:
    """What the coverage rules read from a store: one document's text and its chunks."""

    def __init__(self, text: str, size: int = 400) -> None:
        self.text = text
        self.chunks: list[Chunk] = []
        start = 0
        while start < len(text):
            cut = text.find("\n", start + size)
            end = len(text) if cut < 0 else cut + 1
            self.chunks.append(Chunk("d.txt", "doc-d", text[start:end], start, end, f"d{start}"))
            start = end

    def document_text(self, doc_id: str) -> str | None:
        return self.text if doc_id == "doc-d" else None

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        return list(self.chunks) if doc_id == "doc-d" else []

    def passages(self, *indexes: int) -> tuple[Passage, ...]:
        return tuple(Passage(n, self.chunks[i], 1.0) for n, i in enumerate(indexes, start=1))


RURAL = (
    "Alibaba investit 712 millions de dollars pour conquérir les campagnes chinoises\n"
    "Alibaba investit 712,2 millions de dollars dans la plateforme Huitongda Network.\n"
    "Les zones rurales comptent 600 millions de personnes mais 17,3% des ventes en ligne.\n"
    "Les concurrents d'Alibaba tentent aussi de conquérir les campagnes\n"
    "En novembre 2017, Alibaba a lancé Ling Shou Tong pour les épiceries des villages. "
    "Cette solution analyse leurs ventes et les conseille sur les produits à vendre.\n"
    "JD.com expérimente depuis janvier 2018 la livraison par drone dans trois provinces. "
    "Pingduoduo a levé 3 milliards de dollars auprès de Tencent, qui détient WeChat.\n"
)


def _cover(kind: str, question: str, store: _OneDocument, *indexes: int) -> list[str]:
    passages = store.passages(*indexes)
    evidence = score_sentences(question, passages)
    coverage = cover(
        kind,
        question,
        evidence,
        passages,
        store=cast("Store", store),
        policy=CoverageSettings(),
    )
    by_n = {p.n: p for p in coverage.passages}
    for c in coverage.citations():  # every bullet is an exact span of the document
        assert store.text[c.start : c.end] == c.quote
        assert by_n[c.n].chunk.start <= c.start < c.end <= by_n[c.n].chunk.end
    return coverage.text().splitlines()


def test_a_question_naming_a_heading_gets_the_whole_section_under_it():
    store = _OneDocument(RURAL, size=150)
    bullets = _cover(
        "list", "Que font les concurrents d'Alibaba pour conquérir les campagnes ?", store, 0
    )
    text = "\n".join(bullets)
    for fact in ("Ling Shou Tong", "analyse leurs ventes", "drone", "Pingduoduo"):
        assert fact in text
    assert "712,2" not in text  # the section stops where it starts: after its heading
    assert all(b.startswith("- **Les concurrents d'Alibaba") for b in bullets)


def test_the_asked_heading_holds_most_of_its_words_and_is_never_the_title():
    assert asked_heading("Que font les concurrents d'Alibaba pour les campagnes ?", RURAL)
    # The title is the document, not a section; one shared word asks for nothing.
    titled = "Huitongda Network\nUne phrase sur Huitongda Network, assez longue.\nLes rivaux\n"
    assert asked_heading("Que fait Huitongda Network ?", titled) is None
    assert asked_heading("Que font les concurrents de Tencent ?", RURAL) is None


def test_a_sentence_that_goes_on_about_the_previous_one_shares_its_relevance():
    text = (
        "Il faut télécharger l'application mobile du magasin. "
        "Celle-ci donne l'origine, la fabrication et des recettes.\n"
        "Celle-ci ouvre un paragraphe sans rien continuer du tout."
    )
    assert continues(text, text.index("Celle") - 1, text.index("Celle"))
    assert not continues(text, text.index("\n"), text.rindex("Celle"))
    chunk = Chunk("d.txt", "doc-d", text, 0, len(text), "d0")
    first_end = text.index("Celle") - 1
    app = Evidence(Passage(1, chunk, 1.0), 0, first_end, text[:first_end], 1.0)
    then_start = text.index("Celle")
    then = Evidence(
        Passage(1, chunk, 1.0),
        then_start,
        text.index("\n"),
        text[then_start : text.index("\n")],
        0.1,
    )
    raised = with_continuations([app, then])
    assert [round(ev.score, 2) for ev in raised] == [1.0, 0.9]
    assert raised[1].text.startswith("Celle-ci donne")


def test_a_summary_of_one_article_takes_a_point_from_every_paragraph_and_no_title():
    lead = " ".join(
        f"Alibaba investit dans Huitongda, phrase {i} du premier paragraphe." for i in range(8)
    )
    text = (
        "Alibaba investit dans Huitongda\n"
        f"{lead}\n"
        "Pingduoduo, un rival, a levé 3 milliards de dollars auprès de Tencent.\n"
    )
    store = _OneDocument(text, size=10_000)
    bullets = _cover("summary", "Résume l'article sur l'investissement dans Huitongda.", store, 0)
    assert len(bullets) <= CoverageSettings().summary_points
    assert any("Pingduoduo" in b for b in bullets)
    assert not any(b.startswith("- Alibaba investit dans Huitongda [") for b in bullets)


def test_a_side_of_a_comparison_keeps_the_sentence_that_goes_on_about_it():
    text = (
        "Quant à JD.com, il teste à Pékin deux magasins sans vendeurs, une première. "
        "L'enseigne conçoit aussi des caméras de reconnaissance faciale pour ses clients. "
        "Elle parle aussi de Hema et des magasins Alibaba, qui en ont ouvert 22.\n"
        "Alibaba ouvre des magasins Hema à Shanghai et à Pékin, 22 en tout cette année.\n"
    )
    store = _OneDocument(text, size=10_000)
    bullets = _cover("comparison", "Compare les magasins de JD.com et d'Alibaba.", store, 0)
    jd = [b for b in bullets if b.startswith("- **JD.com**")]
    assert any("reconnaissance faciale" in b for b in jd)
    assert not any("Elle parle" in b for b in jd)  # it names the other side
