"""Eval cases saved from the chat are read back by `veille eval`'s own loader, unchanged."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assistant.settings import load_settings
from assistant.text import strip_citations
from assistant.types import Answer, Citation
from evals.questions import eval_case, eval_cases_path, load_questions, save_eval_case

if TYPE_CHECKING:
    from pathlib import Path

QUESTION = "Combien de magasins Hema a-t-il ouverts ?"


def answer(text: str, *sources: str, question: str = QUESTION, refused: bool = False) -> Answer:
    citations = tuple(
        Citation(
            n=i, source=s, chunk_id=f"c{i}", quote="Hema a ouvert 22 magasins.", start=0, end=26
        )
        for i, s in enumerate(sources, 1)
    )
    return Answer(
        question=question,
        text=text,
        refused=refused,
        mode="extractive",
        model="x",
        citations=citations,
    )


def test_a_saved_case_reads_back_as_the_same_question(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    text = "Hema a ouvert 22 magasins [1], dont 7 à Shanghai [2] [1]."
    saved = save_eval_case(path, answer(text, "a.txt", "b.txt", "a.txt"))
    assert saved is not None
    (case,) = load_questions(path)
    assert case.id == saved["id"]
    assert case.question == QUESTION
    assert case.answers == (strip_citations(text),)
    assert "[" not in case.answers[0]  # markers gone, the words kept
    assert "22 magasins" in case.answers[0]
    assert "dont 7 à Shanghai" in case.answers[0]
    assert case.sources == ("a.txt", "b.txt")  # each cited file once, in citation order
    assert case.answerable is True


def test_a_refusal_is_saved_as_an_unanswerable_case(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    save_eval_case(
        path, answer("Je ne trouve pas la réponse.", question="Qui dirige Hema ?", refused=True)
    )
    (case,) = load_questions(path)
    assert (case.question, case.answers, case.sources, case.answerable) == (
        "Qui dirige Hema ?",
        (),
        (),
        False,
    )


def test_saving_twice_writes_once_and_another_answer_gets_a_numbered_id(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cases.jsonl"  # the folder is created
    first = answer("Hema a ouvert 22 magasins [1].", "a.txt")
    assert save_eval_case(path, first) is not None
    assert save_eval_case(path, first) is None  # the same case again: not written
    other = save_eval_case(
        path, answer("Hema compte 22 magasins à Shanghai et Pékin [1].", "a.txt")
    )
    assert other is not None
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    ids = [q.id for q in load_questions(path)]  # the loader refuses repeated ids
    assert ids == [eval_case(first)["id"], eval_case(first)["id"] + "-2"]
    assert other["id"] == ids[1]


def test_a_hand_edited_line_does_not_stop_saving(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    assert save_eval_case(path, answer("Hema a ouvert 22 magasins [1].", "a.txt")) is not None
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[1])["question"] == QUESTION


def test_cases_live_in_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    assert eval_cases_path(settings) == tmp_path / "data" / "eval_cases.jsonl"
