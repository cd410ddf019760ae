"""Turn a SQuAD-format file (v1.1 or v2.0) into a corpus folder and a Veille question set.

`python -m evals.squad FILE --out DIR` writes one text file per paragraph under DIR/corpus/
(named `AAAA_PP_title-slug.txt` from the article and paragraph indexes, so two runs write the
same names), DIR/questions.jsonl with each question's accepted answers and its paragraph's
file as the expected source, and DIR/PROVENANCE.md: the dataset's own PROVENANCE.md when it
sits beside FILE (attribution travels with the data), followed by a note on the conversion.
The corpus then goes through `veille ingest DIR/corpus` and `veille eval DIR/questions.jsonl`
like any other folder. A file holds the paragraph text exactly, so SQuAD's `answer_start`
offsets stay valid in it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import VeilleError

if TYPE_CHECKING:
    from collections.abc import Sequence

SLUG_LENGTH = 40


class SquadFormatError(VeilleError):
    """The file is not SQuAD-format JSON; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Conversion:
    """What a conversion wrote."""

    articles: int
    paragraphs: int
    questions: int
    unanswerable: int
    corpus_dir: Path
    questions_file: Path
    provenance: Path | None


def slug(title: str) -> str:
    """ASCII file-name form of a title: "Économie d'Haïti" -> "economie-d-haiti"."""
    ascii_text = (
        unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:SLUG_LENGTH].rstrip("-") or "untitled"


def paragraph_file_name(article_index: int, paragraph_index: int, title: str) -> str:
    """The deterministic file name of one paragraph."""
    return f"{article_index:04d}_{paragraph_index:02d}_{slug(title)}.txt"


def convert(squad_file: Path, out_dir: Path) -> Conversion:
    """Write out_dir/corpus/, out_dir/questions.jsonl and out_dir/PROVENANCE.md.

    Raises:
        SquadFormatError: The file is not SQuAD-format JSON.
        OSError: A file cannot be read or written.
    """
    try:
        data = json.loads(squad_file.read_text(encoding="utf-8"))
        articles = data["data"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        msg = f"{squad_file}: not SQuAD-format JSON ({type(exc).__name__}: {exc})"
        raise SquadFormatError(msg) from None
    corpus = out_dir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    questions: list[dict[str, Any]] = []
    paragraphs = 0
    unanswerable = 0
    for a, article in enumerate(articles):
        title = str(article.get("title", ""))
        for p, paragraph in enumerate(article.get("paragraphs", [])):
            name = paragraph_file_name(a, p, title)
            (corpus / name).write_text(paragraph["context"], encoding="utf-8")
            paragraphs += 1
            for qa in paragraph.get("qas", []):
                item = _question(qa, name)
                unanswerable += not item["answerable"]
                questions.append(item)
    questions_file = out_dir / "questions.jsonl"
    with questions_file.open("w", encoding="utf-8") as f:
        for item in questions:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    provenance = _write_provenance(squad_file, out_dir, len(articles), paragraphs, len(questions))
    return Conversion(
        articles=len(articles),
        paragraphs=paragraphs,
        questions=len(questions),
        unanswerable=unanswerable,
        corpus_dir=corpus,
        questions_file=questions_file,
        provenance=provenance,
    )


def _question(qa: dict[str, Any], source: str) -> dict[str, Any]:
    """One question-set line; SQuAD v2 `is_impossible` questions become unanswerable."""
    impossible = bool(qa.get("is_impossible", False))
    answers: list[str] = []
    for answer in qa.get("answers", []) if not impossible else []:
        text = str(answer["text"]).strip()
        if text and text not in answers:
            answers.append(text)
    return {
        "id": str(qa["id"]),
        "question": str(qa["question"]).strip(),
        "answers": answers,
        "sources": [source] if answers else [],
        "answerable": bool(answers),
    }


def _write_provenance(
    squad_file: Path, out_dir: Path, articles: int, paragraphs: int, questions: int
) -> Path | None:
    original = squad_file.parent / "PROVENANCE.md"
    if not original.is_file():
        return None
    digest = hashlib.sha256(squad_file.read_bytes()).hexdigest()
    note = (
        "\n\n## Conversion for Veille\n\n"
        f"Converted by `python -m evals.squad` from `{squad_file.name}` (sha256 {digest}): "
        f"{articles} articles, {paragraphs} paragraphs written to `corpus/` as one text file each "
        f"(`AAAA_PP_title-slug.txt`, the paragraph text unchanged), {questions} questions written "
        "to `questions.jsonl` with the paragraph's file as their source. The attribution above "
        "is the dataset's own and applies to everything in this folder.\n"
    )
    target = out_dir / "PROVENANCE.md"
    target.write_text(original.read_text(encoding="utf-8").rstrip() + note, encoding="utf-8")
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m evals.squad FILE --out DIR`; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.squad",
        description="Convert a SQuAD-format JSON file into a corpus folder and a question set.",
    )
    parser.add_argument("file", type=Path, help="SQuAD v1.1 or v2.0 JSON file")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    try:
        done = convert(args.file, args.out)
    except (OSError, SquadFormatError) as exc:
        print(f"evals.squad: error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{done.paragraphs} paragraphs from {done.articles} articles -> {done.corpus_dir}; "
        f"{done.questions} questions ({done.unanswerable} unanswerable) -> {done.questions_file}"
    )
    if done.provenance is None:
        print(
            "no PROVENANCE.md beside the file: record the dataset's origin yourself",
            file=sys.stderr,
        )
    else:
        print(f"attribution -> {done.provenance}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
