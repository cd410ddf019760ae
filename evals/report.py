"""Terminal tables for eval runs and comparisons (rich), and the number formats they share.

Only rendering lives here: the summary and the comparison are computed elsewhere as plain
data, so a saved RESULT.json prints the same table as the run that wrote it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

if TYPE_CHECKING:
    from rich.console import Console

    from evals.compare import Comparison

GROUP_TITLES = {
    "counts": "counts",
    "retrieval": "retrieval",
    "answer": "answers",
    "citations": "citations",
    "refusal": "refusals",
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


def summary_table(summary: dict[str, Any]) -> Table:
    """One row per metric, grouped."""
    table = Table()
    table.add_column("group", style="dim", no_wrap=True)
    table.add_column("metric", no_wrap=True)
    table.add_column("value", justify="right")
    for group, values in summary.items():
        first = True
        for name, value in values.items():
            table.add_row(
                GROUP_TITLES.get(group, group) if first else "", name, format_value(group, value)
            )
            first = False
        table.add_section()
    return table


def print_summary(console: Console, run: dict[str, Any]) -> None:
    """The table of one run, with the errors it met."""
    console.print(run_title(run["config"]), markup=False, highlight=False, soft_wrap=True)
    console.print(summary_table(run["summary"]))
    errors = [r for r in run["results"] if "error" in r]
    if errors:
        console.print(
            f"[red]{len(errors)} question(s) failed[/red]; the first: {errors[0]['id']}: "
            f"{errors[0]['error']}"
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
        delta = format_delta(row.group, row.delta)
        style = _delta_style(row.group, row.delta)
        metrics_table.add_row(
            GROUP_TITLES.get(row.group, row.group) if row.group != previous else "",
            row.metric,
            format_value(row.group, row.a),
            format_value(row.group, row.b),
            f"[{style}]{delta}[/{style}]" if style else delta,
        )
        previous = row.group
    tables.append(metrics_table)
    if comparison.config_changes:
        config_table = Table(title="settings that differ", title_justify="left")
        config_table.add_column("setting")
        config_table.add_column(comparison.name_a)
        config_table.add_column(comparison.name_b)
        for key, a, b in comparison.config_changes:
            config_table.add_row(key, str(a), str(b))
        tables.append(config_table)
    if comparison.flips:
        flips = Table(title="questions that flipped", title_justify="left")
        flips.add_column("id")
        flips.add_column("metric")
        flips.add_column("change")
        flips.add_column("question")
        for flip in comparison.flips:
            change = "[green]fixed[/green]" if flip.after else "[red]broken[/red]"
            flips.add_row(flip.id, flip.metric, change, flip.question)
        tables.append(flips)
    return tables


_LOWER_IS_BETTER = ("latency_ms",)


def _delta_style(group: str, delta: float | None) -> str:
    if not delta or group == "counts" or abs(delta) < 0.0005:
        return ""
    better = delta < 0 if group in _LOWER_IS_BETTER else delta > 0
    return "green" if better else "red"
