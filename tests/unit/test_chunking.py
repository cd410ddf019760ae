import itertools

from assistant.text import sentence_spans
from ingest.chunking import chunk_text

TEXT = " ".join(
    f"Phrase numéro {i} avec quelques mots de plus pour la longueur." for i in range(40)
)


def test_chunks_are_exact_spans_of_the_text():
    chunks = chunk_text(TEXT, source="a.txt", doc_id="/a.txt", chunk_size=300, overlap=1)
    assert len(chunks) > 5
    for c in chunks:
        assert TEXT[c.start : c.end] == c.text
        assert len(c.text) <= 300


def test_chunks_cover_every_sentence_and_overlap_by_one():
    chunks = chunk_text(TEXT, source="a.txt", doc_id="/a.txt", chunk_size=300, overlap=1)
    covered = {s for c in chunks for s in sentence_spans(TEXT, c.start, c.end)}
    assert covered == set(sentence_spans(TEXT))
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.start < prev.end  # the last sentence is repeated


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces():
    text = "mot " * 500
    chunks = chunk_text(text, source="a", doc_id="a", chunk_size=200, overlap=0)
    assert all(len(c.text) <= 200 for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert "".join(c.text.replace(" ", "") for c in chunks) == text.replace(" ", "")


def test_empty_text_has_no_chunks():
    assert chunk_text("   \n ", source="a", doc_id="a") == []


def test_no_chunk_is_only_a_repeat_of_the_previous_one():
    # Repeating "Cccc…" alone would leave no room for the long last sentence, so the chunk
    # after the first starts at the new sentence instead of copying part of the first.
    text = "Aaaa. Bbbb. Cccccccccccccc. " + "D" * 25 + "."
    chunks = chunk_text(text, source="a", doc_id="a", chunk_size=30, overlap=1)
    assert [c.text for c in chunks] == ["Aaaa. Bbbb. Cccccccccccccc.", "D" * 25 + "."]
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.end > prev.end
