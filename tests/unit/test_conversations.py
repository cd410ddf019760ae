"""Saved conversations without the app: the history store, its migrations, the Markdown export."""

from __future__ import annotations

import json
import sqlite3

import pytest

from assistant.conversations import MIGRATIONS, History, migrate
from assistant.export import conversation_markdown
from assistant.types import EXTRACTIVE_MODEL, Answer
from tests.answers import make_answer


def test_history_round_trips_answers_and_searches_without_accents(tmp_path) -> None:
    history = History(tmp_path / "h.sqlite")
    first = make_answer(
        "Combien de magasins Hema a-t-il ouverts ?", "Hema a ouvert 22 magasins [1]."
    )
    cid = history.add_turn(None, first)
    history.add_turn(cid, make_answer("Et le résumé ?", "Le résumé [1]."))
    other = history.add_turn(
        None, make_answer("Qui dirige Alibaba ?", "Personne [1].", refused=True)
    )

    loaded = history.load(cid)
    assert loaded is not None
    assert loaded.turns[0] == first  # every field, passages and citations included
    assert [c.id for c in history.conversations()] == [other, cid]
    assert [c.id for c in history.search("resume")] == [cid]  # accents folded
    assert [c.id for c in history.search("magas")] == [cid]  # prefixes
    assert history.search("alibaba")[0].id == other
    assert history.search('" OR AND ( *') == []  # FTS syntax is searched for, not run
    assert history.search("zzzz") == []
    history.delete(cid)
    assert history.load(cid) is None
    assert history.search("resume") == []
    history.close()


def test_export_footnotes_every_quote() -> None:
    answers = [
        make_answer("Combien de magasins Hema a-t-il ouverts ?", "Hema a ouvert 22 magasins [1]."),
        make_answer(
            "Qui [bold]dirige[/bold] <b>Alibaba</b> ?", "Le corpus ne le dit pas.", refused=True
        ),
    ]
    text = conversation_markdown("Hema", answers, exported=0)
    assert "Hema a ouvert 22 magasins [^1-1]." in text
    assert "[^1-1]: «Hema a ouvert 22 magasins.» (a.txt, characters 10–36)" in text
    assert "Passages les plus proches" in text
    assert "&lt;b&gt;" in text  # HTML in a question stays text
    assert "\\[bold\\]" in text


# The file as Veille wrote it before migrations were recorded: `CREATE IF NOT EXISTS` and
# `PRAGMA user_version = 1`, each answer saved as `dataclasses.asdict(answer)`.
_OLD_SCHEMA = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE turns (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    refused INTEGER NOT NULL, answer_json TEXT NOT NULL, created REAL NOT NULL
);
CREATE INDEX turns_by_conversation ON turns(conversation_id, position);
CREATE VIRTUAL TABLE turns_fts USING fts5(
    question, answer, content='turns', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER turns_ai AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts(rowid, question, answer) VALUES (new.id, new.question, new.answer);
END;
CREATE TRIGGER turns_ad AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts(turns_fts, rowid, question, answer)
    VALUES ('delete', old.id, old.question, old.answer);
END;
PRAGMA user_version = 1;
"""

_OLD_ROW = {
    "question": "Combien de magasins Hema a-t-il ouverts ?",
    "answer": "Hema a ouvert 22 magasins [1].",
    "refused": False,
    "mode": "extractive",
    "model": EXTRACTIVE_MODEL,
    "citations": [
        {
            "n": 1,
            "source": "a.txt",
            "chunk_id": "c1",
            "quote": "Hema a ouvert 22 magasins.",
            "start": 10,
            "end": 36,
        }
    ],
    "passages": [
        {
            "n": 1,
            "chunk": {
                "source": "a.txt",
                "doc_id": "/docs/a.txt",
                "text": "Hema a ouvert 22 magasins. Le reste.",
                "start": 10,
                "end": 46,
                "chunk_id": "c1",
            },
            "score": 0.03,
            "dense_rank": 1,
            "bm25_rank": 2,
            "dense_similarity": 0.9,
        }
    ],
    "timings": {"retrieve": 1.0, "first_token": None, "total": 2.0},
    "standalone_question": None,
    "notes": [],
    "prompt": "the prompt",
    "prompt_tokens": None,
}


def _old_file(path) -> int:
    db = sqlite3.connect(path)
    db.executescript(_OLD_SCHEMA)
    with db:
        cur = db.execute(
            "INSERT INTO conversations(title, created, updated) VALUES (?, 1.0, 1.0)",
            (_OLD_ROW["question"],),
        )
        db.execute(
            "INSERT INTO turns(conversation_id, position, question, answer, refused, "
            "answer_json, created) VALUES (?, 0, ?, ?, 0, ?, 1.0)",
            (cur.lastrowid, _OLD_ROW["question"], _OLD_ROW["answer"], json.dumps(_OLD_ROW)),
        )
    db.close()
    return int(cur.lastrowid or 0)


def test_an_old_history_file_is_migrated_and_its_answers_reopen(tmp_path) -> None:
    path = tmp_path / "history.sqlite"
    cid = _old_file(path)

    history = History(path)
    loaded = history.load(cid)
    assert loaded is not None
    [answer] = loaded.turns
    assert answer == make_answer(_OLD_ROW["question"], _OLD_ROW["answer"])  # every field
    assert answer.citations[0].quote == "Hema a ouvert 22 magasins."
    assert answer.passages[0].chunk.doc_id == "/docs/a.txt"  # its citations can still open
    assert [c.id for c in history.search("magasins")] == [cid]  # the index survived
    history.add_turn(cid, make_answer("Et ensuite ?", "Rien [1]."))
    history.close()

    with sqlite3.connect(path) as db:
        names = [n for (n,) in db.execute("SELECT name FROM _migrations ORDER BY name")]
        saved = [json.loads(j) for (j,) in db.execute("SELECT answer_json FROM turns")]
    assert names == [step.__name__ for step in MIGRATIONS]
    assert all("timings_ms" in row and "timings" not in row for row in saved)  # to_dict shape
    # The row has the shape of `to_dict` (keys added since read back with their defaults).
    expected = make_answer(_OLD_ROW["question"], _OLD_ROW["answer"])
    assert set(saved[0]) <= set(expected.to_dict())
    assert Answer.from_dict(saved[0]) == expected

    reopened = History(path)
    assert [len(c.turns) for c in [reopened.load(cid)] if c is not None] == [2]
    reopened.close()


def test_migrations_run_once_and_in_order(tmp_path) -> None:
    db = sqlite3.connect(tmp_path / "h.sqlite")
    assert migrate(db) == [step.__name__ for step in MIGRATIONS]
    assert migrate(db) == []  # recorded: nothing runs twice
    names = [n for (n,) in db.execute("SELECT name FROM _migrations")]
    assert names == sorted(names)  # numbered, applied in order
    db.close()


def test_a_failed_migration_leaves_no_trace(tmp_path, monkeypatch) -> None:
    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        msg = "disk full"
        raise OSError(msg)

    broken.__name__ = "m999_broken"
    monkeypatch.setattr("assistant.conversations.MIGRATIONS", [*MIGRATIONS, broken])
    db = sqlite3.connect(tmp_path / "h.sqlite")
    with pytest.raises(OSError, match="disk full"):
        migrate(db)
    tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    recorded = {n for (n,) in db.execute("SELECT name FROM _migrations")}
    assert "half_done" not in tables
    assert "m999_broken" not in recorded
    assert "conversations" in tables  # the steps before it stay applied
    db.close()
