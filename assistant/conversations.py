"""Saved conversations: a plain `sqlite3` file with an FTS5 index for full-text search.

One file (`settings.history_db`) holds conversations and their turns; each turn keeps the full
`Answer` as `Answer.to_dict()` JSON (citations, passages with their document ids, the prompt), so
a reopened conversation can still open every citation. `turns_fts` is an external-content FTS5
table kept in step by triggers; its tokenizer folds accents, so "resume" finds "résumé".

The schema is the list `MIGRATIONS`: small numbered functions applied in order when the file is
opened, each recorded in the `_migrations` table, so an old file is brought up to date in place
and a new change is one more function at the end of the list.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.text import shorten
from assistant.types import Answer

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

TITLE_WIDTH = 80
"""Longest conversation title (the first question, folded to one line)."""

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = []
"""The schema, as the steps that build it, oldest first; never edit one that has shipped."""


def migration(step: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    """Add `step` to the end of `MIGRATIONS` (its function name is its record)."""
    MIGRATIONS.append(step)
    return step


@migration
def m001_conversations_turns_search(db: sqlite3.Connection) -> None:
    """Conversations, their turns and the accent-folding full-text index over the turns."""
    # IF NOT EXISTS: files written before migrations were recorded already hold these tables.
    db.execute("""
        CREATE TABLE IF NOT EXISTS conversations (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL
        )""")
    db.execute("""
        CREATE TABLE IF NOT EXISTS turns (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            refused INTEGER NOT NULL,
            answer_json TEXT NOT NULL,
            created REAL NOT NULL
        )""")
    db.execute(
        "CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, position)"
    )
    db.execute("""
        CREATE VIRTUAL TABLE IF NOT EXISTS turns_fts USING fts5(
            question, answer, content='turns', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )""")
    db.execute("""
        CREATE TRIGGER IF NOT EXISTS turns_ai AFTER INSERT ON turns BEGIN
            INSERT INTO turns_fts(rowid, question, answer)
            VALUES (new.id, new.question, new.answer);
        END""")
    db.execute("""
        CREATE TRIGGER IF NOT EXISTS turns_ad AFTER DELETE ON turns BEGIN
            INSERT INTO turns_fts(turns_fts, rowid, question, answer)
            VALUES ('delete', old.id, old.question, old.answer);
        END""")


@migration
def m002_answers_as_to_dict(db: sqlite3.Connection) -> None:
    """Rewrite answers saved as `dataclasses.asdict` (nested `chunk`, `timings`) as `to_dict`."""
    rows = db.execute("SELECT id, answer_json FROM turns").fetchall()
    for turn_id, saved in rows:
        data = json.loads(saved)
        if "timings_ms" in data:
            continue
        data["timings_ms"] = data.pop("timings", None) or {}
        data["passages"] = [
            {**p.get("chunk", {}), **{k: v for k, v in p.items() if k != "chunk"}}
            for p in data.get("passages", ())
        ]
        # Only answer_json changes: the indexed question and answer columns stay as they are.
        db.execute(
            "UPDATE turns SET answer_json = ? WHERE id = ?",
            (json.dumps(data, ensure_ascii=False), turn_id),
        )


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations `db` has not recorded yet, each in its own transaction.

    Returns:
        The names of the migrations applied now.
    """
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)"
    )
    db.commit()
    done = {str(name) for (name,) in db.execute("SELECT name FROM _migrations")}
    applied: list[str] = []
    for step in MIGRATIONS:
        if step.__name__ in done:
            continue
        # An explicit BEGIN: sqlite3 would otherwise commit each CREATE on its own.
        db.execute("BEGIN")
        try:
            step(db)
            db.execute(
                "INSERT INTO _migrations(name, applied) VALUES (?, ?)", (step.__name__, time.time())
            )
        except BaseException:
            db.rollback()
            raise
        db.commit()
        applied.append(step.__name__)
    return applied


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One line of the conversation list."""

    id: int
    title: str
    updated: float
    turns: int
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class Conversation:
    """A saved conversation with its turns, oldest first."""

    id: int
    title: str
    created: float
    turns: tuple[Answer, ...]


class History:
    """The conversation store; every method is one short transaction."""

    def __init__(self, path: Path) -> None:
        """Open (creating or migrating if needed) the history file at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # The chat writes from its UI thread only; check_same_thread guards against mistakes.
        self._db = sqlite3.connect(path)
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            migrate(self._db)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def add_turn(self, conversation_id: int | None, answer: Answer) -> int:
        """Save one answered question; creates the conversation when `conversation_id` is None.

        Returns:
            The conversation's id.
        """
        now = time.time()
        with self._db:
            if conversation_id is None:
                cur = self._db.execute(
                    "INSERT INTO conversations(title, created, updated) VALUES (?, ?, ?)",
                    (shorten(answer.question, TITLE_WIDTH), now, now),
                )
                conversation_id = int(cur.lastrowid or 0)
            else:
                self._db.execute(
                    "UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id)
                )
            (position,) = self._db.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM turns WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            self._db.execute(
                "INSERT INTO turns(conversation_id, position, question, answer, refused, "
                "answer_json, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    position,
                    answer.question,
                    answer.text,
                    int(answer.refused),
                    json.dumps(answer.to_dict(), ensure_ascii=False),
                    now,
                ),
            )
        return conversation_id

    def conversations(self, limit: int = 200) -> list[ConversationSummary]:
        """The most recently updated conversations first."""
        rows = self._db.execute(
            "SELECT c.id, c.title, c.updated, COUNT(t.id) FROM conversations c "
            "LEFT JOIN turns t ON t.conversation_id = c.id "
            "GROUP BY c.id ORDER BY c.updated DESC, c.id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [ConversationSummary(int(i), str(t), float(u), int(n)) for i, t, u, n in rows]

    def search(self, query: str, limit: int = 100) -> list[ConversationSummary]:
        """Conversations whose questions or answers match every word of `query` (best first).

        The words are matched as prefixes and quoted, so FTS5 syntax typed by the user is
        searched for rather than interpreted.
        """
        match = _fts_query(query)
        if not match:
            return self.conversations(limit)
        # FTS5's rank and snippet functions cannot sit under GROUP BY: rank the matching turns,
        # then keep each conversation's best one.
        rows = self._db.execute(
            "SELECT t.conversation_id, snippet(turns_fts, -1, '', '', '…', 12) "
            "FROM turns_fts JOIN turns t ON t.id = turns_fts.rowid "
            "WHERE turns_fts MATCH ? ORDER BY rank",
            (match,),
        ).fetchall()
        best: dict[int, str] = {}
        for conversation_id, snippet in rows:
            best.setdefault(int(conversation_id), str(snippet))
            if len(best) >= limit:
                break
        if not best:
            return []
        heads = {
            int(i): (str(t), float(u), int(n))
            for i, t, u, n in self._db.execute(
                "SELECT c.id, c.title, c.updated, COUNT(t.id) FROM conversations c "
                "JOIN turns t ON t.conversation_id = c.id "
                "WHERE c.id IN (SELECT value FROM json_each(?)) GROUP BY c.id",
                (json.dumps(list(best)),),
            )
        }
        return [
            ConversationSummary(i, *heads[i], snippet=snippet)
            for i, snippet in best.items()
            if i in heads
        ]

    def load(self, conversation_id: int) -> Conversation | None:
        """A conversation with its answers, or None if there is no such conversation."""
        head = self._db.execute(
            "SELECT id, title, created FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if head is None:
            return None
        rows = self._db.execute(
            "SELECT answer_json FROM turns WHERE conversation_id = ? ORDER BY position",
            (conversation_id,),
        ).fetchall()
        turns = tuple(Answer.from_dict(_object(r[0])) for r in rows)
        return Conversation(int(head[0]), str(head[1]), float(head[2]), turns)

    def delete(self, conversation_id: int) -> None:
        """Remove a conversation and its turns."""
        with self._db:
            self._db.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))


def _object(saved: str) -> dict[str, Any]:
    data = json.loads(saved)
    if not isinstance(data, dict):
        msg = "a saved turn is not a JSON object"
        raise TypeError(msg)
    return data


def _fts_query(query: str) -> str:
    words = [w for w in query.split() if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)
