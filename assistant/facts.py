"""The figures and dated events of every document, in a derived SQLite database, and queries.

Extracted once per document version (`assistant.figures`, `assistant.timeline`) from the
document's full text in the store, so `veille figures` and `veille timeline` answer without
reading a document. The database belongs to one generation of the store
(`assistant.derived.facts_db`) and is stamped like the keyword index (`assistant.state`): the
writer updates it in one SQLite transaction at the end of an ingest, only for documents whose
sha256, date or title changed; a reader whose database's stamp differs from the store's
brings a copy in memory up to date and never writes. A crash mid-update rolls back, and a
crash after it leaves a stamp no store will match, so a stale database is never read as fresh.
"""

from __future__ import annotations

import fnmatch
import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant import figures as figure_rules
from assistant import timeline as timeline_rules
from assistant.analysis import STOP_WORDS, fold, words
from assistant.derived import facts_db
from assistant.filters import period_bounds

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.state import Stamp
    from assistant.store import DocumentRecord, Store

VERSION = 2
"""The extraction rules' version: a database built by other rules is rebuilt."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (doc_id TEXT PRIMARY KEY, source TEXT, sha256 TEXT,
    date TEXT, title TEXT, version INTEGER);
CREATE TABLE IF NOT EXISTS figures (doc_id TEXT, source TEXT, date TEXT, value TEXT,
    number REAL, unit TEXT, what TEXT, entity TEXT, quote TEXT, start INTEGER, "end" INTEGER,
    at INTEGER, folded TEXT);
CREATE TABLE IF NOT EXISTS events (doc_id TEXT, source TEXT, date TEXT, precision TEXT,
    quote TEXT, start INTEGER, "end" INTEGER, text TEXT, at INTEGER, folded TEXT);
CREATE INDEX IF NOT EXISTS figures_doc ON figures(doc_id);
CREATE INDEX IF NOT EXISTS events_doc ON events(doc_id);
"""


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One figure of the corpus, with its sentence as an exact quote of the document."""

    value: str
    number: float
    unit: str
    what: str
    entity: str
    source: str
    date: str | None
    quote: str
    start: int
    end: int
    doc_id: str = ""
    """The document's id in the store (its full path), so a front end opens it directly."""

    def to_dict(self) -> dict[str, Any]:
        """The `veille figures --json` object."""
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class EventRow:
    """One dated event of the corpus; `date` is None where its year cannot be resolved."""

    date: str | None
    precision: str
    source: str
    quote: str
    start: int
    end: int
    text: str
    doc_id: str = ""
    """The document's id in the store (its full path), so a front end opens it directly."""

    def to_dict(self) -> dict[str, Any]:
        """The `veille timeline --json` object."""
        return {name: getattr(self, name) for name in self.__slots__}


def update(store: Store, stamp: Stamp, path: Path | None = None) -> None:
    """Bring the store's facts database up to date and stamp it (the writer's call).

    Args:
        store: The store being written (its documents collection is read).
        stamp: The store state the database will reflect (the writer's end-of-write stamp).
        path: The database (default: this generation's).
    """
    target = path or facts_db(store.settings, store.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = sqlite3.connect(target)
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        target.unlink(missing_ok=True)  # unreadable: it is derived, build it again
        con = sqlite3.connect(target)
    try:
        _sync(con, store, stamp)
    finally:
        con.close()


def connect(store: Store) -> sqlite3.Connection:
    """A read connection on facts that match the store now (a reader never writes the file)."""
    current = store.stamp()
    path = facts_db(store.settings, store.name)
    if path.exists():
        try:
            disk = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            if _stamp(disk) == current.to_dict():
                return disk
            memory = sqlite3.connect(":memory:")
            disk.backup(memory)  # reuse what is still right: only changed documents re-extract
            disk.close()
            _sync(memory, store, current)
            return memory
        except sqlite3.DatabaseError:
            pass
    memory = sqlite3.connect(":memory:")
    _sync(memory, store, current)
    return memory


def _stamp(con: sqlite3.Connection) -> object:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return json.loads(row[0]) if row else None


def _sync(con: sqlite3.Connection, store: Store, stamp: Stamp) -> None:
    """One transaction: re-extract changed documents, drop gone ones, record the stamp."""
    records = store.documents_under()
    _ensure_schema(con)
    with con:
        have = {
            row[0]: tuple(row[1:])
            for row in con.execute("SELECT doc_id, sha256, date, title, version FROM docs")
        }
        gone = [d for d in have if d not in records]
        for doc_id in gone:
            _forget(con, doc_id)
        for doc_id, record in records.items():
            key = (record.sha256, record.date, record.title, VERSION)
            if record.sha256 and have.get(doc_id) == key:
                continue
            text = store.document_text(doc_id)
            _forget(con, doc_id)
            if text is not None:
                add_document(con, record, text)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (json.dumps(stamp.to_dict()),)
        )


def _forget(con: sqlite3.Connection, doc_id: str) -> None:
    for table in ("docs", "figures", "events"):
        con.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))  # noqa: S608


def add_document(con: sqlite3.Connection, record: DocumentRecord, text: str) -> None:
    """Extract one document's figures and events into an open database (no commit)."""
    _ensure_schema(con)
    con.execute(
        "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?)",
        (record.doc_id, record.source, record.sha256, record.date, record.title, VERSION),
    )
    con.executemany(
        "INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                record.doc_id,
                record.source,
                record.date or None,
                f.value,
                f.number,
                f.unit,
                f.what,
                f.entity,
                f.quote,
                f.start,
                f.end,
                f.value_start,
                fold(f"{f.quote} {f.what} {f.entity}"),
            )
            for f in figure_rules.extract(text)
        ],
    )
    con.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                record.doc_id,
                record.source,
                e.date,
                e.precision,
                e.quote,
                e.start,
                e.end,
                e.text,
                e.text_start,
                fold(e.quote),
            )
            for e in timeline_rules.extract(text, record.date or None)
        ],
    )


def _ensure_schema(con: sqlite3.Connection) -> None:
    # One statement at a time: `executescript` would commit the transaction under way.
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            con.execute(statement)


def _where(query: str | None, since: str | None, until: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    for word in _query_words(query):
        clauses.append("folded LIKE ? ESCAPE '\\'")
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    # A date stands for the first day of its period, as in `assistant.filters`.
    first = "(date || substr('-01-01', length(date) - 3))"
    if since:
        clauses.append(f"date IS NOT NULL AND date != '' AND {first} >= ?")
        params.append(period_bounds(since)[0].isoformat())
    if until:
        clauses.append(f"date IS NOT NULL AND date != '' AND {first} <= ?")
        params.append(period_bounds(until)[1].isoformat())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _query_words(query: str | None) -> list[str]:
    return [w for w in words(query or "") if w not in STOP_WORDS]


def _source_ok(source_glob: str | None, source: str, doc_id: str) -> bool:
    if not source_glob:
        return True
    return fnmatch.fnmatchcase(source, source_glob) or fnmatch.fnmatchcase(doc_id, source_glob)


def query_figures(
    con: sqlite3.Connection,
    query: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[FigureRow]:
    """Figures of an open facts database, in source and text order (see `figures`)."""
    where, params = _where(query, since, until)
    # The clauses are ours; every value is a parameter.
    sql = 'SELECT value, number, unit, what, entity, source, date, quote, start, "end", doc_id'
    rows = con.execute(
        f"{sql} FROM figures{where} ORDER BY source, at",
        params,
    )
    return [FigureRow(*row) for row in rows if _source_ok(source, row[5], row[10])]


def query_events(
    con: sqlite3.Connection,
    query: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[EventRow]:
    """Events of an open facts database, by date (unresolved last; see `events`)."""
    where, params = _where(query, since, until)
    sql = 'SELECT date, precision, source, quote, start, "end", text, doc_id FROM events'
    rows = con.execute(
        f"{sql}{where} ORDER BY date IS NULL, date, source, at",
        params,
    )
    return [EventRow(*row) for row in rows if _source_ok(source, row[2], row[7])]


def figures(
    store: Store,
    query: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[FigureRow]:
    """The corpus's figures whose quote, `what` or entity holds every word of `query`.

    Args:
        store: The store (its facts database is brought up to date if stale).
        query: Words to match, accent- and case-folded (None: every figure).
        source: A glob over the document's source path or its full path.
        since: Only documents dated on or after this ISO date ("2017", "2017-11" too).
        until: Only documents dated on or before the end of this ISO date.

    Returns:
        Figures in source and text order.
    """
    con = connect(store)
    try:
        return query_figures(con, query, source, since, until)
    finally:
        con.close()


def events(
    store: Store,
    query: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[EventRow]:
    """The corpus's dated events whose sentence holds every word of `query`, by date.

    Args:
        store: The store (its facts database is brought up to date if stale).
        query: Words to match, accent- and case-folded (None: every event).
        source: A glob over the document's source path or its full path.
        since: Only events on or after this ISO date (an unresolved one never passes).
        until: Only events on or before the end of this ISO date.

    Returns:
        Events by date, unresolved ones last.
    """
    con = connect(store)
    try:
        return query_events(con, query, source, since, until)
    finally:
        con.close()
