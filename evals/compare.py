"""Compare two eval runs: every summary metric side by side with its change, and the flips.

A flip is a question, present in both runs, whose outcome changed: its answer became correct
or wrong (`correct`), or its expected source entered or left the first k passages (`hit@k`).
Settings that differ between the runs are listed too, so a change in a metric can be read
against what changed in the configuration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.errors import VeilleError

if TYPE_CHECKING:
    from pathlib import Path

FLIP_METRICS = ("correct",)
CONFIG_KEYS = (
    "questions_sha256",
    "mode",
    "model",
    "retrieval_only",
    "retriever",
    "k",
    "limit",
    "embedding_model",
    "retrieval",
    "ingest",
    "generation",
    "store",
    "veille_version",
)


class ResultFileError(VeilleError):
    """A file is not a `veille eval --out` result; the message names it."""


@dataclass(frozen=True, slots=True)
class Row:
    """One metric in both runs."""

    group: str
    metric: str
    a: Any
    b: Any

    @property
    def delta(self) -> float | None:
        """The change from a to b, when both are numbers."""
        numeric = (int, float)
        if isinstance(self.a, bool) or isinstance(self.b, bool):
            return None
        if isinstance(self.a, numeric) and isinstance(self.b, numeric):
            return float(self.b) - float(self.a)
        return None


@dataclass(frozen=True, slots=True)
class Flip:
    """A question whose outcome changed between the runs."""

    id: str
    question: str
    metric: str
    before: bool
    after: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two runs side by side."""

    name_a: str
    name_b: str
    rows: list[Row]
    flips: list[Flip]
    config_changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    only_in_a: int = 0
    only_in_b: int = 0


def load_result(path: Path) -> dict[str, Any]:
    """Read a RESULT.json written by `veille eval --out`.

    Raises:
        ResultFileError: The file is missing or does not hold summary, config and results.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        msg = f"cannot read result file {path}: {exc}"
        raise ResultFileError(msg) from None
    if not isinstance(data, dict) or not {"summary", "config", "results"} <= data.keys():
        msg = f"{path}: not a `veille eval --out` result (no summary/config/results)"
        raise ResultFileError(msg)
    return data


def _flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _hit_metric(result: dict[str, Any]) -> str | None:
    return next((m for m in result.get("metrics", {}) if m.startswith("hit@")), None)


def compare(
    a: dict[str, Any], b: dict[str, Any], *, name_a: str = "A", name_b: str = "B"
) -> Comparison:
    """Compare run `a` (before) with run `b` (after)."""
    rows: list[Row] = []
    for group in dict.fromkeys([*a["summary"], *b["summary"]]):
        ga, gb = a["summary"].get(group, {}), b["summary"].get(group, {})
        rows.extend(Row(group, m, ga.get(m), gb.get(m)) for m in dict.fromkeys([*ga, *gb]))
    by_id_a = {r["id"]: r for r in a["results"]}
    by_id_b = {r["id"]: r for r in b["results"]}
    flips: list[Flip] = []
    for qid, ra in by_id_a.items():
        rb = by_id_b.get(qid)
        if rb is None:
            continue
        names = [*FLIP_METRICS, _hit_metric(ra)]
        for metric in names:
            if metric is None:
                continue
            va, vb = ra.get("metrics", {}).get(metric), rb.get("metrics", {}).get(metric)
            if va is None or vb is None or bool(va) == bool(vb):
                continue
            flips.append(Flip(qid, str(ra.get("question", "")), metric, bool(va), bool(vb)))
    ca = _flatten({k: a["config"].get(k) for k in CONFIG_KEYS if k in a["config"]})
    cb = _flatten({k: b["config"].get(k) for k in CONFIG_KEYS if k in b["config"]})
    changes = [
        (key, ca.get(key), cb.get(key))
        for key in dict.fromkeys([*ca, *cb])
        if ca.get(key) != cb.get(key)
    ]
    return Comparison(
        name_a=name_a,
        name_b=name_b,
        rows=rows,
        flips=flips,
        config_changes=changes,
        only_in_a=len(by_id_a.keys() - by_id_b.keys()),
        only_in_b=len(by_id_b.keys() - by_id_a.keys()),
    )
