"""The batch summary as a page (``rig report RESULTS.csv -o report.html``): the terminal's figures, three
plots, every camera with a link to its sheet when one was written, and the input's problems."""

from __future__ import annotations

import os
from pathlib import Path

from rig.core.fix_list import CURED_MARK, fixes_text
from rig.report import html
from rig.report.batch_plots import bench_time_figure, fixes_figure, yield_per_day_figure
from rig.report.render import figure_svg
from rig.report.summary import BatchSummary, record_path


def write_batch_page(summary: BatchSummary, path: Path, records_dir: Path | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_batch_page(summary, path.parent, records_dir), encoding="utf-8")
    os.replace(tmp, path)
    return path


def render_batch_page(
    summary: BatchSummary, page_dir: Path | None = None, records_dir: Path | None = None
) -> str:
    span = summary.days_span
    days = (span[0] if span[0] == span[1] else f"{span[0]} to {span[1]}") if span else "no dates"
    good = summary.yield_fraction
    cards = [
        ("cameras", str(summary.total)),
        ("yield", "-" if good is None else f"{good:.0%}"),
        ("median bench time", html.duration_text(summary.median_bench_s) or "-"),
    ]
    cards += [(name, str(n)) for name, n in summary.counts.items()]
    plots = {
        "yield": html.figure(
            figure_svg(yield_per_day_figure(summary), "batch-yield"),
            "Cameras per day by disposition; the line is the yield (pass + fixed of the cameras with a "
            "verdict; "
            "aborted runs are the rig's failure, not the camera's).",
            "yield-per-day",
            narrow=True,
        ),
        "fixes": html.figure(
            figure_svg(fixes_figure(summary), "batch-fixes"),
            "Each fix: how many cameras it was tried on (light) and how many it cured (dark).",
            "fixes",
            narrow=True,
        ),
        "bench": html.figure(
            figure_svg(bench_time_figure(summary), "batch-bench"),
            "Bench time per camera, coloured by disposition; the dashed line is the median.",
            "bench-time",
            narrow=True,
        ),
    }
    body = [
        f"<h1>Bench report: {summary.total} camera{'s' if summary.total != 1 else ''}</h1>",
        f'<p class="sub">{html.esc(days)} · {html.esc(", ".join(summary.sources))}</p>',
        _cards(cards),
        _problems(summary),
        plots["yield"],
        "<h2>Fixes</h2>",
        _fixes(summary),
        plots["fixes"],
        "<h2>Bench time</h2>",
        _bench_time(summary),
        plots["bench"],
        _steps(summary),
        "<h2>Cameras</h2>",
        _cameras(summary, page_dir, records_dir),
    ]
    return html.page(f"Bench report: {summary.total} cameras, {days}", "\n".join(b for b in body if b))


def _cards(cards: list[tuple[str, str]]) -> str:
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card" id="card-{html.esc(label.replace(" ", "-"))}">'
            f'<div class="n">{html.esc(value)}</div>'
            f'<div class="l">{html.esc(label)}</div></div>'
            for label, value in cards
        )
        + "</div>"
    )


def _fixes(summary: BatchSummary) -> str:
    if not summary.fixes:
        return '<p class="muted">No fix was tried.</p>'
    rows = [(html.esc(f.name), str(f.tried), str(f.cured), f"{f.cure_rate:.0%}") for f in summary.fixes]
    return html.table(["fix", "tried", "cured", "cure rate"], rows, numeric=[1, 2, 3], cls="fixes")


def _problems(summary: BatchSummary) -> str:
    if not summary.problems:
        return ""
    items = "".join(f"<li>{html.esc(str(p))}</li>" for p in summary.problems)
    return (
        f"<h2>Problems in the input ({len(summary.problems)})</h2>"
        "<p>These rows are left out or partly blank; everything else is summarised.</p>"
        f'<ul class="problems">{items}</ul>'
    )


def _bench_time(summary: BatchSummary) -> str:
    lines = [f"Median bench time: <b>{html.esc(html.duration_text(summary.median_bench_s) or '-')}</b>."]
    slowest = summary.slowest_camera
    if slowest is not None:
        lines.append(
            f"Slowest camera: <b>{html.esc(slowest.serial)}</b>, "
            f"{html.esc(html.duration_text(slowest.duration_s))} "
            f"({html.esc(slowest.disposition)})."
        )
    step = summary.slowest_step
    if step is not None:
        lines.append(
            f'Slowest step: <b id="slowest-step">{html.esc(step.name)}</b>, median '
            f"{html.esc(html.duration_text(step.median_s))} over {len(step.durations_s)} runs (longest "
            f"{html.esc(html.duration_text(step.longest_s))} on {html.esc(step.longest_serial)})."
        )
    else:
        lines.append(
            "Slowest step: no JSON records were found beside the results, so step times are unknown."
        )
    return "".join(f"<p>{line}</p>" for line in lines)


def _steps(summary: BatchSummary) -> str:
    if not summary.steps:
        return ""
    rows = [
        (
            html.esc(s.name),
            str(len(s.durations_s)),
            html.esc(html.duration_text(s.median_s)),
            html.esc(html.duration_text(s.longest_s)),
            html.esc(html.duration_text(s.total_s)),
        )
        for s in sorted(summary.steps, key=lambda s: -s.total_s)
    ]
    return f"<h3>Steps, from {len(summary.records)} of {summary.total} JSON records</h3>" + html.table(
        ["step", "runs", "median", "longest", "total"], rows, numeric=[1, 2, 3, 4], cls="steps"
    )


def _cameras(summary: BatchSummary, page_dir: Path | None, records_dir: Path | None) -> str:
    rows = []
    for row in summary.rows:
        sheet = record_path(row, records_dir).with_suffix(".html")
        serial = html.esc(row.serial)
        if page_dir is not None and sheet.is_file():
            href = Path(os.path.relpath(sheet, page_dir)).as_posix()
            serial = f'<a href="{html.esc(href)}">{serial}</a>'
        color = html.disposition_color(row.disposition)
        r_int = row.internal_resistance_ohm
        rows.append(
            (
                serial,
                html.esc(row.model),
                html.esc(row.started_at.replace("T", " ")[:16]),  # to the minute: the page spans days
                html.esc(row.initial_pattern),
                "" if r_int is None else f"{r_int:.2f}",
                f'<b style="color:{color}">{html.esc(row.disposition)}</b>',
                ", ".join(  # breaks between fix names only, the ✓ kept with its name
                    f'<span class="nowrap">{html.esc(name)}</span>'
                    for name in fixes_text(row.fixes_tried, row.fixed_by).split(", ")
                    if name
                ),
                html.esc(html.duration_text(row.duration_s)),
                html.esc(row.notes),
            )
        )
    if not rows:
        return '<p class="muted">No camera rows.</p>'
    return html.table(
        ["serial", "model", "started", "LED", "R Ω", "disposition", f"fixes tried ({CURED_MARK} cured)",
         "bench time", "notes"],
        rows,
        numeric=[4, 7],
        cls="cameras",
        nowrap=[0, 1, 2, 3, 5],  # the terminal's batch table's columns, none broken inside a value
    )
