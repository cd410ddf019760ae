"""The SQuAD converter on a tiny file: paragraphs, questions, names, attribution."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from evals.questions import load_questions
from evals.squad import SquadFormatError, convert, main, paragraph_file_name, slug

if TYPE_CHECKING:
    from pathlib import Path

TINY = {
    "version": "1.1",
    "data": [
        {
            "title": "Économie d'Haïti",
            "paragraphs": [
                {
                    "context": "Le PIB a crû de 3,5 % en 2003.",
                    "qas": [
                        {
                            "id": "q1",
                            "question": "De combien le PIB a-t-il crû ? ",
                            "answers": [
                                {"text": "3,5 %", "answer_start": 16},
                                {"text": "3,5 %", "answer_start": 16},
                                {"text": "de 3,5 %", "answer_start": 13},
                            ],
                        }
                    ],
                },
                {"context": "Port-au-Prince est la capitale.", "qas": []},
            ],
        },
        {
            "title": "Sport",
            "paragraphs": [
                {
                    "context": "Le ministère emploie 100 000 personnes.",
                    "qas": [
                        {
                            "id": "q2",
                            "question": "Combien de personnes ?",
                            "answers": [{"text": "100 000", "answer_start": 21}],
                        },
                        {  # SQuAD v2
                            "id": "q3",
                            "question": "Qui est le ministre ?",
                            "answers": [],
                            "is_impossible": True,
                        },
                    ],
                }
            ],
        },
    ],
}


@pytest.fixture
def squad_file(tmp_path: Path) -> Path:
    folder = tmp_path / "dataset"
    folder.mkdir()
    path = folder / "tiny.json"
    path.write_text(json.dumps(TINY, ensure_ascii=False), encoding="utf-8")
    return path


def test_slug_and_names_are_deterministic() -> None:
    assert slug("Économie d'Haïti") == "economie-d-haiti"
    assert slug("!!!") == "untitled"
    assert len(slug("x" * 100)) == 40
    assert paragraph_file_name(3, 7, "Sport") == "0003_07_sport.txt"


def test_convert_writes_one_file_per_paragraph(squad_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = convert(squad_file, out)
    assert (done.articles, done.paragraphs, done.questions, done.unanswerable) == (2, 3, 3, 1)
    names = sorted(p.name for p in (out / "corpus").iterdir())
    assert names == [
        "0000_00_economie-d-haiti.txt",
        "0000_01_economie-d-haiti.txt",
        "0001_00_sport.txt",
    ]
    text = (out / "corpus" / "0000_00_economie-d-haiti.txt").read_text(encoding="utf-8")
    assert text == "Le PIB a crû de 3,5 % en 2003."
    assert text[16 : 16 + len("3,5 %")] == "3,5 %"  # answer offsets stay valid


def test_questions_are_a_valid_set(squad_file: Path, tmp_path: Path) -> None:
    convert(squad_file, tmp_path / "out")
    questions = load_questions(tmp_path / "out" / "questions.jsonl")
    by_id = {q.id: q for q in questions}
    assert by_id["q1"].question == "De combien le PIB a-t-il crû ?"
    assert by_id["q1"].answers == ("3,5 %", "de 3,5 %")  # duplicates dropped, order kept
    assert by_id["q1"].sources == ("0000_00_economie-d-haiti.txt",)
    assert by_id["q2"].answerable
    assert not by_id["q3"].answerable
    assert by_id["q3"].answers == by_id["q3"].sources == ()


def test_provenance_is_copied_when_beside_the_file(squad_file: Path, tmp_path: Path) -> None:
    (squad_file.parent / "PROVENANCE.md").write_text(
        "# Tiny\n\nSource: a test.\n", encoding="utf-8"
    )
    done = convert(squad_file, tmp_path / "out")
    assert done.provenance == tmp_path / "out" / "PROVENANCE.md"
    text = done.provenance.read_text(encoding="utf-8")
    assert text.startswith("# Tiny\n\nSource: a test.")
    assert "Conversion for Veille" in text
    assert "tiny.json" in text


def test_no_provenance_without_one(squad_file: Path, tmp_path: Path) -> None:
    assert convert(squad_file, tmp_path / "out").provenance is None
    assert not (tmp_path / "out" / "PROVENANCE.md").exists()


def test_two_conversions_write_the_same_files(squad_file: Path, tmp_path: Path) -> None:
    convert(squad_file, tmp_path / "a")
    convert(squad_file, tmp_path / "b")
    for name in ("questions.jsonl",):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "a" / "corpus").iterdir()) == sorted(
        p.name for p in (tmp_path / "b" / "corpus").iterdir()
    )


def test_not_squad(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(SquadFormatError, match="not SQuAD-format"):
        convert(bad, tmp_path / "out")


def test_main(squad_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(squad_file), "--out", str(tmp_path / "out")]) == 0
    assert "3 paragraphs from 2 articles" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.json"), "--out", str(tmp_path / "o")]) == 1
    assert "evals.squad: error" in capsys.readouterr().err
