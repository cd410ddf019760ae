"""Which Chroma collection is the live store, and the write counter that stamps derived state.

The chunk collection is the source of truth. Everything else (the record manager, the BM25
index, the documents collection's chunk counts) is derived from it, so it must be able to say
which state of the collection it reflects. Two pieces of state make that possible:

* The **write counter** (`veille_write_seq` in the chunk collection's metadata), in the spirit
  of SQLite's file-change counter. A writer makes it odd before its first change and even
  after its last, once the derived state is saved. Derived state records the collection's id
  and the counter it matches (a `Stamp`); any other value means "stale": the collection was
  replaced, restored from a backup, changed by a run that crashed, or is being written now.
* The **live pointer**: `ingest --rebuild` builds a new generation of collections
  (`veille-g1`, `veille-g1_documents`, ...) beside the live one and swaps it in by rewriting
  one small metadata record, the `<name>_live` collection's. A rewrite of one record is atomic
  in the embedded store and on a server alike, and the pointer lives with the collections it
  names, so deleting or restoring the Chroma folder can never leave it naming a collection of
  another age. With no pointer, the live store is the configured name (generation 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.faults import fault_point

if TYPE_CHECKING:
    import chromadb
    from chromadb.api import ClientAPI

SEQ_KEY = "veille_write_seq"
"""The write counter's key in the chunk collection's metadata."""
LIVE_KEY = "live"
# Chroma refuses to "modify" a collection's metadata with its distance function in it.
_FIXED_KEYS = ("hnsw:space",)


@dataclass(frozen=True, slots=True)
class Stamp:
    """Which state of the chunk collection a piece of derived state reflects."""

    collection_id: str
    seq: int

    def to_dict(self) -> dict[str, Any]:
        """As stored beside the derived state."""
        return {"collection_id": self.collection_id, "seq": self.seq}

    @classmethod
    def from_dict(cls, data: object) -> Stamp | None:
        """Read a stored stamp; None if absent or malformed."""
        if not isinstance(data, dict):
            return None
        cid, seq = data.get("collection_id"), data.get("seq")
        if not isinstance(cid, str) or not isinstance(seq, int):
            return None
        return cls(cid, seq)


def documents_name(name: str) -> str:
    """The documents collection that goes with a chunk collection."""
    return f"{name}_documents"


def pointer_name(base: str) -> str:
    """The collection whose metadata names the live generation."""
    return f"{base}_live"


def generation(base: str, name: str) -> int:
    """The generation number of a chunk collection name (0 for the configured name)."""
    if name == base:
        return 0
    match = re.fullmatch(re.escape(base) + r"-g(\d+)", name)
    return int(match.group(1)) if match else -1


def generation_name(base: str, number: int) -> str:
    """The chunk collection name of generation `number`."""
    return base if number == 0 else f"{base}-g{number}"


def get_collection(client: ClientAPI, name: str) -> chromadb.Collection | None:
    """A collection, or None if it does not exist."""
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception:  # noqa: BLE001 - NotFoundError's type differs between client kinds
        return None


def live_name(client: ClientAPI, base: str) -> str:
    """The chunk collection the pointer names (the configured name if there is no pointer)."""
    pointer = get_collection(client, pointer_name(base))
    live = (pointer.metadata or {}).get(LIVE_KEY) if pointer is not None else None
    return live if isinstance(live, str) and generation(base, live) >= 0 else base


def set_live(client: ClientAPI, base: str, name: str) -> None:
    """Point readers at another generation: one atomic metadata write."""
    meta = {LIVE_KEY: name}
    pointer = get_collection(client, pointer_name(base))
    if pointer is None:
        client.create_collection(pointer_name(base), embedding_function=None, metadata=meta)
    else:
        pointer.modify(metadata=meta)


def store_collections(client: ClientAPI, base: str) -> list[str]:
    """Every chunk or documents collection of any generation of this store."""
    names = [c.name for c in client.list_collections()]
    out = []
    for name in names:
        chunk_name = name.removesuffix("_documents")
        if generation(base, chunk_name) >= 0:
            out.append(name)
    return sorted(out)


def write_seq(collection: chromadb.Collection) -> int:
    """The collection's write counter (0 if it never had one)."""
    value = (collection.metadata or {}).get(SEQ_KEY, 0)
    return value if isinstance(value, int) else 0


def stamp_of(collection: chromadb.Collection) -> Stamp:
    """The collection's current stamp."""
    return Stamp(str(collection.id), write_seq(collection))


def set_write_seq(collection: chromadb.Collection, seq: int) -> None:
    """Store a new write counter, keeping the rest of the metadata (the manifest)."""
    meta = {k: v for k, v in (collection.metadata or {}).items() if k not in _FIXED_KEYS}
    meta[SEQ_KEY] = seq
    collection.modify(metadata=meta)


def begin_write(collection: chromadb.Collection) -> int:
    """Mark the collection as being written (odd counter); returns the new counter."""
    seq = write_seq(collection)
    seq += 1 if seq % 2 == 0 else 2
    set_write_seq(collection, seq)
    return seq


def drop_generation(client: ClientAPI, name: str) -> None:
    """Delete one generation's collections (chunks first: a half-dropped one has no chunks)."""
    existing = {c.name for c in client.list_collections()}
    for collection in (name, documents_name(name)):
        if collection in existing:
            client.delete_collection(collection)
            fault_point("after-drop-collection")
