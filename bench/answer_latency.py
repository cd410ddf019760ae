"""Answer latency with the local model over the sample question set.

For each answerable question of evals/sample_questions.jsonl (and the unanswerable ones with
--all): time to evidence (the EvidenceFound event a front end shows at once), time to the first
streamed token, total; prompt tokens; whether verification re-pointed or dropped a citation.
The model stays loaded between questions, as in chat and eval. Medians and p95 over all
questions and --repeat passes; the first question after loading is reported apart (cold).
Peak RSS is this process (which only asks: the sample corpus is ingested by a `veille ingest`
subprocess first) plus the llama.cpp child's high-water mark.

    .venv/bin/python bench/answer_latency.py [--limit 12] [--repeat 1] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import SAMPLE_QUESTIONS, ingest_sample, median, pct, peak_rss_mib, table, write

from assistant.answer import AnswerReady, Assistant, EvidenceFound, TokenStreamed
from assistant.local_model import ensure_model, get_server
from assistant.settings import Settings
from evals.questions import load_questions

ROOT = Path(__file__).resolve().parents[1]


def _child_peak_mib(pid: int | None) -> float:
    if pid is None:
        return float("nan")
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=12, help="answerable questions")
    parser.add_argument("--all", action="store_true", help="add the unanswerable questions")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    questions = load_questions(SAMPLE_QUESTIONS)
    chosen = [q for q in questions if q.answerable][: args.limit]
    if args.all:
        chosen += [q for q in questions if not q.answerable]

    data = Path(tempfile.mkdtemp()) / "data"
    settings = Settings(data_dir=data)
    ingest_sample(data)
    model = ensure_model(ROOT / ".cache/models")
    settings = settings.with_section(
        "generation", mode="local", local_model=model, threads=args.threads
    )
    gen = settings.generation
    t0 = time.perf_counter()
    server = get_server(model, n_ctx=gen.n_ctx, n_threads=args.threads)
    server.start()
    load_s = time.perf_counter() - t0
    assistant = Assistant(settings)

    rows = []
    for rep in range(args.repeat):
        for q in chosen:
            started = time.perf_counter()
            evidence_ms = first_ms = None
            answer = None
            for event in assistant.stream(q.question):
                now = (time.perf_counter() - started) * 1000
                if isinstance(event, EvidenceFound) and evidence_ms is None:
                    evidence_ms = now
                elif isinstance(event, TokenStreamed) and first_ms is None:
                    first_ms = now
                elif isinstance(event, AnswerReady):
                    answer = event.answer
            total_ms = (time.perf_counter() - started) * 1000
            assert answer is not None
            notes = " ".join(answer.notes)
            rows.append(
                {
                    "pass": rep,
                    "id": q.id,
                    "evidence_ms": evidence_ms,
                    "first_token_ms": first_ms,
                    "total_ms": total_ms,
                    "prompt_tokens": answer.prompt_tokens,
                    "refused": answer.refused,
                    "answerable": q.answerable,
                    "contains_expected": any(a in answer.text for a in q.answers),
                    "repointed": "re-pointed" in notes or "repointed" in notes,
                    "dropped": "removed" in notes,
                    "citations": len(answer.citations),
                }
            )
            print(
                f"{q.id}: evidence {evidence_ms:.0f} ms, first token "
                f"{first_ms or float('nan'):.0f} ms, total {total_ms:.0f} ms, "
                f"{answer.prompt_tokens} prompt tokens, notes: {notes or '-'}",
                flush=True,
            )

    warm = rows[1:]

    def stat(key: str, rows: list[dict] = warm) -> tuple[float, float]:
        values = [r[key] for r in rows if r[key] is not None]
        return median(values), pct(values, 0.95)

    summary = {
        "questions": len(rows),
        "model_load_s": load_s,
        "cold_first_question": rows[0],
        "evidence_ms_p50_p95": stat("evidence_ms"),
        "first_token_ms_p50_p95": stat("first_token_ms"),
        "total_ms_p50_p95": stat("total_ms"),
        "prompt_tokens_p50_p95": stat("prompt_tokens"),
        "answered_containing_expected": sum(
            r["contains_expected"] for r in rows if r["answerable"]
        ),
        "answerable": sum(r["answerable"] for r in rows),
        "refused_answerable": sum(r["refused"] for r in rows if r["answerable"]),
        "refused_unanswerable": sum(r["refused"] for r in rows if not r["answerable"]),
        "unanswerable": sum(not r["answerable"] for r in rows),
        "answers_with_repointed_citation": sum(r["repointed"] for r in rows),
        "answers_with_dropped_claim": sum(r["dropped"] for r in rows),
        "peak_rss_mib": {
            "main": peak_rss_mib(),
            "llama_child": _child_peak_mib(server.pid),
        },
    }
    summary["peak_rss_mib"]["total"] = sum(summary["peak_rss_mib"].values())
    print()
    print(
        table(
            ["phase (warm)", "p50 ms", "p95 ms"],
            [
                ["evidence", *summary["evidence_ms_p50_p95"]],
                ["first token", *summary["first_token_ms_p50_p95"]],
                ["total", *summary["total_ms_p50_p95"]],
                ["prompt tokens", *summary["prompt_tokens_p50_p95"]],
            ],
        )
    )
    print(json.dumps({k: v for k, v in summary.items() if k != "cold_first_question"}, indent=1))
    path = write("answer_latency", {"summary": summary, "rows": rows})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
