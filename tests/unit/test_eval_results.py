"""Eval rows as typed results: today's RESULT.json shape, read back, and refused when malformed.

The runner is driven with a fake assistant (canned answers, a fixed ranking, a dict of document
texts), so these run without a store or a model; the real run is in
tests/integration/test_eval_run.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.retrieval import Retrieval
from assistant.types import Answer, Chunk, Citation, Passage, Timings
from evals.questions import Question
from evals.results import (
    QuestionResult,
    ResultFileError,
    RunResult,
    load_result,
)
from evals.runner import RunOptions, run_eval, summarise

ROOT = Path(__file__).resolve().parents[2]
HEMA = "Hema a ouvert 22 magasins. Il vend des produits frais."
DOCS = {"/c/hema.txt": HEMA, "/c/jd.txt": "JD.com teste deux magasins."}
ASK_KEYS = {
    "question",
    "answer",
    "refused",
    "mode",
    "model",
    "citations",
    "passages",
    "timings_ms",
    "standalone_question",
    "notes",
    "prompt_tokens",
}
EVAL_KEYS = {
    "id",
    "expected_answers",
    "expected_sources",
    "answerable",
    "ranked_sources",
    "metrics",
}


def passage(n: int, doc: str, start: int = 0, end: int = 26) -> Passage:
    chunk = Chunk(
        source=Path(doc).name, doc_id=doc, text=DOCS[doc][start:end], start=start, end=end
    )
    return Passage(n=n, chunk=chunk, score=1 / n, bm25_rank=n)


PASSAGES = (passage(1, "/c/hema.txt"), passage(2, "/c/jd.txt"))


class FakeStore:
    def document_text(self, doc_id: str) -> str | None:
        return DOCS.get(doc_id)


class FakeRetriever:
    def retrieve(
        self, question: str, *, k: int | None = None, mode: str = "hybrid", filters: object = None
    ) -> Retrieval:
        del k, mode, filters
        return Retrieval(question, PASSAGES, 0.9, 1.0, 12.34)


class FakeAssistant:
    """What the runner uses of `Assistant`: ask, retriever, store."""

    def __init__(self, answers: dict[str, Answer | Exception]) -> None:
        self.answers = answers
        self.retriever = FakeRetriever()
        self.store = FakeStore()

    def ask(self, question: str, *, k: int | None = None, filters: object = None) -> Answer:
        del k, filters
        reply = self.answers[question]
        if isinstance(reply, Exception):
            raise reply
        return reply


def reply(question: str, text: str, *, refused: bool = False, quote_ok: bool = True) -> Answer:
    citations: tuple[Citation, ...] = ()
    if not refused:
        end = 26 if quote_ok else 27
        citations = (Citation(1, "hema.txt", "", HEMA[0:26], 0, end),)
    return Answer(
        question=question,
        text=text,
        refused=refused,
        mode="extractive",
        model="extractive (sentence scoring)",
        citations=citations,
        passages=PASSAGES,
        timings=Timings(retrieve=10.0, first_token=None if refused else 40.0, total=50.0),
        notes=("re-pointed [2] to [1]",) if not refused else (),
    )


QUESTIONS = [
    Question("hema", "Combien de magasins Hema ?", ("22",), ("hema.txt",), True),
    Question("wrong", "Combien de magasins JD ?", ("2",), ("jd.txt",), True),
    Question("ceo", "Qui dirige Hema ?", (), (), False),
    Question("boom", "Une question qui échoue ?", ("x",), ("hema.txt",), True),
]
ANSWERS: dict[str, Answer | Exception] = {
    "Combien de magasins Hema ?": reply("Combien de magasins Hema ?", "Hema en a 22 [1]."),
    "Combien de magasins JD ?": reply("Combien de magasins JD ?", "JD en a 22 [1]."),
    "Qui dirige Hema ?": reply("Qui dirige Hema ?", "Hema vend des produits frais [1]."),
    "Une question qui échoue ?": TimeoutError("the model took too long"),
}


@pytest.fixture
def rows() -> list[QuestionResult]:
    return run_eval(QUESTIONS, FakeAssistant(ANSWERS), RunOptions(k=2))  # type: ignore[arg-type]


def test_an_answered_row_is_the_ask_json_object_plus_the_eval_keys(
    rows: list[QuestionResult],
) -> None:
    row = rows[0].to_dict()
    answer = ANSWERS["Combien de magasins Hema ?"]
    assert isinstance(answer, Answer)
    assert row.keys() >= ASK_KEYS | EVAL_KEYS
    assert {k: row[k] for k in answer.to_dict()} == answer.to_dict()  # Answer.to_dict, as is
    assert row["id"] == "hema"
    assert row["expected_answers"] == ["22"]
    assert row["expected_sources"] == ["hema.txt"]
    assert row["ranked_sources"] == ["hema.txt", "jd.txt"]
    assert row["metrics"]["correct"] is True
    assert row["metrics"]["hit@2"] == 1.0
    assert row["metrics"]["citations_valid"] == 1
    assert json.loads(json.dumps(row)) == row


def test_rows_read_back_equal(rows: list[QuestionResult]) -> None:
    for row in rows:
        again = QuestionResult.from_dict(json.loads(json.dumps(row.to_dict())))
        assert again == row
        assert again.to_dict() == row.to_dict()


def test_a_failed_question_keeps_its_error_and_the_run_goes_on(
    rows: list[QuestionResult],
) -> None:
    failed = rows[3].to_dict()
    assert failed == {
        "question": "Une question qui échoue ?",
        "id": "boom",
        "expected_answers": ["x"],
        "expected_sources": ["hema.txt"],
        "answerable": True,
        "error": "TimeoutError: the model took too long",
        "metrics": {},
    }


def test_retrieval_only_rows_keep_no_passage_text() -> None:
    (row,) = run_eval(QUESTIONS[:1], FakeAssistant({}), RunOptions(k=1, retrieval_only=True))  # type: ignore[arg-type]
    data = row.to_dict()
    assert data.keys() == ASK_KEYS | EVAL_KEYS
    assert (data["answer"], data["refused"], data["mode"], data["model"]) == (
        None,
        None,
        "retrieval-only",
        None,
    )
    assert len(data["passages"]) == 1
    assert "text" not in data["passages"][0]
    assert data["passages"][0]["bm25_rank"] == 1
    assert data["timings_ms"] == {"retrieve": 12.3, "first_token": None, "total": 12.3}
    again = QuestionResult.from_dict(data)
    assert again.to_dict() == data
    assert again.passages == row.passages  # no text in memory either


def test_wrong_but_cited_counts_answers_that_are_not_correct(rows: list[QuestionResult]) -> None:
    refused = QuestionResult.for_question(
        QUESTIONS[1], answer=reply("Combien de magasins JD ?", "", refused=True)
    )
    # hema: correct; wrong: answered "22" for 2 (wrong, cited); ceo: an unanswerable question
    # answered (wrong, cited); boom: failed, left out. 2 of 3.
    summary = summarise(rows, RunOptions(k=2))
    assert next(iter(summary)) == "wrong_but_cited"
    assert summary["wrong_but_cited"] == pytest.approx(2 / 3)
    # A refusal is never wrong-but-cited, even where it is not correct.
    with_refusal = summarise([rows[0], refused], RunOptions(k=2))
    assert with_refusal["wrong_but_cited"] == 0.0
    assert with_refusal["answer"]["correct"] == 0.5
    # Retrieval-only runs have no answers, so no such line.
    retrieval = run_eval(QUESTIONS[:1], FakeAssistant({}), RunOptions(retrieval_only=True))  # type: ignore[arg-type]
    assert "wrong_but_cited" not in summarise(retrieval, RunOptions(retrieval_only=True))


def test_an_earlier_result_file_still_reads() -> None:
    path = ROOT / "bench" / "results" / "eval_sample_extractive.json"
    if not path.is_file():
        pytest.skip("no saved baseline in bench/results")
    original = json.loads(path.read_text(encoding="utf-8"))
    run = load_result(path)
    assert len(run.results) == len(original["results"])
    for row, data in zip(run.results, original["results"], strict=True):
        assert only_adds(row.to_dict(), data)  # keys are only ever added, never changed


def only_adds(new: Any, old: Any) -> bool:
    """Whether `new` holds everything `old` holds, at every depth (it may hold more keys)."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(
            k in new and only_adds(new[k], v) for k, v in old.items()
        )
    if isinstance(old, list):
        return (
            isinstance(new, list)
            and len(new) == len(old)
            and all(only_adds(n, o) for n, o in zip(new, old, strict=True))
        )
    return bool(new == old)


def write_run(tmp_path: Path, results: Any, **top: Any) -> Path:
    path = tmp_path / "run.json"
    data = {"summary": {"counts": {"questions": 1}}, "config": {}, "results": results, **top}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


GOOD_ROW: dict[str, Any] = {
    "id": "a",
    "question": "Q ?",
    "answer": "22 [1]",
    "refused": False,
    "mode": "extractive",
    "model": "x",
    "answerable": True,
    "metrics": {"correct": True},
}


@pytest.mark.parametrize(
    ("results", "top", "message"),
    [
        ("all", {}, "'results' must be a list"),
        ([["a"]], {}, r"results\[0\]: expected a JSON object"),
        ([{**GOOD_ROW, "id": None}], {}, r"results\[0\]: 'id' must be a string"),
        ([{k: v for k, v in GOOD_ROW.items() if k != "answer"}], {}, "missing 'answer'"),
        ([GOOD_ROW, {**GOOD_ROW, "refused": "no"}], {}, r"results\[1\]: 'refused'"),
        ([{**GOOD_ROW, "metrics": {"correct": "yes"}}], {}, "'metrics' must map"),
        ([{**GOOD_ROW, "metrics": []}], {}, "'metrics' must map"),
        ([{**GOOD_ROW, "citations": ["x"]}], {}, r"results\[0\]"),
        ([{**GOOD_ROW, "expected_sources": "a.txt"}], {}, "'expected_sources'"),
        ([], {"summary": {"answer": {"correct": "high"}}}, "'summary'"),
        ([], {"summary": []}, "'summary'"),
        ([], {"config": "x"}, "'config'"),
    ],
)
def test_a_malformed_result_file_is_one_clear_error(
    tmp_path: Path, results: Any, top: dict[str, Any], message: str
) -> None:
    path = write_run(tmp_path, results, **top)
    with pytest.raises(ResultFileError, match=message) as info:
        load_result(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_unreadable_result_files(tmp_path: Path) -> None:
    binary = tmp_path / "latin1.json"
    binary.write_bytes(b'{"summary": "\xe9t\xe9"}')
    with pytest.raises(ResultFileError, match="not UTF-8"):
        load_result(binary)
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ResultFileError, match="invalid JSON"):
        load_result(broken)
    with pytest.raises(ResultFileError, match="cannot read"):
        load_result(tmp_path / "missing.json")


def test_a_good_hand_written_row_reads(tmp_path: Path) -> None:
    run = load_result(write_run(tmp_path, [GOOD_ROW]))
    assert isinstance(run, RunResult)
    (row,) = run.results
    assert row.answer is not None
    assert row.answer.text == "22 [1]"
    assert row.refused is False
