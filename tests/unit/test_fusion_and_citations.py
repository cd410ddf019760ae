from assistant.citations import supports, verify
from assistant.evidence import score_sentences
from assistant.retrieval import rrf_fuse
from assistant.types import Chunk, Passage

DOC = (
    "Hema a ouvert 22 magasins en Chine. Son application catalogue 3 000 références. "
    "JD.com a lancé 7Fresh en 2018."
)


def _passages() -> tuple[Passage, ...]:
    a = DOC.index("Son")
    return (
        Passage(
            n=1, chunk=Chunk("hema.txt", "/c/hema.txt", DOC[:a].strip(), 0, a - 1, "c1"), score=0.03
        ),
        Passage(
            n=2, chunk=Chunk("hema.txt", "/c/hema.txt", DOC[a:], a, len(DOC), "c2"), score=0.02
        ),
    )


def test_rrf_adds_reciprocal_ranks_and_breaks_ties_by_first_seen():
    fused = rrf_fuse([(["a", "b"], 1.0), (["b", "c"], 1.0)], rrf_k=60)
    assert [cid for cid, _ in fused] == ["b", "a", "c"]
    assert abs(dict(fused)["b"] - (1 / 62 + 1 / 61)) < 1e-12
    tie = rrf_fuse([(["x"], 1.0), (["y"], 1.0)], rrf_k=60)
    assert [cid for cid, _ in tie] == ["x", "y"]


def test_rrf_weights_and_empty_lists():
    assert rrf_fuse([([], 1.0), ([], 1.0)], rrf_k=60) == []
    fused = rrf_fuse([(["a"], 0.5), (["b"], 1.0)], rrf_k=60)
    assert [cid for cid, _ in fused] == ["b", "a"]


def test_support_requires_the_numbers_of_the_claim():
    assert supports("Hema a ouvert 22 magasins.", DOC) >= 0.5
    assert supports("Hema a ouvert 25 magasins.", DOC) == 0.0


def test_verify_keeps_supported_claims_with_exact_quotes():
    passages = _passages()
    evidence = score_sentences("Combien de magasins Hema a-t-il ouverts ?", passages)
    result = verify("Hema a ouvert 22 magasins [1].", passages, evidence, language="fr")
    assert result.text == "Hema a ouvert 22 magasins [1]."
    (citation,) = result.citations
    assert (
        DOC[citation.start : citation.end]
        == citation.quote
        == "Hema a ouvert 22 magasins en Chine."
    )


def test_verify_repoints_a_wrong_citation_and_drops_an_unsupported_claim():
    passages = _passages()
    evidence = score_sentences("références Hema", passages)
    answer = "L'application catalogue 3 000 références [1]. Hema vaut 9 milliards [2]."
    result = verify(answer, passages, evidence, language="fr")
    assert result.repointed == 1
    assert result.dropped == 1
    assert result.text.startswith("L'application catalogue 3 000 références [2].")
    assert "9 milliards" not in result.text
    assert [c.n for c in result.citations] == [2]


def test_verify_never_cites_a_passage_that_was_not_retrieved():
    passages = _passages()
    result = verify("Hema a ouvert 22 magasins [7].", passages, [], language="fr")
    assert all(c.n in {1, 2} for c in result.citations)


def test_english_answer_over_french_passage_is_supported_by_names_and_numbers():
    passages = _passages()
    evidence = score_sentences("How many stores has Hema opened?", passages)
    result = verify("Hema has opened 22 stores [1].", passages, evidence, language="en")
    assert result.dropped == 0
    assert result.citations[0].n == 1


def test_support_requires_the_names_of_the_claim():
    # The numbers and most words are there; the city is the model's own.
    assert supports("Hema a ouvert 22 magasins à Hangzhou.", DOC) < 0.5
    assert supports("Hema a ouvert 22 magasins à Hangzhou.", DOC, context=DOC + " Hangzhou") >= 0.5


def test_a_claim_joining_numbers_of_two_sentences_is_not_supported_with_quote_numbers():
    # One chunk, two sentences: 13 years to 400 billion, and 500 billion in 2016. "400 in
    # 2016" is in the passage, yet no sentence says it.
    text = (
        "Alibaba a mis 13 ans pour atteindre 400 milliards de dollars. "
        "En 2016, il est devenu le premier distributeur avec 500 milliards de dollars."
    )
    chunk = Chunk("a.txt", "/c/a.txt", text, 0, len(text), "c1")
    passages = (Passage(n=1, chunk=chunk, score=0.1),)
    evidence = score_sentences("Quel volume d'affaires Alibaba a-t-il atteint en 2016 ?", passages)
    claim = "Alibaba a atteint 400 milliards de dollars en 2016 [1]."
    assert verify(claim, passages, evidence, language="fr").citations  # the passage has both
    strict = verify(claim, passages, evidence, language="fr", quote_numbers=True)
    assert not strict.citations
    right = verify(
        "Alibaba a atteint 500 milliards de dollars en 2016 [1].",
        passages,
        evidence,
        language="fr",
        quote_numbers=True,
    )
    (citation,) = right.citations
    assert citation.quote.startswith("En 2016")


def test_a_name_the_claim_adds_must_be_in_its_quote_not_just_retrieved():
    passages = _passages()
    question = "Which chain launched 7Fresh in 2018?"
    evidence = score_sentences(question, passages)
    answer = "The chain is run by JD.com [1]."
    # Across languages names are looked up in all that was retrieved: [1] never names JD.com.
    assert verify(answer, passages, evidence, language="en").citations[0].n == 1
    strict = verify(answer, passages, evidence, language="en", question=question)
    assert [c.n for c in strict.citations] == [2]
    assert "JD.com" in strict.citations[0].quote
    assert strict.repointed == 1


def test_an_english_place_name_is_found_in_its_french_spelling():
    passage = "Les ventes en ligne représentent environ 18% du commerce de détail en Chine."
    claim = "18% of retail sales in China are made online."
    assert supports(claim, passage, same_language=False) >= 0.5
    assert (
        supports("18% of retail sales in Japan are made online.", passage, same_language=False)
        < 0.5
    )
