"""The extractive answer in place of a model's refused one, when the evidence is confident.

A fake chat model over the real sample store: its reply is refused by the real verifier, and
`grounding.fallback_confidence` decides whether the best evidence sentence is shown instead.
Each case that falls back has a twin that must stay refused.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer import Assistant
from assistant.llm import Generator
from assistant.settings import Settings
from assistant.types import EXTRACTIVE_MODEL

pytestmark = pytest.mark.integration

HEMA = "Combien de magasins Hema a-t-il ouverts ?"
UNSUPPORTED = "Hema a ouvert 500 magasins [1]."


def _assistant(settings: Settings, reply: str, **grounding: object) -> Assistant:
    settings = settings.model_copy(
        update={"grounding": settings.grounding.model_copy(update=grounding)}
    )
    messages: Iterator[AIMessage] = iter([AIMessage(content=reply)])
    return Assistant(
        settings, llm=GenericFakeChatModel(messages=messages), generator=Generator("local", "fake")
    )


def test_an_unsupported_answer_gives_way_to_the_confident_best_sentence(sample_settings: Settings):
    answer = _assistant(sample_settings, UNSUPPORTED, fallback_confidence=0.5).ask(HEMA)
    assert not answer.refused
    assert answer.confidence is not None
    assert answer.confidence >= 0.5
    assert (answer.mode, answer.model) == ("local", EXTRACTIVE_MODEL)
    assert "500" not in answer.text
    (citation,) = answer.citations
    assert "22 magasins" in citation.quote
    assert any("best evidence sentence is shown" in n for n in answer.notes)


def test_the_default_falls_back_and_one_turns_it_off(sample_settings: Settings):
    default = _assistant(sample_settings, UNSUPPORTED).ask(HEMA)
    assert not default.refused
    assert default.model == EXTRACTIVE_MODEL
    off = _assistant(sample_settings, UNSUPPORTED, fallback_confidence=1.0).ask(HEMA)
    assert off.refused
    assert off.citations == ()


def test_a_threshold_above_the_confidence_keeps_the_refusal(sample_settings: Settings):
    probe = _assistant(sample_settings, UNSUPPORTED, fallback_confidence=0.5).ask(HEMA)
    assert probe.confidence is not None
    above = min(0.999, probe.confidence + 0.0005)
    answer = _assistant(sample_settings, UNSUPPORTED, fallback_confidence=above).ask(HEMA)
    assert answer.refused


def test_the_models_own_refusal_stands_unless_asked(sample_settings: Settings):
    kept = _assistant(sample_settings, "NOT_IN_CORPUS", fallback_confidence=0.5).ask(HEMA)
    assert kept.refused
    shown = _assistant(
        sample_settings, "NOT_IN_CORPUS", fallback_confidence=0.5, fallback_on_model_refusal=True
    ).ask(HEMA)
    assert not shown.refused
    assert "22 magasins" in shown.citations[0].quote


def test_a_supported_answer_is_the_models_own(sample_settings: Settings):
    answer = _assistant(
        sample_settings, "Hema a ouvert 22 magasins [1].", fallback_confidence=0.5
    ).ask(HEMA)
    assert (answer.model, answer.text) == ("fake", "Hema a ouvert 22 magasins [1].")


def test_a_figure_of_the_quote_that_answers_nothing_asked_gives_way(sample_settings: Settings):
    # The model takes the rural population from a sentence about the countryside for what
    # e-commerce weighs; the claim is in the quote, but its figure is not the answer's.
    question = "Combien pèse l'e-commerce chinois selon le directeur France d'Alibaba ?"
    reply = "L'e-commerce chinois pèse 600 millions de personnes [1]."
    answer = _assistant(sample_settings, reply).ask(question)
    assert not answer.refused
    assert answer.model == EXTRACTIVE_MODEL
    assert "750 milliards" in answer.text  # the evidence sentence that says what it weighs
    assert any("figure is not the one its quote gives" in n for n in answer.notes)
    unchecked = _assistant(sample_settings, reply, claim_figures=False).ask(question)
    assert unchecked.model == "fake"
    assert "600 millions" in unchecked.text
