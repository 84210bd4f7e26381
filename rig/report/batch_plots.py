"""The batch page's plots: yield per day, fixes by how often they were tried and cured, bench time spread.

Artists carry ``gid``s (``day-<disposition>``, ``yield-line``, ``fixes-tried``, ``fixes-cured``,
``bench-<disposition>``, ``bench-median``) and bar containers their label, so the plotted numbers can be read
back off the figure.
"""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from rig.core.colors import DISPOSITION_COLORS
from rig.core.durations import duration_text
from rig.report.render import RC
from rig.report.summary import BatchSummary

MAX_BINS = 24
MIN_DAY_SLOTS = 7  # a week


def yield_per_day_figure(summary: BatchSummary) -> Figure:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(8.0, 3.4))
        fig.subplots_adjust(left=0.08, right=0.9, top=0.88, bottom=0.24)
        ax = fig.add_subplot()
        days = [d.day for d in summary.days]
        x = list(range(len(days)))
        bottom = [0] * len(days)
        for disposition, color in DISPOSITION_COLORS.items():
            heights = [d.counts.get(disposition, 0) for d in summary.days]
            if any(heights):
                ax.bar(
                    x,
                    heights,
                    bottom=bottom,
                    color=color,
                    width=0.7,
                    label=disposition,
                    gid=f"day-{disposition}",
                )
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_xticks(x, [d[5:] if len(days) > 1 else d for d in days], rotation=45 if len(days) > 8 else 0)
        # At least MIN_DAY_SLOTS days of room, the days centred: one day is a bar, not the whole plot.
        pad = max(MIN_DAY_SLOTS - len(days), 0) / 2
        ax.set_xlim(-0.6 - pad, max(len(days), 1) - 0.4 + pad)
        ax.set_ylim(0, max(max(bottom, default=0), 1) * 1.12)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("cameras")
        ax.set_title("Yield per day", loc="left", fontsize=11, fontweight="bold")
        share = ax.twinx()
        share.spines["right"].set_visible(True)
        yields = [d.yield_fraction for d in summary.days]
        points = [(i, y) for i, y in zip(x, yields, strict=True) if y is not None]
        if points:
            share.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                color="#212121",
                marker="o",
                linewidth=1.5,
                gid="yield-line",
                label="yield",
            )
            for i, y in points:
                share.annotate(
                    f"{y:.0%}",
                    (i, y),
                    xytext=(0, 6),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},  # over a bar
                )
        share.set_ylim(0, 1.15)
        share.yaxis.set_major_formatter(PercentFormatter(1.0))
        share.set_ylabel("yield (pass + fixed of verdicts)")
        handles, labels = ax.get_legend_handles_labels()
        more, more_labels = share.get_legend_handles_labels()
        fig.legend(
            handles + more, labels + more_labels, loc="lower center", ncols=6, frameon=False, fontsize=8
        )
        return fig


def fixes_figure(summary: BatchSummary) -> Figure:
    with matplotlib.rc_context(RC):
        fixes = list(reversed(summary.fixes))  # most tried at the top
        fig = Figure(figsize=(8.0, 0.9 + 0.42 * max(len(fixes), 1)))
        fig.subplots_adjust(
            left=0.22, right=0.95, top=1 - 0.45 / fig.get_figheight(), bottom=0.55 / fig.get_figheight()
        )
        ax = fig.add_subplot()
        y = list(range(len(fixes)))
        names = [f.name for f in fixes]
        ax.barh(y, [f.tried for f in fixes], color="#d1c4e9", height=0.7, label="tried", gid="fixes-tried")
        ax.barh(y, [f.cured for f in fixes], color="#5e35b1", height=0.7, label="cured", gid="fixes-cured")
        for i, f in zip(y, fixes, strict=True):
            ax.annotate(
                f"cured {f.cured} of {f.tried}",
                (f.tried, i),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(y, names)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max([f.tried for f in fixes], default=1) * 1.25 + 0.5)
        ax.set_xlabel("cameras")
        ax.set_title(
            "Fixes by how often they were tried, and how often they cured",
            loc="left",
            fontsize=11,
            fontweight="bold",
        )
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        if not fixes:
            ax.text(
                0.5,
                0.5,
                "no fix was tried",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="#757575",
            )
        return fig


def bench_time_figure(summary: BatchSummary) -> Figure:
    """Bench time per camera (minutes), stacked by disposition, with the median marked."""
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(8.0, 3.2))
        fig.subplots_adjust(left=0.08, right=0.97, top=0.88, bottom=0.25)
        ax = fig.add_subplot()
        timed = [(r.duration_s / 60, r.disposition) for r in summary.rows if r.duration_s is not None]
        ax.set_title("Bench time per camera", loc="left", fontsize=11, fontweight="bold")
        ax.set_xlabel("bench time (minutes)")
        ax.set_ylabel("cameras")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if not timed:
            ax.text(
                0.5, 0.5, "no bench times in the file", transform=ax.transAxes, ha="center", color="#757575"
            )
            return fig
        top = max(m for m, _ in timed)
        width = _bin_width_min(top)
        edges = [i * width for i in range(int(top // width) + 2)]
        bottom = [0] * (len(edges) - 1)
        for disposition, color in DISPOSITION_COLORS.items():
            counts = [0] * len(bottom)
            for minutes, disp in timed:
                if disp == disposition:
                    counts[min(int(minutes // width), len(counts) - 1)] += 1
            if any(counts):
                ax.bar(
                    edges[:-1],
                    counts,
                    width=width,
                    align="edge",
                    bottom=bottom,
                    color=color,
                    label=disposition,
                    edgecolor="white",
                    linewidth=0.5,
                    gid=f"bench-{disposition}",
                )
                bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
        median = summary.median_bench_s
        if median is not None:
            ax.axvline(median / 60, color="#212121", linestyle="--", linewidth=1.2, gid="bench-median")
            ax.annotate(
                f"median {duration_text(median)}",
                (median / 60, 1),
                xycoords=("data", "axes fraction"),
                xytext=(4, -12),
                textcoords="offset points",
                fontsize=8.5,
            )
        fig.legend(loc="lower center", ncols=5, frameon=False, fontsize=8)
        return fig


def _bin_width_min(top_min: float) -> float:
    for width in (0.25, 0.5, 1, 2, 5, 10, 15, 30, 60):
        if top_min / width <= MAX_BINS:
            return float(width)
    return 120.0
