"""Question sets: JSON Lines files read into typed `Question`s, with line-numbered errors.

One object per line: `{"id", "question", "answers": [...], "sources": [...], "answerable"}`.
`answers` are accepted answer strings (any one counts), `sources` the documents that hold the
answer (paths relative to the ingested root, or file names). Unanswerable questions have
`answerable: false` and empty lists; `answerable` may be left out, and then means "has an
answer or a source". Blank lines and lines starting with `#` are skipped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import VeilleError

if TYPE_CHECKING:
    from pathlib import Path


class QuestionSetError(VeilleError):
    """A question set cannot be read; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a set, with what counts as a right answer."""

    id: str
    question: str
    answers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    answerable: bool = True


def _strings(value: Any, field: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"{where}: {field!r} must be a list of strings"
        raise QuestionSetError(msg)
    return tuple(v for v in value if v.strip())


def parse_question(obj: Any, where: str) -> Question:
    """One decoded line as a `Question`.

    Raises:
        QuestionSetError: A field is missing or has the wrong type.
    """
    if not isinstance(obj, dict):
        msg = f"{where}: expected a JSON object"
        raise QuestionSetError(msg)
    qid, text = obj.get("id"), obj.get("question")
    if not isinstance(qid, str | int) or isinstance(qid, bool) or str(qid).strip() == "":
        msg = f"{where}: 'id' must be a non-empty string"
        raise QuestionSetError(msg)
    if not isinstance(text, str) or not text.strip():
        msg = f"{where}: 'question' must be a non-empty string"
        raise QuestionSetError(msg)
    answers = _strings(obj.get("answers"), "answers", where)
    sources = _strings(obj.get("sources"), "sources", where)
    answerable = obj.get("answerable", bool(answers or sources))
    if not isinstance(answerable, bool):
        msg = f"{where}: 'answerable' must be true or false"
        raise QuestionSetError(msg)
    if not answerable and (answers or sources):
        msg = f"{where}: an unanswerable question must have empty 'answers' and 'sources'"
        raise QuestionSetError(msg)
    return Question(str(qid), text.strip(), answers, sources, answerable)


def load_questions(path: Path) -> list[Question]:
    """Read a question set.

    Raises:
        QuestionSetError: The file is missing, a line is not valid, or an id repeats.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        msg = f"cannot read question set {path}: {exc.strerror or exc}"
        raise QuestionSetError(msg) from None
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            msg = f"{where}: invalid JSON ({exc.msg})"
            raise QuestionSetError(msg) from None
        question = parse_question(obj, where)
        if question.id in seen:
            msg = f"{where}: id {question.id!r} repeats an earlier line"
            raise QuestionSetError(msg)
        seen.add(question.id)
        questions.append(question)
    if not questions:
        msg = f"{path}: no questions"
        raise QuestionSetError(msg)
    return questions


def file_sha256(path: Path) -> str:
    """The question set's digest, recorded in results so runs on different sets don't compare."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
