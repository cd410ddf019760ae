"""Sync folders into the store: add new files, replace changed ones, remove deleted ones.

The chunk vectors go through LangChain's indexing API (`index()` with a `SQLRecordManager`,
sha256 keys, incremental cleanup keyed by document), so unchanged chunks are never re-embedded
and a changed file's old chunks disappear. Files whose bytes did not change are recognised by
their sha256 before they are even parsed, which keeps a re-ingest of a large folder near-instant.
Bad files are skipped with a reason and never remove what was indexed before; so are the
documents of a folder that cannot be read. The whole run holds the data directory's write lock,
starts by repairing derived state from the chunk collection (`ingest.reconcile`), and stamps
the keyword index with the collection's write counter at the end (`assistant.state`). A
rebuild writes a new generation of collections and swaps it in only once it is complete.
`fault_point` calls mark the steps a crash test kills the writer at.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import duplicates, facts, state
from assistant.derived import facts_db
from assistant.faults import fault_point
from assistant.keyword import KeywordIndex
from assistant.lock import writer_lock
from assistant.state import drop_generation
from assistant.store import (
    DocumentRecord,
    Store,
    StoreEmptyError,
    keyword_dir,
    make_client,
    record_manager,
)
from assistant.types import IngestReport, SkippedFile
from ingest.chunking import chunk_text
from ingest.files import walk
from ingest.loaders import SUPPORTED_SUFFIXES, SkipFileError, load_file
from ingest.metadata import chunk_metadata, extract_metadata
from ingest.plan import IngestError, Plan, plan_paths, stored_roots, under
from ingest.reconcile import clear_records, reconcile, remove_leftovers

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_classic.indexes import SQLRecordManager
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings

    from assistant.settings import Settings

__all__ = ["SAMPLE_CORPUS", "IngestError", "Progress", "ingest_paths", "rebuild_store"]

SAMPLE_CORPUS = Path(__file__).parent / "sample_corpus"

Progress = Callable[[int, int, str], None]
"""Called as progress(files_done, files_total, current_file_name)."""

FILES_PER_BATCH = 16


@dataclass
class _Tally:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    chunks_added: int = 0
    chunks_deleted: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    notes: list[SkippedFile] = field(default_factory=list)
    follow_links: bool = False  # the run's option, read by the folder walk


def ingest_paths(
    paths: list[Path],
    *,
    settings: Settings,
    embeddings: Embeddings | None = None,
    store: Store | None = None,
    allow_empty: bool = False,
    rebuild: bool = False,
    follow_links: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Sync each folder (or file) in `paths` into the store.

    Every run first repairs the store's derived state from its chunk collection (see
    `ingest.reconcile`). A path given twice, or inside another given folder, is synced once.

    Args:
        paths: Folders or files; a folder's documents are named relative to it. With
            `rebuild`, empty means every folder the store holds.
        settings: The configuration.
        embeddings: The embedding model (default: from settings).
        store: An open store whose client to use (default: a client from settings).
        allow_empty: Let a folder with no documents remove what was indexed from it.
        rebuild: Index everything again into a new generation of the store, swapped in
            only once complete (after a model or chunker change); documents of folders not
            rebuilt are reported as deleted.
        follow_links: Follow symlinks that point out of an ingested folder (by default they
            are skipped, and said so: a link into ~/.ssh must not be indexed unasked).
        progress: Called after each file.

    Raises:
        IngestError: A path is missing, or a run would empty the store without `allow_empty`.
        StoreBusyError: Another process is writing.
        StoreMismatchError: The store was built with other settings (and not `rebuild`).
    """
    started = time.perf_counter()
    plan = plan_paths(paths)
    if not plan and not rebuild:
        msg = "no folder or file to ingest"
        raise IngestError(msg)
    with writer_lock(settings.data_dir):
        if embeddings is None:
            from assistant.embeddings import make_embeddings

            embeddings = make_embeddings(settings)
        client = store.client if store is not None else make_client(settings, create=True)
        live = state.live_name(client, settings.store.collection)
        remove_leftovers(settings, client, live)
        tally = _Tally(follow_links=follow_links)
        if rebuild:
            rebuild_store(plan, settings, embeddings, client, live, tally, allow_empty, progress)
        else:
            writer = Store(settings, embeddings, client=client, create=True)
            _write(writer, plan, tally, allow_empty, progress, repair=True)
    return IngestReport(
        added=tally.added,
        updated=tally.updated,
        deleted=tally.deleted,
        unchanged=tally.unchanged,
        skipped=tuple(tally.skipped),
        notes=tuple(tally.notes),
        chunks_added=tally.chunks_added,
        chunks_deleted=tally.chunks_deleted,
        seconds=time.perf_counter() - started,
    )


def _write(
    store: Store,
    plan: Plan,
    tally: _Tally,
    allow_empty: bool,
    progress: Progress | None,
    *,
    repair: bool,
) -> None:
    """One write to one generation: mark it dirty, repair, sync, save derived state, mark clean."""
    manager = record_manager(store.settings, store.name)
    keywords = KeywordIndex(store.keyword_dir)
    seq = store.begin_write()
    if repair:
        reconcile(store, manager, keywords)
        fault_point("after-reconcile")
    for root, files in plan:
        _sync_root(root, files, store, manager, keywords, tally, allow_empty, progress)
    fault_point("before-keywords-save")
    keywords.stamp = state.Stamp(str(store.chunks.id), seq + 1)
    keywords.save()
    fault_point("after-keywords-save")
    facts.update(store, keywords.stamp)  # figures and dates, for `veille figures`/`timeline`
    duplicates.update(store, keywords.stamp)  # near-copy groups, one result per group
    store.end_write(seq)
    fault_point("after-end")


def rebuild_store(
    plan: Plan,
    settings: Settings,
    embeddings: Embeddings,
    client: ClientAPI,
    live: str,
    tally: _Tally,
    allow_empty: bool,
    progress: Progress | None,
) -> None:
    """Build the next generation from scratch beside the live one, then swap it in.

    A crash before the swap leaves the live store untouched (the half-built generation is
    removed by the next run); a crash after it leaves the new one, complete.
    """
    base = settings.store.collection
    try:
        old: dict[str, DocumentRecord] = Store(
            settings, embeddings, client=client, name=live, check=False
        ).documents_under()
    except StoreEmptyError:
        old = {}
    if not plan:
        plan = stored_roots(old, tally.skipped)
    new_name = state.generation_name(base, state.generation(base, live) + 1)
    drop_generation(client, new_name)
    clear_records(record_manager(settings, new_name))
    fresh = Store(settings, embeddings, client=client, create=True, name=new_name)
    fault_point("rebuild-created")
    _write(fresh, plan, tally, allow_empty, progress, repair=False)
    fault_point("before-swap")
    state.set_live(client, base, new_name)
    fault_point("after-swap")
    kept = fresh.documents_under()
    tally.deleted += len(old.keys() - kept.keys())
    tally.chunks_deleted += sum(r.chunks for r in old.values())
    drop_generation(client, live)
    shutil.rmtree(keyword_dir(settings, live), ignore_errors=True)
    facts_db(settings, live).unlink(missing_ok=True)
    duplicates.duplicates_path(settings, live).unlink(missing_ok=True)
    clear_records(record_manager(settings, live))
    fault_point("after-drop-old")


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
    unreadable: list[Path] = []
    if files is None:
        found = walk(root, follow_links=tally.follow_links)
        candidates, unreadable = found.files, found.unreadable
        tally.skipped.extend(s for s in found.skipped if Path(root, s.path) not in unreadable)
    else:
        candidates = files
    # Every document under this folder, whichever root it was ingested from (nested roots).
    known = {d: r for d, r in store.documents_under().items() if under(d, root)}
    present = [p for p in candidates if p.suffix.lower() in SUPPORTED_SUFFIXES]
    if whole_folder and not present and not unreadable and known and not allow_empty:
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
        for folder in unreadable:
            kept = sum(1 for d in known if under(d, folder))
            rel = folder.relative_to(root).as_posix() if folder != root else "."
            tally.skipped.append(
                SkippedFile(rel, f"folder cannot be read: its {kept} indexed documents are kept")
            )
        gone = [
            doc_id
            for doc_id in known
            if doc_id not in seen and not any(under(doc_id, u) for u in unreadable)
        ]
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
    if loaded.encoding_note:
        tally.notes.append(SkippedFile(rel, loaded.encoding_note))
    record = DocumentRecord(
        doc_id=doc_id,
        source=rel,
        root=root,
        sha256=digest,
        chunks=0,
        **extract_metadata(loaded).record_fields(),
    )
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
                    **chunk_metadata(record.title, record.date),
                },
            )
            for c in chunks
        )
        records.append(
            (
                dataclasses.replace(record, chunks=len(chunks)),
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
    fault_point("after-records")
    after = set(manager.list_keys(group_ids=doc_ids))
    added_ids = sorted(after - before)
    keywords.update(store.get_chunks(added_ids).values(), before - after)
    # Texts are written after their chunks so a crash in between leaves the old text, whose
    # sha256 then differs from the file's and makes the next run index the file again.
    for record, text, existed in records:
        store.put_document(record, text)
        if existed:
            tally.updated += 1
        else:
            tally.added += 1
        fault_point("after-text")
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
        fault_point("after-delete-records")
    keywords.update((), keys)
    store.delete_documents(doc_ids)
    fault_point("after-delete-texts")
    tally.deleted += len(doc_ids)
    tally.chunks_deleted += len(keys)
