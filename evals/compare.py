"""Compare two eval runs: every summary metric side by side with its change, and the flips.

A flip is a question, present in both runs, whose outcome changed: its answer became correct
or wrong (`correct`), or its expected source entered or left the first k passages (`hit@k`).
Settings that differ between the runs are listed too, so a change in a metric can be read
against what changed in the configuration. The wrong-but-cited rate comes first; a run saved
before it was in the summary gets it computed from its results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evals.runner import wrong_but_cited

if TYPE_CHECKING:
    from evals.results import QuestionResult, RunResult

HEADLINE = "headline"
"""The group of the summary's top-level values (`wrong_but_cited`)."""
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


def _flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _hit_metric(result: QuestionResult) -> str | None:
    return next((m for m in result.metrics if m.startswith("hit@")), None)


def _groups(run: RunResult) -> dict[str, dict[str, Any]]:
    """The summary as groups of metrics, its top-level values in the `headline` group first."""
    headline = {k: v for k, v in run.summary.items() if not isinstance(v, dict)}
    answered = any(r.answer is not None for r in run.results)
    if "wrong_but_cited" not in headline and answered:  # saved before it was summarised
        headline = {"wrong_but_cited": wrong_but_cited(run.results), **headline}
    groups = {k: v for k, v in run.summary.items() if isinstance(v, dict)}
    return {HEADLINE: headline, **groups} if headline else groups


def compare(a: RunResult, b: RunResult, *, name_a: str = "A", name_b: str = "B") -> Comparison:
    """Compare run `a` (before) with run `b` (after)."""
    rows: list[Row] = []
    groups_a, groups_b = _groups(a), _groups(b)
    for group in dict.fromkeys([*groups_a, *groups_b]):
        ga, gb = groups_a.get(group, {}), groups_b.get(group, {})
        rows.extend(Row(group, m, ga.get(m), gb.get(m)) for m in dict.fromkeys([*ga, *gb]))
    by_id_a = {r.id: r for r in a.results}
    by_id_b = {r.id: r for r in b.results}
    flips: list[Flip] = []
    for qid, ra in by_id_a.items():
        rb = by_id_b.get(qid)
        if rb is None:
            continue
        names = [*FLIP_METRICS, _hit_metric(ra)]
        for metric in names:
            if metric is None:
                continue
            va, vb = ra.metrics.get(metric), rb.metrics.get(metric)
            if va is None or vb is None or bool(va) == bool(vb):
                continue
            flips.append(Flip(qid, ra.question, metric, bool(va), bool(vb)))
    ca = _flatten({k: a.config.get(k) for k in CONFIG_KEYS if k in a.config})
    cb = _flatten({k: b.config.get(k) for k in CONFIG_KEYS if k in b.config})
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
