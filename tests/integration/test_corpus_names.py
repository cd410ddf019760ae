"""A corpus-wide question about a name lists the documents that write that name, nothing else.

"France" shares its stem with "français", "françaises" and "francs", "China" with "chinois":
a user asking which articles mention France expects the ones that say "France" (in any case
or accent), counted as often as they say it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from assistant.analysis import fold
from assistant.corpus import answer_corpus_question
from assistant.store import Store, keyword_index

if TYPE_CHECKING:
    from assistant.keyword import KeywordIndex
    from assistant.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def opened(sample_settings: Settings) -> tuple[Store, KeywordIndex, Settings]:
    from assistant.embeddings import E5Embeddings

    store = Store(sample_settings, E5Embeddings())
    index = keyword_index(sample_settings)
    index.ensure_fresh(store)
    return store, index, sample_settings


def _writing(store: Store, word: str) -> dict[str, int]:
    """Each document whose text writes `word` as a word (case and accents folded): how often."""
    pattern = re.compile(rf"(?<!\w){re.escape(fold(word))}(?!\w)")
    found = {}
    for doc_id, record in store.documents_under().items():
        n = len(pattern.findall(fold(store.document_text(doc_id) or "")))
        if n:
            found[record.source] = n
    return found


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Quels articles parlent de la France ?", "France"),
        ("Which articles mention China?", "China"),
    ],
)
def test_a_name_is_matched_as_written_not_by_its_stem(
    opened: tuple[Store, KeywordIndex, Settings], question: str, name: str
) -> None:
    store, index, settings = opened
    expected = _writing(store, name)
    answer = answer_corpus_question(question, store, index, settings)
    assert answer is not None
    assert {c.source for c in answer.citations} == set(expected)
    for citation in answer.citations:
        assert fold(name) in fold(citation.quote)


def test_france_lists_its_two_articles_with_their_mentions_not_the_one_saying_francais(
    opened: tuple[Store, KeywordIndex, Settings],
) -> None:
    store, index, settings = opened
    answer = answer_corpus_question(
        "Combien d'articles mentionnent la France ?", store, index, settings
    )
    assert answer is not None
    lines = answer.text.splitlines()
    assert lines[0] == "2 articles mentionnent France :"
    # 004 says "France" four times (and "françaises" twice), 000 once; 001 says only "français".
    assert lines[1].startswith("- 004_93719627ca9a1645.txt (4 mentions)")
    assert lines[2].startswith("- 000_ee5a528fd7f4285d.txt (1 mention)")
    assert all("001_f00b6cf2c989c739.txt" not in line for line in lines)
