"""The SQuAD converter on a tiny file: paragraphs, questions, names, attribution."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from evals.questions import load_questions
from evals.squad import (
    HeldOutError,
    SquadFormatError,
    convert,
    main,
    paragraph_file_name,
    slug,
)

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


# -- held-out articles: near-miss unanswerable questions ---------------------------------------


def three_articles(tmp_path: Path) -> Path:
    data = {
        "version": "1.1",
        "data": [
            *TINY["data"],
            {
                "title": "Cuisine",
                "paragraphs": [
                    {
                        "context": "La blanquette cuit deux heures.",
                        "qas": [
                            {
                                "id": "q4",
                                "question": "Combien de temps cuit la blanquette ?",
                                "answers": [{"text": "deux heures", "answer_start": 19}],
                            }
                        ],
                    }
                ],
            },
        ],
    }
    path = tmp_path / "three.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


ARTICLE_OF = {"q1": 0, "q2": 1, "q3": 1, "q4": 2}
ARTICLE_FILES = {0: "0000_", 1: "0001_", 2: "0002_"}


def test_held_out_articles_leave_the_corpus_and_their_questions_become_unanswerable(
    tmp_path: Path,
) -> None:
    squad = three_articles(tmp_path)
    done = convert(squad, tmp_path / "out", unanswerable_articles=1, seed=3)
    assert len(done.held_out) == 1
    names = [p.name for p in (tmp_path / "out" / "corpus").iterdir()]
    kept = {a for a, prefix in ARTICLE_FILES.items() if any(n.startswith(prefix) for n in names)}
    assert len(kept) == 2  # one article's paragraphs are gone, the others' all there
    (held,) = set(ARTICLE_FILES) - kept
    assert done.paragraphs == len(names)
    questions = {q.id: q for q in load_questions(tmp_path / "out" / "questions.jsonl")}
    assert set(questions) == set(ARTICLE_OF)  # every question kept
    for qid, article in ARTICLE_OF.items():
        q = questions[qid]
        if article == held:
            assert not q.answerable
            assert q.answers == q.sources == ()
        elif qid != "q3":  # q3 is unanswerable in the file itself (SQuAD v2)
            assert q.answerable
            assert q.sources
            assert all((tmp_path / "out" / "corpus" / s).is_file() for s in q.sources)
    assert done.unanswerable == sum(not q.answerable for q in questions.values())


def test_the_held_out_choice_is_seeded(tmp_path: Path) -> None:
    squad = three_articles(tmp_path)
    chosen = {
        seed: convert(squad, tmp_path / f"s{seed}", unanswerable_articles=1, seed=seed).held_out
        for seed in range(8)
    }
    again = convert(squad, tmp_path / "again", unanswerable_articles=1, seed=5).held_out
    assert again == chosen[5]
    assert len(set(chosen.values())) > 1  # the seed changes the choice
    none = convert(squad, tmp_path / "none")
    assert none.held_out == ()
    assert none.paragraphs == 4


def test_held_out_count_out_of_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    squad = three_articles(tmp_path)
    with pytest.raises(HeldOutError, match="between 0 and 2"):
        convert(squad, tmp_path / "out", unanswerable_articles=3)
    argv = [str(squad), "--out", str(tmp_path / "o"), "--unanswerable-articles", "-1"]
    assert main(argv) == 1
    assert "evals.squad: error: --unanswerable-articles -1" in capsys.readouterr().err


def test_main_with_held_out_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    squad = three_articles(tmp_path)
    (tmp_path / "PROVENANCE.md").write_text("# Three\n", encoding="utf-8")
    argv = [str(squad), "--out", str(tmp_path / "o"), "--unanswerable-articles", "2", "--seed", "1"]
    assert main(argv) == 0
    assert "2 article(s) held out" in capsys.readouterr().out
    assert "2 articles were held out" in (tmp_path / "o" / "PROVENANCE.md").read_text("utf-8")


def test_a_squad_file_not_in_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"data": [{"title": "\xe9t\xe9"}]}')
    with pytest.raises(SquadFormatError, match="not SQuAD-format"):
        convert(bad, tmp_path / "out")
