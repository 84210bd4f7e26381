"""The per-camera sheet: one self-contained HTML file beside the camera's JSON record and LED trace.

Disposition first, in large type, then why (fixed by, notes), the LED timeline of the whole test, the steps,
and the battery figures against their limits with the load pulse. The plots are inline SVG: the file is
complete on its own and opens from a USB stick with no network.
"""

from __future__ import annotations

import os
from pathlib import Path

from rig.core.config import BatteryConfig
from rig.core.records import CameraRecord, Measurement, StepRecord
from rig.output.results import record_stem
from rig.report import html
from rig.report.battery import battery_figures, fixture_resistance, ohm_text, pulse_resistances
from rig.report.camera_plots import battery_pulse_figure, led_timeline_figure
from rig.report.render import figure_svg
from rig.report.timeline import FIX_OUTCOME_WORDS, events, step_kind


def write_camera_report(
    record: CameraRecord, folder: Path, battery_config: BatteryConfig | None = None
) -> Path:
    """Write ``<record_stem>.html`` in ``folder`` (atomically: a reader never sees half a sheet)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record_stem(record)}.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_camera_report(record, battery_config), encoding="utf-8")
    os.replace(tmp, path)
    return path


def render_camera_report(record: CameraRecord, battery_config: BatteryConfig | None = None) -> str:
    body = [
        _header(record),
        "<h2>What happened</h2>",
        html.figure(
            figure_svg(led_timeline_figure(record), f"{record.serial}-led"),
            "The LED as the photodiode saw it (bottom), each decision of the pattern classifier (middle; "
            "the grey "
            "line is the window it watched), and the steps with every fix (top; ✓ cured, ✗ did not).",
            "led-timeline",
        ),
        _events(record),
        "<h2>Steps</h2>",
        _steps(record),
        "<h2>Battery</h2>",
        _battery(record, battery_config),
    ]
    return html.page(f"{record.serial}: {_disposition(record)}", "\n".join(body))


def _disposition(record: CameraRecord) -> str:
    return record.disposition.value if record.disposition else "unfinished"


def _header(record: CameraRecord) -> str:
    disposition = _disposition(record)
    network = {True: "reachable", False: "down", None: "not checked"}[record.network_ok_at_start]
    facts = [
        f"model {html.esc(record.model)}",
        f"started {html.esc(record.started_at)}",
        f"bench time {html.esc(html.duration_text(record.duration_s)) or '-'}",
        f"LED at start: {html.esc(record.initial_pattern or '-')}",
        f"bench network at start: {network}",
    ]
    why = []
    if record.fixed_by:
        why.append(f"Fixed by <b>{html.esc(record.fixed_by)}</b>.")
    if record.fixes_tried and record.fixes_tried != [record.fixed_by]:
        why.append("Tried: " + html.esc(", ".join(record.fixes_tried)) + ".")
    why += [html.esc(note) for note in record.notes]
    return (
        f'<h1 id="serial">{html.esc(record.serial)}</h1>\n<p class="sub">{" · ".join(facts)}</p>\n'
        f'<div class="disposition" id="disposition" style="background:{html.disposition_color(disposition)}">'
        f"{html.esc(disposition)}</div>\n" + "".join(f'<p class="why">{line}</p>' for line in why)
    )


def _events(record: CameraRecord) -> str:
    rows = [(html.esc(html.duration_text(e.t_s)), html.esc(e.kind), html.esc(e.text)) for e in events(record)]
    if not rows:
        return '<p class="muted">Nothing recorded.</p>'
    return html.table(["at", "what", ""], rows, numeric=[0], cls="events")


def _value(m: Measurement) -> str:
    value = m.value
    if isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(value, float):
        shown = f"{value:.4g}"
    else:
        shown = str(value)
    return f"{shown} {m.unit}".strip()


def _measurement(m: Measurement) -> str:
    limit = []
    if m.low is not None:
        limit.append(f"≥ {m.low:g}")
    if m.high is not None:
        limit.append(f"≤ {m.high:g}")
    shown = f"{html.esc(m.name)} = {html.esc(_value(m))}"
    if limit:
        shown += f' <span class="muted">({html.esc(" and ".join(limit))})</span> {html.verdict(m.passed)}'
    return f'<span class="m">{shown}</span>'


def _outcome(step: StepRecord) -> str:
    if step_kind(step.name) == "fix" and step.outcome in FIX_OUTCOME_WORDS:
        return f"{html.esc(step.outcome)} ({html.esc(FIX_OUTCOME_WORDS[step.outcome])})"
    return html.esc(step.outcome or "-")


def _steps(record: CameraRecord) -> str:
    if not record.steps:
        return '<p class="muted">No step was recorded.</p>'
    rows = [
        (
            str(index + 1),
            f"<b>{html.esc(step.name)}</b>",
            html.esc(html.duration_text(step.started_s)),
            html.esc(html.duration_text(step.duration_s)) or "unfinished",
            _outcome(step),
            "<br>".join(_measurement(m) for m in step.measurements),
            html.esc(step.notes),
        )
        for index, step in enumerate(record.steps)
    ]
    return html.table(
        ["#", "step", "at", "took", "outcome", "measurements", "notes"], rows, numeric=[0, 2, 3], cls="steps"
    )


def _battery(record: CameraRecord, cfg: BatteryConfig | None) -> str:
    if record.battery is None:
        if record.model == "mini":
            return '<p class="muted">No battery test: the Mini is USB-powered.</p>'
        return '<p class="muted">No battery figures were recorded (see the steps above).</p>'
    rows = [
        (
            html.esc(f.label),
            html.esc(ohm_text(f.value) if f.unit == "Ω" else f"{f.value:.3f} {f.unit}"),
            html.esc(f.limit_text),
            html.verdict(f.passed),
        )
        for f in battery_figures(record, cfg)
    ]
    overall = html.verdict(record.battery.passed)
    reason = f" ({html.esc(record.battery.reason)})" if record.battery.reason else ""
    per_pulse = _per_pulse(record)
    fig = battery_pulse_figure(record, cfg)
    plot = (
        html.figure(
            figure_svg(fig, f"{record.serial}-battery"),
            "Voltage and current before, during and after the load pulse, drawn from the recorded readings; "
            "R is the voltage drop divided by the extra current.",
            "battery-pulse",
            narrow=True,
        )
        if fig is not None
        else ""
    )
    return (
        f'<p class="why">Battery: {overall}{reason}</p>'
        + html.table(["figure", "value", "limit", ""], rows, numeric=[1], cls="battery")
        + per_pulse
        + plot
    )


def _per_pulse(record: CameraRecord) -> str:
    """Why the sheet shows three R values and a headline: the headline is the median pulse, marked in bold."""
    assert record.battery is not None
    pulses = [ohm_text(r) for r in pulse_resistances(record)]
    if not pulses:
        return ""
    headline = ohm_text(record.battery.internal_resistance_ohm)
    shown = [f"<b>{html.esc(p)}</b>" if p == headline else html.esc(p) for p in pulses]
    if headline in pulses:
        marked = shown.index(f"<b>{html.esc(headline)}</b>")
        shown = [p if i == marked else p.replace("<b>", "").replace("</b>", "") for i, p in enumerate(shown)]
    fixture_ohm = fixture_resistance(record)
    less = f", each less the fixture's own {html.esc(ohm_text(fixture_ohm))} (rig calibrate)" if fixture_ohm else ""
    return (
        f'<p id="pulses">The rig pulses the load {len(pulses)} times: {", ".join(shown)}{less}. The internal '
        f"resistance above is their median ({html.esc(headline)}), and the other figures are that pulse's readings, "
        "so one disturbed pulse cannot decide the verdict.</p>"
    )
