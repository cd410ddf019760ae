"""The keyword index's check for names a corpus never mentions (a refusal signal)."""

from __future__ import annotations

from assistant.keyword import KeywordIndex
from assistant.types import Chunk

TEXTS = [
    "Alibaba investit 712,2 millions de dollars dans Huitongda Network.",
    "Hema a ouvert 22 magasins à Shanghai et Pékin ; les achats en ligne progressent.",
]


def _index(tmp_path) -> KeywordIndex:
    index = KeywordIndex(tmp_path / "bm25")
    chunks = [Chunk("a.txt", "/a.txt", t, 0, len(t), f"c{i}") for i, t in enumerate(TEXTS)]
    index.update(chunks, [], store_count=len(chunks))
    return index


def test_names_and_numbers_missing_from_the_corpus_are_reported(tmp_path):
    index = _index(tmp_path)
    assert index.unknown_names("Qui est le PDG de Pinduoduo ?") == ["PDG", "Pinduoduo"]
    assert index.unknown_names("Combien Alibaba investit-il dans Huitongda ?") == []
    assert index.unknown_names("Hema a-t-il ouvert 40 magasins ?") == ["40"]


def test_capitalised_common_words_and_english_months_are_not_names(tmp_path):
    index = _index(tmp_path)
    assert index.unknown_names("Quelle part des achats sur Internet vient de Hema ?") == []
    assert index.unknown_names("How many French shoppers used Hema in January?") == []
    assert index.unknown_names("Did Hema open stores in Hangzhou?") == ["Hangzhou"]


def test_an_english_name_with_a_french_ending_in_the_corpus_is_not_unknown(tmp_path):
    # "Olympics" stems to "olympic", the corpus's "olympiques" to "olymp": the ratio of the
    # two (78) is under the fuzzy cut-off, but one stem begins the other.
    text = "Usain Bolt a gagné trois médailles aux Jeux olympiques de Rio."
    index = KeywordIndex(tmp_path / "kw")
    index.update([Chunk("b.txt", "/b.txt", text, 0, len(text), "c0")], [], store_count=1)
    question = "What did Usain Bolt win at the Rio Olympics?"
    assert index.unknown_names(question) == ["Olympics"]  # without fuzzy matching
    assert index.unknown_names(question, fuzzy=85) == []
    assert index.unknown_names("What did Usain Bolt win at the Rio Oscars?", fuzzy=85) == ["Oscars"]


def test_a_name_split_or_misspelled_in_part_is_the_corpus_name(tmp_path):
    text = (
        "Ils paient le café avec Alipay. Alibaba compte sur Mr Sébastien Badault, "
        "son directeur France."
    )
    index = KeywordIndex(tmp_path / "kw")
    index.update([Chunk("b.txt", "/b.txt", text, 0, len(text), "c0")], [], store_count=1)
    # Written in two words, the name is the corpus's one word, in the rule and in retrieval.
    assert index.unknown_names("Que paient-ils avec Ali Pay ?", fuzzy=85) == []
    assert index.unknown_names("Que paient-ils avec Ali Pay ?") == ["Ali", "Pay"]
    assert index.search("Qui accepte Ali Pay ?", k=1, fuzzy=85)
    assert not index.search("Qui accepte Ali Pay ?", k=1)
    # A given name the corpus has, and a surname close to the corpus's, at the looser ratio.
    question = "Qui est Sebastien Badeau ?"
    assert index.unknown_names(question, fuzzy=85) == ["Badeau"]
    assert index.unknown_names(question, fuzzy=85, surname_fuzzy=75) == []
    # A surname far from every corpus word stays unknown, given name or not.
    assert index.unknown_names("Qui est Sebastien Loeb ?", fuzzy=85, surname_fuzzy=75) == ["Loeb"]


def test_a_place_the_corpus_writes_under_another_name_is_known(tmp_path):
    text = "Alibaba vend 250 marques françaises en France et aux Etats-Unis."
    index = KeywordIndex(tmp_path / "kw")
    index.update([Chunk("b.txt", "/b.txt", text, 0, len(text), "c0")], [], store_count=1)
    assert index.unknown_names("Que vend Alibaba dans l'Hexagone ?") == []
    assert index.unknown_names("How many brands does Alibaba sell in the US?") == []
    # Both words of "Etats-Unis" must be there: a corpus with "Etat" alone does not know it.
    other = KeywordIndex(tmp_path / "kw2")
    lone = "L'Etat chinois soutient Alibaba."
    other.update([Chunk("c.txt", "/c.txt", lone, 0, len(lone), "c0")], [], store_count=1)
    assert other.unknown_names("How many brands does Alibaba sell in the US?") == ["US"]
    assert other.unknown_names("Que vend Alibaba dans l'Hexagone ?") == ["Hexagone"]


def test_a_place_named_by_a_figure_of_speech_is_the_place(tmp_path):
    text = "Les ventes en ligne en Chine ont doublé ; Pékin encourage les commerçants."
    index = KeywordIndex(tmp_path / "kw")
    index.update([Chunk("c.txt", "/c.txt", text, 0, len(text), "c0")], [], store_count=1)
    assert index.unknown_names("Comment vendre dans l'empire du Milieu ?") == []
    # Outside its figure of speech the capitalised word is still a name to look for, and a
    # figure for a place the corpus never names is unknown.
    assert index.unknown_names("Que vend Milieu à Pékin ?") == ["Milieu"]
    assert index.unknown_names("Que vend-on au pays du Soleil levant ?") == ["Soleil"]
