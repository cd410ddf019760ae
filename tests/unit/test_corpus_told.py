"""What the corpus says about a subject: which questions ask it, and which sentences tell it."""

from __future__ import annotations

import pytest

from assistant.corpus import asks_about
from assistant.corpus_scan import Mention, documents_holding, told
from assistant.types import Chunk


@pytest.mark.parametrize(
    ("question", "about"),
    [
        ("Que dit le corpus sur Hema ?", True),
        ("Que disent les articles sur Alipay ?", True),
        ("Qu'est-ce que racontent les documents sur Tencent ?", True),
        ("What does the corpus say about Tencent?", True),
        ("What do the articles tell about Tmall?", True),
        ("Quels articles mentionnent Hema ?", False),
        ("Combien d'articles parlent de Tencent ?", False),
        ("Which articles mention Tmall?", False),
        ("What articles say about Tmall?", False),
        ("Dans quels articles est-il question de Hema ?", False),
        ("Combien de magasins Hema compte-t-il ?", False),
    ],
)
def test_only_the_questions_on_what_the_corpus_says_ask_about(question: str, about: bool) -> None:
    assert asks_about(question) is about


TEXT = (
    "Hema, le supermarché\n"
    "Alibaba ouvre des magasins. "
    "Hema est une chaîne de supermarchés qui a ouvert 22 magasins à Shanghai et Pékin. "
    "Le paiement passe par Alipay. "
    "Hema. "
    "Les clients de Hema paient avec leur téléphone dans chaque magasin du groupe."
)


def _chunks() -> list[Chunk]:
    # Two chunks that overlap by a sentence, as the ingest cuts them.
    cut = TEXT.index("Le paiement")
    second = TEXT.index("Hema est")
    return [
        Chunk(source="a.txt", doc_id="a", text=TEXT[:cut], start=0, end=cut, chunk_id="a-0"),
        Chunk(
            source="a.txt",
            doc_id="a",
            text=TEXT[second:],
            start=second,
            end=len(TEXT),
            chunk_id="a-1",
        ),
    ]


WRITTEN = {"hema": frozenset({"hema"})}


def test_every_sentence_that_mentions_the_subject_is_kept_once_the_heading_last() -> None:
    (hit,) = documents_holding(
        _chunks(), [["hema"]], any_of=False, guessed={}, written=WRITTEN, sentences=True
    )
    quotes = [m.quote for m in hit.sentences]
    assert quotes == [
        "Hema, le supermarché",
        "Hema est une chaîne de supermarchés qui a ouvert 22 magasins à Shanghai et Pékin.",
        "Hema.",
        "Les clients de Hema paient avec leur téléphone dans chaque magasin du groupe.",
    ]
    for mention in hit.sentences:
        assert TEXT[mention.start : mention.end] == mention.quote
        assert mention.chunk.text[mention.start - mention.chunk.start :].startswith(mention.quote)
    # Three sentences: the heading only comes in when a fourth is asked for.
    assert [m.quote for m in told(hit.sentences, 3)] == quotes[1:]
    assert [m.quote for m in told(hit.sentences, 4)] == quotes
    # Without being asked, the scan keeps no sentence (the "which articles" answer).
    (plain,) = documents_holding(_chunks(), [["hema"]], any_of=False, guessed={}, written=WRITTEN)
    assert plain.sentences == ()


def _mention(start: int, quote: str, key: tuple[int, int, int, int] = (1, 1, 1, 1)) -> Mention:
    chunk = Chunk(source="a.txt", doc_id="a", text=quote, start=start, end=start + len(quote))
    return Mention(chunk, quote, start, start + len(quote), key)


def test_told_keeps_the_most_informative_in_document_order() -> None:
    short = _mention(0, "Hema.", (1, 1, 0, 1))
    first = _mention(10, "Hema ouvre 22 magasins à Shanghai et à Pékin cette année.")
    second = _mention(100, "Les clients de Hema paient avec leur téléphone en magasin.")
    third = _mention(200, "Hema livre ses clients en moins de trente minutes.")
    assert told([short, first, second, third], 2) == [first, second]
    assert told([short, first, second, third], 4) == [short, first, second, third]
    assert told([], 3) == []


def test_told_skips_overlapping_and_nearly_identical_sentences() -> None:
    whole = _mention(0, "Hema ouvre 22 magasins à Shanghai et à Pékin cette année.")
    inside = _mention(5, "ouvre 22 magasins à Shanghai et à Pékin cette année, dit Hema.")
    again = _mention(500, "Hema ouvre 22 magasins à Shanghai et à Pékin cette année !")
    other = _mention(900, "Les clients de Hema paient avec leur téléphone en magasin.")
    assert told([whole, inside, again, other], 4) == [whole, other]
