"""Near-duplicate documents (syndicated copies, reposts): MinHash signatures and their groups.

A document's signature is the MinHash (`datasketch`, 128 permutations, a fixed seed) of its
5-word shingles, lower-cased and accent-folded, so it depends on the text alone. Documents
whose estimated Jaccard similarity reaches `retrieval.duplicate_threshold` form one group
(union-find over `MinHashLSH` candidates, each pair checked with the estimate).

The signatures and groups belong to one generation of the store, in one file beside its
keyword index, stamped like it (`assistant.state`): the writer recomputes the signatures of
changed documents at the end of an ingest and saves the file atomically; a reader whose file's
stamp differs from the store's recomputes in memory and never writes. A crash before the
store's write counter is closed leaves a stamp no store will match, so a stale file is never
read as fresh. `datasketch` is imported only where a signature or a grouping is computed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.analysis import fold
from assistant.derived import keyword_dir
from assistant.state import Stamp

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt
    from datasketch import MinHash  # type: ignore[import-untyped]

    from assistant.settings import Settings
    from assistant.store import Store

    Signature = npt.NDArray[np.uint32]

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 20261201
FORMAT_VERSION = 1
"""The file's layout and the signature rules' version: another version is recomputed."""
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LOCK = threading.Lock()
_CACHE: dict[Path, DuplicateGroups] = {}


@dataclass(frozen=True, slots=True)
class DuplicateGroups:
    """The store's groups of near-identical documents (groups of one are not listed).

    Attributes:
        groups: Each group's doc ids, sorted; groups sorted by their first id.
        sources: Every grouped document's source path, by doc id.
        stamp: The store state the groups reflect.
        threshold: The Jaccard threshold they were formed at.
    """

    groups: tuple[tuple[str, ...], ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    stamp: Stamp | None = None
    threshold: float = 0.0
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index each grouped document's group."""
        for i, group in enumerate(self.groups):
            for doc_id in group:
                self._index[doc_id] = i

    def group_of(self, doc_id: str) -> int | None:
        """The number of the group a document belongs to (None: it has no near copy)."""
        return self._index.get(doc_id)

    def others(self, doc_id: str) -> tuple[str, ...]:
        """The sources of the other documents of `doc_id`'s group, sorted."""
        i = self._index.get(doc_id)
        if i is None:
            return ()
        return tuple(sorted(self.sources.get(d, d) for d in self.groups[i] if d != doc_id))

    @property
    def documents(self) -> int:
        """How many documents are in some group."""
        return len(self._index)

    def line(self) -> str:
        """The `veille status` line: "near copies: 2 groups, 5 documents" (or none)."""
        if not self.groups:
            return "near copies: none"
        n = len(self.groups)
        return f"near copies: {n} group{'s' if n > 1 else ''}, {self.documents} documents"


# -- signatures and grouping (pure) ----------------------------------------------------------


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The text's `size`-word shingles, folded; a shorter text is one shingle; none if no word."""
    tokens = _WORD.findall(fold(text))
    if len(tokens) <= size:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)}


@cache
def _permutations() -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED).permutations


def _minhash(values: Signature | None = None) -> MinHash:
    from datasketch import MinHash

    # Sharing the permutations saves generating them again for every document.
    return MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashvalues=values,
        permutations=_permutations(),
        scheme="affine32",
    )


def signature(text: str) -> Signature | None:
    """The MinHash signature of a text (None for a text without a word).

    Args:
        text: A document's full text.

    Returns:
        `NUM_PERM` unsigned 32-bit minimums; equal texts (case and accents aside) give equal
        signatures on every machine.
    """
    grams = shingles(text)
    if not grams:
        return None
    minhash = _minhash()
    minhash.update_batch(grams)
    return np.asarray(minhash.hashvalues, dtype=np.uint32).copy()


def similarity(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.count_nonzero(a == b)) / float(len(a))


def group(signatures: Mapping[str, Signature], threshold: float) -> list[tuple[str, ...]]:
    """Groups of documents whose estimated similarity reaches `threshold`, through any chain.

    Args:
        signatures: Signatures by doc id.
        threshold: The Jaccard threshold, in (0, 1].

    Returns:
        Groups of two or more doc ids, each sorted, sorted by their first id.
    """
    from datasketch import MinHashLSH

    ids = sorted(signatures)
    # LSH finds the candidate pairs; the banding that suits 1.0 exactly does not exist.
    lsh = MinHashLSH(threshold=min(threshold, 0.95), num_perm=NUM_PERM)
    for doc_id in ids:
        lsh.insert(doc_id, _minhash(signatures[doc_id]), check_duplication=False)
    parent = {doc_id: doc_id for doc_id in ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id in ids:
        for other in lsh.query(_minhash(signatures[doc_id])):
            if other != doc_id and similarity(signatures[doc_id], signatures[other]) >= threshold:
                a, b = root(doc_id), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = {}
    for doc_id in ids:
        members.setdefault(root(doc_id), []).append(doc_id)
    return sorted(tuple(m) for m in members.values() if len(m) > 1)


# -- the derived file ------------------------------------------------------------------------


def duplicates_path(settings: Settings, name: str) -> Path:
    """One generation's signatures-and-groups file (beside its keyword index)."""
    bm25 = keyword_dir(settings, name)
    return bm25.with_name(bm25.name.replace("bm25-", "dups-", 1) + ".npz")


@dataclass
class _Saved:
    ids: list[str]
    shas: list[str]
    signatures: Signature
    groups: list[tuple[str, ...]]
    sources: dict[str, str]
    stamp: Stamp | None
    threshold: float


def _read(path: Path) -> _Saved | None:
    """The saved file; None if absent, damaged or of another version."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            meta = json.loads(bytes(saved["meta"]).decode("utf-8"))
            sigs = np.asarray(saved["signatures"], dtype=np.uint32)
        if meta.get("format") != FORMAT_VERSION or sigs.shape != (len(meta["ids"]), NUM_PERM):
            return None
        return _Saved(
            ids=list(meta["ids"]),
            shas=list(meta["shas"]),
            signatures=sigs,
            groups=[tuple(g) for g in meta["groups"]],
            sources=dict(meta["sources"]),
            stamp=Stamp.from_dict(meta.get("stamp")),
            threshold=float(meta["threshold"]),
        )
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None  # derived: a damaged file is recomputed


def _write(path: Path, saved: _Saved) -> None:
    """Save atomically: a reader sees the old file or the new one."""
    meta = {
        "format": FORMAT_VERSION,
        "ids": saved.ids,
        "shas": saved.shas,
        "groups": [list(g) for g in saved.groups],
        "sources": saved.sources,
        "stamp": saved.stamp.to_dict() if saved.stamp is not None else None,
        "threshold": saved.threshold,
    }
    blob = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".dups-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # readable by other readers, like the keyword index
        with os.fdopen(fd, "wb") as f:
            np.savez(f, meta=blob, signatures=saved.signatures)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def _compute(store: Store, stamp: Stamp, threshold: float, old: _Saved | None) -> _Saved:
    """Signatures of the store's documents (an old file's reused where the sha256 is the same)."""
    known: dict[tuple[str, str], Signature] = {}
    if old is not None:
        known = {
            (d, s): old.signatures[i]
            for i, (d, s) in enumerate(zip(old.ids, old.shas, strict=True))
        }
    records = store.documents_under()
    ids, shas, rows = [], [], []
    for doc_id in sorted(records):
        sha = records[doc_id].sha256
        sig = known.get((doc_id, sha)) if sha else None
        if sig is None:
            text = store.document_text(doc_id)
            sig = signature(text) if text else None
        if sig is not None:
            ids.append(doc_id)
            shas.append(sha)
            rows.append(sig)
    signatures = np.array(rows, dtype=np.uint32).reshape(len(rows), NUM_PERM)
    same = old is not None and old.ids == ids and old.shas == shas and old.threshold == threshold
    groups = (
        old.groups
        if same and old is not None
        else group(dict(zip(ids, signatures, strict=True)), threshold)
    )
    sources = {d: records[d].source for g in groups for d in g}
    return _Saved(ids, shas, signatures, groups, sources, stamp, threshold)


def update(store: Store, stamp: Stamp) -> DuplicateGroups:
    """Bring the store's duplicates file up to date and stamp it (the writer's call).

    Args:
        store: The store being written (its documents collection is read).
        stamp: The store state the file will reflect (the writer's end-of-write stamp).

    Returns:
        The groups now saved.
    """
    path = duplicates_path(store.settings, store.name)
    threshold = store.settings.retrieval.duplicate_threshold
    saved = _compute(store, stamp, threshold, _read(path))
    _write(path, saved)
    return _groups(saved)


def groups(store: Store, threshold: float | None = None) -> DuplicateGroups:
    """The store's duplicate groups now: the saved file if fresh, else recomputed in memory.

    Args:
        store: The store (a reader: nothing is written).
        threshold: The Jaccard threshold (default: the store's settings).

    Returns:
        The groups; a long-lived reader gets them from memory until the store changes.
    """
    wanted = store.settings.retrieval.duplicate_threshold if threshold is None else threshold
    current = store.stamp()
    path = duplicates_path(store.settings, store.name)
    with _LOCK:
        cached = _CACHE.get(path)
    if cached is not None and cached.stamp == current and cached.threshold == wanted:
        return cached
    saved = _read(path)
    if saved is None or saved.stamp != current or saved.threshold != wanted:
        saved = _compute(store, current, wanted, saved)
    result = _groups(saved)
    with _LOCK:
        _CACHE[path] = result
    return result


def _groups(saved: _Saved) -> DuplicateGroups:
    return DuplicateGroups(
        groups=tuple(saved.groups),
        sources=saved.sources,
        stamp=saved.stamp,
        threshold=saved.threshold,
    )
