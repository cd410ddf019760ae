"""BM25 over the chunks, with French analysis, kept on disk beside the store.

`bm25s` does the scoring (sparse matrices, eager scores). What is ours is the bookkeeping that
makes updates incremental: each chunk's analysed terms are cached as integer ids, so an ingest
that adds or removes a few chunks analyses only those and re-indexes from the cache, and a
start or a query never re-reads the corpus. The saved index carries the store's chunk count;
if the store changed behind its back (another machine wrote to a shared Chroma server), the
index is rebuilt from the store once.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from assistant.text import analyse, fold

if TYPE_CHECKING:
    from collections.abc import Iterable

    import numpy.typing as npt

    from assistant.store import Store
    from assistant.types import Chunk

FORMAT_VERSION = 1
# Words a question capitalises that are not names: common nouns written with a capital
# (Internet, Bourse) and English months, days and nationalities, which a French corpus spells
# differently ("janvier", "français"). Absent from the corpus, they must not cause a refusal.
# fmt: off
_NOT_NAMES: Final = frozenset([
    "internet", "web", "bourse", "etat", "etats",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "french", "english", "chinese", "american", "european", "german", "italian", "spanish",
    "japanese", "korean", "british", "indian", "russian", "african", "asian", "western", "eastern",
])
# fmt: on
_NAME = re.compile(r"[^\W_][\w.&-]*[^\W_]|[^\W_]", re.UNICODE)


class KeywordIndex:
    """BM25 over chunk ids; cheap to update, cheap to load."""

    def __init__(self, directory: Path) -> None:
        """An index persisted in `directory` (loaded if present)."""
        self.directory = directory
        self._lock = threading.Lock()
        self.vocab: dict[str, int] = {}
        self.ids: list[str] = []
        self.terms: list[npt.NDArray[np.int32]] = []
        self._bm25: object | None = None
        self.store_count = -1
        self._load()

    # -- persistence -------------------------------------------------------------------------

    def _load(self) -> None:
        meta_path = self.directory / "meta.json"
        if not meta_path.is_file():
            return
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT_VERSION:
                return
            flat = np.load(self.directory / "terms.npy")
            offsets = np.load(self.directory / "offsets.npy")
        except (OSError, ValueError):
            return  # a damaged cache is rebuilt from the store
        self.vocab = meta["vocab"]
        self.ids = meta["ids"]
        self.store_count = int(meta["store_count"])
        self.terms = [flat[offsets[i] : offsets[i + 1]] for i in range(len(self.ids))]
        self._bm25 = None

    def save(self) -> None:
        """Write the index atomically (a reader never sees half of it)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self.directory.parent, prefix=".bm25-"))
        lengths = np.array([len(t) for t in self.terms], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        flat = np.concatenate(self.terms) if self.terms else np.zeros(0, dtype=np.int32)
        np.save(tmp / "terms.npy", flat.astype(np.int32))
        np.save(tmp / "offsets.npy", offsets)
        meta = {
            "format": FORMAT_VERSION,
            "vocab": self.vocab,
            "ids": self.ids,
            "store_count": self.store_count,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        old = self.directory.with_name(self.directory.name + ".old")
        if self.directory.exists():
            os.replace(self.directory, old)
        os.replace(tmp, self.directory)
        if old.exists():
            for f in old.iterdir():
                f.unlink()
            old.rmdir()

    # -- updates -----------------------------------------------------------------------------

    def _term_ids(self, text: str) -> npt.NDArray[np.int32]:
        ids = []
        for term in analyse(text):
            tid = self.vocab.get(term)
            if tid is None:
                tid = self.vocab[term] = len(self.vocab)
            ids.append(tid)
        return np.array(ids, dtype=np.int32)

    def update(
        self, added: Iterable[Chunk], deleted_ids: Iterable[str], *, store_count: int
    ) -> None:
        """Add analysed chunks and drop deleted ones; only the added chunks are analysed."""
        with self._lock:
            gone = set(deleted_ids)
            if gone:
                keep = [i for i, cid in enumerate(self.ids) if cid not in gone]
                self.ids = [self.ids[i] for i in keep]
                self.terms = [self.terms[i] for i in keep]
            present = set(self.ids)
            for chunk in added:
                if chunk.chunk_id in present:
                    continue
                present.add(chunk.chunk_id)
                self.ids.append(chunk.chunk_id)
                self.terms.append(self._term_ids(chunk.text))
            self.store_count = store_count
            self._bm25 = None

    def rebuild(self, store: Store) -> None:
        """Re-analyse every chunk of the store."""
        with self._lock:
            self.vocab, self.ids, self.terms = {}, [], []
        self.update(store.iter_chunks(), (), store_count=store.count())
        self.save()

    def ensure_fresh(self, store: Store) -> None:
        """Rebuild if the store's chunk count says the saved index is stale."""
        if self.store_count != store.count():
            self.rebuild(store)

    # -- search ------------------------------------------------------------------------------

    def _retriever(self) -> object:
        if self._bm25 is None:
            import bm25s
            from bm25s.tokenization import Tokenized

            retriever = bm25s.BM25(k1=1.2, b=0.75)
            # bm25s needs at least one document; an empty index answers nothing.
            if self.ids:
                corpus = Tokenized(ids=[t.tolist() for t in self.terms], vocab=dict(self.vocab))
                retriever.index(corpus, show_progress=False)
            self._bm25 = retriever
        return self._bm25

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Chunk ids with a positive BM25 score for `query`, best first."""
        tokens = [t for t in analyse(query) if t in self.vocab]
        if not tokens or not self.ids:
            return []
        with self._lock:
            retriever = self._retriever()
            scores: npt.NDArray[np.float32] = retriever.get_scores(tokens)  # type: ignore[attr-defined]
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def unknown_names(self, question: str) -> list[str]:
        """Names and numbers of the question that occur nowhere in the corpus.

        A question about "Pinduoduo" over a corpus that never mentions it cannot be answered
        from it, however similar its wording is to some passage.
        """
        found: list[str] = []
        for i, match in enumerate(_NAME.finditer(question)):
            word = match.group()
            is_name = word[0].isdigit() or (i > 0 and word[0].isupper()) or word.isupper()
            if not is_name or fold(word) in _NOT_NAMES:
                continue
            terms = analyse(word)
            if terms and not any(t in self.vocab for t in terms):
                found.append(word)
        return found

    def __len__(self) -> int:
        """Number of indexed chunks."""
        return len(self.ids)
