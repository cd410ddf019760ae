"""The `veille` command line: ingest, ask, chat, eval, status.

A thin front end over `assistant/` and `ingest/`: it parses flags into `Settings`, calls the
core, and renders results. Expected failures (bad arguments or settings, empty store, busy
store, missing folder, model unavailable: every `VeilleError`) print one line
`veille: error: ...` and exit 1; nothing here prints a secret, and text that came from a
document, a file name or a model is written with its control characters escaped, so it cannot
drive the terminal. Textual is imported only by `veille chat`, so `ask` starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from assistant.errors import VeilleError, describe
from assistant.filters import add_filter_flags, filters_from_args
from assistant.text import printable, shorten
from assistant.types import MODE_CHOICES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from assistant.settings import Settings
    from assistant.types import ModeSetting

SAMPLE_QUESTION = "Combien de magasins Hema a-t-il ouverts ?"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1 with one `veille: error:` line, as documented."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"veille: error: {message} (see `{self.prog} --help`)\n")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("veille")
    except PackageNotFoundError:  # pragma: no cover - run from a tree that was never installed
        return "unknown"


def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="where the store lives (default: $VEILLE_DATA_DIR or the user data directory)",
    )
    common.add_argument(
        "--config", type=Path, default=argparse.SUPPRESS, help="settings file (TOML)"
    )
    return common


def _parser() -> _Parser:
    common = _common()
    parser = _Parser(
        prog="veille",
        description="Ask questions about a folder of documents; answers cite their sources.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"veille {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("ingest", parents=[common], help="sync folders into the store")
    p.add_argument(
        "paths", nargs="*", type=Path, help="folders or files (default: the sample corpus)"
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="index again into a new store, swapped in once complete: the given folders, "
        "or every folder the store holds",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="let a folder with no documents remove what was indexed from it",
    )
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="follow symlinks that point outside the folder (skipped by default)",
    )
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p.add_argument(
        "--watch",
        action="store_true",
        help="after the sync, keep the store in sync as files appear, change or vanish "
        "(Ctrl-C stops)",
    )

    p = sub.add_parser("ask", parents=[common], help="answer one question")
    p.add_argument("question", help="the question, in French or English")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--mode",
        choices=MODE_CHOICES,
        help="which answerer (default: settings, auto)",
    )
    p.add_argument("-k", type=int, help="passages to retrieve")
    add_filter_flags(p)
    p.add_argument(
        "--no-date-filter",
        action="store_true",
        help="do not turn a date phrase in the question ('en 2017', 'depuis janvier 2018') "
        "into a filter",
    )

    p = sub.add_parser("chat", parents=[common], help="the terminal chat (default)")
    p.add_argument("--mode", choices=MODE_CHOICES, help="answerer")
    add_filter_flags(p)
    p.add_argument(
        "--watch",
        action="store_true",
        help="keep the store in sync with its folders in the background (setting ingest.watch)",
    )

    sub.add_parser("status", parents=[common], help="show the store and the model in use")

    from tui.facts_cli import add_parsers as add_facts_parsers

    add_facts_parsers(sub, common)

    p = sub.add_parser("mcp", parents=[common], help="serve Veille to MCP clients over stdio")
    p.add_argument("--mode", choices=MODE_CHOICES, help="answerer (default: settings, auto)")

    # Everything after `eval` goes to evals.cli's own parser (see `veille eval --help`).
    sub.add_parser("eval", parents=[common], help="run a question set and score it", add_help=False)
    return parser


def _settings(args: argparse.Namespace, mode: ModeSetting | None = None) -> Settings:
    from assistant.settings import SettingsError, load_settings

    if "config" in args:
        if not args.config.is_file():
            msg = f"settings file {args.config} not found"
            raise SettingsError(msg)
        os.environ["VEILLE_CONFIG"] = str(args.config)
    overrides: dict[str, object] = {}
    if "data_dir" in args:
        overrides["data_dir"] = args.data_dir
    settings = load_settings(**overrides)
    return settings.with_mode(mode)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (141 when the output's reader went away)."""
    from tui.pipes import quiet_when_closed

    return quiet_when_closed(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    eval_argv: list[str] = []
    if "eval" in argv:
        # argparse cannot hand an option-led remainder (`eval --compare A B`) to a subcommand.
        head = argv[: argv.index("eval") + 1]
        args = _parser().parse_args(head)
        if args.command == "eval":
            common, eval_argv = _common().parse_known_args(argv[len(head) :])
            vars(args).update(vars(common))
        else:
            args = _parser().parse_args(argv)
    else:
        args = _parser().parse_args(argv)
    command = args.command or "chat"
    try:
        if command == "ingest":
            return _ingest(args)
        if command == "ask":
            return _ask(args)
        if command == "status":
            return _status(args)
        if command in ("figures", "timeline"):
            from tui.facts_cli import run as facts_main

            return facts_main(args, _settings(args))
        if command == "mcp":
            from tui.mcp_server import serve

            return serve(_settings(args, mode=args.mode))
        if command == "eval":
            from evals.cli import main as eval_main

            return eval_main(eval_argv, settings=_settings(args))
        return _chat(args)
    except KeyboardInterrupt:
        print("veille: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # the reader of the output went away: `main` ends quietly
    except VeilleError as exc:
        print(f"veille: error: {printable(describe(exc))}", file=sys.stderr)
        return 1
    except Exception as exc:
        if os.environ.get("VEILLE_DEBUG"):
            raise
        damaged = _damaged(exc, args)
        if damaged is not None:
            print(f"veille: error: {printable(describe(damaged))}", file=sys.stderr)
            return 1
        print(f"veille: error: {printable(describe(exc))}", file=sys.stderr)
        print("veille: set VEILLE_DEBUG=1 for the traceback", file=sys.stderr)
        return 1


def _damaged(exc: Exception, args: argparse.Namespace) -> VeilleError | None:
    from assistant.chroma_client import damaged_store_error

    try:
        return damaged_store_error(exc, _settings(args))
    except VeilleError:
        return None


def _ingest(args: argparse.Namespace) -> int:
    from ingest.sync import SAMPLE_CORPUS, ingest_paths

    settings = _settings(args)
    if args.watch:
        from ingest.watch import watch_paths

        if args.rebuild or not args.paths:
            msg = "--watch needs the folders to watch, and no --rebuild"
            raise VeilleError(msg, "e.g. veille ingest --watch ~/veille/articles")
        return watch_paths(
            list(args.paths),
            settings=settings,
            allow_empty=args.prune,
            follow_links=args.follow_links,
        )
    # A bare --rebuild re-indexes every folder the store holds; a bare ingest, the sample.
    paths = list(args.paths) or ([] if args.rebuild else [SAMPLE_CORPUS])
    progress = None
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        task = bar.add_task("ingest", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name[-40:])

        bar.start()
    try:
        report = ingest_paths(
            paths,
            settings=settings,
            rebuild=args.rebuild,
            allow_empty=args.prune,
            follow_links=args.follow_links,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.stop()
    if not args.quiet:
        for skipped in report.skipped:
            print(
                f"skipped {printable(skipped.path)}: {printable(skipped.reason)}", file=sys.stderr
            )
    print(report.summary())
    return 0


def _ask(args: argparse.Namespace) -> int:
    from assistant.answer import AnswerReady, Assistant, TokenStreamed

    question = args.question.strip()
    if not question:
        msg = "the question is empty"
        raise VeilleError(msg, 'ask something, e.g. veille ask "Combien de magasins Hema a-t-il ?"')
    filters = filters_from_args(args)
    settings = _settings(args, mode=args.mode)
    if args.k is not None:
        # The same bounds as the setting's (retrieval.k), checked before anything is opened.
        settings = settings.with_section("retrieval", k=args.k)
    assistant = Assistant(settings)
    from_question = None
    if not args.no_date_filter:
        from assistant.date_phrases import with_question_dates

        filters, from_question = with_question_dates(question, filters, assistant.store)
    if from_question is not None and not args.json:
        print(
            f"filter from the question: {from_question.label} "
            f"(« {printable(from_question.phrase)} »; undated articles kept); "
            "--no-date-filter to search every date",
            file=sys.stderr,
        )
    final = None
    streamed = False
    pieces: list[str] = []
    for event in assistant.stream(question, k=args.k, filters=filters):
        if isinstance(event, TokenStreamed):
            # --json prints one object at the end; streamed tokens are for people.
            if not args.json:
                sys.stdout.write(printable(event.text))
                sys.stdout.flush()
                pieces.append(event.text)
                streamed = True
        elif isinstance(event, AnswerReady):
            final = event.answer
    if final is None:  # pragma: no cover - the stream always ends with an answer
        return 1
    if args.json:
        data = final.to_dict()
        if filters is not None:
            data["filters"] = filters.to_dict()
        if from_question is not None:
            data["filter_from_question"] = from_question.to_dict()
        print(_json_for_terminal(data))
        return 0
    if streamed:
        sys.stdout.write("\n")
        if final.text.split() != "".join(pieces).split():
            # Verification changed the streamed text (re-pointed, dropped, or refused).
            print("\nChecked answer: " + printable(final.text))
    else:
        print(printable(final.text))
    if final.refused:
        from assistant.analysis import detect_language
        from assistant.prompts import CLOSEST_PASSAGES

        print("\n" + CLOSEST_PASSAGES[detect_language(final.question)])
        for p in final.passages[:3]:
            print(f"  [{p.n}] {printable(p.source)}: {printable(shorten(p.chunk.text))}")
    else:
        print()
        for c in final.citations:
            quote = printable(shorten(c.quote))
            print(f"  [{c.n}] {printable(c.source)} @{c.start}-{c.end}: «{quote}»")
    for note in final.notes:
        print(f"  note: {printable(note)}", file=sys.stderr)
    t = final.timings
    first = f", first token {t.first_token:.0f} ms" if t.first_token is not None else ""
    print(
        f"  ({final.mode}: {printable(final.model)}; retrieve {t.retrieve:.0f} ms{first}, "
        f"total {t.total:.0f} ms)",
        file=sys.stderr,
    )
    return 0


def _json_for_terminal(data: object) -> str:
    """JSON with non-ASCII text kept readable, but C1 controls escaped like C0 ones.

    `json.dumps` escapes U+0000-U+001F itself; with `ensure_ascii=False` it would write U+0080-
    U+009F raw, and some terminals act on those (U+009B is a control-sequence introducer).
    """
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return "".join(f"\\u{ord(ch):04x}" if 0x7F <= ord(ch) <= 0x9F else ch for ch in text)


def _status(args: argparse.Namespace) -> int:
    from assistant.embeddings import make_embeddings
    from assistant.llm import GeneratorError, resolve_generator
    from assistant.store import Store

    settings = _settings(args)
    embeddings = make_embeddings(settings)
    unavailable = None
    try:
        store = Store(settings, embeddings)
    except VeilleError:
        raise
    except Exception as exc:  # noqa: BLE001 - an embeddings server that is down
        # The manifest check needs the embedding dimension, which a remote embeddings server
        # gives only when it answers; the store itself can still be shown.
        unavailable = describe(exc)
        store = Store(settings, embeddings, check=False)
    print(f"store: {store.location} ({store.document_count()} documents, {store.count()} chunks)")
    from ingest.metadata import dates_line

    print(dates_line(store.documents_under().values()))
    from assistant.duplicates import groups as duplicate_groups

    print(duplicate_groups(store).line())
    if unavailable is not None:
        print(printable(f"embeddings: unavailable: {unavailable}"))
    try:
        gen = resolve_generator(settings)
        print(f"answers: {gen.mode} ({gen.model})")
    except GeneratorError as exc:
        print(f"answers: unavailable: {exc}")
    return 0


def _chat(args: argparse.Namespace) -> int:
    filters = filters_from_args(args)  # a bad date fails here, before the screen is taken
    settings = _settings(args, mode=getattr(args, "mode", None))
    if getattr(args, "watch", False):
        settings = settings.with_section("ingest", watch=True)
    try:
        from tui.app import run_chat
    except ImportError:
        print("veille: the chat is not available yet; asking the sample question instead")
        return main(["ask", SAMPLE_QUESTION])
    return run_chat(settings, filters)


if __name__ == "__main__":
    sys.exit(main())
