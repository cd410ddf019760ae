"""BM25 over the chunks, with French analysis, kept on disk beside the store.

`bm25s` does the scoring (sparse matrices, eager scores). What is ours is the bookkeeping that
makes updates incremental: each chunk's analysed terms are cached as integer ids, so an ingest
that adds or removes a few chunks analyses only those and re-indexes from the cache, and a
start or a query never re-reads the corpus. The index is derived state: the saved file carries
the `Stamp` (collection id and write counter) of the store state it reflects, and every open
and every search compares it with the store's. Only the writer saves, in one atomic file
replace; a reader that finds the index stale rebuilds it in memory and never writes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import zipfile
from typing import TYPE_CHECKING

import numpy as np

from assistant.analysis import analyse, fold
from assistant.chroma_client import StoreError
from assistant.faults import fault_point
from assistant.lexicon import NOT_NAMES, aliases, is_ordinal, periphrasis_places
from assistant.state import Stamp

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    import numpy.typing as npt

    from assistant.store import Store
    from assistant.types import Chunk

FORMAT_VERSION = 2
INDEX_FILE = "index.npz"
COGNATE_STEM = 5
"""The shortest stem that makes two words of two languages one name (see `_cognate`)."""
READER_REBUILD_LIMIT = 50_000
"""A reader rebuilds a stale index in memory up to this many chunks, else says what to run."""
_NAME = re.compile(r"[^\W_][\w.&-]*[^\W_]|[^\W_]", re.UNICODE)


class StaleKeywordIndexError(StoreError):
    """The keyword index does not match the store and is too large to rebuild for one reader."""


class KeywordIndex:
    """BM25 over chunk ids; cheap to update, cheap to load."""

    def __init__(self, directory: Path) -> None:
        """An index persisted in `directory` (loaded if present and readable)."""
        self.directory = directory
        # Re-entrant: a search that finds the store changed rebuilds under the same lock.
        self._lock = threading.RLock()
        self.vocab: dict[str, int] = {}
        self.ids: list[str] = []
        self.terms: list[npt.NDArray[np.int32]] = []
        self._bm25: object | None = None
        self._present: set[int] | None = None
        self._live_terms: list[str] | None = None
        self.store_count = -1
        self.stamp: Stamp | None = None
        self._store: Store | None = None
        self._load()

    # -- persistence -------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The single file the index is saved in."""
        return self.directory / INDEX_FILE

    def _load(self) -> bool:
        """Load the saved index; False (and an empty index) if absent, damaged or outdated."""
        self.vocab, self.ids, self.terms, self.stamp = {}, [], [], None
        self.store_count, self._bm25, self._present = -1, None, None
        self._live_terms = None
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                meta = json.loads(bytes(saved["meta"]).decode("utf-8"))
                flat, offsets = saved["terms"], saved["offsets"]
            if meta.get("format") != FORMAT_VERSION or len(offsets) != len(meta["ids"]) + 1:
                return False
            vocab, ids = dict(meta["vocab"]), list(meta["ids"])
            terms = [flat[offsets[i] : offsets[i + 1]] for i in range(len(ids))]
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError):
            return False  # a damaged or truncated file is rebuilt from the store
        self.vocab, self.ids, self.terms = vocab, ids, terms
        self.stamp = Stamp.from_dict(meta.get("stamp"))
        self.store_count = len(ids)
        return True

    def save(self) -> None:
        """Write the index as one file, atomically: a reader sees the old file or the new one.

        Only the writer saves, under the data directory's write lock; a temporary file left
        by a crash is removed here, and readers never look at one.
        """
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            for leftover in self.directory.iterdir():
                if leftover.name != INDEX_FILE:
                    _remove(leftover)
            lengths = np.array([len(t) for t in self.terms], dtype=np.int64)
            offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
            flat = np.concatenate(self.terms) if self.terms else np.zeros(0, dtype=np.int32)
            meta = {
                "format": FORMAT_VERSION,
                "vocab": self.vocab,
                "ids": self.ids,
                "stamp": self.stamp.to_dict() if self.stamp is not None else None,
            }
            blob = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".index-", suffix=".tmp")
            os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the index from other readers
            with os.fdopen(fd, "wb") as f:
                np.savez(f, meta=blob, terms=flat.astype(np.int32), offsets=offsets)
                f.flush()
                os.fsync(f.fileno())
            fault_point("keywords-temp-written")
            os.replace(tmp, self.path)
            _fsync_dir(self.directory)

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
        self,
        added: Iterable[Chunk],
        deleted_ids: Iterable[str],
        *,
        store_count: int | None = None,
        stamp: Stamp | None = None,
    ) -> None:
        """Add analysed chunks and drop deleted ones; only the added chunks are analysed.

        Args:
            added: Chunks now in the store (those already indexed are ignored).
            deleted_ids: Chunk ids no longer in the store.
            store_count: Unused; kept for callers of the old signature.
            stamp: The store state the index now reflects (None: unknown, i.e. stale).
        """
        del store_count  # freshness is judged by the stamp, never by a count
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
            self.store_count = len(self.ids)
            self.stamp = stamp
            self._bm25 = None
            self._present = None
            self._live_terms = None

    def rebuild(self, store: Store, stamp: Stamp | None = None) -> None:
        """Re-analyse every chunk of the store, in memory (the writer saves it)."""
        with self._lock:
            self.vocab, self.ids, self.terms = {}, [], []
            self.update(store.iter_chunks(), (), stamp=stamp)

    def ensure_fresh(self, store: Store) -> None:
        """Follow `store`: use the saved index if its stamp matches the store, else rebuild.

        A reader never saves: a stale index is rebuilt in memory only (the next `veille
        ingest` repairs the saved one). From now on every search checks the stamp again, so
        a long-lived reader follows a writer's changes and a rebuild's swap.

        Raises:
            StaleKeywordIndexError: Stale and too large to rebuild here; says what to run.
        """
        with self._lock:
            self._store = store
            self._follow()

    def _follow(self) -> None:
        store = self._store
        if store is None:
            return
        current = store.stamp()
        if store.keyword_dir != self.directory:
            self.directory = store.keyword_dir
            self._load()
        if self.stamp == current:
            return
        if self._load() and self.stamp == current:
            return  # the writer saved a fresh index since
        if store.count() > READER_REBUILD_LIMIT:
            msg = (
                f"the keyword index {self.directory} does not match the store; "
                "run `veille ingest PATH` (any ingested folder) to repair it"
            )
            raise StaleKeywordIndexError(msg)
        self.rebuild(store, stamp=current)

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

    def search(self, query: str, k: int, *, fuzzy: int = 0) -> list[tuple[str, float]]:
        """Chunk ids with a positive BM25 score for `query`, best first.

        With `fuzzy` (a rapidfuzz ratio, 0 to turn it off), a query word the corpus never
        uses is searched as the corpus word closest to it ("Pinduoduo" finds "Pingduoduo"),
        and a name split in words the corpus writes as one, as that word ("Ali Pay").
        """
        with self._lock:
            self._follow()
            tokens = []
            for term in analyse(query):
                if term in self.vocab or not fuzzy or term[0].isdigit():
                    tokens.append(term)
                    continue
                close = self._closest(term, fuzzy)
                if close is not None:
                    tokens.append(close)
            if fuzzy:
                tokens.extend(term for _, term in self._joined_names(query, fuzzy))
            tokens = [t for t in tokens if t in self.vocab]
            if not tokens or not self.ids:
                return []
            retriever = self._retriever()
            ids = self.ids
            scores: npt.NDArray[np.float32] = retriever.get_scores(tokens)  # type: ignore[attr-defined]
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def unknown_names(self, question: str, *, fuzzy: int = 0, surname_fuzzy: int = 0) -> list[str]:
        """Names and numbers of the question that occur nowhere in the corpus.

        A question about "Zorglub" over a corpus that never mentions it cannot be answered
        from it, however similar its wording is to some passage. With `fuzzy` (a rapidfuzz
        ratio), a name close to a word of the corpus ("Pinduoduo", "Hemma", "Wal-Mart") is
        not unknown: the corpus spells it differently; nor is one whose stem begins the stem of a
        corpus word or is begun by one ("Olympics", "olympiques"); nor the words of a name the
        corpus holds as a whole (`_named_together`, at `surname_fuzzy` for a surname).
        """
        with self._lock:
            self._follow()
            present = self._present_terms()
            found: list[str] = []
            figures = periphrasis_places(question)
            for i, match in enumerate(_NAME.finditer(question)):
                word = match.group()
                is_name = word[0].isdigit() or (i > 0 and word[0].isupper()) or word.isupper()
                if not is_name or fold(word) in NOT_NAMES or is_ordinal(word):
                    continue
                terms = analyse(word)
                if not terms or any(self.vocab.get(t, -1) in present for t in terms):
                    continue
                # "l'Hexagone" over a corpus that writes "France", "US" over "Etats-Unis",
                # "l'empire du Milieu" over "Chine".
                place = figures.get(fold(word), fold(word))
                if any(
                    (spelled := analyse(alias))
                    and all(self.vocab.get(t, -1) in present for t in spelled)
                    for alias in {place, *aliases(place)}
                ):
                    continue
                if fuzzy and not word[0].isdigit():
                    joined = fold(word).replace("-", "").replace(".", "")
                    candidates = [*terms, *analyse(joined)]
                    if any(self._closest(t, fuzzy) is not None for t in candidates):
                        continue
                    if any(self._cognate(t) for t in terms):
                        continue
                found.append(word)
            if fuzzy and found:
                found = self._named_together(question, found, fuzzy, surname_fuzzy or fuzzy)
        return found

    def _named_together(
        self, question: str, unknown: list[str], fuzzy: int, surname_fuzzy: int
    ) -> list[str]:
        """The unknown words that no name of the question, read as a whole, accounts for.

        Transliterated names are split or joined at will ("Ali Baba", "Ali Pay" for Alibaba
        and Alipay): a name whose words, joined, the corpus holds (or nearly) is known. A
        name one of whose words the corpus holds exactly ("Sebastien") is known when its
        other words are close to corpus words at the looser `surname_fuzzy` ("Badeau",
        "Badault").
        Called with the lock held.
        """
        from assistant.questions import question_names

        missing = set(unknown)
        known: set[str] = set()
        for joined, _ in self._joined_names(question, fuzzy):
            known.update(joined)
        for name in question_names(question):
            words = [w.removesuffix("'s").removesuffix("’s") for w in name]
            if len(words) < 2 or not missing & set(words) or known >= set(words):
                continue
            if len([w for w in words if w in missing]) == len(words):
                continue  # no word of it that the corpus writes
            if all(
                any(self._closest(t, surname_fuzzy) is not None for t in analyse(w))
                for w in words
                if w in missing
            ):
                known.update(words)
        return [w for w in unknown if w not in known]

    def _joined_names(self, text: str, fuzzy: int) -> list[tuple[tuple[str, ...], str]]:
        """The names of `text` split in words ("Ali Pay") that the corpus writes as one term.

        Each comes with the live corpus term it is (or, at ratio `fuzzy`, is closest to).
        Called with the lock held.
        """
        from assistant.questions import question_names

        present = self._present_terms()
        found: list[tuple[tuple[str, ...], str]] = []
        for name in question_names(text):
            words = tuple(w.removesuffix("'s").removesuffix("’s") for w in name)
            if len(words) < 2:
                continue
            terms = analyse(fold("".join(words)).replace("-", "").replace(".", ""))
            if len(terms) != 1:
                continue
            term: str | None = terms[0]
            if self.vocab.get(terms[0], -1) not in present:
                term = self._closest(terms[0], fuzzy)
            if term is not None:
                found.append((words, term))
        return found

    def _closest(self, term: str, cutoff: int) -> str | None:
        """The live corpus term closest to `term` at rapidfuzz ratio >= `cutoff`, if any."""
        from rapidfuzz import fuzz, process

        if self._live_terms is None:
            present = self._present_terms()
            self._live_terms = [t for t, i in self.vocab.items() if i in present and len(t) > 2]
        if len(term) <= 3:  # short words match too much ("us" would find "usa")
            return None
        best = process.extractOne(term, self._live_terms, scorer=fuzz.ratio, score_cutoff=cutoff)
        return None if best is None else str(best[0])

    def _cognate(self, term: str) -> bool:
        """Whether a live corpus term and `term` share a stem of five letters or more.

        An English name over French text is written with another ending ("Olympics" and
        "olympiques" stem to "olympic" and "olymp"); the ratio of such a pair stays low.
        """
        if len(term) < COGNATE_STEM or term[0].isdigit():
            return False
        if self._live_terms is None:
            self._closest(term, 100)  # fills the live terms
        live = self._live_terms or []
        return any(
            len(t) >= COGNATE_STEM and (term.startswith(t) or t.startswith(term)) for t in live
        )

    def _present_terms(self) -> set[int]:
        """Term ids that occur in some indexed chunk (the vocabulary keeps deleted ones)."""
        if self._present is None:
            flat = np.concatenate(self.terms) if self.terms else np.zeros(0, dtype=np.int32)
            self._present = set(np.unique(flat).tolist())
        return self._present

    def __len__(self) -> int:
        """Number of indexed chunks."""
        return len(self.ids)


def _remove(path: Path) -> None:
    """Delete a leftover file or folder (a crashed save's temporary, an old format's file)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
