"""Kill the writer with SIGKILL at every step of a sync and of a rebuild; the next run repairs.

A driver process imports Veille and loads the real e5 model once, then forks one child per
job: an ingest (with `VEILLE_FAULT_AT=<step>`, the child dies by SIGKILL at that step, see
`assistant.faults`) or a snapshot of a store taken as a reader. After each crash the same
command runs again, and the store must equal a clean build of the same folder: the same chunk
ids, record-manager keys and saved keyword-index ids (stamped fresh), the same documents, the
same extractive answers, a refusal for the removed document, and no leftover temporary.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]

V1 = {
    "hema.txt": "Hema a ouvert 22 magasins en Chine. Son application catalogue 3 000 références.",
    "jd.md": "# JD.com\n\nJD.com a lancé 7Fresh en 2018 à Pékin.",
    "pdd.txt": "Pinduoduo a levé 1,6 milliard de dollars lors de son introduction.",
    "zorglub.txt": "Zorglub vend des parapluies violets à Lyon depuis 1990.",
}
# An edit that keeps the chunk count, a deletion and an addition.
V2 = {
    **{k: v for k, v in V1.items() if k != "zorglub.txt"},
    "hema.txt": "Hema a ouvert 40 magasins à Wuhan. Son application catalogue 5 000 références.",
    "tmall.txt": "Tmall a vendu 9 millions de téléviseurs pendant la fête des célibataires.",
}
QUESTIONS = [
    "Combien de magasins Hema a-t-il ouverts ?",
    "Combien de téléviseurs Tmall a-t-il vendus ?",
    "Quand JD.com a-t-il lancé 7Fresh ?",
    "Combien Pinduoduo a-t-il levé ?",
]
REMOVED_QUESTION = "Que vend Zorglub à Lyon ?"

SYNC_STEPS = [
    "after-begin",
    "after-reconcile",
    "after-vectors",
    "after-vector-delete",
    "after-records",
    "after-text",
    "after-vector-delete@2",
    "after-delete-records",
    "after-delete-texts",
    "before-keywords-save",
    "keywords-temp-written",
    "after-keywords-save",
    "after-end",
]
REBUILD_STEPS = [
    "rebuild-created",
    "after-begin",
    "after-vectors",
    "after-records",
    "after-text",
    "before-keywords-save",
    "keywords-temp-written",
    "after-end",
    "before-swap",
    "after-swap",
    "after-drop-collection",
    "after-drop-old",
]

DRIVER = textwrap.dedent(
    """
    import json, os, sys, time, traceback
    from pathlib import Path
    from assistant.answer import Assistant
    from assistant.embeddings import E5Embeddings
    from assistant.keyword import KeywordIndex
    from assistant.settings import load_settings
    from assistant.state import store_collections
    from assistant.store import Store, record_manager
    from ingest.sync import ingest_paths

    # Import what the children use once, here: each child then starts in milliseconds.
    import bm25s, chromadb, chromadb.config, langchain_chroma, langchain_classic.indexes
    import langchain_core.indexing
    from assistant.llm import resolve_generator

    EMB = E5Embeddings(threads=1)  # one thread: the forked children inherit a usable model
    EMB.embed_query("warm up")

    def snapshot(settings, questions):
        store = Store(settings, EMB)
        saved = KeywordIndex(store.keyword_dir)
        bot = Assistant(settings.with_mode("extractive"), embeddings=EMB)
        answers = []
        for q in questions:
            a = bot.ask(q)
            answers.append({"text": a.text, "refused": a.refused,
                            "citations": [[c.source, c.quote] for c in a.citations]})
        data = settings.data_dir
        leftovers = sorted(p.name for p in data.iterdir() if p.name.startswith(".") or
                           p.name.endswith(".old"))
        if store.keyword_dir.is_dir():
            leftovers += sorted(p.name for p in store.keyword_dir.iterdir()
                                if p.name != "index.npz")
        return {
            "chunk_ids": sorted(c.chunk_id for c in store.iter_chunks()),
            "keyword_ids": sorted(saved.ids),
            "keyword_fresh": saved.stamp == store.stamp(),
            "records": sorted(record_manager(settings, store.name).list_keys()),
            "documents": {d: [r.sha256, r.chunks] for d, r in store.documents_under().items()},
            "collections": [c.removeprefix(store.name) for c in
                            store_collections(store.client, "veille")],
            "answers": answers,
            "leftovers": leftovers,
        }

    def run(job):
        settings = load_settings(data_dir=Path(job["data"]))
        if job["op"] == "ingest":
            report = ingest_paths([Path(p) for p in job["paths"]], settings=settings,
                                  embeddings=EMB, rebuild=job.get("rebuild", False))
            return {"summary": report.summary(), "deleted": report.deleted}
        return snapshot(settings, job["questions"])

    for line in sys.stdin:
        job = json.loads(line)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.dup2(2, 1)  # the protocol owns stdout
            code = 0
            try:
                if job.get("fault"):
                    os.environ["VEILLE_FAULT_AT"] = job["fault"]
                result = run(job)
            except BaseException:
                result, code = {"error": traceback.format_exc()}, 1
            Path(job["out"]).write_text(json.dumps(result), encoding="utf-8")
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        print(job["op"], job.get("fault"), round(time.monotonic() - started, 2), file=sys.stderr)
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        print(json.dumps({"signal": sig, "code": os.waitstatus_to_exitcode(status)}), flush=True)
    """
)


class Driver:
    """Runs jobs in forked children of one warmed-up process."""

    def __init__(self, workdir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
        env.update(HOME=str(workdir / "home"), PYTHONPATH=str(ROOT))
        (workdir / "home").mkdir(exist_ok=True)
        self.workdir = workdir
        self.jobs = 0
        self.process = subprocess.Popen(
            [sys.executable, "-c", DRIVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )

    def run(self, **job: Any) -> tuple[int, dict[str, Any]]:
        """(signal that ended the child or 0, its result)."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.jobs += 1
        out = self.workdir / f"job-{self.jobs}.json"
        out.unlink(missing_ok=True)
        self.process.stdin.write(json.dumps({**job, "out": str(out)}) + "\n")
        self.process.stdin.flush()
        status = json.loads(self.process.stdout.readline())
        result = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        return int(status["signal"]), result

    def ok(self, **job: Any) -> dict[str, Any]:
        """Run a job that must succeed."""
        sig, result = self.run(**job)
        assert sig == 0, f"killed by signal {sig}"
        assert "error" not in result, result.get("error")
        return result

    def close(self) -> None:
        """Stop the driver."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _write_corpus(folder: Path, files: dict[str, str]) -> None:
    for old in folder.iterdir():
        old.unlink()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


class World:
    """The driver, the corpus folder (always at the same path, so chunk ids can be compared),
    a store of its first version, and the snapshot of a clean build of its second."""

    def __init__(self, driver: Driver, base: Path) -> None:
        self.driver = driver
        self.base = base
        self.corpus = base / "corpus"
        self.corpus.mkdir()
        self.v1_store = base / "v1-store"
        self.clean_store = base / "clean-store"
        _write_corpus(self.corpus, V1)
        self.ingest(self.v1_store)
        _write_corpus(self.corpus, V2)
        self.ingest(self.clean_store)
        self.clean = self.snapshot(self.clean_store)
        self.cases = 0

    def ingest(self, data: Path, *, fault: str | None = None, rebuild: bool = False) -> int:
        sig, result = self.driver.run(
            op="ingest", data=str(data), paths=[str(self.corpus)], fault=fault, rebuild=rebuild
        )
        assert "error" not in result, result.get("error")
        return sig

    def snapshot(self, data: Path) -> dict[str, Any]:
        return self.driver.ok(
            op="snapshot", data=str(data), questions=[*QUESTIONS, REMOVED_QUESTION]
        )

    def copy_of(self, store: Path) -> Path:
        self.cases += 1
        data = self.base / f"case-{self.cases}"
        shutil.copytree(store, data)
        return data

    def assert_clean(self, data: Path) -> None:
        got = self.snapshot(data)
        assert got["keyword_fresh"], "the saved keyword index is not stamped with the store"
        for key in ("chunk_ids", "keyword_ids", "records", "documents", "answers"):
            assert got[key] == self.clean[key], key
        assert got["chunk_ids"] == got["keyword_ids"] == got["records"]
        assert got["answers"][-1]["refused"], "a question about the removed document"
        assert got["collections"] == ["", "_documents"], "another generation was left"
        assert got["leftovers"] == [], "a temporary was left"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("faults")
    driver = Driver(base)
    try:
        yield World(driver, base)
    finally:
        driver.close()


def test_the_clean_build_answers_and_refuses_as_expected(world: World):
    answers = world.clean["answers"]
    assert "40" in answers[0]["text"]
    assert "9 millions" in answers[1]["text"]
    assert "2018" in answers[2]["text"]
    assert not any(a["refused"] for a in answers[:4])
    assert answers[4]["refused"]
    assert len(world.clean["chunk_ids"]) == len(V2)


@pytest.mark.parametrize("step", SYNC_STEPS)
def test_a_sync_killed_at_any_step_is_repaired_by_the_next_run(world: World, step: str):
    data = world.copy_of(world.v1_store)
    assert world.ingest(data, fault=step) == signal.SIGKILL, f"step {step} was never reached"
    assert world.ingest(data) == 0
    world.assert_clean(data)


@pytest.mark.parametrize("step", REBUILD_STEPS)
def test_a_rebuild_killed_at_any_step_leaves_a_store_the_next_run_makes_right(
    world: World, step: str
):
    data = world.copy_of(world.clean_store)
    assert world.ingest(data, fault=step, rebuild=True) == signal.SIGKILL, step
    # Old or new store, never half of each: a reader answers as the clean build does.
    assert world.snapshot(data)["answers"] == world.clean["answers"]
    assert world.ingest(data) == 0
    world.assert_clean(data)


@pytest.mark.parametrize("step", ["before-swap", "after-swap"])
def test_a_rebuild_killed_at_the_swap_can_be_run_again(world: World, step: str):
    data = world.copy_of(world.clean_store)
    assert world.ingest(data, fault=step, rebuild=True) == signal.SIGKILL
    assert world.ingest(data, rebuild=True) == 0
    world.assert_clean(data)


def test_a_deleted_chroma_folder_is_rebuilt_from_the_folder(world: World):
    data = world.copy_of(world.v1_store)
    shutil.rmtree(data / "chroma")
    assert world.ingest(data) == 0
    world.assert_clean(data)


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_a_damaged_keyword_index_is_rebuilt_in_memory_by_readers_and_saved_by_the_writer(
    world: World, damage: str
):
    data = world.copy_of(world.clean_store)
    (index,) = data.glob("bm25-*/index.npz")
    if damage == "deleted":
        shutil.rmtree(index.parent)
    else:
        index.write_bytes(index.read_bytes()[: index.stat().st_size // 2])
    got = world.snapshot(data)
    assert got["answers"] == world.clean["answers"]
    assert not got["keyword_fresh"]  # a reader never saves
    assert world.ingest(data) == 0
    world.assert_clean(data)


def test_a_crash_then_a_damaged_keyword_index_is_still_repaired(world: World):
    data = world.copy_of(world.v1_store)
    assert world.ingest(data, fault="after-records") == signal.SIGKILL
    for index in data.glob("bm25-*/index.npz"):
        index.write_bytes(b"PK\x03\x04 truncated")
    assert world.ingest(data) == 0
    world.assert_clean(data)


def test_the_cli_dies_at_the_named_step_and_its_next_run_repairs(world: World):
    data = world.copy_of(world.v1_store)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env.update(VEILLE_DATA_DIR=str(data), HOME=str(world.base / "home"))
    cli = [sys.executable, "-m", "tui.cli", "ingest", "--quiet", str(world.corpus)]
    killed = subprocess.run(
        cli, env={**env, "VEILLE_FAULT_AT": "after-vectors"}, cwd=ROOT, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    again = subprocess.run(cli, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    world.assert_clean(data)
