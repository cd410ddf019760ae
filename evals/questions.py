"""Question sets: JSON Lines read into typed `Question`s with line-numbered errors, and written.

One object per line: `{"id", "question", "answers": [...], "sources": [...], "answerable"}`.
`answers` are accepted answer strings (any one counts), `sources` the documents that hold the
answer (paths relative to the ingested root, or file names). Unanswerable questions have
`answerable: false` and empty lists; `answerable` may be left out, and then means "has an
answer or a source". Optional: `kind` (the answer shape the question wants, as
`assistant.kinds` names it) and `elements`, the facts a full answer must hold, each a list of
accepted variants (`[["Heilongjiang"], ["drone", "drones"]]`), scored as element recall.
Blank lines and lines starting with `#` are skipped.

The writer sits beside the reader: `save_eval_case` appends a chat turn as one line of
`data_dir/eval_cases.jsonl` (the question, the answer without its `[n]` markers, the files it
cited, and whether the corpus answered it at all), a set `veille eval` reads like any other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import VeilleError
from assistant.text import strip_citations

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.settings import Settings
    from assistant.types import Answer

EVAL_CASES_FILE = "eval_cases.jsonl"


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
    kind: str | None = None
    elements: tuple[tuple[str, ...], ...] = ()


def _strings(value: Any, field: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"{where}: {field!r} must be a list of strings"
        raise QuestionSetError(msg)
    return tuple(v for v in value if v.strip())


def _elements(value: Any, where: str) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(e, list) and all(isinstance(v, str) for v in e) for e in value
    ):
        msg = f"{where}: 'elements' must be a list of lists of strings (a fact's variants)"
        raise QuestionSetError(msg)
    out = tuple(tuple(v for v in e if v.strip()) for e in value)
    if any(not e for e in out):
        msg = f"{where}: each of 'elements' needs at least one non-empty variant"
        raise QuestionSetError(msg)
    return out


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
    kind = obj.get("kind")
    if kind is not None and (not isinstance(kind, str) or not kind.strip()):
        msg = f"{where}: 'kind' must be a non-empty string"
        raise QuestionSetError(msg)
    elements = _elements(obj.get("elements"), where)
    return Question(
        str(qid),
        text.strip(),
        answers,
        sources,
        answerable,
        kind=kind.strip() if kind else None,
        elements=elements,
    )


def load_questions(path: Path) -> list[Question]:
    """Read a question set.

    Raises:
        QuestionSetError: The file is missing, a line is not valid, or an id repeats.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read question set {path}: {exc.strerror or exc}"
        raise QuestionSetError(msg) from None
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        at = data.count(b"\n", 0, exc.start) + 1
        msg = f"{path}:{at}: not UTF-8 text (byte {exc.start}); save the set as UTF-8"
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


# -- writing: eval cases saved from the chat ---------------------------------------------------


def eval_cases_path(settings: Settings) -> Path:
    """Where the chat appends eval cases."""
    return settings.data_dir / EVAL_CASES_FILE


def eval_case(answer: Answer) -> dict[str, Any]:
    """The eval-set line for one answer."""
    digest = hashlib.sha256(answer.question.strip().encode("utf-8")).hexdigest()[:12]
    sources = list(dict.fromkeys(c.source for c in answer.citations))
    return {
        "id": f"chat-{digest}",
        "question": answer.question,
        "answers": [] if answer.refused else [strip_citations(answer.text)],
        "sources": sources,
        "answerable": not answer.refused,
    }


def save_eval_case(path: Path, answer: Answer) -> dict[str, Any] | None:
    """Append the answer as one eval case to `path`.

    `veille eval` refuses a set whose ids repeat: a case saved twice is not written again
    (None is returned), and another answer to the same question gets a numbered id.

    Returns:
        The case written, or None if the same case is already in the file.
    """
    case = eval_case(answer)
    existing = _existing_cases(path)
    if case in existing.values():
        return None
    base, n = case["id"], 2
    while case["id"] in existing:
        case["id"] = f"{base}-{n}"
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(case, ensure_ascii=False) + "\n")
    return case


def _existing_cases(path: Path) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return cases
    for line in lines:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue  # a hand-edited line; `veille eval` will say what is wrong with it
        if isinstance(obj, dict) and "id" in obj:
            cases[str(obj["id"])] = obj
    return cases
