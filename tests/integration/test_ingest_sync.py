"""Ingest syncs a folder into a real embedded Chroma with the real e5 model."""

from __future__ import annotations

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
