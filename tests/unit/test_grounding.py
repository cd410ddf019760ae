"""The answer-type and binding checks: a figure answers only if it counts what was asked."""

from __future__ import annotations

import pytest

from assistant.grounding import bound_figures_agree, figures, gives
from assistant.questions import expect

HEMA = (
    "Hema est une chaîne de supermarchés qui a ouvert 22 magasins ces derniers mois, situés "
    "principalement à Shanghai et Pékin."
)
DRONES = (
    "JD.com expérimente depuis janvier 2018 la livraison par drone dans trois provinces qui "
    "composent en partie la rust belt chinoise."
)
RURAL = (
    "où vivent aujourd'hui 600 millions de personnes mais qui ne concentrent que 17,3% des "
    "ventes en ligne du pays"
)
HUITONGDA = "Alibaba investit 712,2 millions de dollars dans la plateforme Huitongda Network."
REFERENCES = "Près de 3.000 références y sont cataloguées."
HEMA_APP = "Pour les clients, il est nécessaire de télécharger l'application de Hema."


@pytest.mark.parametrize(
    ("question", "kind", "focus"),
    [
        ("Combien de magasins Hema a-t-il ouverts ?", "quantity", "magasin"),
        ("How many stores has Hema opened?", "quantity", "magasin"),
        ("Combien d'employés compte Hema ?", "quantity", "salar"),
        ("Quel est le nombre de références de l'application ?", "quantity", "produit"),
        ("Quelle part des ventes en ligne font les campagnes ?", "quantity", "pourcent"),
        ("Combien Alibaba investit-il dans Huitongda ?", "quantity", "dollar"),
        ("Combien de temps a-t-il fallu à Walmart ?", "quantity", "an"),
        ("Quand JD.com a-t-il commencé à livrer par drone ?", "date", None),
        ("What year did Alibaba launch Ling Shou Tong?", "date", None),
        ("Qui dirige Tmall World ?", "who", None),
        ("Which company led Pingduoduo's funding round?", "who", None),
        ("Où Hema a-t-il ouvert ses magasins ?", "place", None),
        ("Quel est le nom de la filiale logistique d'Alibaba ?", "name", None),
        ("Que fait Alibaba dans les campagnes ?", "other", None),
    ],
)
def test_questions_say_what_they_ask_for(question: str, kind: str, focus: str | None):
    expectation = expect(question)
    assert expectation.kind == kind
    if focus is None:
        assert not expectation.focus
    else:
        assert focus in expectation.focus


def test_a_figure_is_bound_to_what_it_counts():
    assert [(f.text, "magasin" in f.bound) for f in figures(HEMA)] == [("22", True)]
    (provinces,) = figures(DRONES)  # the year 2018 counts nothing
    assert provinces.text == "trois"
    assert "provinc" in provinces.bound
    people, share = figures(RURAL)
    assert "person" in people.bound
    assert "%" in share.bound
    assert "vent" in share.bound
    (amount,) = figures(HUITONGDA)
    assert "dollar" in amount.bound


@pytest.mark.parametrize(
    ("question", "sentence", "answers"),
    [
        ("Combien de magasins Hema a-t-il ouverts ?", HEMA, True),
        ("How many stores has Hema opened?", HEMA, True),
        ("Combien de drones JD.com utilise-t-il ?", DRONES, False),
        ("Dans combien de provinces JD.com livre-t-il par drone ?", DRONES, True),
        ("How many employees does Alibaba have?", RURAL, False),
        ("Combien de salariés compte Hema ?", HEMA, False),
        ("Quelle part des ventes en ligne revient aux zones rurales ?", RURAL, True),
        ("Combien Alibaba investit-il dans Huitongda Network ?", HUITONGDA, True),
        ("How many products are listed in the Hema app?", REFERENCES, True),
        ("Quand JD.com a-t-il commencé à livrer par drone ?", DRONES, True),
        ("Quand Hema a-t-il été fondé ?", HEMA, False),
    ],
)
def test_a_sentence_gives_the_answer_only_with_the_right_binding(
    question: str, sentence: str, answers: bool
):
    context = f"{HEMA_APP} {sentence}" if sentence == REFERENCES else None
    assert gives(expect(question), sentence, question, context=context) is answers


@pytest.mark.parametrize(
    ("question", "sentence", "answers"),
    [
        ("Combien Cainiao Network a-t-il dépensé à l'étranger ?", HUITONGDA, False),
        ("Combien Alibaba investit-il dans Huitongda Network ?", HUITONGDA, True),
        ("Combien Alibabba investit-il dans Huitongta Network ?", HUITONGDA, True),  # typos
        ("Combien de magasins JD.com a-t-il ouverts ?", HEMA, False),
        ("How many products are listed in the Hema app?", REFERENCES, False),  # no Hema there
    ],
)
def test_the_answering_sentence_is_about_what_the_question_names(
    question: str, sentence: str, answers: bool
):
    assert gives(expect(question), sentence, question) is answers


def test_a_claim_must_count_what_its_quote_counts():
    assert not bound_figures_agree("Alibaba has 600 million employees [1].", RURAL)
    assert not bound_figures_agree("JD.com utilise trois drones [1].", DRONES)
    assert bound_figures_agree("JD.com livre par drone dans trois provinces [1].", DRONES)
    assert bound_figures_agree("Hema has opened 22 stores [1].", HEMA)
    assert bound_figures_agree("600 million people live in rural areas [1].", RURAL)
    assert bound_figures_agree("Hema en a ouvert 22 [1].", HEMA)  # no noun: nothing to bind


def test_a_claim_must_state_the_figure_its_quote_gives_not_another_of_its_figures():
    from assistant.answerable import Answerability
    from assistant.grounding import claim_gives, giving_figures
    from assistant.settings import GroundingSettings
    from assistant.types import Citation

    question = "Combien pèse l'e-commerce chinois dans les campagnes ?"
    given = giving_figures(expect(question), RURAL, question, None)
    assert [f.text for f in given] == ["17,3"]  # a share; 600 millions counts people
    assert claim_gives("L'e-commerce rural pèse 17,3% des ventes [1].", given)
    assert not claim_gives("L'e-commerce chinois pèse 600 millions de personnes [1].", given)

    quote = Citation(n=1, source="a.txt", chunk_id="c", quote=RURAL, start=0, end=len(RURAL))
    wrong = "L'e-commerce chinois pèse 600 millions de personnes [1]."
    policy = GroundingSettings()
    check = Answerability(question, policy, None, None)  # type: ignore[arg-type]
    assert not check.claim_states_the_figure(wrong, [quote])
    assert check.claim_states_the_figure("Il pèse 17,3% des ventes en ligne [1].", [quote])
    assert check.claim_states_the_figure("Les campagnes comptent [1].", [quote])  # no figure
    off = Answerability(  # type: ignore[arg-type]
        question, policy.model_copy(update={"claim_figures": False}), None, None
    )
    assert off.claim_states_the_figure(wrong, [quote])


APPLIANCES = (
    "Les ventes de JD, une plate-forme de Beijing Jingdong Century Trading Co Ltd, ont "
    "représenté environ 61% du marche B2C de l'électroménager en Chine entre juin et août "
    "tout, contre 23% pour Tmall et Alibaba, suivie de Suning Appliance Co Ltd."
)


def test_a_claim_gives_the_asked_name_the_figure_nearest_to_it_not_the_sentence_subjects():
    from assistant.answerable import Answerability
    from assistant.settings import GroundingSettings
    from assistant.types import Citation

    question = "Quelle part du marché B2C de l'électroménager revenait à Tmall et Alibaba ?"
    quote = Citation(
        n=1, source="a.txt", chunk_id="c", quote=APPLIANCES, start=0, end=len(APPLIANCES)
    )
    policy = GroundingSettings()
    check = Answerability(question, policy, None, None)  # type: ignore[arg-type]
    wrong = "Tmall et Alibaba représentaient environ 61% du marché [1]."
    assert not check.claim_states_the_figure(wrong, [quote])
    assert check.claim_states_the_figure("Tmall et Alibaba en avaient 23% [1].", [quote])
    off = Answerability(  # type: ignore[arg-type]
        question, policy.model_copy(update={"claim_nearest": False}), None, None
    )
    assert off.claim_states_the_figure(wrong, [quote])  # the sentence's subject binding alone


def test_a_sentence_made_of_the_questions_own_words_restates_it():
    from assistant.answerable import Answerability
    from assistant.settings import GroundingSettings

    question = (
        "Which chat app belongs to the group that steered the fundraising of Alibaba's "
        "countryside-focused rival?"
    )
    policy = GroundingSettings()
    check = Answerability(question, policy, None, None)  # type: ignore[arg-type]
    assert check.restates(
        "Alibaba's countryside-focused rival belongs to the group that steered the "
        "fundraising of Alibaba's countryside-focused rival [1]."
    )
    assert not check.restates("The group is Tencent, which owns the chat app WeChat [1].")
    assert not check.restates("The rival raised 3 billion dollars [1].")  # a figure of its own
    off = Answerability(  # type: ignore[arg-type]
        question, policy.model_copy(update={"restated_claims": False}), None, None
    )
    assert not off.restates("Alibaba's rival belongs to the group [1].")


def test_a_claim_about_a_year_states_the_figure_its_quote_writes_by_that_year():
    from assistant.answerable import Answerability
    from assistant.settings import GroundingSettings
    from assistant.types import Citation

    text = (
        "A ce jour, nous avons 250 marques françaises qui vendent en Chine sur notre "
        "marketplace, dont 60 nouvelles, rien qu’en 2016."
    )
    quote = Citation(n=1, source="a.txt", chunk_id="c", quote=text, start=0, end=len(text))
    policy = GroundingSettings()
    question = "How many new French brands started selling in China in 2016 alone?"
    check = Answerability(question, policy, None, None)  # type: ignore[arg-type]
    assert not check.claim_states_the_figure("250 French brands started in 2016 [1].", [quote])
    stores = "Hema a ouvert 40 magasins en 2017, après 22 magasins en 2016."
    both = Citation(n=1, source="b.txt", chunk_id="d", quote=stores, start=0, end=len(stores))
    opened = Answerability(  # type: ignore[arg-type]
        "How many stores did Hema open in 2016?", policy, None, None
    )
    assert opened.claim_states_the_figure("Hema opened 22 stores in 2016 [1].", [both])
    assert not opened.claim_states_the_figure("Hema opened 40 stores in 2016 [1].", [both])
    # No year asked: the figure of the brands is the answer.
    total = Answerability(  # type: ignore[arg-type]
        "How many French brands sell in China?", policy, None, None
    )
    assert total.claim_states_the_figure("250 French brands sell in China [1].", [quote])
    off = Answerability(  # type: ignore[arg-type]
        question, policy.model_copy(update={"claim_year": False}), None, None
    )
    assert off.claim_states_the_figure("250 French brands started in 2016 [1].", [quote])


def test_a_figure_the_question_is_conditioned_on_must_be_in_the_cited_quote() -> None:
    from assistant.answerable import Answerability
    from assistant.settings import GroundingSettings
    from assistant.types import Citation

    policy = GroundingSettings()
    question = "Combien d'années Alibaba a-t-il mis pour atteindre 400 milliards de dollars ?"
    other = "Alibaba a investi 16,3 milliards de dollars sur cinq à huit ans dans un consortium."
    reached = "Nous avons mis 13 ans pour atteindre 400 milliards de dollars de volume d'affaires."
    wrong = Citation(n=1, source="a.txt", chunk_id="a", quote=other, start=0, end=len(other))
    right = Citation(n=2, source="a.txt", chunk_id="b", quote=reached, start=0, end=len(reached))
    check = Answerability(question, policy, None, None)  # type: ignore[arg-type]
    assert not check.claim_states_the_figure("Alibaba a mis cinq à huit ans [1].", [wrong])
    assert check.claim_states_the_figure("Alibaba a mis 13 ans [2].", [right])
    # A digit inside a name ("B2C") conditions nothing.
    share = "JD détient 61% du marché B2C, contre 23% pour Tmall."
    cited = Citation(n=1, source="c.txt", chunk_id="c", quote=share, start=0, end=len(share))
    b2c = Answerability(  # type: ignore[arg-type]
        "Quelle part du marché B2C détient JD ?", policy, None, None
    )
    assert b2c.claim_states_the_figure("JD détient 61% [1].", [cited])
    off = Answerability(  # type: ignore[arg-type]
        question, policy.model_copy(update={"claim_question_figures": False}), None, None
    )
    assert off.claim_states_the_figure("Alibaba a mis cinq à huit ans [1].", [wrong])
