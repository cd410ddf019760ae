"""`veille eval` end to end: a real store of the sample corpus, a fake chat model, compare.

The store is built once per module (real e5 embeddings, embedded Chroma) in a temporary data
directory; the chat model is langchain-core's `GenericFakeChatModel` with canned answers, so
the run is deterministic and offline.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from assistant.answer import Assistant
from assistant.settings import Settings, load_settings
from evals import cli
from evals.questions import Question, load_questions
from evals.runner import RunOptions, evaluate
from ingest.sync import SAMPLE_CORPUS, ingest_paths

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HEMA = "002_35a95145e6805c4a.txt"
HUITONGDA = "001_f00b6cf2c989c739.txt"
SET = [
    {
        "id": "hema",
        "question": "Combien de magasins Hema a-t-il ouverts ?",
        "answers": ["22"],
        "sources": [HEMA],
        "answerable": True,
    },
    {
        "id": "huitongda",
        "question": "Combien Alibaba investit-il dans Huitongda Network ?",
        "answers": ["712,2 millions", "712 millions"],
        "sources": [HUITONGDA],
        "answerable": True,
    },
    {
        "id": "pdg",
        "question": "Qui est le PDG de Pinduoduo ?",
        "answers": [],
        "sources": [],
        "answerable": False,
    },
]
GOOD = [
    "Hema a ouvert 22 magasins [1].",
    "Alibaba investit 712,2 millions de dollars dans Huitongda Network [1].",
    "NOT_IN_CORPUS",
]
# The second answer names a sum the passages never give: verification drops it, so it is
# refused (with `grounding.fallback_confidence` off).
WORSE = [GOOD[0], "Alibaba investit 500 millions de dollars dans Huitongda [1].", GOOD[2]]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("veille-data")
    settings = load_settings(data_dir=data)
    ingest_paths([SAMPLE_CORPUS], settings=settings)
    return settings


@pytest.fixture(scope="module")
def question_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sets") / "three.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in SET) + "\n", "utf-8")
    return path


def fake_run(settings: Settings, questions: list[Question], replies: list[str]) -> dict[str, Any]:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    llm = GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies]))
    assistant = Assistant(settings, llm=llm)
    return evaluate(questions, assistant, RunOptions(k=5), questions_file="three.jsonl")


@pytest.fixture(scope="module")
def good_run(settings: Settings, question_file: Path) -> dict[str, Any]:
    return fake_run(settings, load_questions(question_file), GOOD)


def test_result_shape(good_run: dict[str, Any]) -> None:
    assert set(good_run) == {"summary", "config", "results"}
    assert [r["id"] for r in good_run["results"]] == ["hema", "huitongda", "pdg"]
    first = good_run["results"][0]
    ask_keys = {
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
    assert ask_keys <= first.keys()
    assert {"id", "expected_answers", "expected_sources", "answerable", "metrics"} <= first.keys()
    assert first["mode"] == "server"  # a chat model passed in is served like a remote one
    assert json.loads(json.dumps(good_run)) == good_run  # JSON-ready


def test_per_question_metrics(good_run: dict[str, Any]) -> None:
    hema, huitongda, pdg = good_run["results"]
    assert hema["metrics"]["containment"] == 1.0
    assert hema["metrics"]["correct"] is True
    assert hema["metrics"]["hit@5"] == 1.0
    assert hema["metrics"]["citations_valid"] == hema["metrics"]["citations"] >= 1
    assert hema["metrics"]["cites_expected_source"] == 1.0
    assert hema["metrics"]["alce_citation_recall"] == 1.0
    assert huitongda["metrics"]["correct"] is True
    assert pdg["refused"] is True
    assert pdg["metrics"]["correct"] is True
    assert pdg["metrics"]["hit@5"] is None  # no expected source to find


def test_summary(good_run: dict[str, Any]) -> None:
    s = good_run["summary"]
    assert s["wrong_but_cited"] == 0.0  # every answer right, the unanswerable one refused
    assert s["counts"] == {
        "questions": 3,
        "answerable": 2,
        "unanswerable": 1,
        "errors": 0,
        "refused": 1,
    }
    assert s["retrieval"]["hit@5"] == 1.0
    assert s["answer"]["containment"] == 1.0
    assert s["answer"]["correct"] == 1.0
    assert s["citations"]["validity"] == 1.0
    assert s["refusal"]["precision"] == s["refusal"]["recall"] == 1.0
    assert s["refusal"]["paperqa_accuracy"] == s["refusal"]["paperqa_precision"] == 1.0
    latency = s["latency_ms"]
    assert latency["total_p95"] >= latency["total_p50"] > 0


def test_compare_shows_changes_and_flips(
    settings: Settings,
    question_file: Path,
    good_run: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without the fallback to the extractive answer, which would show the right sentence.
    strict = settings.with_section("grounding", fallback_confidence=1.0)
    worse = fake_run(strict, load_questions(question_file), WORSE)
    assert worse["results"][1]["refused"] is True
    assert worse["summary"]["answer"]["correct"] == pytest.approx(2 / 3)
    a, b = tmp_path / "good.json", tmp_path / "worse.json"
    a.write_text(json.dumps(good_run), encoding="utf-8")
    b.write_text(json.dumps(worse), encoding="utf-8")
    assert cli.main(["--compare", str(a), str(b)], settings=settings) == 0
    out = capsys.readouterr().out
    assert "good.json" in out
    assert "worse.json" in out
    assert "-0.333" in out  # correct: 1.000 -> 0.667
    assert "questions that flipped" in out
    assert "huitongda" in out
    assert "broken" in out
    assert "hema" not in out.split("questions that flipped")[1]


def test_cli_extractive_run_writes_results(
    settings: Settings, question_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run.json"
    argv = [str(question_file), "--mode", "extractive", "--out", str(out), "--limit", "2"]
    assert cli.main(argv, settings=settings) == 0
    run = json.loads(out.read_text(encoding="utf-8"))
    assert run["config"]["mode"] == "extractive"
    assert run["config"]["limit"] == 2
    assert len(run["results"]) == 2
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].startswith("wrong-but-cited ")  # the headline comes first
    assert "containment" in printed


def test_cli_retrieval_only(
    settings: Settings, question_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bm25.json"
    argv = [
        str(question_file),
        "--retrieval-only",
        "--retriever",
        "bm25",
        "--k",
        "3",
        "--out",
        str(out),
    ]
    assert cli.main(argv, settings=settings) == 0
    run = json.loads(out.read_text(encoding="utf-8"))
    assert run["config"]["retriever"] == "bm25"
    assert set(run["summary"]) == {"counts", "retrieval", "latency_ms"}
    assert run["summary"]["retrieval"]["hit@3"] == 1.0
    result = run["results"][0]
    assert result["answer"] is None
    assert len(result["passages"]) <= 3
    assert all(p["bm25_rank"] is not None and p["dense_rank"] is None for p in result["passages"])
    assert "recall@3" in capsys.readouterr().out


def test_cli_errors(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([str(tmp_path / "missing.jsonl")], settings=settings) == 1
    assert "cannot read question set" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert cli.main(["--compare", str(bad), str(bad)], settings=settings) == 1
    assert "not a `veille eval --out` result" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([], settings=settings)
