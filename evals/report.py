"""Terminal tables for eval runs and comparisons (rich), and the number formats they share.

Only rendering lives here: the summary and the comparison are computed elsewhere as plain
data, so a saved RESULT.json prints the same table as the run that wrote it. Everything that
came from a file (question text, ids, file names, settings, error messages) is shown as
`rich.text.Text`, never parsed as markup, so a question holding "[/x]" prints as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from evals.compare import HEADLINE

if TYPE_CHECKING:
    from rich.console import Console

    from evals.compare import Comparison, Row
    from evals.results import RunResult

GROUP_TITLES = {
    HEADLINE: "headline",
    "counts": "counts",
    "retrieval": "retrieval",
    "answer": "answers",
    "citations": "citations",
    "refusal": "refusals",
    "elements": "elements",
    "latency_ms": "latency ms",
}
"""Group labels; evals/README.md says over which questions each metric is computed."""


def format_value(group: str, value: Any) -> str:
    """A metric as shown: counts as integers, latencies in ms, scores with three decimals."""
    if value is None:
        return "\u2013"  # an en dash: undefined
    if isinstance(value, bool):
        return "yes" if value else "no"
    if group == "counts" or isinstance(value, int):
        return str(value)
    if group == "latency_ms":
        return f"{value:,.0f}"
    return f"{value:.3f}"


def format_delta(group: str, delta: float | None) -> str:
    """A change, signed; blank when there is none to show."""
    if delta is None:
        return ""
    if group in ("counts", "latency_ms"):
        return f"{delta:+,.0f}" if delta else "0"
    return f"{delta:+.3f}" if abs(delta) >= 0.0005 else "0"


def run_title(config: dict[str, Any]) -> str:
    """One line saying what a run was."""
    mode = config.get("mode", "")
    model = config.get("model")
    named = f" ({model})" if model and not str(model).startswith(str(mode)) else ""
    title = f"{config.get('questions_file', '')}: {mode}{named}"
    return title + f", {config.get('retriever', 'hybrid')} retrieval, k={config.get('k')}"


def _percent(rate: float | None) -> str:
    return "\u2013" if rate is None else f"{100 * rate:.1f}%"


def headline(summary: dict[str, Any]) -> str | None:
    """The summary's first line: wrong-but-cited rate, accuracy, refusal P/R (and elements).

    `wrong-but-cited 8.3% (5/60) | correct 0.850 | refusal precision 0.571 recall 0.667`;
    None for a run without answers (retrieval-only).
    """
    if "wrong_but_cited" not in summary:
        return None
    rate = summary["wrong_but_cited"]
    counts = summary.get("counts", {})
    scored = int(counts.get("questions") or 0) - int(counts.get("errors") or 0)
    share = f" ({round(rate * scored)}/{scored})" if rate is not None and scored else ""
    refusal = summary.get("refusal", {})
    line = (
        f"wrong-but-cited {_percent(rate)}{share}"
        f" | correct {format_value('answer', summary.get('answer', {}).get('correct'))}"
        f" | refusal precision {format_value('refusal', refusal.get('precision'))}"
        f" recall {format_value('refusal', refusal.get('recall'))}"
    )
    elements = summary.get("elements")
    if isinstance(elements, dict):  # a set with `elements`: what the answers cover
        line += (
            f" | element recall {format_value('elements', elements.get('element_recall'))}"
            f" | verified {format_value('elements', elements.get('verified_share'))}"
        )
    return line


def summary_table(summary: dict[str, Any]) -> Table:
    """One row per metric, grouped (the headline values are on the line above the table)."""
    table = Table()
    table.add_column("group", style="dim", no_wrap=True)
    table.add_column("metric", no_wrap=True)
    table.add_column("value", justify="right")
    for group, values in summary.items():
        if not isinstance(values, dict):
            continue
        first = True
        for name, value in values.items():
            table.add_row(
                Text(GROUP_TITLES.get(group, group)) if first else "",
                Text(name),
                format_value(group, value),
            )
            first = False
        table.add_section()
    return table


def print_summary(console: Console, run: RunResult) -> None:
    """The headline line, the run's title, the table, and the errors it met."""
    first = headline(run.summary)
    if first is not None:
        console.print(first, markup=False, highlight=False, soft_wrap=True)
    console.print(run_title(run.config), markup=False, highlight=False, soft_wrap=True)
    console.print(summary_table(run.summary))
    errors = [r for r in run.results if r.failed]
    if errors:
        line = Text(f"{len(errors)} question(s) failed", style="red")
        line.append(f"; the first: {errors[0].id}: {errors[0].error}")
        console.print(line, highlight=False, soft_wrap=True)


def comparison_headline(comparison: Comparison) -> str | None:
    """`wrong-but-cited: A 8.3% -> B 1.7%`, when both runs answered questions."""
    row = next(
        (r for r in comparison.rows if (r.group, r.metric) == (HEADLINE, "wrong_but_cited")),
        None,
    )
    if row is None:
        return None
    return (
        f"wrong-but-cited: {comparison.name_a} {_percent(row.a)}"
        f" -> {comparison.name_b} {_percent(row.b)}"
    )


def comparison_tables(comparison: Comparison) -> list[Table]:
    """The metrics side by side with their change, the differing settings, and the flips."""
    tables: list[Table] = []
    metrics_table = Table(title="metrics", title_justify="left")
    metrics_table.add_column("group", style="dim", no_wrap=True)
    metrics_table.add_column("metric", no_wrap=True)
    metrics_table.add_column(comparison.name_a, justify="right")
    metrics_table.add_column(comparison.name_b, justify="right")
    metrics_table.add_column("change", justify="right")
    previous = None
    for row in comparison.rows:
        if previous is not None and row.group != previous:
            metrics_table.add_section()
        metrics_table.add_row(
            Text(GROUP_TITLES.get(row.group, row.group)) if row.group != previous else "",
            Text(row.metric),
            format_value(row.group, row.a),
            format_value(row.group, row.b),
            Text(format_delta(row.group, row.delta), style=_delta_style(row)),
        )
        previous = row.group
    tables.append(metrics_table)
    if comparison.config_changes:
        config_table = Table(title="settings that differ", title_justify="left")
        config_table.add_column("setting")
        config_table.add_column(comparison.name_a)
        config_table.add_column(comparison.name_b)
        for key, a, b in comparison.config_changes:
            config_table.add_row(Text(key), Text(str(a)), Text(str(b)))
        tables.append(config_table)
    if comparison.flips:
        flips = Table(title="questions that flipped", title_justify="left")
        flips.add_column("id")
        flips.add_column("metric")
        flips.add_column("change")
        flips.add_column("question")
        for flip in comparison.flips:
            change = Text("fixed", style="green") if flip.after else Text("broken", style="red")
            flips.add_row(Text(flip.id), Text(flip.metric), change, Text(flip.question))
        tables.append(flips)
    return tables


_LOWER_IS_BETTER = ("latency_ms",)
_LOWER_IS_BETTER_METRICS = ("wrong_but_cited",)


def _delta_style(row: Row) -> str:
    delta = row.delta
    if not delta or row.group == "counts" or abs(delta) < 0.0005:
        return ""
    lower = row.group in _LOWER_IS_BETTER or row.metric in _LOWER_IS_BETTER_METRICS
    better = delta < 0 if lower else delta > 0
    return "green" if better else "red"
