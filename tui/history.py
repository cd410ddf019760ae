"""Saved conversations: plain `sqlite3` with an FTS5 index for full-text search.

One file (`settings.history_db`) holds conversations and their turns; each turn keeps the full
`Answer` (citations, passages with their document ids, the prompt) as JSON, so a reopened
conversation can still open every citation. `turns_fts` is an external-content FTS5 table kept in
step by triggers; its tokenizer folds accents, so "resume" finds "résumé". Nothing here imports
Textual: the history can be read by any front end.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.types import Answer

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    answer_json TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, position);
CREATE VIRTUAL TABLE IF NOT EXISTS turns_fts USING fts5(
    question, answer, content='turns', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS turns_ai AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts(rowid, question, answer) VALUES (new.id, new.question, new.answer);
END;
CREATE TRIGGER IF NOT EXISTS turns_ad AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts(turns_fts, rowid, question, answer)
    VALUES ('delete', old.id, old.question, old.answer);
END;
"""


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
        """Open (creating if needed) the history file at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # The chat writes from its UI thread only; check_same_thread guards against mistakes.
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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
                    (_title(answer.question), now, now),
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
        turns = tuple(answer_from_dict(json.loads(r[0])) for r in rows)
        return Conversation(int(head[0]), str(head[1]), float(head[2]), turns)

    def delete(self, conversation_id: int) -> None:
        """Remove a conversation and its turns."""
        with self._db:
            self._db.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """Rebuild an `Answer` from a saved row (`Answer.to_dict()`, or the older `asdict` shape)."""
    if "timings_ms" not in data:  # rows saved as dataclasses.asdict(answer) before to_dict
        data = {
            **data,
            "timings_ms": data.get("timings", {}),
            "passages": [
                {**p["chunk"], **{k: v for k, v in p.items() if k != "chunk"}}
                for p in data.get("passages", ())
            ],
        }
    return Answer.from_dict(data)


def _title(question: str, width: int = 80) -> str:
    flat = " ".join(question.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _fts_query(query: str) -> str:
    words = [w for w in query.split() if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)
