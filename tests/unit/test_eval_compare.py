"""Summaries and comparisons of eval runs, on hand-made results (no store, no model)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from rich.console import Console

from evals import cli
from evals.compare import compare
from evals.report import comparison_tables, print_summary
from evals.results import QuestionResult, RunResult
from evals.runner import RunOptions, summarise

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.settings import Settings


def result(
    qid: str,
    *,
    answerable: bool = True,
    refused: bool = False,
    correct: bool = True,
    hit: float | None = 1.0,
    citations: int = 1,
    valid: int = 1,
    total_ms: float = 100.0,
) -> dict[str, Any]:
    contained = (1.0 if correct else 0.0) if answerable else None
    return {
        "id": qid,
        "question": f"question {qid}?",
        "answer": "" if refused else "réponse [1]",
        "refused": refused,
        "mode": "extractive",
        "model": "extractive",
        "answerable": answerable,
        "timings_ms": {
            "retrieve": 10.0,
            "first_token": None if refused else 50.0,
            "total": total_ms,
        },
        "metrics": {
            "hit@5": hit if answerable else None,
            "recall@1": hit if answerable else None,
            "recall@5": hit if answerable else None,
            "recall@10": hit if answerable else None,
            "mrr@5": hit if answerable else None,
            "mrr@20": hit if answerable else None,
            "ndcg@10": hit if answerable else None,
            "containment": contained,
            "exact_match": 0.0 if answerable else None,
            "f1": 0.5 if answerable else None,
            "correct": (correct and not refused) if answerable else refused,
            "citations": 0 if refused else citations,
            "citations_valid": 0 if refused else valid,
            "cites_expected_source": None if refused or not answerable else 1.0,
            "alce_citation_recall": 1.0 if answerable and correct and not refused else None,
            "alce_citation_precision": 1.0 if answerable and correct and not refused else None,
        },
    }


def run(results: list[dict[str, Any]], **config: Any) -> dict[str, Any]:
    options = RunOptions(k=5)
    base = {
        "questions_file": "set.jsonl",
        "questions_sha256": "abc",
        "mode": "extractive",
        "model": "extractive",
        "retriever": "hybrid",
        "k": 5,
        "retrieval": {"rrf_k": 60},
    }
    return {
        "summary": summarise([QuestionResult.from_dict(r) for r in results], options),
        "config": {**base, **config},
        "results": results,
    }


@pytest.fixture
def before() -> dict[str, Any]:
    return run(
        [
            result("a"),
            result("b", correct=False, hit=0.0, citations=2, valid=1, total_ms=300.0),
            result("u", answerable=False, refused=True),
            result("v", answerable=False, refused=False, total_ms=200.0),
        ]
    )


@pytest.fixture
def after() -> dict[str, Any]:
    return run(
        [
            result("a", refused=True),  # broken: now refused
            result("b"),  # fixed, and its source now found
            result("u", answerable=False, refused=True),
            result("v", answerable=False, refused=True),  # fixed: now refused
        ],
        retrieval={"rrf_k": 10},
    )


def test_summary_hand_computed(before: dict[str, Any]) -> None:
    s = before["summary"]
    assert s["counts"] == {
        "questions": 4,
        "answerable": 2,
        "unanswerable": 2,
        "errors": 0,
        "refused": 1,
    }
    assert s["retrieval"]["hit@5"] == 0.5
    assert s["answer"]["containment"] == 0.5
    assert s["answer"]["correct"] == 0.5  # a and u right; b wrong; v answered an unanswerable
    # Over citations, all answers: a 1 of 1 valid, b 1 of 2, v (answered) 1 of 1 -> 3/4.
    assert s["citations"]["validity"] == 0.75
    assert s["citations"]["per_answer"] == pytest.approx(4 / 3)
    assert s["refusal"]["precision"] == 1.0
    assert s["refusal"]["recall"] == 0.5
    assert s["refusal"]["paperqa_accuracy"] == 0.5
    assert s["refusal"]["paperqa_precision"] == 0.5
    # total: 100, 300, 100, 200 -> p50 150, p95 285.
    assert s["latency_ms"]["total_p50"] == 150.0
    assert s["latency_ms"]["total_p95"] == pytest.approx(285.0)
    assert s["latency_ms"]["first_token_p50"] == 50.0  # the refusal has no first token


def test_errors_are_counted_and_left_out() -> None:
    failed = {
        "id": "x",
        "question": "?",
        "answerable": True,
        "error": "Timeout: slow",
        "metrics": {},
    }
    r = run([result("a"), failed])
    assert r["summary"]["counts"]["errors"] == 1
    assert r["summary"]["answer"]["correct"] == 1.0
    console = Console(record=True, width=120)
    print_summary(console, RunResult.from_dict(r))
    assert "1 question(s) failed" in console.export_text()


def test_compare_rows_and_flips(before: dict[str, Any], after: dict[str, Any]) -> None:
    c = compare(
        RunResult.from_dict(before),
        RunResult.from_dict(after),
        name_a="before.json",
        name_b="after.json",
    )
    rows = {(r.group, r.metric): r for r in c.rows}
    assert rows[("retrieval", "hit@5")].delta == pytest.approx(0.5)
    assert rows[("answer", "correct")].a == 0.5
    assert rows[("answer", "correct")].b == 0.75
    flips = {(f.id, f.metric): (f.before, f.after) for f in c.flips}
    assert flips == {
        ("a", "correct"): (True, False),
        ("b", "correct"): (False, True),
        ("b", "hit@5"): (False, True),
        ("v", "correct"): (False, True),
    }
    assert c.config_changes == [("retrieval.rrf_k", 60, 10)]


def test_compare_tables_render(before: dict[str, Any], after: dict[str, Any]) -> None:
    console = Console(record=True, width=160)
    a, b = RunResult.from_dict(before), RunResult.from_dict(after)
    for table in comparison_tables(compare(a, b, name_a="A.json", name_b="B.json")):
        console.print(table)
    text = console.export_text()
    assert "A.json" in text
    assert "B.json" in text
    assert "+0.500" in text  # hit@5
    assert "retrieval.rrf_k" in text
    assert "questions that flipped" in text
    assert "fixed" in text
    assert "broken" in text


def test_cli_compare(
    before: dict[str, Any],
    after: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(before), encoding="utf-8")
    b.write_text(json.dumps(after), encoding="utf-8")
    settings: Settings = None  # type: ignore[assignment]  # compare never reads settings
    assert cli.main(["--compare", str(a), str(b)], settings=settings) == 0
    out = capsys.readouterr().out
    assert "questions that flipped" in out
    assert cli.main(["--compare", str(a), str(a)], settings=settings) == 0
    assert "no question flipped" in capsys.readouterr().out


# -- the wrong-but-cited rate ------------------------------------------------------------------


def test_wrong_but_cited_is_the_first_line_of_the_summary(before: dict[str, Any]) -> None:
    # a: correct; b: answered, wrong; u: refused; v: an unanswerable question answered -> 2 of 4.
    assert next(iter(before["summary"])) == "wrong_but_cited"
    assert before["summary"]["wrong_but_cited"] == 0.5
    console = Console(record=True, width=200)
    print_summary(console, RunResult.from_dict(before))
    first = console.export_text().splitlines()[0]
    assert first == (
        "wrong-but-cited 50.0% (2/4) | correct 0.500 | refusal precision 1.000 recall 0.500"
    )


def test_compare_shows_wrong_but_cited_first(
    before: dict[str, Any],
    after: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    c = compare(RunResult.from_dict(before), RunResult.from_dict(after))
    first = c.rows[0]
    assert (first.metric, first.a, first.b) == ("wrong_but_cited", 0.5, 0.0)
    # A run saved before the summary had the rate gets it from its results.
    del before["summary"]["wrong_but_cited"]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(before), encoding="utf-8")
    b.write_text(json.dumps(after), encoding="utf-8")
    settings: Settings = None  # type: ignore[assignment]  # compare never reads settings
    assert cli.main(["--compare", str(a), str(b)], settings=settings) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "wrong-but-cited: A 50.0% -> B 0.0%"
    assert "wrong_but_cited" in out


# -- messages: user text is shown as written, bad files are one line ---------------------------


def test_compare_prints_questions_with_markup_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tricky = "Que veut dire [/x] ou [bold]gras[/bold] ?"
    rows_a = [result("[/q]", correct=True), result("only-a")]
    rows_b = [result("[/q]", correct=False)]
    for row in (*rows_a, *rows_b):
        row["question"] = tricky
    a, b = tmp_path / "a[bold].json", tmp_path / "b.json"
    a.write_text(json.dumps(run(rows_a)), encoding="utf-8")
    b.write_text(json.dumps(run(rows_b, mode="[red]x[/red]")), encoding="utf-8")
    settings: Settings = None  # type: ignore[assignment]  # compare never reads settings
    assert cli.main(["--compare", str(a), str(b)], settings=settings) == 0
    out = capsys.readouterr().out
    assert "[/x] ou [bold]gras[/bold]" in " ".join(out.split())
    assert "[/q]" in out
    assert "[red]x[/red]" in out
    assert "only in a[bold].json" in out


def test_a_failed_question_with_markup_in_its_error_prints() -> None:
    failed = {
        "id": "[/x]",
        "question": "?",
        "answerable": True,
        "error": "ValueError: bad [/b] tag",
        "metrics": {},
    }
    console = Console(record=True, width=200)
    print_summary(console, RunResult.from_dict(run([result("a"), failed])))
    assert "the first: [/x]: ValueError: bad [/b] tag" in console.export_text()


@pytest.mark.parametrize(
    "content",
    [
        '{"summary": {}, "config": {}, "results": [{"id": "a"}]}',
        '{"summary": {}, "config": {}, "results": [{"id": "a", "question": "Q", "refused": 1}]}',
        '{"summary": {"answer": {"correct": "x"}}, "config": {}, "results": []}',
        '{"summary": {}, "config": [], "results": []}',
        "[]",
    ],
)
def test_cli_compare_with_a_malformed_result_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    settings: Settings = None  # type: ignore[assignment]  # compare never reads settings
    assert cli.main(["--compare", str(bad), str(bad)], settings=settings) == 1
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith(f"veille eval: error: {bad}")
    assert "Traceback" not in captured.err


def test_cli_eval_with_a_question_set_not_in_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(b'{"id": "a", "question": "Q ?"}\n{"id": "b", "question": "D\xe9j\xe0 ?"}\n')
    settings: Settings = None  # type: ignore[assignment]  # the set is read before any setting
    assert cli.main([str(latin1)], settings=settings) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"veille eval: error: {latin1}:2: not UTF-8 text")
