"""Question sets: the loader's checks, and the shipped sample set against the sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.metrics import contains_answer
from evals.questions import QuestionSetError, load_questions

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_SET = ROOT / "evals" / "sample_questions.jsonl"
SAMPLE_CORPUS = ROOT / "ingest" / "sample_corpus"


def write(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def test_load_a_set(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "id": "a",
            "question": " Q1 ? ",
            "answers": ["x"],
            "sources": ["d.txt"],
            "answerable": True,
        },
        "",
        "# a comment",
        {"id": 2, "question": "Q2 ?", "answers": [], "sources": [], "answerable": False},
        {"id": "c", "question": "Q3 ?", "answers": ["y"]},
    )
    a, b, c = load_questions(path)
    assert (a.id, a.question, a.answers, a.sources, a.answerable) == (
        "a",
        "Q1 ?",
        ("x",),
        ("d.txt",),
        True,
    )
    assert (b.id, b.answerable) == ("2", False)
    assert c.answerable  # left out: it has an answer


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ('["a"]', "expected a JSON object"),
        ('{"id": "a"}', "'question'"),
        ('{"question": "Q"}', "'id'"),
        ('{"id": "a", "question": "Q", "answers": "x"}', "list of strings"),
        ('{"id": "a", "question": "Q", "answerable": "yes"}', "true or false"),
        ('{"id": "a", "question": "Q", "answers": ["x"], "answerable": false}', "unanswerable"),
    ],
)
def test_bad_lines_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, {"id": "ok", "question": "Q ?"}, line)
    with pytest.raises(QuestionSetError, match=message) as info:
        load_questions(path)
    assert f"{path}:2" in str(info.value)


def test_repeated_ids_and_empty_sets(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError, match="repeats"):
        load_questions(write(tmp_path, {"id": "a", "question": "Q"}, {"id": "a", "question": "R"}))
    with pytest.raises(QuestionSetError, match="no questions"):
        load_questions(write(tmp_path, "# nothing"))
    with pytest.raises(QuestionSetError, match="cannot read"):
        load_questions(tmp_path / "missing.jsonl")


# -- the shipped sample set --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_set() -> list:  # type: ignore[type-arg]
    return load_questions(SAMPLE_SET)


def test_sample_set_size_and_kinds(sample_set: list) -> None:  # type: ignore[type-arg]
    answerable = [q for q in sample_set if q.answerable]
    assert len(answerable) >= 40
    assert len(sample_set) - len(answerable) >= 10
    ids = [q.id for q in answerable]
    assert sum(i.startswith("en-") for i in ids) >= 5
    assert sum(i.startswith("para-") for i in ids) >= 5
    assert sum(len(q.sources) >= 2 for q in answerable) >= 3


def test_every_expected_answer_occurs_in_every_cited_article(sample_set: list) -> None:  # type: ignore[type-arg]
    texts = {p.name: p.read_text(encoding="utf-8") for p in SAMPLE_CORPUS.glob("*.txt")}
    for q in sample_set:
        if not q.answerable:
            assert not q.answers
            assert not q.sources
            continue
        assert q.answers, q.id
        assert q.sources, q.id
        for source in q.sources:
            assert source in texts, f"{q.id}: {source} is not in the sample corpus"
            for answer in q.answers:
                assert contains_answer(texts[source], [answer]) == 1.0, f"{q.id}: {answer!r}"
