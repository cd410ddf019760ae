"""The reader's reply: a sentence number and a span, never text of the model's own."""

from __future__ import annotations

from assistant.evidence import Evidence
from assistant.reader import Reading, answer_text, choices, parse
from assistant.types import Chunk, Passage

SENTENCE = "Hema est une chaîne de supermarchés qui a ouvert 22 magasins ces derniers mois."


def _evidence(text: str = SENTENCE, n: int = 1) -> Evidence:
    chunk = Chunk(chunk_id="c", doc_id="d", source="hema.txt", text=text, start=0, end=len(text))
    return Evidence(Passage(n=n, chunk=chunk, score=1.0), 0, len(text), text, 1.0)


def test_a_reply_names_a_sentence_and_a_span():
    sentences = [_evidence(), _evidence("Autre chose.", 2)]
    reading = parse('{"sentence": 1, "answer": "22 magasins"}', sentences)
    assert reading == Reading(sentences[0], "22 magasins")
    assert parse('{"sentence": 0, "answer": ""}', sentences) == Reading(None, "")


def test_unreadable_or_out_of_range_replies_are_none():
    sentences = [_evidence()]
    assert parse("not json at all", sentences) is None
    assert parse('{"sentence": 7, "answer": "x"}', sentences) is None
    assert parse('["sentence", 1]', sentences) is None
    # A reply cut short still names its sentence.
    assert parse('{"sentence": 1, "answer": "22 mag', sentences) == Reading(sentences[0], "")


def test_the_span_leads_only_when_the_sentence_holds_it():
    ev = _evidence()
    assert answer_text(Reading(ev, "22 magasins")) == f"22 magasins — {SENTENCE} [1]"
    # A span the sentence does not hold is the model's own text: it is not shown.
    assert answer_text(Reading(ev, "40 magasins")) == f"{SENTENCE} [1]"


def test_the_reader_gets_the_best_sentences_within_its_budget():
    long = _evidence("x" * 500)
    picked = choices([long, long, _evidence()], chars=600, most=6)
    assert len(picked) == 2
    assert len(choices([_evidence()] * 9, chars=10_000, most=6)) == 6
