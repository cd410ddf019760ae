"""Offset invariants for any text: sentences and chunks are exact spans, quotes sit at their offsets.

Citations are checkable only because every sentence, chunk and quote is `text[start:end]` of the
stored document; these properties hold that for arbitrary text, not just the sample corpus.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.evidence import score_sentences
from assistant.text import sentence_spans
from assistant.types import Chunk, Passage
from ingest.chunking import chunk_text

# Pieces that stress the sentence splitter: French punctuation and quotes, abbreviations and
# titles, numbers with separators, line breaks of every kind, emoji, odd spaces.
_PIECES = [
    "Hema",
    "a ouvert",
    "magasins",
    "l’été",
    "Économie",
    "déjà",
    "œuvre",
    "M.",
    "Mme",
    "Dr.",
    "etc.",
    "p.",
    "J.-C.",
    "e.g.",
    "3.000",
    "712,2",
    "22",
    "3 000 €",
    "«",
    "»",
    "« Oui ! »",
    "(voir p. 3)",
    ".",
    "…",
    "!",
    "?",
    "?!",
    ",",
    ";",
    " : ",
    "’",
    "'",
    '"',
    "”",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\t",
    "\u00a0",
    "\u202f",
    "😀",
    "👩‍💻",
    "Zhōngguó",
    "Il",
    "elle",
    "A",
    "z",
]

_noise = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=80).map(
    "".join
)
# Prose: sentences of very different lengths, so chunk boundaries fall everywhere.
_sentence = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(st.sampled_from([*_PIECES[:22], "x" * 40, "mot"]), min_size=1, max_size=30),
    st.sampled_from([".", " !", " ?", "…", ".»", "."]),
)
_prose = st.lists(
    st.tuples(_sentence, st.sampled_from([" ", "  ", "\n", "\n\n", "\r\n"])), max_size=25
).map(lambda parts: "".join(s + sep for s, sep in parts))
texts = st.one_of(_noise, _prose)

PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(texts)
def test_sentence_spans_are_ordered_trimmed_and_cover_every_visible_character(text: str):
    spans = sentence_spans(text)
    position = 0
    for a, b in spans:
        assert position <= a < b <= len(text)
        sentence = text[a:b]
        assert sentence == sentence.strip()
        position = b
    covered = [False] * len(text)
    for a, b in spans:
        covered[a:b] = [True] * (b - a)
    missed = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert missed == []


@PROPERTY
@given(texts, st.data())
def test_sentence_spans_of_a_slice_stay_inside_it(text: str, data: st.DataObject):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    position = start
    for a, b in sentence_spans(text, start, end):
        assert position <= a < b <= end
        assert text[a:b] == text[a:b].strip()
        position = b
    visible = [i for i in range(start, end) if not text[i].isspace()]
    inside = {i for a, b in sentence_spans(text, start, end) for i in range(a, b)}
    assert set(visible) <= inside


@PROPERTY
@given(texts, st.integers(20, 400), st.integers(0, 3))
def test_chunks_are_exact_ordered_spans_covering_every_sentence(
    text: str, chunk_size: int, overlap: int
):
    chunks = chunk_text(
        text, source="a.txt", doc_id="/a.txt", chunk_size=chunk_size, overlap=overlap
    )
    for c in chunks:
        assert 0 <= c.start < c.end <= len(text)
        assert c.text == text[c.start : c.end]
        assert len(c.text) <= chunk_size
    for prev, nxt in itertools.pairwise(chunks):
        # Each chunk moves forward and brings at least one character the previous did not.
        assert prev.start < nxt.start
        assert prev.end < nxt.end
    # Every sentence that fits a chunk is whole in one; every visible character is in one.
    for a, b in sentence_spans(text):
        if b - a <= chunk_size:
            assert any(c.start <= a and b <= c.end for c in chunks), text[a:b]
    covered = [False] * len(text)
    for c in chunks:
        covered[c.start : c.end] = [True] * (c.end - c.start)
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())


@PROPERTY
@given(texts, st.integers(20, 400), st.integers(0, 3))
def test_consecutive_chunks_share_at_most_the_configured_overlap(
    text: str, chunk_size: int, overlap: int
):
    chunks = chunk_text(
        text, source="a.txt", doc_id="/a.txt", chunk_size=chunk_size, overlap=overlap
    )
    sentences = sentence_spans(text)
    for prev, nxt in itertools.pairwise(chunks):
        shared = [
            (a, b)
            for a, b in sentences
            if prev.start <= a and b <= prev.end and nxt.start <= a and b <= nxt.end
        ]
        assert len(shared) <= overlap
        if overlap == 0:
            assert nxt.start >= prev.end


@PROPERTY
@given(texts, st.integers(40, 400), st.integers(0, 2), st.data())
def test_a_quote_is_always_found_at_its_offsets(
    text: str, chunk_size: int, overlap: int, data: st.DataObject
):
    chunks = chunk_text(
        text, source="a.txt", doc_id="/a.txt", chunk_size=chunk_size, overlap=overlap
    )
    passages = tuple(
        Passage(n=i, chunk=Chunk(c.source, c.doc_id, c.text, c.start, c.end, f"c{i}"), score=1.0)
        for i, c in enumerate(chunks, 1)
    )
    words = text.split()
    question = " ".join(data.draw(st.lists(st.sampled_from(words), max_size=5))) if words else ""
    for evidence in score_sentences(question or "Hema", passages):
        citation = evidence.citation()
        assert text[citation.start : citation.end] == citation.quote
        assert citation.quote
    # A quote taken at any sentence's document offsets reads back the same from its chunk.
    for c in chunks:
        for a, b in sentence_spans(text, c.start, c.end):
            assert c.text[a - c.start : b - c.start] == text[a:b]
