"""`veille figures` / `veille timeline` query time over the Wikinews corpus (about 3.7k chunks).

Builds the facts database from the 1,191 Wikinews articles' texts (each dated by its file
name, as ingest dates it) with the same code ingest runs (`assistant.facts.add_document`),
then times queries the way a reader runs them: open the database read-only, check its stamp,
query. Prints the extraction time and the median (p50) query time; writes
bench/results/facts.json. Usage: `.venv/bin/python bench/facts_bench.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import facts
from assistant.store import DocumentRecord
from bench._common import SHARED, machine, write

WIKINEWS = SHARED / "wikinews-fr"
QUERIES = [None, "millions de dollars", "morts", "élection", "France", "pourcent", "2017"]


def _date(path: Path) -> str:
    match = re.match(r"(\d{4})_(\d{2})_(\d{2})", path.name)
    return "-".join(match.groups()) if match else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    files = sorted(p for p in WIKINEWS.rglob("*.txt") if re.match(r"\d{4}_", p.name))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facts.sqlite"
        con = sqlite3.connect(path)
        started = time.perf_counter()
        with con:
            for p in files:
                rel = p.relative_to(WIKINEWS).as_posix()
                record = DocumentRecord(str(p), rel, str(WIKINEWS), "x", 1, date=_date(p))
                facts.add_document(con, record, p.read_text(encoding="utf-8"))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', '{}')")
        extract_s = time.perf_counter() - started
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("figures", "events")
        }
        con.close()
        timings: dict[str, float] = {}
        samples: list[float] = []
        for kind in ("figures", "events"):
            run = facts.query_figures if kind == "figures" else facts.query_events
            for query in QUERIES:
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                    reader.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
                    run(reader, query)
                    reader.close()
                    samples.append((time.perf_counter() - t0) * 1000)
                timings[f"{kind}:{query}"] = statistics.median(samples[-args.repeat :])
    p50 = statistics.median(samples)
    print(
        f"{len(files)} articles: {counts['figures']} figures, {counts['events']} events, "
        f"extracted in {extract_s:.1f} s ({extract_s / len(files) * 1000:.1f} ms/article)"
    )
    for name, ms in timings.items():
        print(f"  {name:<32} p50 {ms:7.1f} ms")
    print(f"query p50 {p50:.1f} ms")
    write(
        "facts",
        {
            "machine": machine(),
            "articles": len(files),
            **counts,
            "extract_seconds": round(extract_s, 2),
            "query_p50_ms": round(p50, 2),
            "per_query_p50_ms": {k: round(v, 2) for k, v in timings.items()},
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
