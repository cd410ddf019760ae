"""Draw a seeded sample of a question set: N answerable and M unanswerable questions.

    python scripts/sample_questions.py P/questions.jsonl OUT.jsonl \
        --answerable 200 --unanswerable 100 [--seed 1 --exclude OTHER.jsonl]

Used for the PIAF 200 + 100 runs of evals/README.md (after `python -m evals.squad … --out P
--unanswerable-articles 10`); the same seed gives the same questions, in a shuffled order.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def main() -> None:
    """Write the sample."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--answerable", type=int, default=200)
    parser.add_argument("--unanswerable", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--exclude",
        type=Path,
        action="append",
        default=[],
        help="a question set whose ids are left out (a calibration split apart from a test one)",
    )
    args = parser.parse_args()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    left_out = {
        json.loads(line)["id"]
        for path in args.exclude
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    rows = [r for r in rows if r["id"] not in left_out]
    answerable = [r for r in rows if r.get("answerable", True)]
    unanswerable = [r for r in rows if not r.get("answerable", True)]
    rng = random.Random(args.seed)  # noqa: S311 - a reproducible sample, not a secret
    sample = rng.sample(answerable, args.answerable) + rng.sample(unanswerable, args.unanswerable)
    rng.shuffle(sample)
    args.out.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sample), encoding="utf-8"
    )
    print(f"{len(sample)} questions -> {args.out}")


if __name__ == "__main__":
    main()
