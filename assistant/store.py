"""The Chroma store: chunk vectors, full document texts, and the manifest that guards them.

Two collections live side by side, embedded (`PersistentClient` in the data directory) or on a
Chroma server (`HttpClient`, when `store.chroma_url` is set): `<name>` holds chunk vectors and
their offsets, `<name>_documents` holds each document's full loaded text so that every citation
offset can be checked against it from any machine. The chunk collection's metadata is the
manifest (embedding model, dimension, chunker) and the write counter; opening a store built
differently is refused. Which generation of collections is live is `assistant.state`'s job.
A reader (`create=False`) never writes: it creates no collection and follows the live pointer
when a rebuild swaps in a new generation. Chroma's default embedding function is never used:
it would download a model at run time. Up to `store.exact_search_limit` chunks, the dense
search is exact, over the vectors read once per store version: Chroma's HNSW graph is rebuilt
at random on each start for the vectors added since it was last saved, so the same query could
rank differently from one run to the next.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from assistant import state
from assistant.chroma_client import StoreEmptyError, StoreError, StoreMismatchError, make_client
from assistant.derived import keyword_dir, keyword_index, record_manager
from assistant.embeddings import model_id
from assistant.faults import fault_point
from assistant.types import CHUNKER_VERSION, Chunk

if TYPE_CHECKING:
    from pathlib import Path

    import numpy.typing as npt
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    from assistant.settings import Settings

__all__ = [
    "DocumentRecord",
    "Store",
    "StoreEmptyError",
    "StoreError",
    "StoreMismatchError",
    "keyword_dir",
    "keyword_index",
    "make_client",
    "record_manager",
]

MANIFEST_CHECKED = ("embedding_model", "dimension", "chunker", "chunk_size", "chunk_overlap")
_T = TypeVar("_T")


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class DocumentRecord:
    """What the store knows of one ingested document."""

    doc_id: str
    source: str
    root: str
    sha256: str
    chunks: int
    # What the document says of itself (ingest/metadata.py); empty when unknown. `date` is ISO
    # cut to its precision ("2017-11-22", "2017-11", "2017"); `date_source` says where it came from.
    title: str = ""
    date: str = ""
    date_precision: str = ""
    date_source: str = ""
    language: str = ""


class Store:
    """Chunk vectors and document texts in Chroma, behind a manifest check."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings,
        *,
        client: ClientAPI | None = None,
        create: bool = False,
        name: str | None = None,
        check: bool = True,
    ) -> None:
        """Open the live store (or with `create=True`, as its writer, create what is missing).

        Args:
            settings: The configuration.
            embeddings: The embedding model (its id and dimension form the manifest).
            client: A Chroma client (default: from settings).
            create: Open as the writer: create missing collections, never follow the pointer.
            name: A given generation's chunk collection instead of the live one.
            check: Check the manifest against the settings.

        Raises:
            StoreMismatchError: The existing store was built with other settings.
            StoreEmptyError: No store exists and `create` is False.
        """
        self.settings = settings
        self.embeddings = embeddings
        self.client = client if client is not None else make_client(settings, create=create)
        self.base = settings.store.collection
        self.writer = create
        self._check = check
        self._follow = not create and name is None
        self._dimension: int | None = None
        self._vectorstore: Chroma | None = None
        self._vectors: tuple[state.Stamp, list[str], npt.NDArray[np.float32]] | None = None
        self.location = settings.store.chroma_url or str(settings.chroma_dir)
        self.name = ""
        self._open(name or state.live_name(self.client, self.base))

    def _open(self, name: str) -> None:
        chunks = state.get_collection(self.client, name)
        if chunks is None:
            if not self.writer:
                msg = "the store is empty: run `veille ingest` first"
                raise StoreEmptyError(msg)
            chunks = self.client.create_collection(
                name,
                embedding_function=None,
                metadata={**self.expected_manifest(), "hnsw:space": "cosine"},
            )
        elif self._check:
            self.check_manifest(dict(chunks.metadata or {}))
        documents = state.get_collection(self.client, state.documents_name(name))
        if documents is None:
            if not self.writer:
                msg = "the store is incomplete (no document texts): run `veille ingest PATH`"
                raise StoreEmptyError(msg)
            documents = self.client.create_collection(
                state.documents_name(name), embedding_function=None
            )
        self.name, self.chunks, self.documents = name, chunks, documents
        self._vectorstore = None

    def refresh(self) -> None:
        """A reader moves to the live generation if a rebuild swapped one in."""
        if self._follow:
            name = state.live_name(self.client, self.base)
            if name != self.name:
                self._open(name)

    def _read(self, call: Callable[[], _T]) -> _T:
        """Run a read; if it fails because a rebuild replaced the store, retry on the new one."""
        try:
            return call()
        except Exception:
            before = self.name
            if self._follow:
                self.refresh()
            if self.name == before:
                raise
            return call()

    def stamp(self) -> state.Stamp:
        """The chunk collection's current id and write counter (read afresh)."""
        self.refresh()
        if not self.writer:
            fresh = state.get_collection(self.client, self.name)
            if fresh is not None:
                self.chunks = fresh
        return state.stamp_of(self.chunks)

    def begin_write(self) -> int:
        """Mark the store as being changed (derived state is stale until `end_write`)."""
        seq = state.begin_write(self.chunks)
        fault_point("after-begin")
        return seq

    def end_write(self, seq: int) -> state.Stamp:
        """Mark the changes complete; derived state saved with the returned stamp is fresh."""
        stamp = state.Stamp(str(self.chunks.id), seq + 1)
        state.set_write_seq(self.chunks, seq + 1)
        return stamp

    @property
    def keyword_dir(self) -> Path:
        """Where this generation's BM25 index lives."""
        return keyword_dir(self.settings, self.name)

    @property
    def dimension(self) -> int:
        """The embedding dimension: declared by the embeddings, else found by embedding a probe."""
        if self._dimension is None:
            declared = getattr(self.embeddings, "dimension", None)
            # Declared, opening a store (an unchanged re-ingest) never loads the model.
            self._dimension = (
                declared
                if isinstance(declared, int)
                else len(self.embeddings.embed_query("dimension probe"))
            )
        return self._dimension

    def expected_manifest(self) -> dict[str, Any]:
        """The manifest the current settings would write."""
        return {
            "embedding_model": model_id(self.embeddings),
            "dimension": self.dimension,
            "chunker": CHUNKER_VERSION,
            "chunk_size": self.settings.ingest.chunk_size,
            "chunk_overlap": self.settings.ingest.chunk_overlap,
            "veille_version": _version("veille"),
            "chromadb_version": _version("chromadb"),
        }

    def manifest(self) -> dict[str, Any]:
        """The manifest stored with the collection."""
        return dict(self.chunks.metadata or {})

    def check_manifest(self, stored: dict[str, Any] | None = None) -> None:
        """Refuse a store built with another embedding model or chunker.

        Raises:
            StoreMismatchError: Naming the stored and the configured value.
        """
        stored = self.manifest() if stored is None else stored
        if "embedding_model" not in stored:
            return
        expected = self.expected_manifest()
        for key in MANIFEST_CHECKED:
            if key in stored and stored[key] != expected[key]:
                if key == "chunker":
                    # Not a setting: this version of Veille stores chunks in another shape.
                    msg = (
                        f"store {self.location} was indexed by an older Veille "
                        f"(chunker {stored[key]!r}, this version writes {expected[key]!r}); "
                        "index it again with `veille ingest --rebuild`"
                    )
                    raise StoreMismatchError(msg)
                msg = (
                    f"store {self.location} was built with {key}={stored[key]!r} but the "
                    f"settings say {key}={expected[key]!r}; rebuild it with "
                    "`veille ingest --rebuild PATH` or restore the settings"
                )
                raise StoreMismatchError(msg)

    @property
    def vectorstore(self) -> Chroma:
        """The chunk collection as a LangChain vector store (for the indexing API)."""
        if self._vectorstore is None:
            self._vectorstore = _hooked_chroma()(
                client=self.client,
                collection_name=self.name,
                embedding_function=self.embeddings,
                create_collection_if_not_exists=False,
            )
        return self._vectorstore

    def count(self) -> int:
        """Number of chunks."""
        self.refresh()
        return self._read(lambda: int(self.chunks.count()))

    def document_count(self) -> int:
        """Number of documents."""
        self.refresh()
        return self._read(lambda: int(self.documents.count()))

    def dense_search(
        self, vector: list[float], k: int, *, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        """The `k` chunks nearest to a query vector, with their cosine similarity.

        Args:
            vector: The query vector.
            k: How many chunks.
            where: A Chroma metadata filter (`assistant.filters`), or None for all chunks.
        """
        self.refresh()
        if k <= 0:
            return []
        if where is None:
            exact = self._exact_search(vector, k)
            if exact is not None:
                return exact

        def query() -> list[tuple[Chunk, float]]:
            if self.chunks.count() == 0:
                return []
            result = self.chunks.query(
                query_embeddings=[vector],  # type: ignore[arg-type]
                n_results=k,
                where=where,
                include=["documents", "metadatas", "distances"],
            )
            ids = result["ids"][0]
            docs = (result["documents"] or [[]])[0]
            metas = (result["metadatas"] or [[]])[0]
            dists = (result["distances"] or [[]])[0]
            return [
                (_chunk(cid, doc or "", dict(meta or {})), 1.0 - float(dist))
                for cid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
            ]

        return self._read(query)

    def _exact_search(self, vector: list[float], k: int) -> list[tuple[Chunk, float]] | None:
        """The `k` nearest chunks by exact cosine, or None past `store.exact_search_limit`.

        The same query gives the same ranking on every run (HNSW's does not, see the module
        docstring), and it is the true nearest, not an approximation; ties go to the order in
        which Chroma lists the chunks.
        """
        limit = self.settings.store.exact_search_limit
        if limit <= 0:
            return None
        stamp = self.stamp()
        if self._vectors is None or self._vectors[0] != stamp:
            if self.count() > limit:
                return None
            loaded = self._load_vectors()
            # A writer that changed the store while the pages were read leaves a mixed
            # snapshot (or a failed page): Chroma's own index answers this query instead.
            if loaded is None or self.stamp() != stamp:
                return None
            self._vectors = (stamp, *loaded)
        _, ids, matrix = self._vectors
        if not ids:
            return []
        query = np.asarray(vector, dtype=np.float32)
        query /= np.linalg.norm(query) or 1.0
        similarity = matrix @ query
        top = np.argsort(-similarity, kind="stable")[:k]
        try:
            chunks = self.get_chunks([ids[i] for i in top])
        except Exception:  # noqa: BLE001 - a write under way: Chroma's index answers instead
            return None
        return [(chunks[ids[i]], float(similarity[i])) for i in top if ids[i] in chunks]

    def _load_vectors(self) -> tuple[list[str], npt.NDArray[np.float32]] | None:
        """Every chunk id with its unit vector, or None if a concurrent write broke a page."""
        ids: list[str] = []
        rows: list[Any] = []
        offset = 0
        try:
            while True:
                got = self.chunks.get(include=["embeddings"], limit=5000, offset=offset)
                if not got["ids"]:
                    break
                ids.extend(got["ids"])
                rows.extend(got["embeddings"] if got["embeddings"] is not None else [])
                offset += len(got["ids"])
        except Exception:  # noqa: BLE001 - any failed page means "not a clean snapshot"
            return None
        if len(rows) != len(ids):
            return None
        matrix = np.asarray(rows, dtype=np.float32).reshape(len(ids), -1)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return ids, (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)

    def chunk_ids_where(self, where: dict[str, Any] | None) -> set[str]:
        """The ids of the chunks a Chroma metadata filter selects (all of them for None)."""
        self.refresh()
        return self._read(lambda: set(self.chunks.get(where=where, include=[])["ids"]))

    def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        """Chunks by id (ids no longer in the store are left out)."""
        if not ids:
            return {}

        def get() -> dict[str, Chunk]:
            got = self.chunks.get(ids=ids, include=["documents", "metadatas"])
            docs = got["documents"] or []
            metas = got["metadatas"] or []
            return {
                cid: _chunk(cid, doc or "", dict(meta or {}))
                for cid, doc, meta in zip(got["ids"], docs, metas, strict=True)
            }

        return self._read(get)

    def iter_chunks(self, batch: int = 5000) -> Iterator[Chunk]:
        """Every chunk, in pages (used to build the keyword index)."""
        self.refresh()
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=batch, offset=offset)
            if not got["ids"]:
                return
            docs = got["documents"] or []
            metas = got["metadatas"] or []
            for cid, doc, meta in zip(got["ids"], docs, metas, strict=True):
                yield _chunk(cid, doc or "", dict(meta or {}))
            offset += len(got["ids"])

    def chunk_doc_ids(self, batch: int = 20000) -> dict[str, str]:
        """Every chunk id with its document id (the writer's reconciliation reads this)."""
        out: dict[str, str] = {}
        offset = 0
        while True:
            got = self.chunks.get(include=["metadatas"], limit=batch, offset=offset)
            if not got["ids"]:
                return out
            for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                out[cid] = str((meta or {}).get("doc_id", ""))
            offset += len(got["ids"])

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """A document's chunks, in text order (a summary reads the whole document)."""

        def get() -> list[Chunk]:
            got = self.chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
            docs = got["documents"] or []
            metas = got["metadatas"] or []
            found = [
                _chunk(cid, doc or "", dict(meta or {}))
                for cid, doc, meta in zip(got["ids"], docs, metas, strict=True)
            ]
            return sorted(found, key=lambda c: c.start)

        return self._read(get)

    def document_text(self, doc_id: str) -> str | None:
        """The full loaded text of a document, which citation offsets refer to."""

        def get() -> str | None:
            got = self.documents.get(ids=[doc_id], include=["documents"])
            docs = got["documents"] or []
            return docs[0] if docs else None

        return self._read(get)

    def documents_under(self, root: str | None = None) -> dict[str, DocumentRecord]:
        """The documents whose recorded root is `root` (or all), by doc_id."""
        self.refresh()
        where: Any = {"root": root} if root is not None else None
        got = self._read(lambda: self.documents.get(where=where, include=["metadatas"]))
        out: dict[str, DocumentRecord] = {}
        for doc_id, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            m = dict(meta or {})
            out[doc_id] = DocumentRecord(
                doc_id=doc_id,
                source=str(m.get("source", "")),
                root=str(m.get("root", "")),
                sha256=str(m.get("sha256", "")),
                chunks=int(str(m.get("chunks", 0) or 0)),
                **{name: str(m.get(name, "") or "") for name in _META_FIELDS},
            )
        return out

    def put_document(self, record: DocumentRecord, text: str) -> None:
        """Store (or replace) a document's text and metadata."""
        self.documents.upsert(
            ids=[record.doc_id],
            documents=[text],
            # The collection needs a vector; documents are looked up by id, never searched.
            embeddings=[[1.0]],  # type: ignore[arg-type]
            metadatas=[_document_meta(record)],
        )

    def mark_stale(self, record: DocumentRecord) -> None:
        """Forget a document's sha256, so that the next sync of its folder indexes it again."""
        stale = dataclasses.replace(record, sha256="")
        self.documents.update(ids=[record.doc_id], metadatas=[_document_meta(stale)])

    def delete_documents(self, doc_ids: list[str]) -> None:
        """Remove documents' texts (their chunks are removed by the indexing API)."""
        if doc_ids:
            self.documents.delete(ids=doc_ids)


_META_FIELDS = ("title", "date", "date_precision", "date_source", "language")


def _document_meta(record: DocumentRecord) -> dict[str, str | int]:
    meta: dict[str, str | int] = {
        "source": record.source,
        "root": record.root,
        "sha256": record.sha256,
        "chunks": record.chunks,
    }
    meta.update({name: getattr(record, name) for name in _META_FIELDS if getattr(record, name)})
    return meta


def _hooked_chroma() -> type[Chroma]:
    """langchain-chroma's store with fault points between the indexing API's steps."""
    from langchain_chroma import Chroma

    class HookedChroma(Chroma):
        def add_documents(self, documents: Any, **kwargs: Any) -> list[str]:
            ids = super().add_documents(documents, **kwargs)
            fault_point("after-vectors")  # vectors written, the record manager not yet
            return ids

        def delete(self, ids: list[str] | None = None, **kwargs: Any) -> None:
            super().delete(ids=ids, **kwargs)
            fault_point("after-vector-delete")

    return HookedChroma


def _chunk(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        source=str(meta.get("source", "")),
        doc_id=str(meta.get("doc_id", "")),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        chunk_id=chunk_id,
        title=str(meta.get("title", "") or ""),
        date=str(meta.get("date", "") or ""),
    )
