"""Element recall and verified claims: how much of what a full answer holds, every point cited."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from assistant.types import Answer, Citation, Timings
from evals.compare import compare
from evals.metrics import answer_units, element_recall, verified_share
from evals.questions import Question, QuestionSetError, load_questions
from evals.report import comparison_tables, headline, print_summary
from evals.results import QuestionResult, RunResult
from evals.runner import RunOptions, answer_metrics, summarise

ROOT = Path(__file__).resolve().parents[2]
PROVINCES = (("Heilongjiang",), ("Jilin",), ("Liaoning",))


def test_element_recall_counts_each_fact_once_folding_case_and_accents() -> None:
    text = "JD.com livre par drone dans le HEILONGJIANG [1] et à Jilin [1]."
    assert element_recall(text, PROVINCES, refused=False) == pytest.approx(2 / 3)
    accents = (("électroménager", "appliances"), ("Jilin",))
    assert element_recall("Le marche de l'electromenager [1].", accents, refused=False) == 0.5
    assert element_recall("Jilin, Jilin et Jilin.", PROVINCES, refused=False) == pytest.approx(
        1 / 3
    )


def test_a_refusal_holds_no_element_and_a_set_without_elements_scores_nothing() -> None:
    assert element_recall("Heilongjiang Jilin Liaoning", PROVINCES, refused=True) == 0.0
    assert element_recall("Heilongjiang", (), refused=False) is None


def test_an_element_is_matched_as_whole_words() -> None:
    assert element_recall("225 magasins [1].", (("22",),), refused=False) == 0.0
    assert element_recall("22 magasins [1].", (("22",),), refused=False) == 1.0


BULLETS = (
    "Trois provinces :\n"
    "- Heilongjiang, au nord-est [1]\n"
    "- Jilin [2]\n"
    "1/ Liaoning, sans citation\n"
    "2) Un point cité d'un passage inconnu [7]\n"
)


def test_units_are_bullets_and_numbered_points_never_their_numbers_or_intro() -> None:
    assert answer_units(BULLETS) == [
        "Heilongjiang, au nord-est [1]",
        "Jilin [2]",
        "Liaoning, sans citation",
        "Un point cité d'un passage inconnu [7]",
    ]
    prose = "Hema a 22 magasins [1]. Il vend des produits frais. [2]"
    assert answer_units(prose) == ["Hema a 22 magasins [1].", "Il vend des produits frais. [2]"]


def test_verified_share_is_the_share_of_claims_citing_a_kept_citation() -> None:
    assert verified_share(BULLETS, [1, 2], refused=False) == 0.5
    assert verified_share("Hema a 22 magasins [1, 2].", [2], refused=False) == 1.0
    assert verified_share("Hema a 22 magasins.", [], refused=False) == 0.0
    assert verified_share("Le corpus ne contient pas la réponse.", [], refused=True) is None


def test_the_loader_keeps_kind_and_elements(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    line = {
        "id": "el",
        "question": "Dans quelles provinces ?",
        "answers": ["Jilin"],
        "kind": "list",
        "elements": [["Heilongjiang"], ["Jilin", "  "]],
    }
    path.write_text(json.dumps(line) + "\n" + json.dumps({"id": "f", "question": "q ?"}) + "\n")
    with_elements, plain = load_questions(path)
    assert with_elements.kind == "list"
    assert with_elements.elements == (("Heilongjiang",), ("Jilin",))
    assert (plain.kind, plain.elements) == (None, ())


@pytest.mark.parametrize(
    ("elements", "message"),
    [('"Jilin"', "list of lists"), ('[["Jilin"], []]', "non-empty variant"), ("[[1]]", "list")],
)
def test_bad_elements_name_the_line(tmp_path: Path, elements: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(f'{{"id": "x", "question": "q ?", "elements": {elements}}}\n')
    with pytest.raises(QuestionSetError, match=rf"set.jsonl:1: .*{message}"):
        load_questions(path)


@pytest.mark.parametrize("name", ["elements_sample.jsonl", "elements_wikinews.jsonl"])
def test_the_shipped_element_sets_load(name: str) -> None:
    questions = load_questions(ROOT / "evals" / name)
    assert sum(bool(q.elements) for q in questions) >= 20
    assert all(q.kind for q in questions)


def answer(text: str, *, refused: bool = False, cited: tuple[int, ...] = (1,)) -> Answer:
    return Answer(
        question="q",
        text=text,
        refused=refused,
        mode="extractive",
        model="m",
        citations=tuple(Citation(n, "a.txt", "", "x", 0, 1) for n in cited),
        timings=Timings(retrieve=1.0, total=2.0),
        kind="list",
    )


def result(question: Question, reply: Answer) -> QuestionResult:
    reply = replace(reply, question=question.question)
    return QuestionResult.for_question(
        question, answer=reply, metrics=answer_metrics(question, reply, [True] * 2)
    )


LISTED = Question("el", "Dans quelles provinces ?", ("Jilin",), (), True, "list", PROVINCES)
WHY = Question("why", "Pourquoi ?", ("drone",), (), True, "explanation", (("drone",), ("JD",)))


def run_with(*rows: QuestionResult) -> RunResult:
    return RunResult(summarise(rows, RunOptions(k=2)), {"mode": "extractive"}, rows)


def test_each_row_and_the_summary_carry_element_recall_and_verified_share() -> None:
    good = result(LISTED, answer("- Heilongjiang [1]\n- Jilin [1]\n- Liaoning [1]"))
    half = result(WHY, answer("Par drone [1]. Sans source."))
    refused = result(LISTED, answer("Non.", refused=True, cited=()))
    assert good.metrics["element_recall"] == 1.0
    assert good.metrics["verified_share"] == 1.0
    assert half.metrics["element_recall"] == 0.5
    assert half.metrics["verified_share"] == 0.5
    assert refused.metrics["element_recall"] == 0.0
    assert refused.metrics["verified_share"] is None
    summary = run_with(good, half, refused).summary["elements"]
    assert summary["element_recall"] == pytest.approx(0.5)
    assert summary["verified_share"] == pytest.approx(0.75)
    assert summary["element_recall_list"] == pytest.approx(0.5)
    assert summary["element_recall_explanation"] == pytest.approx(0.5)


def test_rows_keep_the_expected_elements_and_read_back_equal() -> None:
    row = result(LISTED, answer("- Jilin [1]"))
    data = json.loads(json.dumps(row.to_dict()))
    assert data["expected_kind"] == "list"
    assert data["expected_elements"] == [["Heilongjiang"], ["Jilin"], ["Liaoning"]]
    assert data["kind"] == "list"
    assert QuestionResult.from_dict(data) == row


def test_a_set_without_elements_has_no_elements_group_or_row_keys() -> None:
    plain = Question("f", "Combien ?", ("22",), (), True)
    row = result(plain, answer("22 [1]."))
    assert "elements" not in run_with(row).summary
    assert "expected_elements" not in row.to_dict()
    assert "element_recall" not in row.metrics


def test_the_eval_summary_and_the_comparison_show_element_recall() -> None:
    before = run_with(result(LISTED, answer("- Jilin [1]")))
    after = run_with(result(LISTED, answer("- Jilin [1]\n- Liaoning [1]\n- Heilongjiang")))
    line = headline(after.summary)
    assert line is not None
    assert "element recall 1.000" in line
    assert "verified 0.667" in line
    out = io.StringIO()
    print_summary(Console(file=out, width=200), after)
    assert "element_recall" in out.getvalue()
    rows = {(r.group, r.metric): r for r in compare(before, after).rows}
    assert rows["elements", "element_recall"].delta == pytest.approx(2 / 3)
    table = io.StringIO()
    for t in comparison_tables(compare(before, after)):
        Console(file=table, width=200).print(t)
    assert "verified_share" in table.getvalue()
