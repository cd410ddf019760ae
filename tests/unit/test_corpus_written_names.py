"""How a corpus-wide question finds a name in a text: as written, in any case or accent."""

from __future__ import annotations

from assistant.analysis import fold
from assistant.corpus_scan import documents_holding, written_pattern
from assistant.types import Chunk


def _found(word: str, text: str) -> list[str]:
    return [m.group() for m in written_pattern([fold(word)]).finditer(text)]


def test_the_name_is_found_in_any_case_or_accent_and_only_as_a_whole_word() -> None:
    text = "La France, la FRANCE, l'Ｆrance et la Fra\u0301nce ; France-Allemagne."
    assert _found("France", text) == ["France", "FRANCE", "Ｆrance", "Fra\u0301nce", "France"]
    assert _found("France", "les Français, la française, deux francs, Frances, SuperFrance") == []


def test_a_folded_spelling_matches_its_ligature_and_a_name_with_a_dot() -> None:
    assert _found("Schroeder", "M. Schrœder et SCHROEDER, pas Schröder") == [
        "Schrœder",
        "SCHROEDER",
    ]
    assert _found("JD.com", "chez JD.com, pas jd.comx ni JD") == ["JD.com"]


def _chunk(doc: str, text: str) -> Chunk:
    return Chunk(
        chunk_id=f"{doc}-0", doc_id=doc, source=f"{doc}.txt", text=text, start=0, end=len(text)
    )


def test_only_the_documents_that_write_the_name_are_held_with_their_mentions() -> None:
    chunks = [
        _chunk("a", "La France vote. Le président de la France parle aux Français."),
        _chunk("b", "Les Français votent. Le franc suisse monte."),
    ]
    hits = documents_holding(
        chunks, [["franc"]], any_of=False, guessed={}, written={"franc": frozenset({"france"})}
    )
    assert [(h.source, h.mentions, h.quote) for h in hits] == [
        ("a.txt", 2, "Le président de la France parle aux Français.")
    ]
    by_stem = documents_holding(chunks, [["franc"]], any_of=False, guessed={})
    assert {h.source for h in by_stem} == {"a.txt", "b.txt"}
