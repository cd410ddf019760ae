"""What a long answer covers: no dateline is a point, connectives carry on, articles spread."""

from __future__ import annotations

from assistant.evidence import Evidence
from assistant.selection import makes_a_point, spread
from assistant.structure import asked_heading, continues, is_dateline, with_continuations
from assistant.types import Chunk, Passage

NEWS = (
    "Séisme en Italie : le bilan monte à 37 morts\n\n"
    "24 août 2016, 9 h 07 UTC . –\n"
    "Un séisme de magnitude 6,2 a frappé le centre de l'Italie cette nuit.\n"
)


def _ev(text: str, score: float, doc: str, start: int = 0) -> Evidence:
    chunk = Chunk(f"{doc}.txt", doc, text, start, start + len(text), f"{doc}-{start}")
    return Evidence(Passage(1, chunk, 1.0), start, start + len(text), text, score)


def test_a_dateline_is_neither_a_point_nor_a_heading_the_question_asks_for() -> None:
    assert is_dateline("24 août 2016, 9 h 07 UTC . –")
    assert is_dateline("27 août 2016 . –")
    assert is_dateline("June 3, 2017 —")
    assert not is_dateline("Le 26 avril prochain, la sonde passera entre les anneaux.")
    assert not is_dateline("2016")  # a bare year may head a section of a report
    assert not makes_a_point("24 août 2016, 9 h 07 UTC . –")
    # The question shares the dateline's month and year, not what the article says.
    assert asked_heading("Résume le bilan du séisme d'août 2016.", NEWS) is None


def test_a_sentence_opening_with_a_connective_goes_on_about_the_previous_one() -> None:
    text = "Le président a reçu le prix. Néanmoins, l'accord a été rejeté par référendum."
    second = text.index("Néanmoins")
    assert continues(text, second - 1, second)
    chunk = Chunk("a.txt", "a", text, 0, len(text), "a-0")
    first = Evidence(Passage(1, chunk, 1.0), 0, second - 1, text[: second - 1], 1.0)
    then = Evidence(Passage(1, chunk, 1.0), second, len(text), text[second:], 0.1)
    raised = {ev.start: ev.score for ev in with_continuations([first, then])}
    assert raised[second] >= 0.9


def test_each_article_on_the_subject_gives_a_point_before_a_second_one_of_the_best() -> None:
    best = [
        _ev(f"Le bilan du séisme monte à {n} morts selon la protection civile italienne.", s, "a")
        for n, s in ((37, 1.0), (120, 0.95), (159, 0.9))
    ]
    later = _ev("Un nouveau décompte fait état de 241 victimes dans les villages.", 0.3, "b")
    off = _ev("Le bilan financier de la saison touristique reste très satisfaisant.", 0.6, "c")
    chosen = spread(
        [*best, off, later],
        3,
        0.7,
        0.35,
        document_share=0.6,
        documents=4,
        on_subject=frozenset({"a", "b"}),
    )
    docs = [ev.passage.chunk.doc_id for ev in chosen]
    assert "b" in docs  # the other article, though its sentence scores far below
    assert "c" not in docs  # an article that never names the subject
    assert docs[0] == "a"
