"""The Chroma store: chunk vectors, full document texts, and the manifest that guards them.

Two collections live side by side, embedded (`PersistentClient` in the data directory) or on a
Chroma server (`HttpClient`, when `store.chroma_url` is set): `<name>` holds chunk vectors and
their offsets, `<name>_documents` holds each document's full loaded text so that every citation
offset can be checked against it from any machine. The chunk collection's metadata is the
manifest (embedding model, dimension, chunker); opening a store built differently is refused.
Chroma's default embedding function is never used: it would download a model at run time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from assistant.embeddings import model_id
from assistant.errors import VeilleError
from assistant.types import CHUNKER_VERSION, Chunk

if TYPE_CHECKING:
    import chromadb
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma
    from langchain_classic.indexes import SQLRecordManager
    from langchain_core.embeddings import Embeddings

    from assistant.keyword import KeywordIndex
    from assistant.settings import Settings

MANIFEST_CHECKED = ("embedding_model", "dimension", "chunker", "chunk_size", "chunk_overlap")


class StoreError(VeilleError):
    """The store cannot be used as configured; the message says what to do."""


class StoreMismatchError(StoreError):
    """The store was built with other settings than the current ones."""


class StoreEmptyError(StoreError):
    """Nothing has been ingested yet."""


def make_client(settings: Settings) -> ClientAPI:
    """A Chroma client: a server's if `store.chroma_url` is set, else the embedded store."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    url = settings.store.chroma_url
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            msg = f"invalid store.chroma_url {url!r}: expected http://HOST:PORT"
            raise StoreError(msg)
        headers = {}
        if settings.store.chroma_token is not None:
            headers["Authorization"] = f"Bearer {settings.store.chroma_token.get_secret_value()}"
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                headers=headers,
                settings=chroma_settings,
            )
        except Exception as exc:  # noqa: BLE001 - chromadb raises bare Exception/ValueError
            msg = f"cannot reach the Chroma server at {url}: {exc}"
            raise StoreError(msg) from None
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


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


class Store:
    """Chunk vectors and document texts in Chroma, behind a manifest check."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings,
        *,
        client: ClientAPI | None = None,
        create: bool = False,
    ) -> None:
        """Open (or with `create=True`, create) the collections.

        Raises:
            StoreMismatchError: The existing store was built with other settings.
            StoreEmptyError: No store exists and `create` is False.
        """
        self.settings = settings
        self.embeddings = embeddings
        self.client = client if client is not None else make_client(settings)
        self.name = settings.store.collection
        self._dimension: int | None = None
        self._vectorstore: Chroma | None = None
        self.location = settings.store.chroma_url or str(settings.chroma_dir)
        existing = self._get_collection(self.name)
        if existing is None:
            if not create:
                msg = "the store is empty: run `veille ingest` first"
                raise StoreEmptyError(msg)
            self.chunks = self.client.create_collection(
                self.name,
                embedding_function=None,
                metadata={**self.expected_manifest(), "hnsw:space": "cosine"},
            )
        else:
            self.chunks = existing
            self.check_manifest()
        self.documents = self.client.get_or_create_collection(
            f"{self.name}_documents", embedding_function=None
        )

    def _get_collection(self, name: str) -> chromadb.Collection | None:
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception:  # noqa: BLE001 - NotFoundError's type differs between client kinds
            return None

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

    def check_manifest(self) -> None:
        """Refuse a store built with another embedding model or chunker.

        Raises:
            StoreMismatchError: Naming the stored and the configured value.
        """
        stored = self.manifest()
        if "embedding_model" not in stored:
            return
        expected = self.expected_manifest()
        for key in MANIFEST_CHECKED:
            if key in stored and stored[key] != expected[key]:
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
            from langchain_chroma import Chroma

            self._vectorstore = Chroma(
                client=self.client,
                collection_name=self.name,
                embedding_function=self.embeddings,
                create_collection_if_not_exists=False,
            )
        return self._vectorstore

    def count(self) -> int:
        """Number of chunks."""
        return int(self.chunks.count())

    def document_count(self) -> int:
        """Number of documents."""
        return int(self.documents.count())

    def dense_search(self, vector: list[float], k: int) -> list[tuple[Chunk, float]]:
        """The `k` chunks nearest to a query vector, with their cosine similarity."""
        if k <= 0 or self.count() == 0:
            return []
        result = self.chunks.query(
            query_embeddings=[vector],  # type: ignore[arg-type]
            n_results=k,
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

    def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        """Chunks by id."""
        if not ids:
            return {}
        got = self.chunks.get(ids=ids, include=["documents", "metadatas"])
        docs = got["documents"] or []
        metas = got["metadatas"] or []
        return {
            cid: _chunk(cid, doc or "", dict(meta or {}))
            for cid, doc, meta in zip(got["ids"], docs, metas, strict=True)
        }

    def iter_chunks(self, batch: int = 5000) -> Iterator[Chunk]:
        """Every chunk, in pages (used to build the keyword index)."""
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

    def document_text(self, doc_id: str) -> str | None:
        """The full loaded text of a document, which citation offsets refer to."""
        got = self.documents.get(ids=[doc_id], include=["documents"])
        docs = got["documents"] or []
        return docs[0] if docs else None

    def documents_under(self, root: str | None = None) -> dict[str, DocumentRecord]:
        """The documents ingested from one root (or all), by doc_id."""
        where: Any = {"root": root} if root is not None else None
        got = self.documents.get(where=where, include=["metadatas"])
        out: dict[str, DocumentRecord] = {}
        for doc_id, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            m = dict(meta or {})
            out[doc_id] = DocumentRecord(
                doc_id=doc_id,
                source=str(m.get("source", "")),
                root=str(m.get("root", "")),
                sha256=str(m.get("sha256", "")),
                chunks=int(str(m.get("chunks", 0) or 0)),
            )
        return out

    def put_document(self, record: DocumentRecord, text: str) -> None:
        """Store (or replace) a document's text and metadata."""
        self.documents.upsert(
            ids=[record.doc_id],
            documents=[text],
            # The collection needs a vector; documents are looked up by id, never searched.
            embeddings=[[1.0]],  # type: ignore[arg-type]
            metadatas=[
                {
                    "source": record.source,
                    "root": record.root,
                    "sha256": record.sha256,
                    "chunks": record.chunks,
                }
            ],
        )

    def delete_documents(self, doc_ids: list[str]) -> None:
        """Remove documents' texts (their chunks are removed by the indexing API)."""
        if doc_ids:
            self.documents.delete(ids=doc_ids)


def record_manager(settings: Settings) -> SQLRecordManager:
    """The indexing API's record of which chunk hashes are in the store."""
    from langchain_classic.indexes import SQLRecordManager

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    where = settings.store.chroma_url or "embedded"
    manager = SQLRecordManager(
        f"chroma/{where}/{settings.store.collection}",
        db_url=f"sqlite:///{settings.records_db}",
    )
    manager.create_schema()
    return manager


def keyword_index(settings: Settings) -> KeywordIndex:
    """The on-disk BM25 index that belongs to the configured store."""
    from assistant.keyword import KeywordIndex

    suffix = (
        "embedded"
        if not settings.store.chroma_url
        else hashlib.sha256(settings.store.chroma_url.encode()).hexdigest()[:12]
    )
    return KeywordIndex(settings.data_dir / f"bm25-{settings.store.collection}-{suffix}")


def drop_store(client: ClientAPI, name: str) -> None:
    """Delete a store's collections whatever built them (for `ingest --rebuild`)."""
    existing = {c.name for c in client.list_collections()}
    for collection in (name, f"{name}_documents"):
        if collection in existing:
            client.delete_collection(collection)


def _chunk(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        source=str(meta.get("source", "")),
        doc_id=str(meta.get("doc_id", "")),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
        chunk_id=chunk_id,
    )
