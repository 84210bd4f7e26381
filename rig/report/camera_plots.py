"""The two plots of the camera sheet: the LED timeline of the whole test, and the battery load pulse.

Every marked event carries a ``gid`` (``fix-<n>-<name>``, ``pattern-<name>``, ``steps-<kind>``, ``led``),
which becomes the element id in the SVG: the marks can be found in the page, and tests find them on the
figure.
"""

from __future__ import annotations

import math

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FuncFormatter, MultipleLocator

from rig.core.config import BatteryConfig
from rig.core.durations import duration_text
from rig.core.records import CameraRecord
from rig.report.battery import ohm_text, pulse_resistances, reconstruct_pulse, recorded_limits
from rig.report.render import RC
from rig.report.timeline import classifications, lit_intervals, step_spans, timeline_end_s

PATTERN_COLORS = {
    "none": "#8d8d8d",
    "motion": "#1f6fb4",
    "network_lost": "#e8710a",
    "low_battery": "#c62828",
    "solid": "#212121",
    "unknown": "#7b1fa2",
}
STEP_COLORS = {
    "observe": "#cfd8dc",
    "battery": "#ffd599",
    "motion": "#b3d4f5",
    "fix": "#c9b8ea",
    "other": "#e6e6e6",
}
OUTCOME_MARKS = {
    "verified": ("✓", "#2e7d32"),
    "not_verified": ("✗", "#c62828"),
    "escalated": ("!", "#ad1457"),
}
FIX_SHADES = ("#c9b8ea", "#a58fd8")
LED_COLOR = "#f2a900"

LED_LANE = (0.0, 0.8)  # (bottom, height) of each lane in data units
CLASSIFIER_Y = 1.4
STEP_LANE = (2.0, 0.8)
LABEL_ROWS_Y = (3.17, 3.62)  # fix names, staggered over two rows when they crowd each other
LABEL_CROWD_FRACTION = 0.13  # pattern names closer than this share of the time axis are left to the next one
SAME_MOMENT_FRACTION = 0.004  # fixes closer than this share of the time axis started at the same moment
FIX_LABEL_SIZE = 8.0
LABEL_WIDTH_MARGIN = 1.1  # the page's browser may draw the SVG's text in a slightly wider font
_TEXT_TO_PATH = TextToPath()


def _clock_label(seconds: float, _pos: object = None) -> str:
    return duration_text(seconds)


def _tick_step_s(end_s: float, max_ticks: int = 12) -> float:
    """A tick every round number of seconds or minutes, at most ``max_ticks`` of them."""
    for step_s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if end_s / step_s <= max_ticks:
            return float(step_s)
    return 3600.0 * (end_s // (3600.0 * max_ticks) + 1)


def led_timeline_figure(record: CameraRecord) -> Figure:
    """The whole test on one time axis: steps and fixes on top, classifier decisions, the LED below."""
    with matplotlib.rc_context(RC):
        return _led_timeline(record)


def _led_timeline(record: CameraRecord) -> Figure:
    end_s = max(timeline_end_s(record), 1.0)
    fig = Figure(figsize=(11.0, 3.6))
    # Fixed margins, not a layout engine: the content's extent is known, and solving a layout would double
    # the cost of a sheet (it is drawn for every camera of a batch).
    fig.subplots_adjust(left=0.075, right=0.985, top=0.91, bottom=0.27)
    ax = fig.add_subplot()
    ax.set_xlim(0.0, end_s * 1.01)
    ax.set_ylim(-0.25, 4.0)
    ax.set_yticks([LED_LANE[0] + LED_LANE[1] / 2, CLASSIFIER_Y, STEP_LANE[0] + STEP_LANE[1] / 2])
    ax.set_yticklabels(["LED", "classifier", "steps"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(MultipleLocator(_tick_step_s(end_s)))
    ax.xaxis.set_major_formatter(FuncFormatter(_clock_label))
    ax.set_xlabel("time since the camera was mounted")
    ax.set_title(f"{record.serial}: LED over the whole test", loc="left", fontsize=11, fontweight="bold",
                 parse_math=False)   # a serial is text: "$" is no mathtext

    # LED: every lit span as a bar, and every onset as a hairline so a 0.2 s flash shows on a 20 min axis.
    spans = lit_intervals(record)
    if spans:
        ax.broken_barh([(on, off - on) for on, off in spans], LED_LANE, color=LED_COLOR, gid="led")
        ax.vlines([on for on, _ in spans], LED_LANE[0], sum(LED_LANE), color=LED_COLOR, linewidth=0.9)

    # Steps, coloured by kind; fixes also get a line through every lane and their name above.
    by_kind: dict[str, list[tuple[float, float]]] = {}
    step_list = step_spans(record)
    fix_shades: list[str] = []
    visible_fixes = 0
    for span in step_list:
        by_kind.setdefault(span.kind, []).append(
            (span.start_s, max(span.end_s - span.start_s, end_s * 0.002))
        )
        if span.kind == "fix":  # fixes follow each other without a gap: alternate shades to tell them apart
            fix_shades.append(FIX_SHADES[visible_fixes % 2])
            visible_fixes += span.end_s - span.start_s > end_s * 0.005
    for kind, bars in by_kind.items():
        colors = fix_shades if kind == "fix" else STEP_COLORS[kind]
        ax.broken_barh(
            bars, STEP_LANE, facecolor=colors, edgecolor="white", linewidth=1.0, gid=f"steps-{kind}"
        )
    for span in step_list:
        if span.kind != "fix" and span.end_s - span.start_s > end_s * 0.06:
            ax.text(
                (span.start_s + span.end_s) / 2,
                STEP_LANE[0] + STEP_LANE[1] / 2,
                span.name,
                ha="center",
                va="center",
                fontsize=7.5,
                color="#37474f",
                clip_on=True,
            )
    fixes = [s for s in step_list if s.kind == "fix"]
    for n, span in enumerate(fixes):
        ax.axvline(
            span.start_s, color="#5e35b1", linewidth=0.9, linestyle=(0, (4, 3)), gid=f"fix-{n}-{span.name}"
        )
    _place_fix_labels(fig, ax, fixes, end_s)
    for n, span in enumerate(fixes):
        mark = OUTCOME_MARKS.get(span.outcome)
        if mark:
            ax.text(
                span.end_s,
                STEP_LANE[0] + STEP_LANE[1] + 0.05,
                mark[0],
                ha="center",
                va="bottom",
                fontsize=11,
                color=mark[1],
                fontweight="bold",
                gid=f"fix-outcome-{n}-{span.outcome}",
            )

    # Classifier: the window each decision watched, and the decision itself coloured by pattern.
    decided = classifications(record)
    if decided:
        ax.hlines(
            [CLASSIFIER_Y] * len(decided),
            [c.started_s for c in decided],
            [c.decided_at_s for c in decided],
            color="#b0bec5",
            linewidth=2.0,
        )
    for pattern in PATTERN_COLORS:
        group = [c for c in decided if c.pattern == pattern]
        if not group:
            continue
        color = PATTERN_COLORS[pattern]
        ax.scatter(
            [c.decided_at_s for c in group],
            [CLASSIFIER_Y] * len(group),
            s=34,
            zorder=3,
            facecolors=["white" if c.timed_out else color for c in group],
            edgecolors=color,
            linewidths=1.2,
            gid=f"pattern-{pattern}",
        )
    previous: str | None = None
    last_label_s = -1e9
    for c in decided:  # name the pattern where it changes (a decided one, not a window that ran out)
        if c.timed_out:
            continue
        if c.pattern != previous and c.decided_at_s - last_label_s > end_s * LABEL_CROWD_FRACTION / 3:
            where = c.decided_at_s / end_s
            align = "left" if where < 0.05 else "right" if where > 0.95 else "center"
            ax.text(
                c.decided_at_s,
                CLASSIFIER_Y + 0.14,
                c.pattern,
                ha=align,
                va="bottom",
                fontsize=7,
                color=PATTERN_COLORS.get(c.pattern, "#757575"),
                clip_on=True,
            )
            last_label_s = c.decided_at_s
            previous = c.pattern  # a crowded-out name is given at the next decision with room for it
    unknown = sorted({c.pattern for c in decided} - set(PATTERN_COLORS))
    for pattern in unknown:  # a pattern name this report does not know yet: still shown, in grey
        group = [c for c in decided if c.pattern == pattern]
        ax.scatter(
            [c.decided_at_s for c in group],
            [CLASSIFIER_Y] * len(group),
            s=34,
            zorder=3,
            color="#bdbdbd",
            gid=f"pattern-{pattern}",
        )

    handles = [Patch(color=LED_COLOR, label="LED lit")]
    handles += [Patch(facecolor=STEP_COLORS[k], label=k) for k in STEP_COLORS if k in by_kind]
    seen = [p for p in PATTERN_COLORS if any(c.pattern == p for c in decided)] + unknown
    handles += [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=6,
            color=PATTERN_COLORS.get(p, "#bdbdbd"),
            label=f"classified: {p}",
        )
        for p in seen
    ]
    if any(c.timed_out for c in decided):
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=6,
                markerfacecolor="white",
                color="#8d8d8d",
                label="window ran out (provisional)",
            )
        )
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=min(len(handles), 6),
        frameon=False,
        fontsize=8,
    )
    return fig


def _text_width_in(text: str, fontsize: float, bold: bool) -> float:
    """Width of ``text`` in inches as matplotlib lays it out, without a renderer (a sheet is drawn per camera)."""
    prop = FontProperties(size=fontsize, weight="bold" if bold else "normal")
    width_pt, _, _ = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return width_pt / 72.0


def _place_fix_labels(fig: Figure, ax, fixes: list, end_s: float) -> None:
    """Name each fix above its line, so that no two names overlap and none runs off the plot.

    Fixes that start at the same moment (``move_closer`` is advice: it takes no time) share one label in the
    order they ran, instead of a stack of names over one line. A label runs right from its line, or left of it
    when it would pass the plot's right edge; it takes the lowest row where it meets no earlier label.
    """
    x_min, x_max = ax.get_xlim()
    pos = ax.get_position()
    data_per_in = (x_max - x_min) / (pos.width * fig.get_figwidth())
    groups: list[list[tuple[int, object]]] = []
    for n, span in enumerate(fixes):
        if groups and span.start_s - groups[-1][0][1].start_s <= end_s * SAME_MOMENT_FRACTION:
            groups[-1].append((n, span))
        else:
            groups.append([(n, span)])
    row_ends = [-float("inf")] * len(LABEL_ROWS_Y)
    for group in groups:
        n, first = group[0]
        text = " " + ", ".join(span.name for _, span in group) + " "
        width = _text_width_in(text, FIX_LABEL_SIZE, bold=True) * LABEL_WIDTH_MARGIN * data_per_in
        left, align = first.start_s, "left"
        if left + width > x_max:
            left, align = first.start_s - width, "right"
        left = max(left, x_min)
        free = [r for r, end in enumerate(row_ends) if end <= left]
        row = free[0] if free else min(range(len(row_ends)), key=lambda r: row_ends[r])
        row_ends[row] = left + width
        ax.text(
            first.start_s,
            LABEL_ROWS_Y[row],
            text,
            ha=align,
            va="bottom",
            fontsize=FIX_LABEL_SIZE,
            color="#4527a0",
            fontweight="bold",
            gid=f"fix-label-{n}-{first.name}",
        )


def battery_pulse_figure(record: CameraRecord, cfg: BatteryConfig | None = None) -> Figure | None:
    """Voltage and current around the load pulse, with ΔV, ΔI and R; ``None`` when there are no figures
    (or they are not numbers: the sheet's table still shows them)."""
    figures = record.battery
    if figures is None:
        return None
    levels = (
        figures.background_v,
        figures.loaded_v,
        figures.open_circuit_v,
        figures.background_a,
        figures.load_a,
    )
    if not all(math.isfinite(v) for v in (*levels, figures.internal_resistance_ohm)):
        return None
    with matplotlib.rc_context(RC):
        return _battery_pulse(record, cfg)


def _battery_pulse(record: CameraRecord, cfg: BatteryConfig | None) -> Figure:
    assert record.battery is not None
    figures = record.battery
    shape = reconstruct_pulse(figures, cfg)
    limits = recorded_limits(record)
    t_ms = [t * 1000 for t in shape.t_s]
    mid_ms = shape.pulse_s * 500
    readings_ms = [-shape.settle_s * 500, shape.settle_s * 1000]
    fig = Figure(figsize=(7.2, 5.4))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.87, bottom=0.25, hspace=0.12)  # fixed: see _led_timeline
    ax_v, ax_i = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    fig.suptitle(
        f"{record.serial}: battery under the load pulse",
        x=0.02,
        y=0.985,
        ha="left",
        fontsize=11,
        fontweight="bold",
        parse_math=False,
    )
    high = limits.get("internal_resistance_ohm", (None, None))[1]
    verdict = (
        "" if high is None else f" (limit ≤ {high:g} Ω: {'pass' if shape.resistance_ohm <= high else 'FAIL'})"
    )
    title = ax_v.set_title(
        f"R = ΔV / ΔI = {ohm_text(shape.resistance_ohm)}{verdict}",
        loc="right",
        fontsize=10,
        fontweight="bold",
        bbox={"boxstyle": "round,pad=0.3", "facecolor": "#fff8e1", "edgecolor": "#ffb300"},
    )
    title.set_gid("pulse-resistance")

    # Voltage: the reconstructed level, the extrapolated open-circuit voltage, the limits, ΔV.
    ax_v.plot(
        t_ms, shape.voltage_v, color="#1565c0", linewidth=2, gid="pulse-voltage", label="battery voltage"
    )
    ax_v.axhline(
        figures.open_circuit_v,
        color="#1565c0",
        linestyle=":",
        linewidth=1.2,
        label=f"open circuit {figures.open_circuit_v:.3f} V (extrapolated to 0 A)",
    )
    limit_lows = []
    for name, text in (("open_circuit_v", "open-circuit"), ("loaded_v", "loaded")):
        low = limits.get(name, (None, None))[0]
        if low is not None:
            limit_lows.append(low)
            ax_v.axhline(
                low,
                color="#c62828",
                linestyle=("--" if name == "loaded_v" else "-."),
                linewidth=1,
                gid=f"limit-{name}",
                label=f"{text} limit ≥ {low:g} V",
            )
    ax_v.plot(
        readings_ms,
        [figures.background_v, figures.loaded_v],
        linestyle="",
        marker="o",
        color="#0d47a1",
        markersize=5,
        gid="pulse-readings",
        label="recorded readings",
    )
    ax_v.annotate(
        "",
        (mid_ms, figures.loaded_v),
        (mid_ms, figures.background_v),
        arrowprops={"arrowstyle": "<->", "color": "#37474f", "shrinkA": 0, "shrinkB": 0},
    )
    ax_v.annotate(
        f"ΔV = {shape.delta_v * 1000:.0f} mV",
        (mid_ms, (figures.loaded_v + figures.background_v) / 2),
        xytext=(5, 0),
        textcoords="offset points",
        va="center",
        fontsize=8.5,
    )
    values_v = [figures.loaded_v, figures.background_v, figures.open_circuit_v, *limit_lows]
    span_v = max(values_v) - min(values_v)
    ax_v.set_ylim(min(values_v) - 0.12 * span_v - 0.02, max(values_v) + 0.12 * span_v + 0.02)
    ax_v.set_ylabel("battery voltage (V)")

    # Current: background draw, the load, ΔI.
    ax_i.plot(t_ms, [a * 1000 for a in shape.current_a], color="#ef6c00", linewidth=2, gid="pulse-current")
    ax_i.plot(
        readings_ms,
        [figures.background_a * 1000, figures.load_a * 1000],
        linestyle="",
        marker="o",
        color="#bf360c",
        markersize=5,
    )
    ax_i.annotate(
        "",
        (mid_ms, figures.load_a * 1000),
        (mid_ms, figures.background_a * 1000),
        arrowprops={"arrowstyle": "<->", "color": "#37474f", "shrinkA": 0, "shrinkB": 0},
    )
    ax_i.annotate(
        f"ΔI = {shape.delta_i_a * 1000:.0f} mA",
        (mid_ms, (figures.load_a + figures.background_a) * 500),
        xytext=(5, 0),
        textcoords="offset points",
        va="center",
        fontsize=8.5,
    )
    ax_i.set_ylabel("current (mA)")
    ax_i.set_ylim(0, max(figures.load_a, figures.background_a) * 1000 * 1.15 + 1)
    ax_i.set_xlabel("time from load switch on (ms)")
    for ax in (ax_v, ax_i):
        ax.axvspan(0, shape.pulse_s * 1000, color="#fff3e0", zorder=0)

    fig.legend(
        handles=ax_v.get_legend_handles_labels()[0],
        loc="lower center",
        bbox_to_anchor=(0.5, 0.065),
        ncols=3,
        fontsize=7.5,
        frameon=False,
    )
    pulses = pulse_resistances(record)
    of = (
        f"the median of {len(pulses)} pulses ({', '.join(ohm_text(r) for r in pulses)})"
        if pulses
        else "the pulse"
    )
    fig.text(
        0.02,
        0.012,
        f"Reconstructed from the recorded readings (dots) of {of}; pulse length {shape.pulse_s * 1000:g} ms\n"
        "from the configuration. The rig reads levels before and during the pulse, not a sampled waveform.",
        fontsize=7,
        color="#616161",
        ha="left",
        va="bottom",
        gid="pulse-note",
    )
    return fig
