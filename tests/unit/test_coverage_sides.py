"""The sentences of each side of a comparison: by meaning too, and those that go on about it.

A side's sentences are those naming it and those continuing them; an English question over
French text shares no word with the sentence that answers it, so meaning re-ranks them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from assistant.coverage import cover
from assistant.evidence import score_sentences
from assistant.meaning import SentenceVectors, by_meaning
from assistant.sections import CoverageSettings
from assistant.sides import about
from assistant.structure import names_again
from assistant.types import Chunk, Passage

if TYPE_CHECKING:
    from assistant.store import Store


class _StoresMeanShops:
    """Embeddings that know one thing: "stores" and "magasins" mean the same."""

    def _vector(self, text: str) -> list[float]:
        folded = text.lower()
        shops = any(w in folded for w in ("store", "magasin", "supermarch"))
        return [1.0 if shops else 0.0, 1.0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class _Document:
    """One document as the coverage rules read it, with the store's embedding model."""

    def __init__(self, text: str, embeddings: object | None) -> None:
        self.text = text
        self.chunk = Chunk("d.txt", "doc-d", text, 0, len(text), "d0")
        self.embeddings = embeddings

    def document_text(self, doc_id: str) -> str | None:
        return self.text

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        return [self.chunk]


STORES = (
    "JD.com expérimente la livraison par drone dans trois provinces du nord du pays. "
    "JD.com a lancé une plate-forme de service cloud en avril pour ses marchands. "
    "Quant à JD.com, il teste actuellement à Pékin deux magasins sans vendeurs.\n"
    "Alibaba a lancé son premier festival d'achats en ligne, le plus grand du monde. "
    "Alibaba ouvre aussi des supermarchés Hema, 22 en tout à Shanghai et Pékin.\n"
)


def _bullets(store: _Document, question: str) -> list[str]:
    passages = (Passage(1, store.chunk, 1.0),)
    coverage = cover(
        "comparison",
        question,
        score_sentences(question, passages),
        passages,
        store=cast("Store", store),
        policy=CoverageSettings(comparison_points=1),
    )
    for c in coverage.citations():  # every bullet is an exact span of the document
        assert store.text[c.start : c.end] == c.quote
    return coverage.text().splitlines()


def test_a_side_gets_the_sentence_that_means_the_question_in_another_language():
    question = "How do JD.com and Alibaba compare in their moves into physical stores?"
    words_only = _bullets(_Document(STORES, None), question)
    assert not any("magasins sans vendeurs" in b for b in words_only)
    bullets = _bullets(_Document(STORES, _StoresMeanShops()), question)
    jd = [b for b in bullets if b.startswith("- **JD.com**")]
    alibaba = [b for b in bullets if b.startswith("- **Alibaba**")]
    assert len(jd) == 1
    assert "magasins sans vendeurs" in jd[0]
    assert len(alibaba) == 1
    assert "Hema" in alibaba[0]


def test_meaning_embeds_each_sentence_once_and_only_the_best_few():
    class Counting(_StoresMeanShops):
        embedded: list[str] = []  # noqa: RUF012 - one test's record

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            self.embedded.extend(texts)
            return super().embed_documents(texts)

    store = _Document(STORES, None)
    evidence = score_sentences("JD.com magasins", (Passage(1, store.chunk, 1.0),))
    embeddings = Counting()
    vectors = SentenceVectors(cast("object", embeddings))  # type: ignore[arg-type]
    first = by_meaning("stores", evidence, vectors, limit=3, weight=0.3)
    again = by_meaning("stores", evidence, vectors, limit=3, weight=0.3)
    assert len(embeddings.embedded) == 3  # the best three, once for both calls
    assert [ev.text for ev in first] == [ev.text for ev in again]
    assert len(first) == len(evidence)


HEMA = (
    "Le groupe Alibaba sera aussi porté à l'avenir par Hema, dont la croissance ne cesse "
    "de prendre de l'ampleur. Hema est une chaîne de supermarchés qui a ouvert 22 magasins "
    "ces derniers mois. Le Monde en a parlé longuement la semaine dernière.\n"
)


def test_a_sentence_opening_with_a_name_the_side_s_sentence_introduced_is_the_side_s():
    chunk = Chunk("h.txt", "doc-h", HEMA, 0, len(HEMA), "h0")
    scored = score_sentences("Alibaba magasins", (Passage(1, chunk, 1.0),))
    theirs = [ev.text for ev in about("Alibaba", ["Alibaba", "JD.com"], scored)]
    assert any(t.startswith("Hema est une chaîne") for t in theirs)
    assert not any(t.startswith("Le Monde") for t in theirs)  # "Le" opens every sentence


def test_a_name_only_counts_when_the_previous_sentence_names_it_in_the_same_paragraph():
    text = "Alibaba rachète Hema. Hema ouvre 22 magasins.\nHema ouvre encore."
    first_end = text.index(".") + 1
    assert names_again(text, text[:first_end], first_end, first_end + 1)
    second_end = text.index("magasins.") + len("magasins.")
    assert not names_again(text, text[:second_end], second_end, second_end + 1)
