"""Query latency of dense, BM25 and hybrid retrieval at about 1k, 10k and 100k chunks.

The base is real text: chunks of the French Wikinews corpus (CC BY 2.5) and PIAF paragraphs
(CC BY-SA; see each dataset's PROVENANCE.md), embedded with the real default model. Larger
stores repeat the base with distinct ids and slightly perturbed vectors (embedding 100k chunks
on 2 cores would take hours and would not change how latency grows). Queries are PIAF
questions. Also reports the BM25 index's load time and an incremental update of 100 chunks.

    .venv/bin/python bench/retrieval_scale.py [--sizes 1000 10000 100000] [--queries 50]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import SHARED, median, pct, table, write

from assistant.embeddings import E5Embeddings
from assistant.keyword import KeywordIndex
from assistant.retrieval import HybridRetriever
from assistant.settings import load_settings
from assistant.store import Store
from assistant.types import Chunk
from ingest.chunking import chunk_text
from ingest.loaders import load_file


def base_chunks(n: int) -> list[Chunk]:
    out: list[Chunk] = []
    piaf = json.loads((SHARED / "piaf" / "piaf-v1.1.json").read_text(encoding="utf-8"))
    for art in piaf["data"]:
        for para in art["paragraphs"]:
            ctx = para["context"]
            out.append(Chunk(f"piaf/{len(out)}.txt", f"/piaf/{len(out)}", ctx, 0, len(ctx)))
    news = sorted((SHARED / "wikinews-fr").rglob("*.txt"))
    for p in news:
        if "-urls" in p.name:
            continue
        doc = load_file(p, max_bytes=10**8)
        out.extend(chunk_text(doc.text, source=p.name, doc_id=str(p)))
        if len(out) >= n * 2:
            break
    rng = np.random.default_rng(0)
    picks = rng.permutation(len(out))[:n]
    return [out[i] for i in sorted(picks)]


def questions(n: int) -> list[str]:
    piaf = json.loads((SHARED / "piaf" / "piaf-v1.1.json").read_text(encoding="utf-8"))
    qs = [qa["question"] for a in piaf["data"] for p in a["paragraphs"] for qa in p["qas"]]
    rng = np.random.default_rng(1)
    return [qs[i] for i in rng.permutation(len(qs))[:n]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--base", type=int, default=1000, help="real chunks embedded")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="veille-scale-"))
    emb = E5Embeddings()
    base = base_chunks(args.base)
    t0 = time.perf_counter()
    vectors = np.array(emb.embed_documents([c.text for c in base]), dtype=np.float32)
    print(f"embedded {len(base)} base chunks in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    qs = questions(args.queries)
    rng = np.random.default_rng(2)
    rows, results = [], []
    for size in args.sizes:
        settings = load_settings(data_dir=work / f"s{size}")
        store = Store(settings, emb, create=True)
        keywords = KeywordIndex(settings.data_dir / "bm25")
        t0 = time.perf_counter()
        added: list[Chunk] = []
        for start in range(0, size, 5000):
            ids, docs, metas, vecs = [], [], [], []
            for i in range(start, min(size, start + 5000)):
                c = base[i % len(base)]
                copy = i // len(base)
                v = vectors[i % len(base)] + (rng.normal(0, 0.02, vectors.shape[1]) if copy else 0)
                v = v / np.linalg.norm(v)
                cid = f"c{i}"
                ids.append(cid)
                docs.append(c.text)
                metas.append(
                    {
                        "source": c.source,
                        "doc_id": f"{c.doc_id}#{copy}",
                        "start": c.start,
                        "end": c.end,
                    }
                )
                vecs.append(v.astype(np.float32))
                added.append(Chunk(c.source, f"{c.doc_id}#{copy}", c.text, c.start, c.end, cid))
            store.chunks.add(ids=ids, documents=docs, metadatas=metas, embeddings=np.array(vecs))
        write_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        keywords.update(added, (), store_count=store.count())
        keywords.save()
        bm25_build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        loaded = KeywordIndex(settings.data_dir / "bm25")
        loaded.search("warm", 1)
        bm25_load_s = time.perf_counter() - t0
        extra = [Chunk("x", "x", base[i].text, 0, 1, f"extra{i}") for i in range(100)]
        t0 = time.perf_counter()
        loaded.update(extra, [f"c{i}" for i in range(100)], store_count=store.count())
        loaded.search("warm", 1)
        bm25_update_s = time.perf_counter() - t0
        retriever = HybridRetriever(store, keywords, emb, settings.retrieval)
        retriever.retrieve(qs[0])  # warm caches
        timing: dict[str, list[float]] = {"dense": [], "bm25": [], "hybrid": []}
        for _ in range(args.repeat):
            for q in qs:
                for mode, samples in timing.items():
                    t0 = time.perf_counter()
                    retriever.retrieve(q, mode=mode)
                    samples.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        for q in qs:
            emb.embed_query(q)
        embed_ms = (time.perf_counter() - t0) * 1000 / len(qs)
        result = {
            "chunks": store.count(),
            "write_s": write_s,
            "bm25_build_s": bm25_build_s,
            "bm25_load_s": bm25_load_s,
            "bm25_update_100_s": bm25_update_s,
            "embed_query_ms": embed_ms,
            **{f"{m}_p50_ms": median(v) for m, v in timing.items()},
            **{f"{m}_p95_ms": pct(v, 0.95) for m, v in timing.items()},
        }
        results.append(result)
        rows.append(
            [
                result["chunks"],
                result["dense_p50_ms"],
                result["dense_p95_ms"],
                result["bm25_p50_ms"],
                result["bm25_p95_ms"],
                result["hybrid_p50_ms"],
                result["hybrid_p95_ms"],
                embed_ms,
                bm25_load_s,
                bm25_update_s,
            ]
        )
        print(f"{size}: {json.dumps(result)}", file=sys.stderr)
    print(
        table(
            [
                "chunks",
                "dense p50",
                "dense p95",
                "bm25 p50",
                "bm25 p95",
                "hybrid p50",
                "hybrid p95",
                "embed q ms",
                "bm25 load s",
                "bm25 +100 s",
            ],
            rows,
        )
    )
    print(
        f"(ms; {args.queries} PIAF questions x {args.repeat}; dense includes embedding the question)"
    )
    print("wrote", write("retrieval_scale", {"sizes": results}))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
