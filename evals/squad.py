"""Turn a SQuAD-format file (v1.1 or v2.0) into a corpus folder and a Veille question set.

`python -m evals.squad FILE --out DIR` writes one text file per paragraph under DIR/corpus/
(named `AAAA_PP_title-slug.txt` from the article and paragraph indexes, so two runs write the
same names), DIR/questions.jsonl with each question's accepted answers and its paragraph's
file as the expected source, and DIR/PROVENANCE.md: the dataset's own PROVENANCE.md when it
sits beside FILE (attribution travels with the data), followed by a note on the conversion.
The corpus then goes through `veille ingest DIR/corpus` and `veille eval DIR/questions.jsonl`
like any other folder. A file holds the paragraph text exactly, so SQuAD's `answer_start`
offsets stay valid in it.

`--unanswerable-articles N [--seed S]` holds out N articles chosen at random (seeded, so two runs
hold out the same ones): their paragraphs are left out of the corpus and their questions are
kept, marked `answerable: false`. The result is a refusal set of near misses from the same
domain, and the other articles' questions stay answerable as before.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
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


class HeldOutError(VeilleError):
    """More articles asked to be held out than the file can spare."""


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
    held_out: tuple[str, ...] = ()
    """Titles of the articles left out of the corpus, their questions unanswerable."""


def slug(title: str) -> str:
    """ASCII file-name form of a title: "Économie d'Haïti" -> "economie-d-haiti"."""
    ascii_text = (
        unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:SLUG_LENGTH].rstrip("-") or "untitled"


def paragraph_file_name(article_index: int, paragraph_index: int, title: str) -> str:
    """The deterministic file name of one paragraph."""
    return f"{article_index:04d}_{paragraph_index:02d}_{slug(title)}.txt"


def held_out_articles(count: int, unanswerable_articles: int, seed: int = 0) -> set[int]:
    """The indexes of the articles to leave out of the corpus: a seeded random choice.

    Raises:
        HeldOutError: `unanswerable_articles` is negative or leaves no article in the corpus.
    """
    if unanswerable_articles == 0:
        return set()
    if not 0 < unanswerable_articles < count:
        msg = (
            f"--unanswerable-articles {unanswerable_articles}: choose between 0 and "
            f"{count - 1} (the file has {count} articles, and one must stay in the corpus)"
        )
        raise HeldOutError(msg)
    chosen = random.Random(seed).sample(range(count), unanswerable_articles)  # noqa: S311 - a reproducible sample, not a secret
    return set(chosen)


def convert(
    squad_file: Path, out_dir: Path, *, unanswerable_articles: int = 0, seed: int = 0
) -> Conversion:
    """Write out_dir/corpus/, out_dir/questions.jsonl and out_dir/PROVENANCE.md.

    Args:
        squad_file: The SQuAD v1.1 or v2.0 JSON file.
        out_dir: Where to write.
        unanswerable_articles: How many articles to leave out of the corpus, their questions
            kept as unanswerable.
        seed: The seed of the choice of those articles.

    Raises:
        SquadFormatError: The file is not SQuAD-format JSON.
        HeldOutError: `unanswerable_articles` is out of range.
        OSError: A file cannot be read or written.
    """
    try:
        data = json.loads(squad_file.read_text(encoding="utf-8"))
        articles = data["data"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        msg = f"{squad_file}: not SQuAD-format JSON ({type(exc).__name__}: {exc})"
        raise SquadFormatError(msg) from None
    if not isinstance(articles, list):
        msg = f"{squad_file}: not SQuAD-format JSON ('data' is not a list)"
        raise SquadFormatError(msg)
    held_out = held_out_articles(len(articles), unanswerable_articles, seed)
    corpus = out_dir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    questions: list[dict[str, Any]] = []
    paragraphs = 0
    unanswerable = 0
    for a, article in enumerate(articles):
        title = str(article.get("title", ""))
        for p, paragraph in enumerate(article.get("paragraphs", [])):
            name = paragraph_file_name(a, p, title)
            if a not in held_out:
                (corpus / name).write_text(paragraph["context"], encoding="utf-8")
                paragraphs += 1
            for qa in paragraph.get("qas", []):
                item = _question(qa, name) if a not in held_out else _unanswerable(qa)
                unanswerable += not item["answerable"]
                questions.append(item)
    questions_file = out_dir / "questions.jsonl"
    with questions_file.open("w", encoding="utf-8") as f:
        for item in questions:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    titles = tuple(str(articles[a].get("title", "")) for a in sorted(held_out))
    provenance = _write_provenance(
        squad_file, out_dir, len(articles), paragraphs, len(questions), titles
    )
    return Conversion(
        articles=len(articles),
        paragraphs=paragraphs,
        questions=len(questions),
        unanswerable=unanswerable,
        corpus_dir=corpus,
        questions_file=questions_file,
        provenance=provenance,
        held_out=titles,
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


def _unanswerable(qa: dict[str, Any]) -> dict[str, Any]:
    """A question of a held-out article: its answer is no longer in the corpus."""
    return {
        "id": str(qa["id"]),
        "question": str(qa["question"]).strip(),
        "answers": [],
        "sources": [],
        "answerable": False,
    }


def _write_provenance(
    squad_file: Path,
    out_dir: Path,
    articles: int,
    paragraphs: int,
    questions: int,
    held_out: Sequence[str],
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
    if held_out:
        note += (
            f"\n{len(held_out)} articles were held out (`--unanswerable-articles`): their "
            "paragraphs are not in `corpus/` and their questions are marked unanswerable: "
            + "; ".join(held_out)
            + ".\n"
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
    parser.add_argument(
        "--unanswerable-articles",
        type=int,
        default=0,
        metavar="N",
        help="leave N random articles out of the corpus; their questions become unanswerable",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the held-out articles' choice (default 0)"
    )
    args = parser.parse_args(argv)
    try:
        done = convert(
            args.file, args.out, unanswerable_articles=args.unanswerable_articles, seed=args.seed
        )
    except (OSError, SquadFormatError, HeldOutError) as exc:
        print(f"evals.squad: error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{done.paragraphs} paragraphs from {done.articles} articles -> {done.corpus_dir}; "
        f"{done.questions} questions ({done.unanswerable} unanswerable) -> {done.questions_file}"
    )
    if done.held_out:
        print(
            f"{len(done.held_out)} article(s) held out of the corpus, their questions unanswerable"
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
