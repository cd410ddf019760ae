"""Long answers as news writes them: announced lists, listed comparison dimensions, topic articles.

The rules read whole documents, so each test runs over a small in-memory store of articles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from assistant.announcements import announces
from assistant.coverage import cover
from assistant.evidence import score_sentences
from assistant.sections import CoverageSettings
from assistant.sides import asked_dimensions
from assistant.topics import about_topic
from assistant.types import Chunk, Passage

if TYPE_CHECKING:
    from assistant.store import Store


class _Articles:
    """What the coverage rules read from a store: each article's text, title and one chunk."""

    def __init__(self, *articles: str) -> None:
        self.texts = {f"doc-{i}": text for i, text in enumerate(articles)}
        self.chunks = {
            doc_id: Chunk(
                f"{doc_id}.txt",
                doc_id,
                text,
                0,
                len(text),
                f"{doc_id}-0",
                title=text.split("\n")[0],
            )
            for doc_id, text in self.texts.items()
        }

    def document_text(self, doc_id: str) -> str | None:
        return self.texts.get(doc_id)

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        return [self.chunks[doc_id]] if doc_id in self.chunks else []

    def passages(self) -> tuple[Passage, ...]:
        return tuple(Passage(n, c, 1.0) for n, c in enumerate(self.chunks.values(), start=1))


def _bullets(kind: str, question: str, store: _Articles) -> str:
    passages = store.passages()
    coverage = cover(
        kind,
        question,
        score_sentences(question, passages),
        passages,
        store=cast("Store", store),
        policy=CoverageSettings(),
    )
    for c in coverage.citations():  # every bullet stays an exact span of its document
        assert store.texts[c.source.removesuffix(".txt")][c.start : c.end] == c.quote
    return coverage.text()


PRIMARY = (
    "Les sept candidats à la primaire sont connus\n\n"
    "La haute autorité de la primaire a annoncé les sept candidats retenus samedi soir.\n\n"
    "Plusieurs candidats ont été recalés. Pierre Martin et Paul Durand ont été écartés au "
    "début du mois par le bureau national. Jeanne Leroy a aussi été refusée faute de "
    "parrainages suffisants.\n"
)


def test_a_list_follows_the_sentence_that_announces_it_to_the_names() -> None:
    text = _bullets("list", "Quels candidats ont été recalés de la primaire ?", _Articles(PRIMARY))
    for name in ("Pierre Martin", "Paul Durand", "Jeanne Leroy"):
        assert name in text
    assert announces("Plusieurs candidats ont été recalés.")
    assert not announces("Pierre Martin et Paul Durand ont été écartés.")  # it names them


CONTEST_2016 = (
    "Concours de la chanson 2016 : l'Ukraine remporte le concours\n\n"
    "La finale du concours s'est tenue samedi à Stockholm devant seize mille spectateurs. "
    "La cérémonie a vu la victoire de l'Ukraine avec 534 points. "
    "En deuxième position se trouve l'Australie avec 511 points.\n"
)
CONTEST_2017 = (
    "Concours de la chanson 2017 : le Portugal remporte le concours\n\n"
    "La finale du concours 2017 s'est tenue samedi à Kiev devant seize mille spectateurs. "
    "La demi-finale du concours avait eu lieu jeudi à Kiev, avec dix-huit pays. "
    "En deuxième position se trouve la Bulgarie avec 615 points.\n"
)


def test_each_side_of_a_comparison_gets_a_sentence_for_each_listed_dimension() -> None:
    question = "Compare les éditions 2016 et 2017 du concours : vainqueur et deuxième."
    assert asked_dimensions(question) == ["vainqueur", "deuxième"]
    assert asked_dimensions("Compare JD et Tmall : qui vend le plus ?") == []
    text = _bullets("comparison", question, _Articles(CONTEST_2016, CONTEST_2017))
    # The article titled with one edition is that edition's, even where a sentence omits the year.
    assert "Australie" in text
    assert "Bulgarie" in text


def test_a_topic_summary_reads_the_articles_about_the_topic_not_those_naming_it_once() -> None:
    about = (
        "La sonde Cassini prépare la fin de sa mission autour de Saturne\n\n"
        "La sonde Cassini va plonger dans Saturne le 15 septembre. La mission de la sonde "
        "Cassini s'achève après treize ans. La sonde passera entre les anneaux le 26 avril.\n"
    )
    also = (
        "La sonde Cassini entame la fin de mission\n\n"
        "La sonde Cassini survolera Titan le 22 avril. Puis la sonde Cassini changera "
        "d'orbite autour de Saturne pour sa mission finale.\n"
    )
    mention = (
        "Un satellite de Saturne révélé\n\n"
        "Des images de Pan, prises par la sonde Cassini, montrent une forme de ravioli.\n"
    )
    store = _Articles(about, also, mention)
    question = "Résume la fin de mission de la sonde Cassini autour de Saturne."
    kept = about_topic(question, store.texts, cast("Store", store), 0.6)
    assert kept == {"doc-0", "doc-1"}
    text = _bullets("summary", question, store)
    assert "ravioli" not in text
    assert "15 septembre" in text
