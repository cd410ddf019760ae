"""Latency of lists, summaries, comparisons and explanations: first bullet and whole answer.

For each question of evals/elements_sample.jsonl that is not a fact or corpus question (by
`assistant.kinds.classify`), in the default mode of a fresh data directory (the local model
when installed): the time to `EvidenceFound` (the cited bullets a front end shows at once)
and to `AnswerReady`, in process with the assistant loaded, as the chat runs it; then
`veille ask --json` as a subprocess for the first --ask questions (start-up included, as a
user at the shell sees it). Medians and p95.

With --rewrite (`coverage.rewrite = true`), the model shortens each bullet: the first
bullet is then the first checked rewrite on screen (the first `TokenStreamed`), the skeleton's
time is kept beside it, and the results go to long_answer_latency_rewrite.json.

    .venv/bin/python bench/long_answer_latency.py [--ask 3] [--rewrite] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import ROOT, ingest_sample, median, pct, write

from assistant.answer import AnswerReady, Assistant, EvidenceFound, TokenStreamed
from assistant.kinds import classify
from assistant.settings import Settings
from evals.questions import load_questions

ELEMENTS = ROOT / "evals" / "elements_sample.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ask", type=int, default=3, help="questions also run by `veille ask`")
    parser.add_argument("--rewrite", action="store_true", help="coverage.rewrite = true")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args()

    questions = [
        q for q in load_questions(ELEMENTS) if classify(q.question) not in ("fact", "corpus")
    ]
    if args.limit:
        questions = questions[: args.limit]
    data = Path(tempfile.mkdtemp()) / "data"
    ingest_sample(data)
    settings = Settings(data_dir=data)
    if args.rewrite:
        settings = settings.with_section("coverage", rewrite=True)
    assistant = Assistant(settings)
    rows = []
    for q in questions:
        started = time.perf_counter()
        first = skeleton = None
        answer = None
        for event in assistant.stream(q.question):
            if isinstance(event, EvidenceFound) and skeleton is None:
                skeleton = (time.perf_counter() - started) * 1000
                first = None if args.rewrite else skeleton
            elif isinstance(event, TokenStreamed) and first is None:
                first = (time.perf_counter() - started) * 1000
            elif isinstance(event, AnswerReady):
                answer = event.answer
        total = (time.perf_counter() - started) * 1000
        assert answer is not None
        rows.append(
            {
                "id": q.id,
                "kind": answer.kind,
                "mode": answer.mode,
                "bullets": len(answer.citations),
                "first_bullet_ms": first,
                "skeleton_ms": skeleton,
                "total_ms": total,
            }
        )
        print(
            f"{q.id} {answer.kind}: first bullet {first or 0:.0f} ms, total {total:.0f} ms",
            flush=True,
        )

    env = {**os.environ, "VEILLE_DATA_DIR": str(data)}
    shell = []
    for q in questions[: args.ask]:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "ask", "--json", q.question],
            capture_output=True,
            text=True,
            env={**env, "VEILLE_COVERAGE__REWRITE": "true"} if args.rewrite else env,
            cwd=ROOT,
            check=True,
        )
        wall = (time.perf_counter() - started) * 1000
        shell.append({"id": q.id, "wall_ms": wall, "mode": json.loads(done.stdout)["mode"]})
        print(f"veille ask {q.id}: {wall:.0f} ms wall", flush=True)

    firsts = [r["first_bullet_ms"] for r in rows if r["first_bullet_ms"] is not None]
    totals = [r["total_ms"] for r in rows]
    summary = {
        "questions": len(rows),
        "mode": assistant.mode,
        "rewrite": args.rewrite,
        "first_bullet_p50_ms": median(firsts),
        "first_bullet_p95_ms": pct(firsts, 0.95),
        "total_p50_ms": median(totals),
        "total_p95_ms": pct(totals, 0.95),
        "ask_wall_p50_ms": median([s["wall_ms"] for s in shell]) if shell else None,
    }
    print(json.dumps(summary, indent=2))
    name = "long_answer_latency_rewrite" if args.rewrite else "long_answer_latency"
    write(name, {"summary": summary, "rows": rows, "ask": shell})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
