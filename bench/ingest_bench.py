"""Ingest speed on the French Wikinews corpus (1,191 articles; CC BY 2.5, see its PROVENANCE.md).

Reports documents/s and chunks/s for a first ingest, split into load+chunk, embedding and store
write; then the re-ingest of the unchanged corpus (must embed nothing); peak RSS. Medians over
--repeat runs, each in a fresh data directory.

    .venv/bin/python bench/ingest_bench.py [--repeat 3] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import SHARED, median, peak_rss_mib, table, write

from assistant.embeddings import E5Embeddings, _engine
from assistant.settings import load_settings
from ingest.chunking import chunk_text
from ingest.files import walk
from ingest.loaders import load_file
from ingest.sync import ingest_paths


class TimedE5(E5Embeddings):
    seconds = 0.0
    texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        out = super().embed_documents(texts)
        TimedE5.seconds += time.perf_counter() - started
        TimedE5.texts += len(texts)
        return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--corpus", type=Path, default=SHARED / "wikinews-fr")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="veille-bench-"))
    corpus = work / "corpus"
    corpus.mkdir()
    files = [p for p in walk(args.corpus).files if p.suffix == ".txt" and "-urls" not in p.name]
    if args.limit:
        files = files[: args.limit]
    for p in files:
        shutil.copy(p, corpus / p.name)
    n_docs = len(files)

    runs = []
    for i in range(args.repeat):
        settings = load_settings(data_dir=work / f"data{i}")
        t0 = time.perf_counter()
        texts: list[str] = []
        for p in sorted(corpus.iterdir()):
            doc = load_file(p, max_bytes=20_000_000)
            texts += [c.text for c in chunk_text(doc.text, source=p.name, doc_id=str(p))]
        load_chunk = time.perf_counter() - t0
        engine = _engine(None, "fast")
        tokens = sum(engine.token_count(t) for t in texts)
        TimedE5.seconds, TimedE5.texts = 0.0, 0
        emb = TimedE5()
        emb.embed_query("warm up")
        t0 = time.perf_counter()
        report = ingest_paths([corpus], settings=settings, embeddings=emb)
        total = time.perf_counter() - t0
        reingests = []
        for _ in range(5):
            t0 = time.perf_counter()
            again = ingest_paths([corpus], settings=settings, embeddings=emb)
            reingests.append(time.perf_counter() - t0)
            assert again.chunks_added == 0, again.summary()
            assert again.added == 0, again.summary()
        reingest = median(reingests)
        runs.append(
            {
                "total_s": total,
                "load_chunk_s": load_chunk,
                "embed_s": TimedE5.seconds,
                "store_write_s": max(total - TimedE5.seconds - load_chunk, 0.0),
                "chunks": report.chunks_added,
                "reingest_s": reingest,
                "reingest_runs_s": reingests,
                "tokens": tokens,
                "embed_tokens_per_s": tokens / TimedE5.seconds if TimedE5.seconds else None,
            }
        )
        print(f"run {i + 1}: {report.summary()}; re-ingest {reingest:.2f}s", file=sys.stderr)

    def m(key: str) -> float:
        return median([r[key] for r in runs])

    chunks = runs[0]["chunks"]
    summary = {
        "documents": n_docs,
        "chunks": chunks,
        "total_s": m("total_s"),
        "docs_per_s": n_docs / m("total_s"),
        "chunks_per_s": chunks / m("total_s"),
        "load_chunk_s": m("load_chunk_s"),
        "embed_s": m("embed_s"),
        "embed_chunks_per_s": chunks / m("embed_s"),
        "embed_tokens_per_s": m("embed_tokens_per_s"),
        "cores": os.cpu_count(),
        "store_write_s": m("store_write_s"),
        "reingest_s": m("reingest_s"),
        "peak_rss_mib": peak_rss_mib(),
        "runs": runs,
    }
    print(
        table(
            [
                "documents",
                "chunks",
                "total s",
                "docs/s",
                "chunks/s",
                "load+chunk s",
                "embed s",
                "embed tok/s",
                "store write s",
                "re-ingest s",
                "peak RSS MiB",
            ],
            [
                [
                    n_docs,
                    chunks,
                    summary["total_s"],
                    summary["docs_per_s"],
                    summary["chunks_per_s"],
                    summary["load_chunk_s"],
                    summary["embed_s"],
                    summary["embed_tokens_per_s"],
                    summary["store_write_s"],
                    summary["reingest_s"],
                    summary["peak_rss_mib"],
                ]
            ],
        )
    )
    print(f"(medians of {args.repeat} runs)")
    print("wrote", write("ingest", summary))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
