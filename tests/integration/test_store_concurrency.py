"""A reader asks questions in a loop while a writer ingests, rebuilds and prunes.

The reader is another process, as `veille ask` or the chat would be: half of its questions go
to one long-lived `Assistant` (which must follow the writer's changes and a rebuild's swap),
half to a fresh one. No question may fail, every quoted citation must be text that some
version of the corpus holds, and the writer must leave no temporary behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.embeddings import E5Embeddings
from assistant.settings import load_settings
from assistant.store import Store
from ingest.sync import ingest_paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]

A_FILES = {
    "hema.txt": "Hema a ouvert 22 magasins en Chine. Son application catalogue 3 000 références.",
    "jd.md": "# JD.com\n\nJD.com a lancé 7Fresh en 2018 à Pékin.",
}
A_EDIT = "Hema a ouvert 40 magasins à Wuhan. Son application catalogue 5 000 références."
B_FILES = {
    "pdd.txt": "Pinduoduo a levé 1,6 milliard de dollars lors de son introduction.",
    "tmall.txt": "Tmall a vendu 9 millions de téléviseurs pendant la fête des célibataires.",
}
QUESTIONS = [
    "Combien de magasins Hema a-t-il ouverts ?",
    "Quand JD.com a-t-il lancé 7Fresh ?",
    "Combien Pinduoduo a-t-il levé ?",
    "Combien de téléviseurs Tmall a-t-il vendus ?",
]

READER = textwrap.dedent(
    """
    import json, sys, time, traceback
    from pathlib import Path
    from assistant.answer import Assistant
    from assistant.embeddings import E5Embeddings
    from assistant.settings import load_settings

    questions, stop, out = json.loads(sys.argv[1]), Path(sys.argv[2]), open(sys.argv[3], "w")
    settings = load_settings().with_mode("extractive")
    emb = E5Embeddings()
    long_lived = Assistant(settings, embeddings=emb)
    i = 0
    while not stop.exists():
        question = questions[i % len(questions)]
        try:
            bot = long_lived if i % 2 == 0 else Assistant(settings, embeddings=emb)
            answer = bot.ask(question)
            record = {"ok": True, "question": question, "refused": answer.refused,
                      "notes": list(answer.notes), "quotes": [c.quote for c in answer.citations],
                      "passages": [p.chunk.text for p in answer.passages]}
        except Exception:
            record = {"ok": False, "question": question, "error": traceback.format_exc()}
        out.write(json.dumps(record) + "\\n")
        out.flush()
        i += 1
    """
)


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _wait_for_answers(log: Path, n: int, reader: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if log.exists() and len(log.read_text(encoding="utf-8").splitlines()) >= n:
            return
        assert reader.poll() is None, "the reader died"
        time.sleep(0.2)
    pytest.fail("the reader answers nothing")


def test_a_reader_never_fails_while_a_writer_ingests_rebuilds_and_prunes(tmp_path: Path):
    settings = load_settings()
    emb = E5Embeddings()
    a, b = tmp_path / "a", tmp_path / "b"
    _write(a, A_FILES)
    ingest_paths([a], settings=settings, embeddings=emb)
    texts = [*A_FILES.values(), A_EDIT, *B_FILES.values()]

    stop, log = tmp_path / "stop", tmp_path / "answers.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, json.dumps(QUESTIONS), str(stop), str(log)],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for_answers(log, 2, reader)
        for _ in range(2):
            _write(b, B_FILES)
            ingest_paths([b], settings=settings, embeddings=emb)
            (a / "hema.txt").write_text(A_EDIT, encoding="utf-8")
            ingest_paths([a], settings=settings, embeddings=emb)
            ingest_paths([], settings=settings, embeddings=emb, rebuild=True)
            for f in b.iterdir():
                f.unlink()
            ingest_paths([b], settings=settings, embeddings=emb, allow_empty=True)
            _write(a, A_FILES)
            ingest_paths([a], settings=settings, embeddings=emb, rebuild=True)
        done = len(log.read_text(encoding="utf-8").splitlines())
        _wait_for_answers(log, done + 4, reader)  # questions asked after the last write
    finally:
        stop.touch()
        reader.wait(timeout=60)

    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    errors = [r["error"] for r in records if not r["ok"]]
    assert not errors, errors[0]
    assert len(records) >= 10
    for r in records:
        assert not any("dropped" in n for n in r["notes"]), r
        for quote in r["quotes"]:
            assert any(quote in t for t in texts), quote
            assert any(quote in p for p in r["passages"]), quote
    final = {r["question"]: r for r in records[-4:]}
    assert "22" in final[QUESTIONS[0]]["quotes"][0]
    assert final[QUESTIONS[2]]["refused"]  # the pruned folder's document is gone

    store = Store(settings, emb)
    data = settings.data_dir
    assert sorted(p.name for p in data.iterdir() if p.name.startswith("bm25-")) == [
        store.keyword_dir.name
    ]
    assert not [p for p in data.iterdir() if p.name.startswith(".") or p.name.endswith(".old")]
    assert [p.name for p in store.keyword_dir.iterdir()] == ["index.npz"]
