"""Near misses over the real sample store: a figure of the passage given to the wrong subject.

Each question names something the corpus has (Tmall World, Amazon, Alibaba's business
volume) and asks a fact it does not hold; the passages hold a real figure of another subject
or year. `grounding.names_scope = "bound"` (the default) refuses them in every mode, the
extractive one included; the older document-wide names check answered them with a cited,
wrong figure, which is what these tests would catch coming back.
"""

from __future__ import annotations

import pytest

from assistant.answer import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.integration

NEAR_MISSES = [
    # "6 100 produits" belong to JD.com's event, the sentence after the one on Tmall World.
    "Combien de produits l'évènement Tmall World going overseas proposait-il ?",
    # The corpus names Amazon as a foreign rival; the shares it gives are JD's and Tmall's.
    "Quelle part de marché détient Amazon en Chine ?",
    # The business volumes are of 2016 and of Alibaba's first 13 years, not of 2019.
    "Quel volume d'affaires Alibaba a-t-il atteint en 2019 ?",
]


@pytest.mark.parametrize("question", NEAR_MISSES)
def test_a_figure_of_another_subject_or_year_is_refused(sample_settings: Settings, question: str):
    bound = Assistant(sample_settings.with_mode("extractive")).ask(question)
    assert bound.refused, bound.text
    loose = sample_settings.with_mode("extractive").with_section(
        "grounding", names_scope="document", min_confidence=0.0
    )
    assert not Assistant(loose).ask(question).refused  # the check is what refuses it


def test_a_sentence_about_the_subject_of_the_paragraph_still_answers(sample_settings: Settings):
    # "L'application … livrer en 29 minutes": Hema is named sentences before, in the article.
    answer = Assistant(sample_settings.with_mode("extractive")).ask(
        "Combien de minutes faut-il à Hema pour livrer un repas ?"
    )
    assert not answer.refused, answer.notes
    assert "29 minutes" in answer.text


# A real figure of the sentence, in another clause than the question's subject: Pingduoduo
# raised the 3 billion in a round "emmené par Tencent"; the shares are JD's and Tmall's,
# "suivie de Suning Appliance". The parse of the sentence (`grounding.parse_binding`) refuses.
CLAUSE_MISSES = [
    ("Combien Tencent a-t-il investi dans la levée de fonds de Pingduoduo ?", "Tencent"),
    ("Quelle part du marché de l'électroménager revient à Suning Appliance ?", "Suning"),
]


@pytest.mark.parametrize(("question", "name"), CLAUSE_MISSES)
def test_a_figure_of_another_clause_is_refused_by_the_parse(
    sample_settings: Settings, question: str, name: str
):
    parsed = Assistant(sample_settings.with_mode("extractive")).ask(question)
    assert parsed.refused, parsed.text
    assert any("parse binding" in note and name in note for note in parsed.notes), parsed.notes
    regex_only = sample_settings.with_mode("extractive").with_section(
        "grounding", parse_binding=False
    )
    assert not Assistant(regex_only).ask(question).refused  # the parse is what refuses it


def test_the_parse_keeps_a_figure_of_the_subject(sample_settings: Settings):
    answer = Assistant(sample_settings.with_mode("extractive")).ask(
        "Combien de magasins Hema a-t-il ouverts ?"
    )
    assert not answer.refused, answer.notes
    assert "22 magasins" in answer.text
