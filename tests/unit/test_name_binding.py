"""A figure answers a question only from a sentence about what the question names.

The sample corpus's near misses: a real amount of the passage ("3 milliards de dollars" raised
by Pingduoduo) given to another company named in it (Tencent, JD.com), the article's subject
carried over to a sentence about a rival, a figure of another year.
"""

from __future__ import annotations

import pytest

from assistant.grounding import figures, names_bound, topic_name
from assistant.questions import expect, question_names, subject_names

PINGDUODUO = (
    "Pingduoduo, un autre rival du groupe, a levé courant avril 3 milliards de dollars dans le "
    "cadre d'un tour de table emmené par le géant du net Tencent."
)
JD_EVENT = (
    'Son principal rival JD.com a également lancé le 9 juin un évènement similaire, le "JD sold '
    'global", où plus de 6 100 produits sont proposés à la vente.'
)
APP = "L'application propose aussi de se faire livrer en 29 minutes dans un rayon de 3 kilomètres."
HEMA = "Hema est une chaîne de supermarchés qui a ouvert 22 magasins ces derniers mois."
DOCUMENT = f"{HEMA} Lors du passage en caisse, il suffit d'appuyer sur une touche. {APP}"


def test_the_sentence_topic_is_a_name_among_its_first_words():
    assert topic_name(PINGDUODUO, "Combien Tencent a-t-il investi dans JD.com ?") == "Pingduoduo"
    assert topic_name(JD_EVENT, "Combien de produits pour Tmall World ?") == "JD.com"
    assert topic_name(APP, "En combien de minutes Hema livre-t-il ?", DOCUMENT) is None
    # A place is where, not who: "En Chine, …" is about nobody in particular.
    assert topic_name("En Chine, les ventes en ligne progressent.", "Combien ?") is None
    assert topic_name("Quant à JD.com, il teste deux magasins.", "Combien ?") == "JD.com"
    # The question's own name is not "someone else".
    assert topic_name(HEMA, "Combien de magasins Hema a-t-il ouverts ?") is None


@pytest.mark.parametrize(
    ("question", "sentence", "earlier", "bound"),
    [
        # Another company is the sentence's topic: the asked one does not carry over.
        ("Combien Tencent a-t-il investi dans JD.com ?", PINGDUODUO, [], False),
        ("Combien de produits proposait Tmall World ?", JD_EVENT, ["Tmall World a ouvert."], False),
        # A sentence about nobody else is about what the text before it names.
        (
            "En combien de minutes Hema livre-t-il ?",
            APP,
            ["Lors du passage en caisse.", HEMA],
            True,
        ),
        ("En combien de minutes JD.com livre-t-il ?", APP, [HEMA], False),
        ("Combien de magasins Hema a-t-il ouverts ?", HEMA, [], True),
    ],
)
def test_names_are_bound_to_the_sentence_or_what_precedes_it(
    question: str, sentence: str, earlier: list[str], bound: bool
):
    groups = subject_names(question)
    assert names_bound(groups, sentence, question, earlier=earlier, document=DOCUMENT) is bound


def test_who_says_it_and_coordinated_names_are_not_each_required():
    assert subject_names("Quel pourcentage selon Olivier de Panafieu ?") == []
    assert subject_names("Où sont basés Liu Dingding et l'analyste Mao Ajing ?") == [
        [("Liu", "Dingding"), ("Mao", "Ajing")]
    ]
    assert subject_names("Combien Tencent a-t-il investi dans JD.com ?") == [
        [("Tencent",)],
        [("JD.com",)],
    ]


def test_an_elided_article_does_not_hide_a_name():
    assert ("Amazon",) in question_names("Quelle est la part de marché d'Amazon en Chine ?")
    assert ("Alibaba",) in question_names("Quel est le service de l'Alibaba chinois ?")


def test_a_share_written_as_a_word_is_a_figure():
    (half,) = figures("plus de la moitié des utilisateurs vivent en zone rurale")
    assert half.text == "moitié"
    assert "%" in half.bound


def test_the_text_before_stops_at_a_sentence_about_someone_else():
    sentence = "En une journée, l'entreprise a réalisé 25,3 milliards de dollars de chiffre."
    earlier = ["Le géant chinois Alibaba a lancé son premier Global Shopping Festival."]
    lead = "Alibaba et JD.com sont les deux leaders de l'e-commerce en Chine."
    question = "Quel chiffre d'affaires JD.com a-t-il réalisé ?"
    groups = subject_names(question)
    # "l'entreprise" is Alibaba, the sentence before says so; the lead's JD.com is not it.
    assert not names_bound(groups, sentence, question, earlier=earlier, lead=lead)
    assert names_bound(groups, sentence, question, earlier=[], lead=lead)


def test_a_capitalised_opener_is_not_a_topic():
    assert topic_name("Bien sûr, on y trouve les mêmes rayons.", "Combien ?", DOCUMENT) is None
    assert topic_name("Celle-ci permet d'obtenir des détails.", "Combien ?", DOCUMENT) is None


def test_a_stake_is_a_share():
    assert expect("What stake in Huitongda does Alibaba get?").share
    assert expect("Quelle participation Alibaba prend-il dans Huitongda ?").share
