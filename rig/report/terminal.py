"""The batch summary in the terminal (rich): what a technician wants at the end of a day, at a glance."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from rig.core.colors import disposition_color
from rig.core.durations import duration_text
from rig.report.summary import BatchSummary


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "-"


def summary_renderable(summary: BatchSummary) -> RenderableType:
    parts: list[RenderableType] = []
    span = summary.days_span
    days = f", {span[0]}" + (f" to {span[1]}" if span[1] != span[0] else "") if span else ""
    plural = "s" if summary.total != 1 else ""
    parts.append(
        Text(f"Batch: {summary.total} camera{plural}{days}  ({', '.join(summary.sources)})", style="bold")
    )

    counts = Table(title="Dispositions", title_justify="left")
    counts.add_column("disposition")
    counts.add_column("cameras", justify="right")
    counts.add_column("share", justify="right")
    for name, n in summary.counts.items():
        counts.add_row(Text(name, style=disposition_color(name)), str(n), _percent(n, summary.total))
    parts.append(counts)
    good = summary.yield_fraction
    shown = "-" if good is None else f"{100 * good:.0f} %"
    parts.append(Text(f"yield: {shown} (pass + fixed, of the cameras with a verdict)", style="bold"))

    fixes = Table(title="Fixes", title_justify="left")
    for column in ("fix", "tried", "cured", "cure rate"):
        fixes.add_column(column, justify="left" if column == "fix" else "right")
    for tally in summary.fixes:
        fixes.add_row(tally.name, str(tally.tried), str(tally.cured), f"{100 * tally.cure_rate:.0f} %")
    if not summary.fixes:
        fixes.add_row(Text("no fix was tried", style="dim"), "", "", "")
    parts.append(fixes)

    median = summary.median_bench_s
    slowest = summary.slowest_camera
    lines = [f"median bench time: {duration_text(median) or '-'}"]
    if slowest is not None:
        lines.append(
            f"slowest camera: {slowest.serial} {duration_text(slowest.duration_s)} ({slowest.disposition})"
        )
    step = summary.slowest_step
    if step is not None:
        lines.append(
            f"slowest step: {step.name}, median {duration_text(step.median_s)} over {len(step.durations_s)} "
            f"run{'s' if len(step.durations_s) != 1 else ''} (longest {duration_text(step.longest_s)} on "
            f"{step.longest_serial}); from {len(summary.records)} of {summary.total} JSON records"
        )
    else:
        lines.append("slowest step: no JSON records found beside the CSV (records/)")
    parts.append(Text("\n".join(lines)))

    if summary.steps:
        steps = Table(title="Steps (from the JSON records)", title_justify="left")
        for column in ("step", "runs", "median", "longest", "total"):
            steps.add_column(column, justify="left" if column == "step" else "right")
        for tally in sorted(summary.steps, key=lambda s: -s.total_s):
            steps.add_row(
                tally.name,
                str(len(tally.durations_s)),
                duration_text(tally.median_s),
                duration_text(tally.longest_s),
                duration_text(tally.total_s),
            )
        parts.append(steps)
    if summary.problems:
        parts.append(
            Text(f"{len(summary.problems)} problem(s) in the input: listed on stderr", style="yellow")
        )
    return Group(*parts)


def print_summary(summary: BatchSummary, console: Console | None = None) -> None:
    (console or Console()).print(summary_renderable(summary))
