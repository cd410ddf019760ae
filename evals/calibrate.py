"""Fit the confidence's weights from eval runs, and sweep its threshold over whole sets.

    python -m evals.calibrate FIT.json [FIT2.json ...] [--check TEST.json ...] [--l2 1.0]

Each file is a `veille eval --out` file of a run made with `--set grounding.min_confidence=0`
(so that no question was refused by the confidence itself). The fit reads the fact questions
that the rules let through, each with its `signals` (`assistant/confidence.py`), and learns the
probability that the answer shown is correct (an unanswerable question answered is wrong) by
L2-regularised logistic regression (Newton's method, features standardised). It prints the
weights as the `[grounding.confidence_weights]` table of a `veille.toml`, then, for each file
(the fitted ones and the `--check` ones, which the fit never saw), what each threshold would
give: wrong-but-cited rate, correct share of the answerable questions, refusal precision and
recall. A threshold only adds refusals, so the table is what `veille eval --set
grounding.min_confidence=T` gives in extractive mode.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.confidence import BIAS, SIGNAL_NAMES, Signals, confidence

THRESHOLDS = (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


@dataclass(frozen=True, slots=True)
class Row:
    """One question of a run, as the calibration sees it."""

    answerable: bool
    refused: bool
    correct: bool
    signals: Signals | None  # None: not a fact question, or no evidence step


def load_rows(path: Path) -> list[Row]:
    """The questions of one `veille eval --out` file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows: list[Row] = []
    for item in data.get("results", []):
        if item.get("error"):
            continue
        raw = item.get("signals")
        fact = item.get("kind", "fact") == "fact"
        signals = Signals(**{k: float(raw[k]) for k in SIGNAL_NAMES if k in raw}) if raw else None
        metrics: dict[str, Any] = item.get("metrics") or {}
        rows.append(
            Row(
                answerable=bool(item.get("answerable", True)),
                refused=bool(item.get("refused")),
                correct=bool(metrics.get("correct")),
                signals=signals if fact else None,
            )
        )
    return rows


def fit(rows: list[Row], l2: float = 1.0) -> dict[str, float]:
    """Logistic weights (in the signals' own units) for P(correct | answered, signals)."""
    used = [r for r in rows if not r.refused and r.signals is not None]
    if len(used) < 10 or len({r.correct for r in used}) < 2:
        msg = "need at least 10 answered fact questions, some right and some wrong"
        raise ValueError(msg)
    x = np.array([[getattr(r.signals, n) for n in SIGNAL_NAMES] for r in used], dtype=float)
    y = np.array([float(r.correct) for r in used])
    mean, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread == 0] = 1.0  # a constant signal gets no weight, not a division by zero
    z = np.hstack([(x - mean) / spread, np.ones((len(x), 1))])
    w = _newton(z, y, l2)
    weights = {name: float(w[i] / spread[i]) for i, name in enumerate(SIGNAL_NAMES)}
    weights[BIAS] = float(w[-1] - sum(w[i] * mean[i] / spread[i] for i in range(len(mean))))
    return weights


def _newton(z: npt.NDArray[np.float64], y: npt.NDArray[np.float64], l2: float) -> Any:
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    w = np.zeros(z.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z.T * (p * (1 - p))) @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    return w


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one threshold gives on one run."""

    threshold: float
    questions: int
    wrong_but_cited: int
    correct: int
    answerable: int
    refused: int
    right_refusals: int
    unanswerable: int

    def line(self) -> str:
        """One row of the sweep table."""
        precision = self.right_refusals / self.refused if self.refused else float("nan")
        recall = self.right_refusals / self.unanswerable if self.unanswerable else float("nan")
        return (
            f"| {self.threshold:.2f} | {self.wrong_but_cited / self.questions:.1%} "
            f"({self.wrong_but_cited}) | {self.correct / max(self.answerable, 1):.3f} "
            f"| {precision:.3f} | {recall:.3f} |"
        )


def outcome(rows: list[Row], weights: dict[str, float], threshold: float) -> Outcome:
    """The run's figures had questions below `threshold` been refused too."""
    wrong = correct = refused = right = 0
    for row in rows:
        low = row.signals is not None and confidence(row.signals, weights) < threshold
        if row.refused or low:
            refused += 1
            right += not row.answerable
        elif row.correct:
            correct += 1
        else:
            wrong += 1
    answerable = sum(r.answerable for r in rows)
    return Outcome(
        threshold, len(rows), wrong, correct, answerable, refused, right, len(rows) - answerable
    )


def toml_table(weights: dict[str, float]) -> str:
    """The weights as a `veille.toml` table."""
    lines = ["[grounding.confidence_weights]"]
    lines += [f"{name} = {weights[name]:.4f}" for name in (*SIGNAL_NAMES, BIAS)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Fit, print the weights and the sweep tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fit", nargs="+", type=Path, help="eval runs to fit on")
    parser.add_argument("--check", action="append", type=Path, default=[], help="runs not fitted")
    parser.add_argument("--l2", type=float, default=1.0, help="regularisation strength")
    args = parser.parse_args(argv)
    fitted = {path: load_rows(path) for path in args.fit}
    try:
        weights = fit([row for rows in fitted.values() for row in rows], args.l2)
    except ValueError as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return 1
    print(toml_table(weights))
    runs = [(path, rows, "fitted") for path, rows in fitted.items()]
    runs += [(path, load_rows(path), "check") for path in args.check]
    for path, rows, role in runs:
        print(f"\n{path} ({role}, {len(rows)} questions)\n")
        print("| min_confidence | wrong-but-cited | correct | refusal P | refusal R |")
        print("|---|---|---|---|---|")
        for threshold in THRESHOLDS:
            print(outcome(rows, weights, threshold).line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
