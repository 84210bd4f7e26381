"""Every pattern, clean and under each kind of sensor noise, judged against the generator's independent truth;
and the decision time against the ideal one (never before the evidence allows, never long after)."""

from __future__ import annotations

import itertools
import random

import pytest

from firmware_sim.led_traces import (
    PATTERNS,
    PROFILES,
    GeneratedTrace,
    apply_sensor_noise,
    generate_trace,
    noise_profile,
)
from rig.led.classifier import PatternClassifier, classify_trace
from rig.led.timing import PatternTiming
from rig.led.trace import Trace

SEEDS = range(40)
NOISE_KINDS = [name for name in PROFILES if name != "clean"]
HEAVY = ("pwm", "full")   # a PWM-driven LED gives thousands of edges a second: fewer seeds

# How long after the ideal time the classifier may commit on a clean trace: its margins (2 x 30 ms jitter),
# the 0.1 s stability wait, and for low_battery the second burst flash (up to one period and a flash later).
SLACK_S = {"none": 0.031, "network_lost": 0.101, "motion": 0.061, "solid": 0.061, "low_battery": 1.0}


def as_trace(g: GeneratedTrace) -> Trace:
    return Trace.from_pairs(g.initial_level, g.edges, g.end_s, g.start_s)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_clean_traces_right_and_on_time(pattern: str) -> None:
    for seed in SEEDS:
        g = generate_trace(pattern, seed, "clean")
        d = classify_trace(as_trace(g))
        assert d.pattern.value == pattern, (seed, g.variant, d)
        ideal = g.ideal_decision_s(1)
        if ideal is None:                       # ends before the pattern is fixed: a best guess at the end
            assert not d.committed and d.decided_at_s == g.end_s
            continue
        assert d.committed
        assert ideal - 1e-9 <= d.decided_at_s <= ideal + SLACK_S[pattern], (seed, g.variant, ideal, d)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_clean_traces_trusting_every_flash(pattern: str) -> None:
    timing = PatternTiming(missed_flashes=0)
    for seed in SEEDS:
        g = generate_trace(pattern, seed, "clean")
        d = classify_trace(as_trace(g), timing)
        assert d.pattern.value == pattern, (seed, g.variant, d)
        ideal = g.ideal_decision_s(0)
        if ideal is not None:
            assert ideal - 1e-9 <= d.decided_at_s <= ideal + SLACK_S[pattern], (seed, g.variant, ideal, d)


@pytest.mark.parametrize("kind", NOISE_KINDS)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_each_noise_kind(pattern: str, kind: str) -> None:
    wrong = []
    checked = 0
    seeds = SEEDS if kind not in HEAVY else SEEDS[:12]
    for seed in seeds:
        g = generate_trace(pattern, seed, kind)
        if g.evidence_lost:          # a lone motion flash the sensor missed: nothing left to see
            continue
        checked += 1
        d = classify_trace(as_trace(g))
        if d.pattern.value != pattern:
            wrong.append((seed, g.variant, d.pattern.value, d.evidence.get("reason")))
            continue
        ideal = g.ideal_decision_s(1)
        if ideal is not None and d.committed and not g.missed_flash_rises:
            # noise moves edges by tens of ms and adds bounces, never by more than the margins
            assert ideal - 0.06 <= d.decided_at_s <= ideal + SLACK_S[pattern] + 0.06, (seed, ideal, d)
    assert not wrong
    assert checked >= len(seeds) * 0.6


def test_noise_kinds_really_happen() -> None:
    """The noisy traces differ from the clean ones in the way each profile says (else the tests above prove
    nothing)."""
    def lit_runs(g: GeneratedTrace) -> list[float]:
        runs, rise = [], 0.0 if g.initial_level else None
        for t, level in g.edges:
            if level:
                rise = t
            elif rise is not None:
                runs.append(t - rise)
                rise = None
        return runs

    def dark_runs(g: GeneratedTrace) -> list[float]:
        runs, fall = [], None
        for t, level in g.edges:
            if not level:
                fall = t
            elif fall is not None:
                runs.append(t - fall)
        return runs

    traces = {k: [generate_trace(p, s, k) for p in PATTERNS for s in range(10)] for k in PROFILES}
    count = {k: sum(sum(1 for w in lit_runs(g) if w < 0.02) for g in v) for k, v in traces.items()}
    assert count["clean"] == 0 and count["glitches"] > 100 and count["flicker"] > 100 and count["chatter"] > 20
    gaps = sum(sum(1 for w in dark_runs(g) if w < 0.07) for g in traces["dropouts"])
    assert gaps > 50
    assert sum(len(g.missed_flash_rises) for g in traces["missed"]) > 20
    moved = [abs(a[0] - b[0]) for g in traces["jitter"] for a, b in zip(g.edges, g.clean_edges, strict=False)]
    assert 0.005 < max(moved) <= 0.025 + 1e-6   # edges are rounded to the microsecond
    ends_lit = [g for g in traces["ends_lit"] if g.pattern != "none" and g.variant != "lone_flash"]
    assert all((g.edges[-1][1] if g.edges else g.initial_level) == 1 for g in ends_lit)


def test_generator_is_reproducible_and_seed_dependent() -> None:
    a, b = generate_trace("low_battery", 7, "harsh"), generate_trace("low_battery", 7, "harsh")
    c = generate_trace("low_battery", 8, "harsh")
    assert a == b and a.edges != c.edges


def test_generator_truth_matches_the_model() -> None:
    for seed in range(30):
        g = generate_trace("network_lost", seed, "drift")
        rises = [f[0] for f in g.events["flashes"]]
        assert all(2.7 - 1e-9 <= b - a <= 3.3 + 1e-9 for a, b in itertools.pairwise(rises))
        lb = generate_trace("low_battery", seed, "clean")
        burst = lb.events["burst"]
        assert 5 <= len(burst) <= 6
        assert 0.3 <= burst[0][0] - lb.events["light"][1] <= 1.5
        assert all(0.08 <= b - a <= 0.3 for a, b in burst)


def test_apply_sensor_noise_is_reusable_on_any_edges() -> None:
    edges = [(1.0, 1), (1.2, 0), (4.0, 1), (4.15, 0), (5.0, 1), (15.0, 0)]
    noisy = apply_sensor_noise(edges, "harsh", random.Random(3), end_s=20.0)
    assert noisy != edges
    levels = [lv for _, lv in noisy]
    assert all(a != b for a, b in itertools.pairwise(levels)) and levels[0] == 1   # alternating
    assert all(a < b for (a, _), (b, _) in itertools.pairwise(noisy))
    assert apply_sensor_noise(edges, noise_profile("clean"), random.Random(3), end_s=20.0) == edges
    with pytest.raises(ValueError, match="unknown noise profile 'loud'"):
        apply_sensor_noise(edges, "loud", random.Random(3))


def test_streaming_with_polling_equals_whole_trace() -> None:
    """The live path (edges as they come, time advanced between them) gives the same answer and time."""
    for pattern in PATTERNS:
        for seed in range(8):
            g = generate_trace(pattern, seed, "harsh")
            want = classify_trace(as_trace(g))
            clf = PatternClassifier(initial_level=g.initial_level)
            now = 0.0
            for t, level in g.edges:
                while now + 0.037 < t:
                    now += 0.037
                    clf.advance(now)
                clf.feed((t, level))
                now = t
            got = clf.finish(g.end_s)
            assert (got.pattern, got.decided_at_s, got.committed) == (want.pattern, want.decided_at_s,
                                                                       want.committed)
