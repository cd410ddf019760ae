import pytest

from assistant.analysis import analyse, fold
from assistant.followup import looks_like_follow_up
from assistant.numbers import numbers
from assistant.text import sentence_spans


def test_sentences_do_not_break_on_abbreviations_or_decimals():
    text = "M. Zhang a investi 712,2 millions. Le groupe JD.com suit.\nTitre sans point\nFin !"
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "M. Zhang a investi 712,2 millions.",
        "Le groupe JD.com suit.",
        "Titre sans point",
        "Fin !",
    ]


def test_sentence_spans_are_exact_offsets():
    text = "  Première phrase.   Deuxième phrase ?  "
    for a, b in sentence_spans(text):
        assert text[a:b].strip() == text[a:b]
        assert text[a:b] in {"Première phrase.", "Deuxième phrase ?"}


def test_analyse_folds_accents_drops_elisions_and_stems():
    assert analyse("l'économie") == analyse("Economie")
    assert analyse("d'Alibaba") == analyse("Alibaba")
    assert analyse("références") == analyse("référence")
    assert "le" not in analyse("le magasin")


def test_numbers_normalise_french_formats():
    assert numbers("3 000 références") == {"3000"}
    assert numbers("3.000 produits") == {"3000"}
    assert numbers("712,2 millions") == {"712.2"}
    assert numbers("en 2016") == {"2016"}


def test_fold():
    assert fold("Œuvre Économique") == "oeuvre economique"


def test_etc_ends_a_sentence_before_a_capital_but_not_before_lowercase():
    text = "Origine, recettes, etc. Près de 3.000 références. Des fruits, etc. et des légumes."
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Origine, recettes, etc.",
        "Près de 3.000 références.",
        "Des fruits, etc. et des légumes.",
    ]


def test_numbers_in_english_and_french_conventions_agree():
    assert numbers("3,000 products") == numbers("3.000 références") == numbers("3 000") == {"3000"}
    assert numbers("712.2 million") == numbers("712,2 millions") == {"712.2"}
    assert numbers("1 234 567,5") == {"1234567.5"}


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("et JD.com ?", True),
        ("Et pour Tmall ?", True),
        ("What about JD?", True),
        ("Combien en ont-ils ouvert ?", True),
        ("When did they open it?", True),
        ("Quelle est leur part de marché ?", True),
        ("Combien de magasins Hema a-t-il ouverts ?", False),
        ("Combien de magasins y a-t-il à Pékin ?", False),
        ("Quelle part des ventes en ligne représente la Chine en 2017 ?", False),
        ("How many stores has Hema opened?", False),
        ("What share of retail sales in China is made online?", False),
    ],
)
def test_only_questions_that_lean_on_the_conversation_are_follow_ups(question, follow_up):
    assert looks_like_follow_up(question) is follow_up
