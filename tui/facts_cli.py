"""`veille figures` and `veille timeline`: the corpus's figures and dated events, as quotes.

A thin front end over `assistant.facts`: a readable table for people, `--json` (and `--csv`
for figures) for scripts. Every row's quote is the document text at `start:end`. Text that
came from a document is written with its control characters escaped.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import TYPE_CHECKING, Any

from assistant.filters import add_filter_flags, filters_from_args
from assistant.text import printable, shorten

if TYPE_CHECKING:
    import argparse

    from assistant.facts import EventRow, FigureRow
    from assistant.settings import Settings

FIGURE_FIELDS = (
    "value",
    "number",
    "unit",
    "what",
    "entity",
    "source",
    "date",
    "quote",
    "start",
    "end",
    "doc_id",
)


def add_parsers(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    """Register `figures` and `timeline` on the `veille` parser."""
    p = sub.add_parser(
        "figures", parents=[common], help="every figure of the corpus, with its quote"
    )
    p.add_argument(
        "query", nargs="?", help="words the sentence, what it counts or its entity holds"
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--csv", action="store_true", help="print CSV (one row per figure)")
    add_filter_flags(p)
    p = sub.add_parser("timeline", parents=[common], help="dated events of the corpus, in order")
    p.add_argument("query", nargs="?", help="words the event's sentence holds")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_filter_flags(p)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `veille figures` or `veille timeline`; returns the exit code."""
    from assistant import facts
    from assistant.embeddings import make_embeddings
    from assistant.store import Store

    window = filters_from_args(args)
    since = window.since.isoformat() if window and window.since else None
    until = window.until.isoformat() if window and window.until else None
    source = window.source if window else None
    store = Store(settings, make_embeddings(settings), check=False)
    if args.command == "figures":
        rows = facts.figures(store, args.query, source=source, since=since, until=until)
        if args.json:
            print(_json({"figures": [r.to_dict() for r in rows]}))
        elif args.csv:
            print(_csv(rows), end="")
        else:
            _figure_table(rows)
        return 0
    events = facts.events(store, args.query, source=source, since=since, until=until)
    if args.json:
        print(_json({"events": [e.to_dict() for e in events]}))
    else:
        _event_table(events)
    return 0


def _json(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # C1 controls escaped like C0 ones: some terminals act on them.
    return "".join(f"\\u{ord(ch):04x}" if 0x7F <= ord(ch) <= 0x9F else ch for ch in text)


def _csv(rows: list[FigureRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIGURE_FIELDS)
    for row in rows:
        d = row.to_dict()
        writer.writerow([printable(str(d[f])) if d[f] is not None else "" for f in FIGURE_FIELDS])
    return buffer.getvalue()


def _figure_table(rows: list[FigureRow]) -> None:
    if not rows:
        print("no figures found", file=sys.stderr)
        return
    for r in rows:
        what = f" {r.what}" if r.what and r.what != r.unit else ""
        entity = f" ({r.entity})" if r.entity else ""
        date = f" {r.date}" if r.date else ""
        print(printable(f"{r.value}{what}{entity}  — {r.source}{date} @{r.start}-{r.end}"))
        print(printable(f"    «{shorten(r.quote, 150)}»"))
    print(f"{len(rows)} figures", file=sys.stderr)


def _event_table(events: list[EventRow]) -> None:
    if not events:
        print("no dated events found", file=sys.stderr)
        return
    for e in events:
        when = e.date or "(year unknown)"
        print(printable(f"{when:<12} {e.precision:<5} {e.text}  — {e.source} @{e.start}-{e.end}"))
        print(printable(f"    «{shorten(e.quote, 150)}»"))
    print(f"{len(events)} events", file=sys.stderr)
