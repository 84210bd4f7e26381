"""Benchmark of the streaming LED classifier against generated traces with ground truth.

Generates seeded traces of every pattern, clean and harsh (firmware_sim.led_traces), streams each through
``rig.led.classifier`` and prints, per pattern: accuracy, and median / p90 of ``decided_at_s`` divided by the
ideal decision time (the earliest time the noise-free prefix fixes the pattern; see the classifier's module
docstring). Beside it, in the same run: the classifier with ``missed_flashes=0`` (trusts every flash: faster
on none and lone flashes, fragile when the sensor misses one) and a naive baseline that counts flashes in a
fixed 10 s window.

    .venv/bin/python benchmarks/classifier_bench.py [--count N] [--seed S]

Goals: 100 % clean, >= 99.5 % harsh, median latency <= 1.1x ideal, p90 <= 1.3x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from firmware_sim.led_traces import PATTERNS, GeneratedTrace, generate_trace
from rig.led.classifier import classify_trace
from rig.led.timing import PatternTiming
from rig.led.trace import Trace

NAIVE_WINDOW_S = 10.0
NOISE_MAX_S = 0.02
FLASH_MAX_S = 0.36


def naive_baseline(g: GeneratedTrace) -> tuple[str, float]:
    """Count lit runs of 20 ms or more in the first 10 s and map the count to a pattern."""
    window_end = min(g.start_s + NAIVE_WINDOW_S, g.end_s)
    runs: list[tuple[float, float]] = []
    rise = g.start_s if g.initial_level else None
    for t_s, level in g.edges:
        if t_s > window_end:
            break
        if level and rise is None:
            rise = t_s
        elif not level and rise is not None:
            runs.append((rise, t_s))
            rise = None
    if rise is not None:
        runs.append((rise, window_end))
    runs = [(a, b) for a, b in runs if b - a >= NOISE_MAX_S]
    flashes = sum(1 for a, b in runs if b - a <= FLASH_MAX_S)
    long_lit = [b - a for a, b in runs if b - a > FLASH_MAX_S]
    if long_lit and max(long_lit) >= 0.99 * (window_end - g.start_s):
        pattern = "solid"
    elif flashes >= 5:
        pattern = "low_battery"
    elif long_lit or flashes == 1:
        pattern = "motion"
    elif flashes >= 2:
        pattern = "network_lost"
    else:
        pattern = "none"
    return pattern, window_end


@dataclass
class Tally:
    total: int = 0
    correct: int = 0
    lost: int = 0            # the noise removed the only evidence (a lone flash missed)
    correct_lost: int = 0
    ratios: list[float] | None = None

    def __post_init__(self) -> None:
        self.ratios = []


def run(traces: list[GeneratedTrace], method: Callable[[GeneratedTrace], tuple[str, float, bool]],
        missed_flashes: int) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for g in traces:
        tally = tallies[g.pattern]
        pattern, decided_at_s, committed = method(g)
        ok = pattern == g.pattern
        tally.total += 1
        tally.correct += ok
        tally.lost += g.evidence_lost
        tally.correct_lost += ok and g.evidence_lost
        ideal = g.ideal_decision_s(missed_flashes)
        if ok and committed and ideal:
            assert tally.ratios is not None
            tally.ratios.append(decided_at_s / ideal)
    return tallies


def classifier_method(timing: PatternTiming) -> Callable[[GeneratedTrace], tuple[str, float, bool]]:
    def method(g: GeneratedTrace) -> tuple[str, float, bool]:
        d = classify_trace(Trace.from_pairs(g.initial_level, g.edges, g.end_s, g.start_s), timing)
        return d.pattern.value, d.decided_at_s, d.committed
    return method


def baseline_method(g: GeneratedTrace) -> tuple[str, float, bool]:
    pattern, at = naive_baseline(g)
    return pattern, at, True


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:6.2f}%" if b else "     -"


def _q(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Summary:
    total: int
    correct: int
    ratios: list[float]
    worst_raw: tuple[float, str]        # lowest per-pattern accuracy, all traces
    worst_present: tuple[float, str]    # lowest per-pattern accuracy, traces whose evidence survived


def report(title: str, tallies: dict[str, Tally]) -> Summary:
    print(f"  {title}")
    print(f"    {'pattern':<13}{'traces':>7}{'accuracy':>10}{'w/o lost':>10}{'lost':>6}"
          f"{'median':>9}{'p90':>8}{'n(lat)':>8}")
    all_ratios: list[float] = []
    total = correct = lost_total = lost_correct = 0
    raw_by_pattern: list[tuple[float, str]] = []
    present_by_pattern: list[tuple[float, str]] = []
    for pattern in PATTERNS:
        t = tallies.get(pattern)
        if t is None:
            continue
        assert t.ratios is not None
        all_ratios += t.ratios
        total, correct = total + t.total, correct + t.correct
        lost_total, lost_correct = lost_total + t.lost, lost_correct + t.correct_lost
        raw_by_pattern.append((t.correct / t.total, pattern))
        if t.total > t.lost:
            present_by_pattern.append(((t.correct - t.correct_lost) / (t.total - t.lost), pattern))
        med = statistics.median(t.ratios) if t.ratios else float("nan")
        print(f"    {pattern:<13}{t.total:>7}{_pct(t.correct, t.total):>10}"
              f"{_pct(t.correct - t.correct_lost, t.total - t.lost):>10}{t.lost:>6}"
              f"{med:>8.3f}x{_q(t.ratios, 0.9):>7.3f}x{len(t.ratios):>8}")
    med_all = statistics.median(all_ratios) if all_ratios else float("nan")
    print(f"    {'all':<13}{total:>7}{_pct(correct, total):>10}"
          f"{_pct(correct - lost_correct, total - lost_total):>10}{lost_total:>6}"
          f"{med_all:>8.3f}x{_q(all_ratios, 0.9):>7.3f}x{len(all_ratios):>8}")
    return Summary(total, correct, all_ratios, min(raw_by_pattern), min(present_by_pattern))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400, help="traces per pattern and profile (default 400)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    args = parser.parse_args(argv)

    profiles = ("clean", "harsh")
    started = time.perf_counter()
    suites = {p: [generate_trace(pattern, args.seed + i, p) for pattern in PATTERNS for i in range(args.count)]
              for p in profiles}
    generated_s = time.perf_counter() - started
    n_traces = sum(len(s) for s in suites.values())
    print(f"LED classifier benchmark: {n_traces} traces ({args.count} per pattern and profile, seeds "
          f"{args.seed}..{args.seed + args.count - 1}), generated in {generated_s:.1f} s")
    print("latency = decided_at_s / ideal decision time, over correct committed answers with an ideal "
          "(traces that end before the pattern is fixed have none)")
    print("'w/o lost' leaves out traces whose only evidence the noise removed (a lone motion flash missed)")

    goals_ok = True
    default = PatternTiming()
    for profile in profiles:
        traces = suites[profile]
        print(f"\n=== {profile} ===")
        t0 = time.perf_counter()
        summary = report("classifier (missed_flashes=1, default)", run(traces, classifier_method(default), 1))
        per_trace_ms = 1000 * (time.perf_counter() - t0) / len(traces)
        print(f"    ({per_trace_ms:.2f} ms per trace)")
        report("classifier (missed_flashes=0: trusts every flash)",
               run(traces, classifier_method(PatternTiming(missed_flashes=0)), 0))
        report(f"naive baseline (count flashes in a fixed {NAIVE_WINDOW_S:g} s window; latency vs the "
               f"missed_flashes=1 ideal)", run(traces, baseline_method, 1))
        need = 1.0 if profile == "clean" else 0.995
        accuracy = summary.correct / summary.total
        median, p90 = statistics.median(summary.ratios), _q(summary.ratios, 0.9)
        (raw, raw_p), (present, present_p) = summary.worst_raw, summary.worst_present
        verdict = present >= need and accuracy >= need and median <= 1.1 and p90 <= 1.3
        goals_ok &= verdict
        print(f"  goal ({profile}, need >= {100 * need:g}%, median <= 1.1x, p90 <= 1.3x): accuracy "
              f"{100 * accuracy:.2f}% overall; lowest pattern {100 * raw:.2f}% ({raw_p}) on all traces, "
              f"{100 * present:.2f}% ({present_p}) where the evidence survived; latency median {median:.3f}x, "
              f"p90 {p90:.3f}x: {'met' if verdict else 'NOT met'}")
    return 0 if goals_ok else 1


if __name__ == "__main__":
    sys.exit(main())
