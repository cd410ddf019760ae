"""What the corpus says about a subject: several cited sentences per document, when few match.

"Que dit le corpus sur Hema ?" is answered with the sentences of its one article that mention
Hema (the 22 supermarkets in Shanghai and Beijing among them), each cited at its own offsets;
"Quels articles mentionnent Hema ?" still gets one line per document.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from assistant.answer import Assistant
from assistant.corpus import answer_corpus_question
from assistant.store import Store, keyword_index

if TYPE_CHECKING:
    from assistant.keyword import KeywordIndex
    from assistant.settings import Settings
    from assistant.types import Answer

pytestmark = pytest.mark.integration


@pytest.fixture
def opened(sample_settings: Settings) -> tuple[Store, KeywordIndex, Settings]:
    from assistant.embeddings import E5Embeddings

    store = Store(sample_settings, E5Embeddings())
    index = keyword_index(sample_settings)
    index.ensure_fresh(store)
    return store, index, sample_settings


def _ask(opened: tuple[Store, KeywordIndex, Settings], question: str) -> Answer:
    store, index, settings = opened
    answer = answer_corpus_question(question, store, index, settings)
    assert answer is not None
    assert not answer.refused
    return answer


def _assert_every_quote_at_its_offsets(store: Store, answer: Answer) -> None:
    by_n = {p.n: p for p in answer.passages}
    assert sorted(by_n) == list(range(1, len(by_n) + 1))
    for citation in answer.citations:
        chunk = by_n[citation.n].chunk
        document = store.document_text(chunk.doc_id) or ""
        assert document[citation.start : citation.end] == citation.quote
        # The passage a citation names holds its sentence.
        assert chunk.start <= citation.start
        assert citation.end <= chunk.end
        assert chunk.source == citation.source


@pytest.mark.parametrize(
    "question", ["Que dit le corpus sur Hema ?", "What does the corpus say about Hema?"]
)
def test_what_the_corpus_says_quotes_several_sentences_of_the_one_document(
    opened: tuple[Store, KeywordIndex, Settings], question: str
) -> None:
    store, _, _ = opened
    answer = _ask(opened, question)
    lines = answer.text.splitlines()
    assert lines[0] in {"1 article mentionne Hema :", "1 article mentions Hema:"}
    assert len(answer.citations) >= 3
    assert {c.source for c in answer.citations} == {"002_35a95145e6805c4a.txt"}
    assert any("22 magasins" in c.quote and "Shanghai" in c.quote for c in answer.citations)
    assert all("Hema" in c.quote for c in answer.citations)
    # In document order, none twice, one line each, under the document's line.
    starts = [c.start for c in answer.citations]
    assert starts == sorted(set(starts))
    assert lines[1].startswith("- 002_35a95145e6805c4a.txt (")
    assert all(line.startswith("  - ") for line in lines[2:])
    assert len(lines) == 1 + len(answer.citations)
    for line, citation in zip(lines[1:], answer.citations, strict=True):
        assert line.endswith(f"[{citation.n}]")
        assert " ".join(citation.quote.split()) in line
    _assert_every_quote_at_its_offsets(store, answer)


def test_which_articles_mention_still_gets_one_line_per_document(
    opened: tuple[Store, KeywordIndex, Settings],
) -> None:
    store, _, _ = opened
    answer = _ask(opened, "Quels articles mentionnent Hema ?")
    lines = answer.text.splitlines()
    assert lines[0] == "1 article mentionne Hema :"
    assert len(lines) == 2
    assert len(answer.citations) == 1
    assert len(answer.passages) == 1
    _assert_every_quote_at_its_offsets(store, answer)


def test_many_documents_get_one_sentence_each_as_for_which_articles(
    opened: tuple[Store, KeywordIndex, Settings],
) -> None:
    # Five articles mention Alibaba: more than coverage.about_documents (3).
    about = _ask(opened, "Que dit le corpus sur Alibaba ?")
    which = _ask(opened, "Quels articles mentionnent Alibaba ?")
    assert about.text == which.text
    assert about.citations == which.citations


def test_about_documents_zero_turns_it_off(
    opened: tuple[Store, KeywordIndex, Settings],
) -> None:
    store, index, settings = opened
    off = settings.model_copy(
        update={"coverage": settings.coverage.model_copy(update={"about_documents": 0})}
    )
    answer = answer_corpus_question("Que dit le corpus sur Hema ?", store, index, off)
    assert answer is not None
    assert len(answer.text.splitlines()) == 2
    assert len(answer.citations) == 1


def test_the_assistant_keeps_every_citation_of_the_sentences(sample_settings: Settings) -> None:
    answer = Assistant(sample_settings.with_mode("extractive")).ask("Que dit le corpus sur Hema ?")
    assert answer.kind == "corpus"
    assert not answer.refused
    assert len(answer.citations) >= 3
    assert not any("dropped" in note for note in answer.notes)
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert cited == {c.n for c in answer.citations}
