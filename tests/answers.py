"""A hand-made `Answer` for tests of what renders, saves or exports answers."""

from __future__ import annotations

from assistant.types import EXTRACTIVE_MODEL, Answer, Chunk, Citation, Passage, Timings


def make_answer(question: str, text: str, *, refused: bool = False) -> Answer:
    """An answer citing one passage of a.txt ("Hema a ouvert 22 magasins.")."""
    chunk = Chunk("a.txt", "/docs/a.txt", "Hema a ouvert 22 magasins. Le reste.", 10, 46, "c1")
    passage = Passage(1, chunk, 0.03, dense_rank=1, bm25_rank=2, dense_similarity=0.9)
    citations = (
        () if refused else (Citation(1, "a.txt", "c1", "Hema a ouvert 22 magasins.", 10, 36),)
    )
    return Answer(
        question=question,
        text=text,
        refused=refused,
        mode="extractive",
        model=EXTRACTIVE_MODEL,
        citations=citations,
        passages=(passage,),
        timings=Timings(1.0, None, 2.0),
        notes=("refused: no passage found",) if refused else (),
        prompt="the prompt",
    )
