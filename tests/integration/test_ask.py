"""`veille ask` on the real sample store: evidence, citations with exact offsets, refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.settings import Settings
from assistant.store import StoreEmptyError

pytestmark = pytest.mark.integration

ANSWERABLE = [
    ("Combien Alibaba investit-il dans Huitongda Network ?", "001_f00b6cf2c989c739.txt", "712,2"),
    ("Combien de magasins Hema a-t-il ouverts ?", "002_35a95145e6805c4a.txt", "22"),
    (
        "Combien de références sont cataloguées dans l'application Hema ?",
        "002_35a95145e6805c4a.txt",
        "3.000",
    ),
    ("How much is Alibaba investing in Huitongda Network?", "001_f00b6cf2c989c739.txt", "712,2"),
    ("How many stores has Hema opened?", "002_35a95145e6805c4a.txt", "22"),
]
UNANSWERABLE = [
    "Qui est le PDG de Pinduoduo ?",
    "Quel est le chiffre d'affaires de Tesla en 2017 ?",
    # Once a strict xfail of the extractive mode (0.82 cosine, "point" matching "5 points"):
    # refused since the answer-type check, as no retrieved sentence says what boils.
    "What is the boiling point of water?",
]


@pytest.fixture
def assistant(sample_settings: Settings) -> Assistant:
    # Citations and offsets are under test here, not the calibrated confidence: in extractive
    # mode it refuses the "références" question (0.49 < 0.50), one of the right answers its
    # default trades away (evals/README.md); tests/integration/test_confidence_gate.py tests it.
    return Assistant(sample_settings.with_section("grounding", min_confidence=0.0))


@pytest.mark.parametrize(("question", "source", "expected"), ANSWERABLE)
def test_answers_cite_the_right_article_with_exact_offsets(
    assistant: Assistant, question: str, source: str, expected: str
):
    answer = assistant.ask(question)
    assert not answer.refused, answer.notes
    assert expected in answer.text
    assert answer.citations
    first = answer.citations[0]
    assert first.source == source
    assert expected in first.quote
    for citation in answer.citations:
        passage = next(p for p in answer.passages if p.n == citation.n)
        text = assistant.store.document_text(passage.chunk.doc_id)
        assert text is not None
        assert text[citation.start : citation.end] == citation.quote
    assert f"[{first.n}]" in answer.text


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_out_of_corpus_questions_are_refused(assistant: Assistant, question: str):
    answer = assistant.ask(question)
    assert answer.refused
    assert answer.citations == ()
    assert answer.passages  # the closest passages are still shown
    assert "corpus" in answer.text


def test_ask_json_from_the_command_line(sample_settings: Settings):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui.cli",
            "--data-dir",
            str(sample_settings.data_dir),
            "ask",
            "--json",
            "--mode",
            "extractive",
            "Combien Alibaba investit-il dans Huitongda Network ?",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {
        "question",
        "answer",
        "refused",
        "mode",
        "model",
        "citations",
        "passages",
        "timings_ms",
    }
    assert data["mode"] == "extractive"
    assert "712,2 millions de dollars" in data["answer"]
    citation = data["citations"][0]
    assert set(citation) == {"n", "source", "chunk_id", "quote", "start", "end"}
    assert citation["source"] == "001_f00b6cf2c989c739.txt"
    original = (
        Path(__file__).parents[2] / "ingest" / "sample_corpus" / citation["source"]
    ).read_text(encoding="utf-8")
    assert original[citation["start"] : citation["end"]] == citation["quote"]
    assert set(data["timings_ms"]) == {"retrieve", "first_token", "total"}


def test_empty_store_says_to_ingest_first(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--data-dir", str(tmp_path / "empty"), "ask", "x ?"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "run `veille ingest` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_store_error_in_the_api(tmp_path: Path, sample_settings: Settings):
    with pytest.raises(StoreEmptyError):
        Assistant(sample_settings.model_copy(update={"data_dir": tmp_path / "none"}))


def test_a_question_asked_during_a_write_is_answered_again_after_it(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
):
    # A sync writes a document's chunks before its text: a reader in between sees offsets that
    # the stored text does not match yet. Here that window covers the first two tries.
    real = assistant.store.document_text
    seen: list[str] = []

    def mid_write(doc_id: str) -> str | None:
        seen.append(doc_id)
        text = real(doc_id)
        return None if len(seen) <= 2 or text is None else text

    monkeypatch.setattr(assistant.store, "document_text", mid_write)
    monkeypatch.setattr("assistant.answer.RETRY_WAITS_S", (0.0, 0.0, 0.0))
    answer = assistant.ask("Combien de magasins Hema a-t-il ouverts ?")
    assert not answer.refused
    assert "22" in answer.citations[0].quote
    assert not any("dropped" in note for note in answer.notes), answer.notes
    assert len(seen) >= 3
