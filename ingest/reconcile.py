"""The writer's repairs: make derived state agree with the chunk collection, and tidy leftovers.

The chunk collection is the source of truth. At the start of every ingest, under the write
lock, `reconcile` compares what the record manager, the BM25 index and the documents
collection believe with the collection's real chunk ids, and repairs each one: records for
vectors that are gone are dropped (so a lost or restored Chroma folder is re-embedded, never
silently trusted), vectors the records miss are recorded, a document whose chunk count is
wrong is marked for re-indexing, chunks of no document are removed, and the keyword index
gains and loses exactly the ids that differ. Counts are never trusted on their own: an edited
file can remove as many chunks as it adds.

`remove_leftovers` deletes what a crashed rebuild or keyword-index save can leave behind:
collections, BM25 folders and record namespaces of generations that are not live, and
temporary folders.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant import state
from assistant.derived import keyword_dir, record_manager

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_classic.indexes import SQLRecordManager

    from assistant.keyword import KeywordIndex
    from assistant.settings import Settings
    from assistant.store import Store


@dataclass(frozen=True, slots=True)
class Repairs:
    """What `reconcile` changed (all zero on a store whose derived state was right)."""

    orphan_chunks: int = 0
    records_dropped: int = 0
    records_added: int = 0
    documents_marked: int = 0
    keywords_dropped: int = 0
    keywords_added: int = 0

    def __bool__(self) -> bool:
        """True if anything was repaired."""
        return any(
            (
                self.orphan_chunks,
                self.records_dropped,
                self.records_added,
                self.documents_marked,
                self.keywords_dropped,
                self.keywords_added,
            )
        )


def reconcile(store: Store, manager: SQLRecordManager, keywords: KeywordIndex) -> Repairs:
    """Repair the record manager, the documents' chunk counts and the keyword index.

    Args:
        store: The live store, opened by the writer.
        manager: That store's record manager.
        keywords: That store's keyword index (repaired in memory; the caller saves it).

    Returns:
        What was repaired.
    """
    doc_of = store.chunk_doc_ids()
    documents = store.documents_under()
    # Chunks whose document has no record: a crash after the vectors of a new file, before
    # its text. Its next sync embeds it again; nothing could ever delete these otherwise.
    orphans = [cid for cid, doc_id in doc_of.items() if doc_id not in documents]
    if orphans:
        store.chunks.delete(ids=orphans)
        for cid in orphans:
            del doc_of[cid]
    keys = set(manager.list_keys())
    dropped = sorted(keys - doc_of.keys())
    if dropped:
        manager.delete_keys(dropped)
    missing = [cid for cid in doc_of if cid not in keys]
    if missing:
        manager.update(missing, group_ids=[doc_of[cid] for cid in missing])
    counts = Counter(doc_of.values())
    marked = 0
    for record in documents.values():
        if counts.get(record.doc_id, 0) != record.chunks and record.sha256:
            store.mark_stale(record)
            marked += 1
    indexed = set(keywords.ids)
    gone = indexed - doc_of.keys()
    new = sorted(doc_of.keys() - indexed)
    if gone or new:
        keywords.update(store.get_chunks(new).values(), gone)
    return Repairs(
        orphan_chunks=len(orphans),
        records_dropped=len(dropped),
        records_added=len(missing),
        documents_marked=marked,
        keywords_dropped=len(gone),
        keywords_added=len(new),
    )


def remove_leftovers(settings: Settings, client: ClientAPI, live: str) -> None:
    """Delete the state of every generation but the live one, and crashed saves' temporaries."""
    base = settings.store.collection
    for name in state.store_collections(client, base):
        if name.removesuffix("_documents") != live:
            client.delete_collection(name)
    live_dir = keyword_dir(settings, live)
    prefix, suffix = "bm25-", live_dir.name.removeprefix(f"bm25-{live}")
    if settings.data_dir.is_dir():
        for path in settings.data_dir.iterdir():
            name = path.name
            if name.startswith(".bm25-") or path == live_dir:
                if path != live_dir:
                    shutil.rmtree(path, ignore_errors=True)  # an old-format save's temporary
                continue
            stem = name.removesuffix(".old")
            if not (stem.startswith(prefix) and stem.endswith(suffix)):
                continue
            generation_name = stem[len(prefix) : len(stem) - len(suffix)]
            if state.generation(base, generation_name) >= 0:
                shutil.rmtree(path, ignore_errors=True)
    for number in range(state.generation(base, live) + 2):
        name = state.generation_name(base, number)
        if name != live:
            clear_records(record_manager(settings, name))


def clear_records(manager: SQLRecordManager) -> None:
    """Forget every record of one generation."""
    keys = manager.list_keys()
    if keys:
        manager.delete_keys(keys)
