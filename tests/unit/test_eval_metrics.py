"""The eval metrics against hand-computed cases: ties, duplicates, empty results, refusals."""

from __future__ import annotations

import math

import pytest

from evals import metrics as m

# -- sources and retrieval ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retrieved", "expected", "match"),
    [
        ("a.txt", "a.txt", True),
        ("sub/a.txt", "a.txt", True),  # a file name matches in any folder
        ("corpus/sub/a.txt", "sub/a.txt", True),  # set written for a sub-folder
        ("a.txt", "sub/a.txt", True),  # ingested root was the sub-folder
        ("other/a.txt", "sub/a.txt", False),
        ("b_a.txt", "a.txt", False),  # whole path components only
        ("sub\\a.txt", "a.txt", True),
        ("", "a.txt", False),
    ],
)
def test_source_matches(retrieved: str, expected: str, match: bool) -> None:
    assert m.source_matches(retrieved, expected) is match


def test_relevance_credits_each_document_once() -> None:
    ranking = ["x.txt", "a.txt", "a.txt", "b.txt"]
    assert m.relevance(ranking, ["a.txt", "b.txt"]) == [None, 0, None, 1]


def test_hit_recall_mrr_on_a_ranking() -> None:
    ranking = ["x.txt", "a.txt", "y.txt", "b.txt", "z.txt"]
    expected = ["a.txt", "b.txt"]
    assert m.hit_at_k(ranking, expected, 1) == 0.0
    assert m.hit_at_k(ranking, expected, 2) == 1.0
    assert m.recall_at_k(ranking, expected, 2) == 0.5
    assert m.recall_at_k(ranking, expected, 5) == 1.0
    assert m.reciprocal_rank(ranking, expected, 5) == 0.5
    assert m.reciprocal_rank(ranking, expected, 1) == 0.0


def test_duplicate_chunks_of_one_document_count_once() -> None:
    # Two chunks of a.txt at ranks 1 and 2 ("tied" document): recall is 1/2, not 2/2.
    ranking = ["a.txt", "a.txt", "c.txt"]
    assert m.recall_at_k(ranking, ["a.txt", "b.txt"], 3) == 0.5
    # nDCG: DCG = 1/log2(2) = 1; ideal for two documents = 1 + 1/log2(3).
    assert m.ndcg_at_k(ranking, ["a.txt", "b.txt"]) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_ndcg_hand_computed() -> None:
    # Relevant at ranks 2 and 4, two expected: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3).
    ranking = ["x", "a", "y", "b"]
    want = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert m.ndcg_at_k(ranking, ["a", "b"], 10) == pytest.approx(want)
    assert m.ndcg_at_k(["a", "b"], ["a", "b"]) == pytest.approx(1.0)
    # Only the first k ranks count.
    assert m.ndcg_at_k(ranking, ["b"], 3) == 0.0


def test_repeated_expected_sources_count_once() -> None:
    assert m.recall_at_k(["a.txt"], ["a.txt", "a.txt"], 5) == 1.0


def test_empty_results_score_zero() -> None:
    assert m.hit_at_k([], ["a.txt"], 5) == 0.0
    assert m.recall_at_k([], ["a.txt"], 5) == 0.0
    assert m.reciprocal_rank([], ["a.txt"], 5) == 0.0
    assert m.ndcg_at_k([], ["a.txt"]) == 0.0


def test_unanswerable_questions_have_no_retrieval_score() -> None:
    for fn in (m.hit_at_k, m.recall_at_k, m.reciprocal_rank, m.ndcg_at_k):
        assert fn(["a.txt"], [], 5) is None


# -- answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Hema a ouvert 22 magasins. [1]", "hema ouvert 22 magasins"),
        ("712,2 millions de dollars", "712.2 millions dollars"),
        ("3 000", "3000"),
        ("3.000", "3000"),
        ("3\u202f000 références", "3000 references"),
        ("1 234 567,8 €", "1234567.8"),
        ("8.73 milliards $", "8.73 milliards"),
        ("17,3%", "17.3"),
        ("2016 500 magasins", "2016 500 magasins"),  # a year is not a thousands group
        ("L'e-commerce CHINOIS [1][2, 3]", "e commerce chinois"),
        ("Économie d’Haïti", "economie haiti"),
        ("The Œuvre", "oeuvre"),
    ],
)
def test_normalize_answer(text: str, normal: str) -> None:
    assert m.normalize_answer(text) == normal


def test_number_reading_is_independent_of_the_core() -> None:
    # On purpose: the scorer reads French conventions, the verifier (assistant.text.numbers)
    # reads a three-digit group after a comma as thousands. Sharing one would share its errors.
    from assistant.numbers import numbers

    assert m.normalize_numbers("6,100") == "6.100"  # French decimal comma: 6.1
    assert numbers("6,100") == {"6100"}  # English thousands: 6100
    assert m.contains_answer("6100 salariés", ["6,100"]) == 0.0
    assert numbers("6100 salariés") == numbers("6,100")
    # Where the conventions agree, so do the two readings.
    assert m.normalize_numbers("3 000") == "3000"
    assert numbers("3 000") == {"3000"}
    assert m.normalize_numbers("712,2") == "712.2"
    assert numbers("712,2") == {"712.2"}


def test_thousands_forms_are_equal() -> None:
    forms = {m.normalize_answer(s) for s in ("3 000", "3.000", "3000", "3\u00a0000")}
    assert forms == {"3000"}


def test_containment_matches_whole_words() -> None:
    assert m.contains_answer("Hema a ouvert 22 magasins [1]", ["22"]) == 1.0
    assert m.contains_answer("Hema a ouvert 225 magasins", ["22"]) == 0.0
    assert m.contains_answer("Près de 3.000 références", ["3 000"]) == 1.0
    assert (
        m.contains_answer("Alibaba investit 712,2 millions de dollars", ["712,2 millions"]) == 1.0
    )
    assert m.contains_answer("712.2 million dollars", ["712,2"]) == 1.0
    assert m.contains_answer("anything", []) is None
    assert m.contains_answer("", ["22"]) == 0.0


def test_exact_match_and_f1_as_in_squad() -> None:
    assert m.exact_match("Le 22 !", ["22"]) == 1.0
    assert m.exact_match("22 magasins", ["22"]) == 0.0
    # pred {chat, noir} vs gold {chat}: P = 1/2, R = 1, F1 = 2/3.
    assert m.token_f1("le chat noir", ["chat"]) == pytest.approx(2 / 3)
    # The best gold answer counts; two golds tied at the same F1 give that F1.
    assert m.token_f1("chat noir", ["chat", "noir"]) == pytest.approx(2 / 3)
    assert m.token_f1("chat noir", ["chien", "chat noir"]) == 1.0
    assert m.token_f1("chien", ["chat"]) == 0.0
    assert m.token_f1("", ["chat"]) == 0.0
    assert m.token_f1("x", []) is None


# -- citations ---------------------------------------------------------------------------------


def test_quote_validity() -> None:
    doc = "Hema a ouvert 22 magasins. JD.com teste deux magasins."
    assert m.quote_is_valid(doc, 0, 26, "Hema a ouvert 22 magasins.")
    assert not m.quote_is_valid(doc, 1, 27, "Hema a ouvert 22 magasins.")
    assert not m.quote_is_valid(None, 0, 4, "Hema")
    assert not m.quote_is_valid(doc, 50, 80, "magasins.")
    assert not m.quote_is_valid(doc, 0, 0, "")


def test_cites_expected_source() -> None:
    assert m.cites_expected_source(["x.txt", "sub/a.txt"], ["a.txt"]) == 1.0
    assert m.cites_expected_source(["x.txt"], ["a.txt"]) == 0.0
    assert m.cites_expected_source([], ["a.txt"]) == 0.0
    assert m.cites_expected_source(["a.txt"], []) is None


def test_alce_scores_hand_computed() -> None:
    answers = ["22 magasins"]
    # One citation that supports the answer alone: recall 1, precision 1.
    assert m.alce_citation_scores(["Hema a ouvert 22 magasins."], answers) == (1.0, 1.0)
    # A supporting citation and an irrelevant one: recall 1, precision 1/2.
    assert m.alce_citation_scores(["Il a ouvert 22 magasins.", "Alipay."], answers) == (1.0, 0.5)
    # Nothing supports the answer: recall 0, no citation is relevant.
    assert m.alce_citation_scores(["Alipay."], answers) == (0.0, 0.0)
    # No citation at all: recall 0, precision undefined.
    assert m.alce_citation_scores([], answers) == (0.0, None)
    # Not computable without accepted answers.
    assert m.alce_citation_scores(["x"], []) == (None, None)


def test_alce_citations_that_support_only_together() -> None:
    # "22" in one quote, "magasins" at the start of the next: neither supports alone, together
    # they do and each is needed, so both are relevant.
    quotes = ["Hema en a ouvert 22", "magasins ces derniers mois."]
    assert m.alce_citation_scores(quotes, ["22 magasins"]) == (1.0, 1.0)


# -- refusals ----------------------------------------------------------------------------------


def test_refusal_precision_recall() -> None:
    refused = [True, True, False, False, True]
    answerable = [False, True, False, True, False]
    # Refused 3, of which 2 unanswerable; 3 unanswerable in all.
    scores = m.refusal_scores(refused, answerable)
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)


def test_refusal_scores_without_refusals_or_unanswerable() -> None:
    assert m.refusal_scores([False, False], [True, False]) == {
        "precision": None,
        "recall": 0.0,
        "f1": None,
    }
    assert m.refusal_scores([True], [True]) == {"precision": 0.0, "recall": None, "f1": None}
    assert m.refusal_scores([], []) == {"precision": None, "recall": None, "f1": None}


def test_correct_and_wrong_but_cited() -> None:
    assert m.is_correct(True, False, 1.0)  # answerable, answered, contains it
    assert not m.is_correct(True, False, 0.0)  # answered wrong
    assert not m.is_correct(True, True, None)  # answerable, refused
    assert m.is_correct(False, True, None)  # unanswerable, refused
    assert not m.is_correct(False, False, None)  # unanswerable, answered
    # answered right, answered wrong, refused right, unanswerable answered, answerable refused
    refused = [False, False, True, False, True]
    correct = [True, False, True, False, False]
    assert m.wrong_but_cited(refused, correct) == pytest.approx(2 / 5)
    assert m.wrong_but_cited([True], [False]) == 0.0  # a refusal is never wrong-but-cited
    assert m.wrong_but_cited([], []) is None


def test_paperqa_accuracy_and_precision() -> None:
    # 4 answerable: 2 right, 1 wrong, 1 refused ("unsure").
    correct = [True, True, False, False]
    refused = [False, False, False, True]
    scores = m.paperqa_scores(correct, refused)
    assert scores["accuracy"] == 0.5
    assert scores["precision"] == pytest.approx(2 / 3)
    assert m.paperqa_scores([False], [True]) == {"accuracy": 0.0, "precision": None}
    assert m.paperqa_scores([], []) == {"accuracy": None, "precision": None}


# -- aggregation -------------------------------------------------------------------------------


def test_mean_skips_undefined_values() -> None:
    assert m.mean([1.0, None, 0.0]) == 0.5
    assert m.mean([None]) is None
    assert m.mean([]) is None


def test_percentiles_interpolate_linearly() -> None:
    assert m.percentile([1, 2, 3, 4], 50) == 2.5
    assert m.percentile([10, 20], 95) == pytest.approx(19.5)
    assert m.percentile([7, 7, 7], 95) == 7  # ties
    assert m.percentile([5], 95) == 5
    assert m.percentile([None, 3.0, None], 50) == 3.0
    assert m.percentile([], 50) is None
