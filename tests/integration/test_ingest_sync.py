"""Ingest syncs a folder into a real embedded Chroma with the real e5 model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.embeddings import E5Embeddings
from assistant.lock import StoreBusyError, writer_lock
from assistant.settings import load_settings
from assistant.store import Store, StoreMismatchError
from ingest.sync import IngestError, ingest_paths

pytestmark = pytest.mark.integration


def _corpus(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    (docs / "hema.txt").write_text(
        "Hema a ouvert 22 magasins en Chine. Son application catalogue 3 000 références.",
        encoding="utf-8",
    )
    (docs / "jd.md").write_text("# JD.com\n\nJD.com a lancé 7Fresh en 2018.", encoding="utf-8")
    return docs


class CountingE5(E5Embeddings):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return super().embed_documents(texts)


def test_second_run_adds_nothing_and_embeds_nothing(tmp_path: Path):
    docs = _corpus(tmp_path)
    settings = load_settings()
    emb = CountingE5()
    first = ingest_paths([docs], settings=settings, embeddings=emb)
    assert (first.added, first.skipped) == (2, ())
    embedded = emb.calls
    assert embedded == first.chunks_added > 0
    second = ingest_paths([docs], settings=settings, embeddings=emb)
    assert (second.added, second.updated, second.deleted, second.unchanged) == (0, 0, 0, 2)
    assert emb.calls == embedded
    assert second.summary().startswith("0 added, 0 updated, 0 deleted, 0 skipped")


def test_changed_file_replaces_its_chunks_and_deleted_file_is_removed(tmp_path: Path):
    docs = _corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    (docs / "hema.txt").write_text("Hema compte désormais 40 magasins.", encoding="utf-8")
    (docs / "jd.md").unlink()
    report = ingest_paths([docs], settings=settings, embeddings=emb)
    assert (report.added, report.updated, report.deleted) == (0, 1, 1)
    store = Store(settings, emb)
    texts = [c.text for c in store.iter_chunks()]
    assert texts == ["Hema compte désormais 40 magasins."]
    assert store.document_count() == 1
    assert store.document_text(str(docs / "hema.txt")) == "Hema compte désormais 40 magasins."


def test_bad_files_are_skipped_with_reasons_and_the_run_goes_on(tmp_path: Path):
    docs = _corpus(tmp_path)
    (docs / "empty.txt").write_bytes(b"")
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (docs / "huge.txt").write_text("x" * 3000, encoding="utf-8")
    (docs / "notes.docx").write_bytes(b"PK\x03\x04")
    settings = load_settings()
    settings = settings.with_section("ingest", max_file_mb=0.002)
    report = ingest_paths([docs], settings=settings, embeddings=E5Embeddings())
    reasons = {s.path: s.reason for s in report.skipped}
    assert report.added == 2
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["image.txt"]
    assert "PDF" in reasons["broken.pdf"]
    assert "too large" in reasons["huge.txt"]
    assert "unsupported" in reasons["notes.docx"]
    assert "5 skipped" in report.summary()


def test_a_file_that_turns_bad_keeps_its_previous_version(tmp_path: Path):
    docs = _corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    (docs / "hema.txt").write_bytes(b"\x00\x01\x02binary now")
    report = ingest_paths([docs], settings=settings, embeddings=emb)
    assert "previous version kept" in report.skipped[0].reason
    assert any("22 magasins" in c.text for c in Store(settings, emb).iter_chunks())


def test_missing_or_emptied_folder_never_wipes_the_store(tmp_path: Path):
    docs = _corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    with pytest.raises(IngestError, match="no such file"):
        ingest_paths([tmp_path / "nope"], settings=settings, embeddings=emb)
    for f in docs.iterdir():
        f.unlink()
    with pytest.raises(IngestError, match="refusing to remove the 2 documents"):
        ingest_paths([docs], settings=settings, embeddings=emb)
    assert Store(settings, emb).document_count() == 2
    report = ingest_paths([docs], settings=settings, embeddings=emb, allow_empty=True)
    assert report.deleted == 2
    assert Store(settings, emb).count() == 0


def test_manifest_mismatch_is_refused_naming_both_values(tmp_path: Path):
    docs = _corpus(tmp_path)
    settings = load_settings()
    ingest_paths([docs], settings=settings, embeddings=E5Embeddings())
    other = settings.with_section("ingest", chunk_size=300)
    with pytest.raises(StoreMismatchError, match=r"chunk_size=700.*chunk_size=300.*--rebuild"):
        Store(other, E5Embeddings())
    report = ingest_paths([docs], settings=other, embeddings=E5Embeddings(), rebuild=True)
    assert report.added == 2
    assert Store(other, E5Embeddings()).manifest()["chunk_size"] == 300


def test_second_writer_is_refused_with_the_holders_pid(tmp_path: Path):
    data = load_settings().data_dir
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from assistant.lock import writer_lock\n"
                f"with writer_lock(Path({str(data)!r})):\n"
                "    print('locked', flush=True); time.sleep(30)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with (
            pytest.raises(StoreBusyError, match=f"store in use by PID {holder.pid}"),
            writer_lock(data),
        ):
            pass
        cli = subprocess.run(
            [sys.executable, "-m", "tui.cli", "ingest", str(_corpus(tmp_path))],
            capture_output=True,
            text=True,
            check=False,
        )
        assert cli.returncode == 1
        assert f"store in use by PID {holder.pid}" in cli.stderr
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    with writer_lock(data):  # released when the holder died
        pass


# -- derived state that must follow the chunk collection (issue 10) ----------------------------

QUESTION_ONLY_Y = "Combien Pinduoduo a-t-il levé ?"


def _other_corpus(root: Path) -> Path:
    other = root / "other"
    other.mkdir()
    (other / "pdd.txt").write_text(
        "Pinduoduo a levé 1,6 milliard de dollars lors de son introduction.", encoding="utf-8"
    )
    return other


def _forget_open_clients() -> None:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _keyword_ids(settings) -> set[str]:
    from assistant.keyword import KeywordIndex

    store = Store(settings, E5Embeddings())
    saved = KeywordIndex(store.keyword_dir)
    assert saved.stamp == store.stamp(), "the saved keyword index is not stamped fresh"
    return set(saved.ids)


def _chunk_ids(settings) -> set[str]:
    return {c.chunk_id for c in Store(settings, E5Embeddings()).iter_chunks()}


def _ask(settings, question: str):
    from assistant.answer import Assistant

    return Assistant(settings.with_mode("extractive"), embeddings=E5Embeddings()).ask(question)


def test_a_lost_chroma_folder_is_embedded_again_not_trusted_from_the_records(tmp_path: Path):
    docs = _corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    first = ingest_paths([docs], settings=settings, embeddings=emb)
    shutil.rmtree(settings.chroma_dir)
    _forget_open_clients()  # as a new process would
    again = ingest_paths([docs], settings=settings, embeddings=emb)
    assert (again.added, again.chunks_added) == (2, first.chunks_added)
    store = Store(settings, emb)
    assert (store.document_count(), store.count()) == (2, first.chunks_added)
    assert _keyword_ids(settings) == _chunk_ids(settings)
    assert "22" in _ask(settings, "Combien de magasins Hema a-t-il ouverts ?").text


def test_rebuild_of_one_folder_drops_the_others_from_store_and_keyword_index(tmp_path: Path):
    docs, other = _corpus(tmp_path), _other_corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    ingest_paths([other], settings=settings, embeddings=emb)
    assert not _ask(settings, QUESTION_ONLY_Y).refused
    report = ingest_paths([docs], settings=settings, embeddings=emb, rebuild=True)
    assert (report.added, report.deleted) == (2, 1)  # the other folder's document, reported
    assert _keyword_ids(settings) == _chunk_ids(settings)
    assert _ask(settings, QUESTION_ONLY_Y).refused


def test_a_bare_rebuild_reindexes_every_folder_the_store_holds(tmp_path: Path):
    docs, other = _corpus(tmp_path), _other_corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    ingest_paths([other], settings=settings, embeddings=emb)
    before = _chunk_ids(settings)
    report = ingest_paths([], settings=settings, embeddings=emb, rebuild=True)
    assert (report.added, report.deleted) == (3, 0)
    assert _chunk_ids(settings) == before == _keyword_ids(settings)
    assert not _ask(settings, QUESTION_ONLY_Y).refused


def test_keyword_index_is_repaired_when_an_edit_kept_the_chunk_count(tmp_path, monkeypatch):
    from assistant.keyword import KeywordIndex

    docs = _corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    count = Store(settings, emb).count()
    (docs / "hema.txt").write_text("Hema a ouvert 40 magasins à Wuhan.", encoding="utf-8")

    def crash(self: KeywordIndex) -> None:
        raise KeyboardInterrupt  # the run dies after the vectors, before the index is saved

    with monkeypatch.context() as m:
        m.setattr(KeywordIndex, "save", crash)
        with pytest.raises(KeyboardInterrupt):
            ingest_paths([docs], settings=settings, embeddings=emb)
    assert Store(settings, emb).count() == count  # the same count: a count cannot see it
    assert "Wuhan" in _ask(settings, "Combien de magasins Hema a-t-il à Wuhan ?").text
    ingest_paths([docs], settings=settings, embeddings=emb)
    assert _keyword_ids(settings) == _chunk_ids(settings)


def test_leftover_keyword_index_temporaries_are_no_error(tmp_path: Path):
    docs = _corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    index_dir = Store(settings, emb).keyword_dir
    old = index_dir.with_name(index_dir.name + ".old")
    old.mkdir()
    (old / "meta.json").write_text("{}", encoding="utf-8")
    temp = settings.data_dir / ".bm25-crashed"
    temp.mkdir()
    (temp / "terms.npy").write_bytes(b"\x00" * 10)
    (index_dir / ".index-crashed.tmp").write_bytes(b"half")
    assert "22" in _ask(settings, "Combien de magasins Hema a-t-il ouverts ?").text
    ingest_paths([docs], settings=settings, embeddings=emb)
    assert not old.exists()
    assert not temp.exists()
    assert sorted(p.name for p in index_dir.iterdir()) == ["index.npz"]


def test_a_file_removed_under_a_nested_root_is_removed_from_the_store(tmp_path: Path):
    docs = _corpus(tmp_path)
    sub = docs / "sub"
    sub.mkdir()
    (sub / "s.txt").write_text("Zorglub vend des parapluies violets.", encoding="utf-8")
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    ingest_paths([sub], settings=settings, embeddings=emb)
    (sub / "s.txt").unlink()
    report = ingest_paths([docs], settings=settings, embeddings=emb)
    assert report.deleted == 1
    assert str(sub / "s.txt") not in Store(settings, emb).documents_under()
    assert _ask(settings, "Que vend Zorglub ?").refused


def test_a_path_given_twice_is_counted_once(tmp_path: Path):
    docs = _corpus(tmp_path)
    report = ingest_paths([docs, docs], settings=load_settings(), embeddings=E5Embeddings())
    assert report.summary().startswith("2 added, 0 updated, 0 deleted, 0 skipped (0 unchanged")


def test_an_unreadable_folder_keeps_its_documents_and_says_why(tmp_path, monkeypatch):
    import ingest.sync
    from ingest.files import WalkResult

    docs = _corpus(tmp_path)
    sub = docs / "private"
    sub.mkdir()
    (sub / "secret.txt").write_text("Zorglub vend des parapluies violets.", encoding="utf-8")
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    if os.geteuid() == 0:  # root reads through chmod 000: simulate what walk() reports
        real_walk = ingest.sync.walk

        def walk(root: Path, **kwargs):
            found = real_walk(root, **kwargs)
            files = [f for f in found.files if not f.is_relative_to(sub)]
            return WalkResult(files, list(found.skipped), [sub])

        monkeypatch.setattr(ingest.sync, "walk", walk)
    else:
        sub.chmod(0)
    try:
        report = ingest_paths([docs], settings=settings, embeddings=emb)
    finally:
        sub.chmod(0o755)
    assert report.deleted == 0
    reasons = {s.path: s.reason for s in report.skipped}
    assert "kept" in reasons["private"]
    assert str(sub / "secret.txt") in Store(settings, emb).documents_under()


def _tree(data: Path) -> dict[str, tuple[int, int]]:
    """Every file Veille itself keeps in the data directory (Chroma's own files aside)."""
    return {
        str(p.relative_to(data)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in data.rglob("*")
        if p.is_file() and "chroma" not in p.relative_to(data).parts
    }


def test_readers_never_write_not_even_a_stale_keyword_index(tmp_path: Path):
    from assistant.state import store_collections

    docs = _corpus(tmp_path)
    settings = load_settings()
    emb = E5Embeddings()
    ingest_paths([docs], settings=settings, embeddings=emb)
    index_dir = Store(settings, emb).keyword_dir
    shutil.rmtree(index_dir)
    before = _tree(settings.data_dir)
    collections = store_collections(Store(settings, emb).client, "veille")
    answer = _ask(settings, "Combien de magasins Hema a-t-il ouverts ?")  # rebuilt in memory
    assert "22" in answer.text
    assert not index_dir.exists()
    assert _tree(settings.data_dir) == before
    assert store_collections(Store(settings, emb).client, "veille") == collections


def test_a_reader_on_a_missing_store_creates_nothing(tmp_path: Path):
    from assistant.store import StoreEmptyError

    settings = load_settings()
    with pytest.raises(StoreEmptyError, match="veille ingest"):
        _ask(settings, "Combien de magasins Hema a-t-il ouverts ?")
    assert not settings.chroma_dir.exists()
