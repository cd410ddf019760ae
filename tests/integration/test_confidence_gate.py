"""The calibrated confidence over the real sample store: weak evidence is refused, not cited.

"Quel est le point faible des transporteurs pour les articles volumineux ?" shares almost no
word with the sentence that answers it (“la majorité des coursiers ne sont pas spécialisés…”);
without the confidence the extractive answer cites the article's table of contents. The
confidence (`grounding.min_confidence`, `assistant/confidence.py`) is what refuses it, and a
question whose evidence is strong keeps its answer and shows its score in `ask --json`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer import Assistant
from assistant.confidence import SIGNAL_NAMES
from assistant.llm import Generator
from assistant.settings import Settings

pytestmark = pytest.mark.integration

WEAK = "Quel est le point faible des transporteurs pour les articles volumineux ?"


def test_weak_evidence_is_refused_by_the_confidence(sample_settings: Settings):
    answer = Assistant(sample_settings).ask(WEAK)
    assert answer.refused, answer.text
    assert any(note.startswith("refused: confidence") for note in answer.notes), answer.notes
    assert answer.confidence is not None
    assert answer.confidence < sample_settings.grounding.min_confidence
    off = sample_settings.with_section("grounding", min_confidence=0.0)
    assert not Assistant(off).ask(WEAK).refused  # the confidence is what refuses it


def test_strong_evidence_keeps_its_answer(sample_settings: Settings):
    answer = Assistant(sample_settings).ask("Combien de magasins Hema a-t-il ouverts ?")
    assert not answer.refused, answer.notes
    assert "22 magasins" in answer.text
    assert answer.confidence is not None
    assert answer.confidence >= sample_settings.grounding.min_confidence


def test_a_weak_fact_is_refused_before_the_model_is_called(sample_settings: Settings):
    # No reply is queued: calling the model would fail the test.
    strict = sample_settings.with_section("grounding", min_confidence=0.99)
    model = GenericFakeChatModel(messages=iter([]))
    answer = Assistant(strict, llm=model, generator=Generator("local", "fake")).ask(
        "Combien de magasins Hema a-t-il ouverts ?"
    )
    assert answer.refused
    assert any("confidence" in n for n in answer.notes), answer.notes
    # Its twin, over the default threshold, is the model's to answer.
    reply = "Hema a ouvert 22 magasins [1]."
    model = GenericFakeChatModel(messages=iter([AIMessage(content=reply)]))
    answer = Assistant(sample_settings, llm=model, generator=Generator("local", "fake")).ask(
        "Combien de magasins Hema a-t-il ouverts ?"
    )
    assert (answer.refused, answer.text) == (False, reply)


def test_a_list_question_is_not_gated(sample_settings: Settings):
    # The weights were fitted on single facts; a list's evidence is chosen for coverage.
    strict = sample_settings.with_section("grounding", min_confidence=0.99)
    answer = Assistant(strict).ask("Quels sont les cinq points qui résument Alibaba ?")
    assert answer.kind == "list"
    assert not answer.refused, answer.notes


def test_ask_json_reports_the_confidence_and_its_signals(sample_settings: Settings):
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--data-dir", str(sample_settings.data_dir), "ask",
         "--json", "--mode", "extractive", "Combien de magasins Hema a-t-il ouverts ?"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert 0.5 <= data["confidence"] <= 1.0
    assert set(data["signals"]) == set(SIGNAL_NAMES)
    assert data["signals"]["answer_type_found"] == 1.0
    # The semantic support of the best sentence ("Hema … a ouvert 22 magasins"), in the e5
    # space: a real cosine, not the 0 of a skipped signal.
    assert 0.7 < data["signals"]["sentence_similarity"] <= 1.0
    assert 0.7 < data["signals"]["focus_similarity"] <= 1.0


def test_the_semantic_signals_can_be_turned_off(sample_settings: Settings):
    # An English question over the French corpus: the lexical signals see one shared word,
    # the embedding compares meanings.
    question = "Which payment method is built into the Hema supermarkets?"
    on = Assistant(sample_settings).ask(question).signals
    assert on is not None
    assert on["cross_language"] == 1.0
    assert on["focus_similarity"] > 0.7
    # Off, the weights (fitted with those signals) do not apply: no confidence, no refusal
    # by it, the other signals unchanged.
    blind = sample_settings.with_section("grounding", semantic_support=False)
    off = Assistant(blind).ask(question).signals
    assert off is not None
    assert off["focus_similarity"] == off["sentence_similarity"] == 0.0
    assert off["evidence_score"] == on["evidence_score"]
    weak = Assistant(blind).ask(WEAK)
    assert weak.confidence is None
    assert not any(note.startswith("refused: confidence") for note in weak.notes), weak.notes


def test_a_list_about_nothing_in_the_corpus_is_refused_by_the_floor(sample_settings: Settings):
    # A list is not gated by the facts' threshold, only by the low floor of
    # `grounding.long_min_confidence`: bullets about something else are not an answer.
    question = "Quelles sont les étapes de la photosynthèse ?"
    answer = Assistant(sample_settings).ask(question)
    assert answer.kind == "list"
    assert answer.refused, answer.text
    assert any(note.startswith("refused: confidence") for note in answer.notes), answer.notes
    off = sample_settings.with_section("grounding", long_min_confidence=0.0)
    assert not Assistant(off).ask(question).refused  # the floor is what refuses it
    # Twin: a list the corpus holds keeps its bullets.
    listed = Assistant(sample_settings).ask("Quels sont les concurrents d'Alibaba ?")
    assert not listed.refused, listed.notes
    assert listed.confidence is not None
    assert listed.confidence >= sample_settings.grounding.long_min_confidence
