"""Corpus-wide questions: every document that mentions a subject, each with a cited quote."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest

from assistant.analysis import fold
from assistant.corpus import answer_corpus_question, find_documents
from assistant.store import Store, keyword_index

if TYPE_CHECKING:
    from assistant.keyword import KeywordIndex
    from assistant.settings import Settings


@pytest.fixture
def opened(sample_settings: Settings) -> tuple[Store, KeywordIndex, Settings]:
    from assistant.embeddings import E5Embeddings

    store = Store(sample_settings, E5Embeddings())
    index = keyword_index(sample_settings)
    index.ensure_fresh(store)
    return store, index, sample_settings


def brute_force(store: Store, word: str) -> set[str]:
    """Sources of the documents whose full text holds `word` as a word, case and accents
    folded: what an exhaustive answer must list."""
    pattern = re.compile(rf"(?<!\w){re.escape(fold(word))}(?!\w)")
    found = set()
    for doc_id, record in store.documents_under().items():
        text = store.document_text(doc_id) or ""
        if pattern.search(fold(text)):
            found.add(record.source)
    return found


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("Quels articles parlent de Tencent ?", "Tencent"),
        ("Combien d'articles mentionnent JD.com ?", "JD.com"),
        ("Que dit le corpus sur Hema ?", "Hema"),
        ("Which articles mention Alibaba?", "Alibaba"),
        ("Combien d'articles mentionnent Alipay, et lesquels ?", "Alipay"),
    ],
)
def test_every_document_that_mentions_the_subject_is_listed_with_an_exact_quote(
    opened: tuple[Store, KeywordIndex, Settings], question: str, word: str
) -> None:
    store, index, settings = opened
    expected = brute_force(store, word)
    assert expected  # the sample corpus mentions each of them
    answer = answer_corpus_question(question, store, index, settings)
    assert answer is not None
    assert not answer.refused
    assert answer.kind == "corpus"
    assert {c.source for c in answer.citations} == {s.rsplit("/", 1)[-1] for s in expected}
    assert answer.text.splitlines()[0].startswith(f"{len(expected)} article")
    by_n = {p.n: p for p in answer.passages}
    for citation in answer.citations:
        document = store.document_text(by_n[citation.n].chunk.doc_id) or ""
        assert document[citation.start : citation.end] == citation.quote
        assert f"[{citation.n}]" in answer.text
        assert fold(word).split(".")[0] in fold(citation.quote)


def test_a_misspelt_name_finds_the_documents_of_the_right_one(
    opened: tuple[Store, KeywordIndex, Settings],
) -> None:
    store, index, settings = opened
    answer = answer_corpus_question("Quels articles parlent de Tensent ?", store, index, settings)
    assert answer is not None
    assert {c.source for c in answer.citations} == brute_force(store, "Tencent")
    assert all("Tencent" in c.quote for c in answer.citations)


def test_names_joined_by_or_list_the_documents_of_either(
    opened: tuple[Store, KeywordIndex, Settings],
) -> None:
    store, index, _ = opened
    result = find_documents("Which articles mention Jack Ma or Daniel Zhang?", store, index)
    assert result is not None
    assert result.any_of
    found = {d.source for d in result.documents}
    assert found == brute_force(store, "Jack") | brute_force(store, "Daniel Zhang")


def test_a_subject_the_corpus_never_mentions_is_refused_and_other_questions_pass_through(
    opened: tuple[Store, KeywordIndex, Settings],
) -> None:
    store, index, settings = opened
    refused = answer_corpus_question("Quels articles parlent de Zorglub ?", store, index, settings)
    assert refused is not None
    assert refused.refused
    assert not refused.citations
    assert (
        answer_corpus_question("Combien de magasins Hema compte-t-il ?", store, index, settings)
        is None
    )


def test_a_corpus_question_is_answered_at_once(
    opened: tuple[Store, KeywordIndex, Settings],
) -> None:
    store, index, settings = opened
    answer_corpus_question("Which articles mention Alibaba?", store, index, settings)
    started = time.perf_counter()
    answer = answer_corpus_question("Which articles mention Alibaba?", store, index, settings)
    assert answer is not None
    assert (time.perf_counter() - started) < 0.2
