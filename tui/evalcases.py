"""Saving a turn as an eval case: one JSON line appended to the set `veille eval` reads.

The case records what the reader accepted: the question, the answer without its `[n]` markers,
the files it cited, and whether the corpus answered it at all. Cases live in
`data_dir/eval_cases.jsonl`, one JSON object per line.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from tui.text import strip_citations

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.settings import Settings
    from assistant.types import Answer

EVAL_CASES_FILE = "eval_cases.jsonl"


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
