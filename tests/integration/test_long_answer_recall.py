"""Long answers over a small news corpus: a topic's summary reads its articles in date order.

Five short dated articles (a flood whose toll rises over three days, a bridge closed for a
reason given in the sentence after the event, and an article off the subject) are ingested
into a fresh store with the real embeddings; questions go through the core in extractive mode.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.settings import Settings, load_settings
from ingest.sync import ingest_paths

pytestmark = pytest.mark.integration

ARTICLES = {
    "2019_03_01-001.txt": (
        "Inondations à Valdoria : au moins 12 morts\n\n"
        "1 mars 2019 . –\n"
        "Les inondations qui frappent la région de Valdoria ont fait au moins 12 morts, selon "
        "la protection civile. Des centaines d'habitants ont été évacués vers les gymnases."
    ),
    "2019_03_02-001.txt": (
        "Inondations à Valdoria : le bilan monte à 31 morts\n\n"
        "2 mars 2019 . –\n"
        "Le bilan des inondations de Valdoria s'est alourdi à 31 morts, après la découverte de "
        "victimes dans les villages de la vallée. Les secours poursuivent leurs recherches."
    ),
    "2019_03_04-001.txt": (
        "Inondations à Valdoria : 58 morts, deuil national décrété\n\n"
        "4 mars 2019 . –\n"
        "Le gouvernement a décrété une journée de deuil national, alors que le bilan des "
        "inondations de Valdoria atteint désormais 58 morts. La décrue a commencé lundi."
    ),
    "2019_03_05-001.txt": (
        "Le pont de Ferlac fermé à la circulation\n\n"
        "5 mars 2019 . –\n"
        "Le pont de Ferlac, qui relie les deux rives du fleuve Ardance, a été fermé à la "
        "circulation mardi matin par la préfecture. Le pont de Ferlac avait été rénové en 1998 "
        "et le pont supporte chaque jour le passage de 20 000 véhicules. La fermeture du pont "
        "de Ferlac oblige les automobilistes à un détour de quinze kilomètres. Les commerçants "
        "craignent que le pont de Ferlac reste fermé tout l'été. En effet, des "
        "fissures de plusieurs centimètres ont été découvertes sur ses piles lors d'une "
        "inspection. Les travaux devraient durer six mois."
    ),
    "2019_03_06-001.txt": (
        "Tennis : le bilan de la saison de Mirela Kovac\n\n"
        "6 mars 2019 . –\n"
        "La joueuse Mirela Kovac dresse un bilan positif de sa saison, marquée par trois "
        "victoires et une progression de vingt places au classement mondial."
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    corpus = tmp_path_factory.mktemp("flood-news") / "news"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    data = tmp_path_factory.mktemp("flood-data")
    settings: Settings = load_settings(data_dir=data).with_mode("extractive")
    ingest_paths([corpus], settings=settings)
    return Assistant(settings)


def _cited_sources(answer_passages: dict[int, str], citations: list[int]) -> list[str]:
    return [Path(answer_passages[n]).name for n in citations]


def test_a_topic_summary_reads_several_articles_oldest_first(assistant: Assistant) -> None:
    # The question shares the datelines' month and year: no dateline is a heading it asks for.
    question = "Résume l'évolution du bilan des inondations de mars 2019 à Valdoria."
    answer = assistant.ask(question)
    assert answer.kind == "summary"
    assert not answer.refused
    by_n = {p.n: p.chunk.source for p in answer.passages}
    sources = _cited_sources(by_n, [c.n for c in answer.citations])
    flood = [s for s in sources if s in list(ARTICLES)[:3]]
    assert len(set(flood)) >= 2, answer.text
    assert "2019_03_06-001.txt" not in sources  # a tennis "bilan" is not the flood's
    # No bullet is a dateline, and the tolls read in the order the articles were published.
    assert not re.search(r"^- \d{1,2} mars 2019", answer.text, re.MULTILINE)
    tolls = [int(n) for n in re.findall(r"\b(12|31|58) morts", answer.text)]
    assert len(set(tolls)) >= 2, answer.text
    assert tolls == sorted(tolls)


def test_a_why_answer_keeps_the_sentence_that_gives_the_cause(assistant: Assistant) -> None:
    answer = assistant.ask("Pourquoi le pont de Ferlac a-t-il été fermé ?")
    assert answer.kind == "explanation"
    assert not answer.refused
    assert "fissures" in answer.text, answer.text
    assert "mars 2019 ." not in answer.text
