"""Sync folders into the store: add new files, replace changed ones, remove deleted ones.

The chunk vectors go through LangChain's indexing API (`index()` with a `SQLRecordManager`,
sha256 keys, incremental cleanup keyed by document), so unchanged chunks are never re-embedded
and a changed file's old chunks disappear. Files whose bytes did not change are recognised by
their sha256 before they are even parsed, which keeps a re-ingest of a large folder near-instant.
Bad files are skipped with a reason and never remove what was indexed before. The whole run
holds the data directory's write lock.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import VeilleError
from assistant.keyword import KeywordIndex
from assistant.lock import writer_lock
from assistant.store import (
    DocumentRecord,
    Store,
    drop_store,
    keyword_index,
    make_client,
    record_manager,
)
from assistant.types import IngestReport, SkippedFile
from ingest.chunking import chunk_text
from ingest.files import walk
from ingest.loaders import SUPPORTED_SUFFIXES, SkipFileError, load_file

if TYPE_CHECKING:
    from langchain_classic.indexes import SQLRecordManager
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings

    from assistant.settings import Settings

SAMPLE_CORPUS = Path(__file__).parent / "sample_corpus"

Progress = Callable[[int, int, str], None]
"""Called as progress(files_done, files_total, current_file_name)."""

FILES_PER_BATCH = 16


class IngestError(VeilleError):
    """The run cannot start (missing folder, refusing to empty the store); nothing was changed."""


@dataclass
class _Tally:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    chunks_added: int = 0
    chunks_deleted: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)


def ingest_paths(
    paths: list[Path],
    *,
    settings: Settings,
    embeddings: Embeddings | None = None,
    store: Store | None = None,
    allow_empty: bool = False,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Sync each folder (or file) in `paths` into the store.

    Args:
        paths: Folders or files; a folder's documents are named relative to it.
        settings: The configuration.
        embeddings: The embedding model (default: from settings).
        store: An open store (default: opened, or created, from settings).
        allow_empty: Let a folder with no documents remove what was indexed from it.
        rebuild: Drop the store and index everything again (after a model change).
        progress: Called after each file.

    Raises:
        IngestError: A path is missing, or a run would empty the store without `allow_empty`.
        StoreBusyError: Another process is writing.
        StoreMismatchError: The store was built with other settings (and not `rebuild`).
    """
    started = time.perf_counter()
    roots = [_check_path(p) for p in paths]
    with writer_lock(settings.data_dir):
        if embeddings is None:
            from assistant.embeddings import make_embeddings

            embeddings = make_embeddings(settings)
        manager = record_manager(settings)
        keywords = keyword_index(settings)
        if rebuild:
            client = store.client if store is not None else make_client(settings)
            drop_store(client, settings.store.collection)
            manager.delete_keys(manager.list_keys())
            store = None
            keywords = KeywordIndex(keywords.directory)
            keywords.update((), (), store_count=0)
        if store is None:
            store = Store(settings, embeddings, create=True)
        keywords.ensure_fresh(store)
        tally = _Tally()
        for root, files in roots:
            _sync_root(root, files, store, manager, keywords, tally, allow_empty, progress)
        keywords.store_count = store.count()
        keywords.save()
    return IngestReport(
        added=tally.added,
        updated=tally.updated,
        deleted=tally.deleted,
        unchanged=tally.unchanged,
        skipped=tuple(tally.skipped),
        chunks_added=tally.chunks_added,
        chunks_deleted=tally.chunks_deleted,
        seconds=time.perf_counter() - started,
    )


def _check_path(path: Path) -> tuple[Path, list[Path] | None]:
    """(root, explicit files or None for "walk the folder"), or IngestError."""
    resolved = path.expanduser().resolve()
    if not resolved.exists():
        msg = f"{path}: no such file or folder"
        raise IngestError(msg)
    if resolved.is_file():
        return resolved.parent, [resolved]
    return resolved, None


def _sync_root(
    root: Path,
    files: list[Path] | None,
    store: Store,
    manager: SQLRecordManager,
    keywords: KeywordIndex,
    tally: _Tally,
    allow_empty: bool,
    progress: Progress | None,
) -> None:
    whole_folder = files is None
    candidates = walk(root).files if files is None else files
    known = store.documents_under(str(root))
    present = [p for p in candidates if p.suffix.lower() in SUPPORTED_SUFFIXES]
    if whole_folder and not present and known and not allow_empty:
        msg = (
            f"{root} holds no supported documents; refusing to remove the {len(known)} "
            "documents indexed from it (pass --prune to remove them)"
        )
        raise IngestError(msg)
    max_bytes = int(store.settings.ingest.max_file_mb * 1e6)
    pending: list[tuple[DocumentRecord, str, bool]] = []
    seen: set[str] = set()
    for i, path in enumerate(candidates, 1):
        rel = path.relative_to(root).as_posix()
        doc_id = str(path)
        seen.add(doc_id)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            tally.skipped.append(
                SkippedFile(rel, f"unsupported file type {path.suffix or '(none)'}")
            )
        else:
            _prepare(path, rel, str(root), known, max_bytes, pending, tally)
        if len(pending) >= FILES_PER_BATCH:
            _index_batch(pending, store, manager, keywords, tally)
            pending = []
        if progress is not None:
            progress(i, len(candidates), rel)
    if pending:
        _index_batch(pending, store, manager, keywords, tally)
    if whole_folder:
        gone = [doc_id for doc_id in known if doc_id not in seen]
        _delete_documents(gone, store, manager, keywords, tally)


def _prepare(
    path: Path,
    rel: str,
    root: str,
    known: dict[str, DocumentRecord],
    max_bytes: int,
    pending: list[tuple[DocumentRecord, str, bool]],
    tally: _Tally,
) -> None:
    doc_id = str(path)
    try:
        size = path.stat().st_size
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if 0 < size <= max_bytes else ""
    except OSError as exc:
        tally.skipped.append(SkippedFile(rel, f"cannot read: {exc.strerror}"))
        return
    previous = known.get(doc_id)
    if previous is not None and digest and previous.sha256 == digest:
        tally.unchanged += 1
        return
    try:
        loaded = load_file(path, max_bytes=max_bytes)
    except SkipFileError as exc:
        kept = " (previous version kept)" if previous is not None else ""
        tally.skipped.append(SkippedFile(rel, f"{exc}{kept}"))
        return
    record = DocumentRecord(doc_id=doc_id, source=rel, root=root, sha256=digest, chunks=0)
    pending.append((record, loaded.text, previous is not None))


def _index_batch(
    pending: list[tuple[DocumentRecord, str, bool]],
    store: Store,
    manager: SQLRecordManager,
    keywords: KeywordIndex,
    tally: _Tally,
) -> None:
    from langchain_core.documents import Document
    from langchain_core.indexing import index

    settings = store.settings
    docs: list[Document] = []
    records: list[tuple[DocumentRecord, str, bool]] = []
    for record, text, existed in pending:
        chunks = chunk_text(
            text,
            source=record.source,
            doc_id=record.doc_id,
            chunk_size=settings.ingest.chunk_size,
            overlap=settings.ingest.chunk_overlap,
        )
        docs.extend(
            Document(
                page_content=c.text,
                metadata={
                    "source": c.source,
                    "doc_id": c.doc_id,
                    "root": record.root,
                    "start": c.start,
                    "end": c.end,
                },
            )
            for c in chunks
        )
        records.append(
            (
                DocumentRecord(
                    record.doc_id, record.source, record.root, record.sha256, len(chunks)
                ),
                text,
                existed,
            )
        )
    doc_ids = [r.doc_id for r, _, _ in records]
    before = set(manager.list_keys(group_ids=doc_ids))
    result = index(
        docs,
        manager,
        store.vectorstore,
        cleanup="incremental",
        source_id_key="doc_id",
        key_encoder="sha256",
        batch_size=max(len(docs), 1),
    )
    after = set(manager.list_keys(group_ids=doc_ids))
    added_ids = sorted(after - before)
    keywords.update(store.get_chunks(added_ids).values(), before - after, store_count=store.count())
    # Texts are written after their chunks so a crash in between leaves the old text, whose
    # sha256 then differs from the file's and makes the next run index the file again.
    for record, text, existed in records:
        store.put_document(record, text)
        if existed:
            tally.updated += 1
        else:
            tally.added += 1
    tally.chunks_added += int(result["num_added"])
    tally.chunks_deleted += int(result["num_deleted"])


def _delete_documents(
    doc_ids: list[str],
    store: Store,
    manager: SQLRecordManager,
    keywords: KeywordIndex,
    tally: _Tally,
) -> None:
    if not doc_ids:
        return
    keys = manager.list_keys(group_ids=doc_ids)
    if keys:
        store.vectorstore.delete(ids=keys)
        manager.delete_keys(keys)
    keywords.update((), keys, store_count=store.count())
    store.delete_documents(doc_ids)
    tally.deleted += len(doc_ids)
    tally.chunks_deleted += len(keys)
