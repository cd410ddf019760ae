"""Hybrid retrieval: dense vectors from Chroma and BM25, fused by weighted reciprocal rank.

Dense retrieval carries paraphrases and English questions over French text; BM25 carries names,
numbers and rare words. Reciprocal-rank fusion needs no score calibration between the two.
The result also says how relevant the best passage looks, which the answerers use to refuse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from assistant import duplicates
from assistant.analysis import analyse
from assistant.types import Chunk, Passage

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.filters import Filters
    from assistant.keyword import KeywordIndex
    from assistant.settings import RetrievalSettings
    from assistant.store import Store


_ALL = 1 << 30  # a BM25 depth that returns every positive hit


@dataclass(frozen=True, slots=True)
class Retrieval:
    """Passages for one question, with what the refusal decision needs."""

    question: str
    passages: tuple[Passage, ...]
    best_similarity: float
    keyword_coverage: float
    milliseconds: float
    query_vector: tuple[float, ...] = ()
    """The question's embedding, when dense retrieval computed it (the support signal reuses it)."""


def rrf_fuse(rankings: list[tuple[list[str], float]], *, rrf_k: int) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (rrf_k + rank), best first.

    Ties keep the order in which ids were first seen, so the fusion is deterministic.
    """
    scores: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, cid in enumerate(ids, 1):
            scores[cid] = scores.get(cid, 0.0) + weight / (rrf_k + rank)
    order = {cid: i for i, cid in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


class HybridRetriever:
    """Dense + BM25 retrieval over one store."""

    def __init__(
        self,
        store: Store,
        keywords: KeywordIndex,
        embeddings: Embeddings,
        settings: RetrievalSettings,
    ) -> None:
        """Retrieve from `store` and `keywords` with the given settings."""
        self.store = store
        self.keywords = keywords
        self.embeddings = embeddings
        self.settings = settings

    def retrieve(
        self,
        question: str,
        *,
        k: int | None = None,
        mode: str = "hybrid",
        filters: Filters | None = None,
    ) -> Retrieval:
        """The `k` best passages for a question.

        Args:
            question: The (standalone) question.
            k: How many passages (default: settings).
            mode: "hybrid", "dense" or "bm25" (the single retrievers, for evaluation).
            filters: Only passages of documents in this date window and matching this source
                glob (documents without a date are outside any window).
        """
        started = time.perf_counter()
        k = k or self.settings.k
        n = max(self.settings.candidates, k)
        where = self._where(filters) if filters is not None and filters.active else None
        allowed = self.store.chunk_ids_where(where) if where is not None else None
        dense: list[tuple[Chunk, float]] = []
        vector: list[float] = []
        if mode in ("hybrid", "dense") and allowed != set():
            vector = self.embeddings.embed_query(question)
            dense = self.store.dense_search(vector, n, where=where)
        bm25: list[tuple[str, float]] = []
        if mode in ("hybrid", "bm25") and allowed != set():
            fuzzy = self.settings.fuzzy_terms
            if allowed is None:
                bm25 = self.keywords.search(question, n, fuzzy=fuzzy)
            else:
                # Every positive hit, then the window: the best n overall may all lie outside.
                hits = self.keywords.search(question, _ALL, fuzzy=fuzzy)
                bm25 = [(cid, s) for cid, s in hits if cid in allowed][:n]
        dense_ids = [c.chunk_id for c, _ in dense]
        bm25_ids = [cid for cid, _ in bm25]
        # Twice k fused candidates, so that k remain once copies of the same text (one article
        # saved under two names, a syndicated copy) are kept only once; twice as many again
        # while near copies (one passage per group) leave fewer than k.
        ranked = rrf_fuse(
            [(dense_ids, self.settings.dense_weight), (bm25_ids, self.settings.bm25_weight)],
            rrf_k=self.settings.rrf_k,
        )
        chunks = {c.chunk_id: c for c, _ in dense}
        groups = duplicates.groups(self.store, self.settings.duplicate_threshold)
        depth = 2 * k
        while True:
            fused = ranked[:depth]
            chunks.update(self.store.get_chunks([cid for cid, _ in fused if cid not in chunks]))
            fused = _one_per_group(_distinct_texts(fused, chunks), chunks, groups)
            if len(fused) >= k or depth >= len(ranked):
                break
            depth *= 2
        fused = fused[:k]
        similarity = {c.chunk_id: s for c, s in dense}
        dense_rank = {cid: i for i, cid in enumerate(dense_ids, 1)}
        bm25_rank = {cid: i for i, cid in enumerate(bm25_ids, 1)}
        passages = tuple(
            Passage(
                n=i,
                chunk=chunks[cid],
                score=score,
                dense_rank=dense_rank.get(cid),
                bm25_rank=bm25_rank.get(cid),
                dense_similarity=similarity.get(cid),
                also_in=groups.others(chunks[cid].doc_id),
            )
            for i, (cid, score) in enumerate(((cid, s) for cid, s in fused if cid in chunks), 1)
        )
        best = max((s for _, s in dense[:k]), default=0.0)
        coverage = _coverage(question, passages[0].chunk.text) if passages else 0.0
        return Retrieval(
            question=question,
            passages=passages,
            best_similarity=best,
            keyword_coverage=coverage,
            milliseconds=(time.perf_counter() - started) * 1000,
            query_vector=tuple(vector),
        )

    def _where(self, filters: Filters) -> dict[str, Any]:
        """The Chroma `where` of the filters: `date_ord` bounds, the sources the glob matches."""
        clauses: list[dict[str, Any]] = []
        dated = filters.date_where()
        if dated is not None:
            clauses.append(dated)
        if filters.source:
            sources = {r.source for r in self.store.documents_under().values()}
            matched = sorted(s for s in sources if fnmatchcase(s, filters.source))
            # No source is "": a glob that matches nothing still selects nothing.
            clauses.append({"source": {"$in": matched or [""]}})
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _distinct_texts(
    fused: list[tuple[str, float]], chunks: dict[str, Chunk]
) -> list[tuple[str, float]]:
    """The fused ranking without chunks whose text (whitespace aside) a better one already has."""
    seen: set[str] = set()
    kept: list[tuple[str, float]] = []
    for cid, score in fused:
        chunk = chunks.get(cid)
        if chunk is None:
            continue
        key = " ".join(chunk.text.split())
        if key in seen:
            continue
        seen.add(key)
        kept.append((cid, score))
    return kept


def _one_per_group(
    fused: list[tuple[str, float]], chunks: dict[str, Chunk], groups: duplicates.DuplicateGroups
) -> list[tuple[str, float]]:
    """The ranking with one document per group of near copies: the best-ranked one's passages."""
    owner: dict[int, str] = {}
    kept: list[tuple[str, float]] = []
    for cid, score in fused:
        doc_id = chunks[cid].doc_id
        number = groups.group_of(doc_id)
        if number is not None and owner.setdefault(number, doc_id) != doc_id:
            continue  # a copy of a document already shown
        kept.append((cid, score))
    return kept


def _coverage(question: str, text: str) -> float:
    """Share of the question's content words found in a text."""
    wanted = set(analyse(question))
    if not wanted:
        return 0.0
    return len(wanted & set(analyse(text))) / len(wanted)
