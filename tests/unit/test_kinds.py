"""Question kinds: what shape of answer a French or English question asks for."""

from __future__ import annotations

import pytest

from assistant.kinds import KINDS, classify, explain
from assistant.types import Answer

CASES = [
    # lists
    ("Quels sont les cinq points qui résument Alibaba ?", "list"),
    ("Quels sont les lauréats des prix Nobel 2016 ?", "list"),
    ("Dans quelles provinces JD.com expérimente-t-il la livraison par drone ?", "list"),
    ("Quels services Alibaba possède-t-il en Chine ?", "list"),
    ("Liste les magasins de Hema.", "list"),
    ("Énumère les services d'Alibaba.", "list"),
    ("What are the five points of the New Retail?", "list"),
    ("Which markets does Tmall target?", "list"),
    ("Que font les concurrents d'Alibaba pour conquérir les campagnes ?", "list"),
    ("Dans quel ordre les candidats sont-ils arrivés ?", "list"),
    ("Quels articles vend Hema ?", "list"),  # articles for sale, not documents
    # summaries
    ("Résume l'article sur l'investissement d'Alibaba dans Huitongda.", "summary"),
    ("Summarise the article on Chinese e-commerce moving offline.", "summary"),
    ("Que dit l'article sur Huitongda ?", "summary"),
    ("What does the article say about Hema?", "summary"),
    ("Give an overview of Alibaba's strategy.", "summary"),
    ("What is JD.com doing in physical retail?", "summary"),
    # comparisons
    ("Compare JD et Tmall sur le marché de l'électroménager.", "comparison"),
    ("Quelle est la différence entre Tmall et JD ?", "comparison"),
    ("Tmall versus JD : qui domine ?", "comparison"),
    ("How do Alibaba and JD.com compare in physical stores?", "comparison"),
    ("What are the main differences between JD and Tmall?", "comparison"),
    ("Comment le paiement en Chine se compare-t-il au paiement en France ?", "comparison"),
    # explanations
    ("Pourquoi Alibaba investit-il dans les campagnes chinoises ?", "explanation"),
    ("Comment fonctionne un supermarché Hema ?", "explanation"),
    ("Why does Alibaba need a partner such as Haier?", "explanation"),
    ("How does Hema work?", "explanation"),
    ("Qu'est-ce qui a provoqué la coulée de boue de Mocoa ?", "explanation"),
    ("Explique le New Retail.", "explanation"),
    ("Quelles sont les raisons du succès de Hema ?", "explanation"),
    # corpus-wide
    ("Quels articles parlent de Tencent ?", "corpus"),
    ("Combien d'articles mentionnent JD.com ?", "corpus"),
    ("Combien d'articles du corpus parlent d'Alibaba ?", "corpus"),
    ("Combien d'articles mentionnent Alipay, et lesquels ?", "corpus"),
    ("Que dit le corpus sur Hema ?", "corpus"),
    ("Which articles mention Alibaba?", "corpus"),
    ("How many articles mention Tencent?", "corpus"),
    ("Dans quels documents est-il question de drones ?", "corpus"),
    ("Quel article parle de Tencent ?", "corpus"),
    ("What does the corpus say about Alibaba's logistics?", "corpus"),
    # facts, near misses of the rules above included
    ("Combien de magasins Hema compte-t-il ?", "fact"),
    ("Combien d'articles sont référencés dans l'application Hema ?", "fact"),
    ("Combien de drones JD.com utilise-t-il ?", "fact"),
    ("En combien de points le magazine a-t-il résumé la stratégie du groupe ?", "fact"),
    ("Comment s'appelle la filiale logistique d'Alibaba ?", "fact"),
    ("How is the app called?", "fact"),
    ("How many stores does Hema have?", "fact"),
    ("How much did Alibaba invest in Huitongda?", "fact"),
    ("What is the name of the CEO?", "fact"),
    ("Quel est le chiffre d'affaires de JD.com ?", "fact"),
    ("Qui a fondé JD.com ?", "fact"),
    ("Quelle entreprise a racheté Huitongda ?", "fact"),
    ("Which company owns Hema?", "fact"),
    ("Where is Huitongda based?", "fact"),
    ("Quand a eu lieu le festival ?", "fact"),
    ("Combien de temps dure la livraison ?", "fact"),
]


@pytest.mark.parametrize(("question", "kind"), CASES)
def test_each_question_gets_the_answer_shape_it_asks_for(question: str, kind: str) -> None:
    assert classify(question) == kind


def test_the_table_covers_both_languages_and_every_kind() -> None:
    assert len(CASES) >= 40
    assert {kind for _, kind in CASES} == set(KINDS)


def test_a_rule_says_which_words_decided_and_a_default_fact_is_unsure() -> None:
    decided = explain("Quels articles parlent de Tencent ?")
    assert decided.sure
    assert "articles parlent" in decided.matched
    default = explain("Combien de magasins Hema compte-t-il ?")
    assert default.kind == "fact"
    assert not default.sure


def test_accents_case_and_curly_apostrophes_do_not_change_the_kind() -> None:
    assert classify("RÉSUME L’ARTICLE SUR HEMA") == "summary"
    assert classify("combien d’articles mentionnent jd.com") == "corpus"


def test_an_answer_carries_its_kind_in_its_json_and_older_rows_read_as_facts() -> None:
    answer = Answer(question="q", text="t", refused=False, mode="extractive", model="m")
    assert answer.to_dict()["kind"] == "fact"
    listed = Answer.from_dict({**answer.to_dict(), "kind": "list"})
    assert listed.kind == "list"
    old = answer.to_dict()
    del old["kind"]
    assert Answer.from_dict(old).kind == "fact"
