"""How long `veille ingest --watch` takes to index a new article (target: at most 5 s).

Runs the watcher in-process over a folder of two sample articles, then copies in the other
sample articles one at a time and times each from the copy to the end of its sync: the
debounce (`ingest.watch.DEBOUNCE_MS`) plus the incremental sync itself, which is reported
apart (nearly all of it is embedding the article's chunks with e5). Medians over the
articles.

    .venv/bin/python bench/watch_bench.py [--debounce-ms 1000]
"""

from __future__ import annotations

import argparse
import queue
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import median, table, write

from assistant.settings import load_settings
from ingest.sync import SAMPLE_CORPUS
from ingest.watch import DEBOUNCE_MS, WatchBatch, watch_paths


def main() -> int:
    """Run the benchmark and print a table; the numbers go to bench/results/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debounce-ms", type=int, default=DEBOUNCE_MS)
    args = parser.parse_args()
    samples = sorted(SAMPLE_CORPUS.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for path in samples[:2]:
            shutil.copy(path, folder / path.name)
        settings = load_settings(data_dir=Path(tmp) / "data")
        batches: queue.Queue[WatchBatch] = queue.Queue()
        stop = threading.Event()
        synced = threading.Event()  # the first line echoed is the initial sync's summary
        worker = threading.Thread(
            target=watch_paths,
            args=([folder],),
            kwargs={
                "settings": settings,
                "stop": stop,
                "debounce_ms": args.debounce_ms,
                "echo": lambda _line: synced.set(),
                "on_batch": batches.put,
            },
        )
        worker.start()
        if not synced.wait(timeout=300):
            print("the initial sync did not finish", file=sys.stderr)
            return 1
        time.sleep(2)  # the watcher's start and its catch-up sync
        rows: list[list[object]] = []
        totals: list[float] = []
        syncs: list[float] = []
        for path in samples[2:]:
            started = time.perf_counter()
            shutil.copy(path, folder / path.name)
            batch = batches.get(timeout=60)
            total = time.perf_counter() - started
            totals.append(total)
            syncs.append(batch.report.seconds)
            rows.append([path.name, round(total, 2), round(batch.report.seconds, 2)])
        stop.set()
        worker.join()
    print(table(["article", "copy -> indexed s", "sync s"], rows))
    print(f"median {median(totals):.2f} s (sync {median(syncs):.2f} s); target <= 5 s")
    write(
        "watch_bench",
        {
            "debounce_ms": args.debounce_ms,
            "articles": rows,
            "median_s": median(totals),
            "median_sync_s": median(syncs),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
