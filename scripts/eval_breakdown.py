"""Read a `veille eval --out` file and print the issue's headline figures, overall and by kind.

Usage: python scripts/eval_breakdown.py [--same-ids AS.json] RESULT.json [...]. Kinds come from
the question ids of evals/sample_questions.jsonl (near misses are the `*near*` ids); with
`--same-ids`, only the questions that AS.json also holds are counted (to set a run on the grown set
beside an older run on the original 70).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def figures(rows: list[dict]) -> str:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    correct = sum(1 for r in answerable if not r["refused"] and r["metrics"].get("correct"))
    wrong_cited = sum(1 for r in rows if not r["refused"] and not r["metrics"].get("correct"))
    refused = [r for r in rows if r["refused"]]
    right_refusals = sum(1 for r in refused if not r["answerable"])
    precision = right_refusals / len(refused) if refused else float("nan")
    recall = right_refusals / len(unanswerable) if unanswerable else float("nan")
    return (
        f"n={len(rows)} wrong-but-cited {wrong_cited / len(rows):.1%} ({wrong_cited}) | "
        f"correct of answerable {correct / max(len(answerable), 1):.3f} "
        f"({correct}/{len(answerable)}) | "
        f"refusal P {precision:.3f} R {recall:.3f} ({right_refusals}/{len(unanswerable)})"
    )


def main() -> None:
    args = sys.argv[1:]
    keep: set[str] | None = None
    if args[:1] == ["--same-ids"]:
        other = json.loads(Path(args[1]).read_text(encoding="utf-8"))["results"]
        keep = {r["id"] for r in other}
        args = args[2:]
    for name in args:
        rows = json.loads(Path(name).read_text(encoding="utf-8"))["results"]
        if keep is not None:
            rows = [r for r in rows if r["id"] in keep]
        print(name)
        print("  all        ", figures(rows))
        near = [r for r in rows if "near" in r["id"]]
        if near:
            refused = sum(1 for r in near if r["refused"])
            print(f"  near misses n={len(near)} refused {refused} ({refused / len(near):.1%})")


if __name__ == "__main__":
    main()
