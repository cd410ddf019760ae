"""Corpus-wide questions at Wikinews scale: time to list every article that mentions a subject.

The French Wikinews corpus (CC BY 2.5, see its PROVENANCE.md) is ingested once into --data-dir
(kept for the next run) with a stand-in embedder, since `assistant.corpus` reads only the
keyword index and the chunk texts, never a vector. Each question is answered --repeat times;
the median and p95 milliseconds are printed with the number of documents found, against a
brute-force scan of every document text for the name as a word: recall must be 1.0, and
precision 1.0 says no document was listed for a word that only shares the name's stem
("français" for "France"). Target: <= 200 ms at 3.7k chunks.

    .venv/bin/python bench/corpus_bench.py [--repeat 20] [--data-dir /tmp/veille-corpus-bench]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import SHARED, median, pct, table, write
from langchain_core.embeddings import Embeddings

from assistant.analysis import fold
from assistant.corpus import answer_corpus_question
from assistant.derived import keyword_index
from assistant.settings import load_settings
from assistant.store import Store
from ingest.sync import ingest_paths

QUESTIONS = (
    ("Quels articles parlent de Tencent ?", ("Tencent",)),
    ("Combien d'articles mentionnent Boeing, et lesquels ?", ("Boeing",)),
    ("Quels articles mentionnent Amazon ?", ("Amazon",)),
    ("Which articles mention Nintendo?", ("Nintendo",)),
    ("Quels articles parlent d'Usain Bolt ?", ("Usain", "Bolt")),
    ("Que dit le corpus sur Uber ?", ("Uber",)),
    ("Combien d'articles mentionnent la France ?", ("France",)),
    # What the corpus says: several sentences per document when few match; the last one
    # collects every sentence of 427 documents and quotes one each.
    ("What does the corpus say about Nintendo?", ("Nintendo",)),
    ("Que dit le corpus sur Usain Bolt ?", ("Usain", "Bolt")),
    ("Que dit le corpus sur la France ?", ("France",)),
)


class StandIn(Embeddings):
    """One constant vector: the bench store needs vectors to exist, not to mean anything."""

    model_id = "bench-stand-in"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0, 0.0, 0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        del text
        return [1.0, 0.0, 0.0, 0.0]


def brute_force(store: Store, words: tuple[str, ...]) -> set[str]:
    patterns = [re.compile(rf"(?<!\w){re.escape(fold(w))}(?!\w)") for w in words]
    found = set()
    for doc_id, record in store.documents_under().items():
        text = fold(store.document_text(doc_id) or "")
        if all(p.search(text) for p in patterns):
            found.add(record.source)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/veille-corpus-bench"))
    parser.add_argument("--corpus", type=Path, default=SHARED / "wikinews-fr")
    args = parser.parse_args()

    settings = load_settings(data_dir=args.data_dir / "data")
    embeddings = StandIn()
    corpus = args.data_dir / "wikinews"
    if not corpus.exists():
        tmp = args.data_dir / "wikinews.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for path in sorted(args.corpus.rglob("*.txt")):
            if "-urls" not in path.name and path.name.startswith("20"):
                shutil.copy(path, tmp / path.name)
        tmp.rename(corpus)
    started = time.perf_counter()
    ingest_paths([corpus], settings=settings, embeddings=embeddings)
    print(f"ingest (or check) {time.perf_counter() - started:.1f}s", file=sys.stderr)
    store = Store(settings, embeddings)
    index = keyword_index(settings)
    index.ensure_fresh(store)
    rows, out = [], []
    for question, words in QUESTIONS:
        times, answer = [], None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            answer = answer_corpus_question(question, store, index, settings)
            times.append((time.perf_counter() - t0) * 1000)
        listed = {c.source for c in answer.citations} if answer is not None else set()
        if answer is not None and "sans citation" in answer.text:
            listed |= set(answer.text.rsplit(": ", 1)[-1].split(", "))
        expected = brute_force(store, words)
        recall = len(listed & expected) / len(expected) if expected else 1.0
        precision = len(listed & expected) / len(listed) if listed else 1.0
        rows.append(
            [
                question,
                len(expected),
                len(listed),
                recall,
                precision,
                median(times),
                pct(times, 0.95),
            ]
        )
        out.append(
            {
                "question": question,
                "expected": len(expected),
                "found": len(listed),
                "recall": recall,
                "precision": precision,
                "median_ms": median(times),
                "p95_ms": pct(times, 0.95),
            }
        )
    print(f"{store.count()} chunks, {store.document_count()} documents")
    headers = ["question", "docs", "found", "recall", "precision", "median ms", "p95 ms"]
    print(table(headers, rows))
    print(f"median of medians: {median([r[5] for r in rows]):.1f} ms")
    write("corpus_bench", {"chunks": store.count(), "questions": out})


if __name__ == "__main__":
    main()
