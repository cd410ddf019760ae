"""`veille eval`: run a question set and print its scores, or compare two saved runs.

`veille eval FILE [--out RESULT.json] [--mode ...] [--retrieval-only] [--retriever ...] [--k N]
[--limit N]` builds one `Assistant` from the settings it is given (so the model loads once),
runs the set with a progress bar on stderr, prints a table and writes RESULT.json.
`veille eval --compare A.json B.json` prints both runs' metrics side by side with the change
and the questions that flipped. `tui/cli.py` hands over the arguments after `eval`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.filters import add_filter_flags, filters_from_args
from assistant.settings import SettingsError
from assistant.types import MODE_CHOICES, ModeSetting
from evals.compare import compare
from evals.questions import QuestionSetError, file_sha256, load_questions
from evals.report import comparison_headline, comparison_tables, print_summary, run_title
from evals.results import ResultFileError, load_result
from evals.runner import RunOptions, evaluate_run

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from assistant.settings import Settings
    from evals.results import QuestionResult, RunResult

MODES = MODE_CHOICES


def parser() -> argparse.ArgumentParser:
    """The `veille eval` argument parser."""
    p = argparse.ArgumentParser(
        prog="veille eval",
        description="Run a question set (JSON Lines) through Veille and score retrieval, "
        "answers, citations, refusals and latency; or compare two saved runs.",
    )
    p.add_argument("file", nargs="?", type=Path, help="question set, one JSON object a line")
    p.add_argument("--out", type=Path, metavar="RESULT.json", help="write the full results here")
    p.add_argument("--mode", choices=MODES, help="which answerer (default: settings)")
    p.add_argument(
        "--retrieval-only", action="store_true", help="skip generation; score retrieval only"
    )
    p.add_argument(
        "--retriever",
        choices=["hybrid", "dense", "bm25"],
        default="hybrid",
        help="which retriever ranks the passages (default: hybrid)",
    )
    p.add_argument("--k", type=int, metavar="N", help="passages per question (default: settings)")
    p.add_argument("--limit", type=int, metavar="N", help="run only the first N questions")
    add_filter_flags(p)
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        dest="overrides",
        help="override one setting for this run, e.g. grounding.min_similarity=0.82 "
        "(repeatable; how defaults are swept)",
    )
    p.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("A.json", "B.json"),
        help="compare two results instead of running a set",
    )
    return p


def main(argv: Sequence[str], *, settings: Settings) -> int:
    """Run `veille eval` with the arguments after `eval`; returns the exit code."""
    from rich.console import Console

    p = parser()
    argv = list(argv)
    if argv[:1] == ["--"]:  # `veille eval -- --compare A B`: the separator is not ours
        argv = argv[1:]
    args = p.parse_args(argv)
    out = Console()
    err = Console(stderr=True)
    if args.compare:
        if args.file is not None:
            p.error("give either a question set or --compare A.json B.json, not both")
        return _compare(out, *args.compare)
    if args.file is None:
        p.error("a question set FILE (or --compare A.json B.json) is required")
    if args.k is not None and not 1 <= args.k <= 50:
        p.error("--k must be between 1 and 50")
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    try:
        return _run(args, settings, out, err)
    except (QuestionSetError, ResultFileError, SettingsError) as exc:
        _error(exc)
        return 1


def _error(exc: Exception) -> None:
    # One plain line, never wrapped, like every `veille: error:`.
    print(f"veille eval: error: {exc}", file=sys.stderr)


def _settings_for(args: argparse.Namespace, settings: Settings) -> Settings:
    # Retrieval-only runs never generate: extractive keeps an unusable model from failing them.
    mode: ModeSetting | None = "extractive" if args.retrieval_only else args.mode
    settings = settings.with_mode(mode)
    for override in args.overrides:
        section, name, value = _parse_override(override)
        settings = settings.with_section(section, **{name: value})
    return settings


def _parse_override(text: str) -> tuple[str, str, str]:
    """SECTION.NAME=VALUE; the value is validated by the setting itself.

    Raises:
        SettingsError: The override is not of that form.
    """
    key, sep, value = text.partition("=")
    section, dot, name = key.strip().partition(".")
    if not sep or not dot or not section or not name:
        msg = f"--set {text!r}: expected SECTION.NAME=VALUE, e.g. grounding.support=0.6"
        raise SettingsError(msg)
    return section, name, value.strip()


def _run(args: argparse.Namespace, settings: Settings, out: Console, err: Console) -> int:
    from assistant.answer import Assistant

    questions = load_questions(args.file)
    if args.limit is not None:
        questions = questions[: args.limit]
    settings = _settings_for(args, settings)
    options = RunOptions(
        k=args.k or settings.retrieval.k,
        retrieval_only=args.retrieval_only,
        retriever=args.retriever,
        filters=filters_from_args(args),
    )
    with err.status("loading the models…"):
        assistant = Assistant(settings)
        assistant.warm_up()
    run = _with_progress(
        err,
        len(questions),
        lambda progress: evaluate_run(
            questions,
            assistant,
            options,
            questions_file=str(args.file),
            questions_sha256=file_sha256(args.file),
            limit=args.limit,
            progress=progress,
        ),
    )
    print_summary(out, run)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(run.to_dict(), ensure_ascii=False, indent=1) + "\n"
        args.out.write_text(text, encoding="utf-8")
        print(f"results written to {args.out}", file=sys.stderr)
    return 0


def _with_progress(err: Console, total: int, work: Any) -> RunResult:
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[score]}"),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("eval", total=total, score="")
        tally = {"done": 0, "good": 0}

        def progress(done: int, total: int, result: QuestionResult) -> None:
            metrics = result.metrics
            outcome = metrics.get("correct")
            if outcome is None:
                outcome = next((v for m, v in metrics.items() if m.startswith("hit@")), None)
            if outcome is not None:
                tally["done"] += 1
                tally["good"] += bool(outcome)
            score = f"{tally['good']}/{tally['done']} ok" if tally["done"] else ""
            bar.update(
                task,
                completed=done,
                total=total,
                description=escape(result.id[:24]),  # the column reads markup; an id is text
                score=score,
            )

        run: RunResult = work(progress)
    return run


def _compare(out: Console, path_a: Path, path_b: Path) -> int:
    try:
        a, b = load_result(path_a), load_result(path_b)
    except ResultFileError as exc:
        _error(exc)
        return 1
    comparison = compare(a, b, name_a="A", name_b="B")
    first = comparison_headline(comparison)
    if first is not None:
        out.print(first, markup=False, highlight=False, soft_wrap=True)
    for name, path, run in (("A", path_a, a), ("B", path_b, b)):
        line = f"{name}: {path} ({run_title(run.config)})"
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    for table in comparison_tables(comparison):
        out.print(table)
    if a.config.get("questions_sha256") != b.config.get("questions_sha256"):
        print("note: the two runs used different question sets", file=sys.stderr)
    if comparison.only_in_a or comparison.only_in_b:
        out.print(
            f"{comparison.only_in_a} question(s) only in {path_a.name}, "
            f"{comparison.only_in_b} only in {path_b.name}",
            markup=False,
            highlight=False,
        )
    if not comparison.flips:
        out.print("no question flipped", highlight=False)
    return 0


def run_cli() -> int:  # pragma: no cover - `python -m evals.cli` convenience
    """`python -m evals.cli ...` with the settings from the environment."""
    from assistant.settings import load_settings

    return main(sys.argv[1:], settings=load_settings())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_cli())
