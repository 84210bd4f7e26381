"""Seeded LED traces with ground truth, clean or as a real photodiode would see them.

Two parts, kept apart on purpose:

* :func:`apply_sensor_noise` turns the LED's true edges into what a comparator on a photodiode reports: edge
  jitter, comparator glitches, contact chatter on edges, dropouts inside the long recording light, 100/120 Hz
  ambient-flicker bursts, and now and then a missed flash. The simulator's ``trace --noise`` reuses it.
* :func:`generate_trace` draws one pattern's true edges from the timing model (``LedTiming``), applies a
  :class:`NoiseProfile`, and records the truth: the pattern, the clean edges, and the events from which
  :meth:`GeneratedTrace.ideal_decision_s` computes the earliest time a noise-free prefix fixes the pattern.

Nothing here imports the classifier: the tests and the benchmark judge it against this independent truth.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from firmware_sim.led_timing import DEFAULT_TIMING, LedTiming

Edges = list[tuple[float, int]]
Interval = tuple[float, float]

PATTERNS = ("none", "motion", "network_lost", "low_battery", "solid")


@dataclass(frozen=True)
class NoiseProfile:
    """What the sensor (and the camera's own timing wander) does to the true edges: docs/DESIGN.md's noise model,
    each phenomenon with its own knob. Times in seconds."""

    name: str
    jitter_s: float = 0.0            # every real edge moves by up to +-jitter_s...
    jitter_uniform: bool = False     # ...uniformly, or (False) a gaussian of sigma jitter_s/2 cut there
    glitch_rate_hz: float = 0.0      # comparator glitches (isolated lit slivers in the dark) per second
    glitch_max_s: float = 0.015      # ...each 0.5 ms up to this long (below the 20 ms noise limit)
    chatter_prob: float = 0.0        # chance a real edge bounces: 1-3 sub-millisecond toggles after it
    dropout_rate_hz: float = 0.0     # dark gaps per lit second, inside any lit pulse
    dropout_max_s: float = 0.015     # ...each 1 ms up to this long
    flicker_rate_hz: float = 0.0     # ambient-flicker bursts per second: 100 or 120 Hz, lit 1-5 ms, duty <= 50 %
    flicker_burst_max_s: float = 2.0
    pwm_prob: float = 0.0            # chance the camera drives its LED by PWM (a pulse train while lit)...
    pwm_hz: tuple[float, float] = (500.0, 5000.0)    # ...at a frequency in this range...
    pwm_duty: tuple[float, float] = (0.2, 0.95)      # ...lit this fraction of each period
    miss_prob: float = 0.0           # chance the sensor misses a quick flash (the first of a pattern too)
    max_consecutive_misses: int | None = None   # None: independent misses
    period_drift: bool = False       # the camera's flash periods wander within the model's range
    end_lit_prob: float = 0.0        # chance the observation stops while the LED is lit (where it can)
    isolated_glitches: bool = True   # glitches keep 3 ms from each other and from flicker; False: they may land
                                     # on flicker (a glitch inside a flicker burst makes one longer lit run)


FULL = NoiseProfile("full", jitter_s=0.03, glitch_rate_hz=1.0, chatter_prob=0.5, dropout_rate_hz=1.0,
                    flicker_rate_hz=0.1, pwm_prob=0.5, pwm_hz=(500.0, 1500.0), miss_prob=0.05,
                    max_consecutive_misses=1, period_drift=True, end_lit_prob=0.2)
"""Every phenomenon of the noise model at once (what ``trace --noise full`` and the tests' hardest set use)."""

PROFILES: dict[str, NoiseProfile] = {
    p.name: p
    for p in (
        NoiseProfile("clean"),
        NoiseProfile("jitter", jitter_s=0.025),
        NoiseProfile("glitches", glitch_rate_hz=3.0),
        NoiseProfile("chatter", chatter_prob=1.0),
        NoiseProfile("dropouts", dropout_rate_hz=1.0),
        NoiseProfile("flicker", flicker_rate_hz=0.4),
        NoiseProfile("pwm", pwm_prob=1.0, pwm_hz=(500.0, 1500.0)),   # fewer edges: the tests stay quick
        NoiseProfile("missed", miss_prob=0.3, max_consecutive_misses=1),
        NoiseProfile("drift", period_drift=True),
        NoiseProfile("ends_lit", end_lit_prob=1.0),
        NoiseProfile("harsh", jitter_s=0.025, glitch_rate_hz=0.5, chatter_prob=0.5, dropout_rate_hz=0.3,
                     flicker_rate_hz=0.05, miss_prob=0.01, period_drift=True, end_lit_prob=0.2),
        FULL,
    )
}


def noise_profile(name: str) -> NoiseProfile:
    """The named profile; a clear error listing the names otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown noise profile {name!r}; choose from {', '.join(PROFILES)}") from None


# --- interval helpers (lit sets as sorted disjoint intervals) ---

def _intervals(edges: Sequence[tuple[float, int]], initial_level: int, start_s: float, end_s: float) -> list[Interval]:
    out: list[Interval] = []
    rise = start_s if initial_level else None
    for t_s, level in edges:
        if level and rise is None:
            rise = t_s
        elif not level and rise is not None:
            out.append((rise, t_s))
            rise = None
    if rise is not None:
        out.append((rise, end_s))
    return out


def _union(intervals: list[Interval], presorted: bool = False) -> list[Interval]:
    out: list[Interval] = []
    for a, b in (intervals if presorted else sorted(intervals)):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    holes = _union(holes)
    out: list[Interval] = []
    for a, b in intervals:
        cursor = a
        for h_a, h_b in holes:
            if h_b <= cursor or h_a >= b:
                continue
            if h_a > cursor:
                out.append((cursor, h_a))
            cursor = max(cursor, h_b)
        if cursor < b:
            out.append((cursor, b))
    return out


def _to_edges(lit: list[Interval], start_s: float, end_s: float) -> tuple[int, Edges]:
    start_s, end_s = round(start_s, 6), round(end_s, 6)
    lit = [(round(max(a, start_s), 6), round(min(b, end_s), 6)) for a, b in _union(lit, presorted=True)
           if b > start_s and a < end_s]
    lit = [(a, b) for a, b in lit if b > a]
    initial = 1 if lit and lit[0][0] <= start_s else 0
    edges: Edges = []
    for a, b in lit:
        if a > start_s:
            edges.append((a, 1))
        if b < end_s:
            edges.append((b, 0))
    return initial, edges


class _Slots:
    """Noise slivers that never touch each other: real glitches (and dropouts) are isolated events, and two
    merged 15 ms glitches would be a 30 ms pulse, which is no longer noise by the model's own rule."""

    def __init__(self) -> None:
        self.intervals: list[Interval] = []

    def add(self, a: float, b: float, separation_s: float) -> bool:
        index = bisect.bisect_left(self.intervals, (a, b))
        before = self.intervals[index - 1] if index else None
        after = self.intervals[index] if index < len(self.intervals) else None
        if (before and before[1] + separation_s > a) or (after and b + separation_s > after[0]):
            return False
        self.intervals.insert(index, (a, b))
        return True


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only, which is all we need."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@dataclass(frozen=True)
class NoiseReport:
    """What the noise did, for the truth record."""

    missed_flash_rises: tuple[float, ...] = ()
    pwm: tuple[float, float] | None = None     # (frequency Hz, duty) when the LED was PWM-driven


def _jitter(rng: random.Random, profile: NoiseProfile) -> float:
    j = profile.jitter_s
    if j <= 0:
        return 0.0
    if profile.jitter_uniform:
        return rng.uniform(-j, j)
    return max(-j, min(j, rng.gauss(0, j / 2)))


def pwm_train(a: float, b: float, hz: float, duty: float) -> list[Interval]:
    """The lit interval [a, b) of a PWM-driven LED as the photodiode sees it: a pulse train, lit first."""
    period = 1.0 / hz
    on = period * duty
    count = max(1, math.ceil((b - a) / period))
    out = [(a + k * period, min(b, a + k * period + on)) for k in range(count)]
    return [(x, y) for x, y in out if y > x]


def flicker_burst(rng: random.Random, at: float, length_s: float) -> list[Interval]:
    """Ambient flicker: 100 or 120 Hz, each lit 1-5 ms but at most half the period."""
    hz = rng.choice((100.0, 120.0))
    period = 1 / hz
    on = rng.uniform(0.001, min(0.005, period / 2))
    count = int(length_s * hz)
    return [(at + k * period, at + k * period + on) for k in range(count)]


def _noisy(edges: Sequence[tuple[float, int]], profile: NoiseProfile, rng: random.Random, start_s: float,
           end_s: float, initial_level: int, timing: LedTiming) -> tuple[int, Edges, NoiseReport]:
    led = _intervals(edges, initial_level, start_s, end_s)

    # The sensor misses some quick flashes (never a pulse cut by the ends of the observation).
    kept: list[Interval] = []
    missed: list[float] = []
    run = 0
    for a, b in led:
        quick = start_s < a and b < end_s and b - a <= timing.flash_max_s + 1e-9
        allowed = profile.max_consecutive_misses is None or run < profile.max_consecutive_misses
        if quick and allowed and rng.random() < profile.miss_prob:
            missed.append(a)
            run += 1
            continue
        if quick:
            run = 0
        kept.append((a, b))

    # Edge jitter on every real edge; a move that would reorder edges is not made.
    jittered: list[Interval] = []
    for a, b in kept:
        if a > start_s:
            a += _jitter(rng, profile)
        if b < end_s:
            b += _jitter(rng, profile)
        if jittered and a <= jittered[-1][1] + 0.03:
            a = jittered[-1][1] + 0.03
        jittered.append((a, max(b, a + 0.002)))

    # Inside each lit pulse: dropouts (isolated dark gaps), and dark chatter slivers right after its rise.
    holes: list[Interval] = []
    extra = _Slots()
    for a, b in jittered:
        inside: list[Interval] = []
        for _ in range(_poisson(rng, profile.dropout_rate_hz * (b - a))):
            d = rng.uniform(0.001, profile.dropout_max_s)
            if b - a > d + 0.004:
                at = rng.uniform(a + 0.002, b - 0.002 - d)
                if all(at + d + 0.03 < x or y + 0.03 < at for x, y in inside):
                    inside.append((at, at + d))
        for edge_t, rising in ((a, True), (b, False)):
            if not start_s < edge_t < end_s or rng.random() >= profile.chatter_prob:
                continue
            at = edge_t
            for _ in range(rng.randint(1, 3)):   # toggles: dark slivers after a rise, lit ones after a fall
                at += rng.uniform(0.0001, 0.0009)
                width = rng.uniform(0.0001, 0.0009)
                if rising:
                    inside.append((at, at + width))
                else:
                    extra.add(at, at + width, separation_s=0.0)
                at += width
        holes += inside

    pwm: tuple[float, float] | None = None
    lit = _subtract(jittered, holes)
    if profile.pwm_prob and rng.random() < profile.pwm_prob:
        pwm = (rng.uniform(*profile.pwm_hz), rng.uniform(*profile.pwm_duty))
        lit = [piece for a, b in lit for piece in pwm_train(a, b, *pwm)]

    span = end_s - start_s
    glitches = _Slots()
    for _ in range(_poisson(rng, profile.flicker_rate_hz * span)):
        at = rng.uniform(start_s, end_s)
        for x, y in flicker_burst(rng, at, rng.uniform(0.05, profile.flicker_burst_max_s)):
            extra.add(x, y, separation_s=0.003)
    for _ in range(_poisson(rng, profile.glitch_rate_hz * span)):
        at = rng.uniform(start_s, end_s)
        glitch = (at, at + rng.uniform(0.0005, profile.glitch_max_s))
        # glitches stay isolated from each other (the model's "isolated lit pulse"); with isolated_glitches
        # False they may still land on ambient flicker
        (extra if profile.isolated_glitches else glitches).add(*glitch, separation_s=0.003)

    merged = _union(list(heapq.merge(lit, extra.intervals, glitches.intervals)), presorted=True)
    initial, out = _to_edges(merged, start_s, end_s)
    return initial, out, NoiseReport(tuple(missed), pwm)


def apply_sensor_noise(edges: Sequence[tuple[float, int]], profile: NoiseProfile | str, rng: random.Random, *,
                       start_s: float = 0.0, end_s: float | None = None, initial_level: int = 0,
                       timing: LedTiming = DEFAULT_TIMING) -> Edges:
    """What a photodiode comparator reports for the LED's true ``edges`` (``(t_s, level)``, level changes in
    time order, from ``initial_level`` at ``start_s``). Observation ends at ``end_s`` (default: 1 s after the
    last edge). Returns the noisy edges; the level at ``start_s`` is unchanged (noise starts after it)."""
    if isinstance(profile, str):
        profile = noise_profile(profile)
    if end_s is None:
        end_s = (edges[-1][0] if edges else start_s) + 1.0
    initial, out, _ = _noisy(edges, profile, rng, start_s, end_s, initial_level, timing)
    if initial != initial_level and out:   # a glitch right at the start: the caller's first level stands
        out = out[1:]
    return out


# --- ground truth ---

@dataclass(frozen=True)
class GeneratedTrace:
    """One generated observation and its truth."""

    pattern: str
    variant: str                      # e.g. "lone_flash", "recording", "starts_lit", "ends_lit"
    initial_level: int
    edges: Edges                      # what the sensor reports (noisy)
    end_s: float
    clean_initial_level: int
    clean_edges: Edges                # what the LED did
    events: dict[str, object] = field(default_factory=dict)
    missed_flash_rises: tuple[float, ...] = ()
    pwm: tuple[float, float] | None = None   # (Hz, duty) when the LED was PWM-driven
    profile: str = "clean"
    seed: int | None = None
    start_s: float = 0.0

    @property
    def evidence_lost(self) -> bool:
        """The noise removed the only evidence (a lone motion flash missed): no classifier can be right."""
        return self.variant == "lone_flash" and bool(self.missed_flash_rises)

    def ideal_decision_s(self, missed_flashes: int = 1, timing: LedTiming = DEFAULT_TIMING) -> float | None:
        """The earliest time at which the noise-free prefix fixes the pattern, under the timing model with
        up to ``missed_flashes`` flashes in a row allowed to go unseen (the classifier's own assumption).
        None when the observation ends before the pattern is fixed (e.g. during the recording light)."""
        ev = self.events
        period_max = timing.network_lost_period_s * (1 + timing.network_lost_tolerance)
        if self.pattern == "none":
            ideal = self.start_s + (missed_flashes + 1) * period_max
        elif self.pattern == "network_lost":
            ideal = ev["flashes"][1][1]  # type: ignore[index]
        elif self.pattern == "motion" and self.variant == "lone_flash":
            ideal = ev["flash"][0] + (missed_flashes + 1) * period_max  # type: ignore[index]
        elif self.pattern == "motion":
            light_fall = ev["light"][1]  # type: ignore[index]
            if light_fall is None:
                return None
            ideal = light_fall + timing.burst_delay_max_s + missed_flashes * timing.burst_period_max_s
        elif self.pattern == "low_battery":
            ideal = ev["burst"][0][1]  # type: ignore[index]
        else:
            ideal = ev["lit_from"] + timing.clip_max_s  # type: ignore[operator]
        return ideal if ideal <= self.end_s else None


def _flash_width(rng: random.Random, timing: LedTiming, limit_s: float | None = None) -> float:
    hi = timing.flash_max_s if limit_s is None else min(timing.flash_max_s, limit_s)
    return rng.uniform(timing.flash_min_s, hi)


def _drifting(rng: random.Random, lo: float, hi: float, count: int, drift: bool) -> list[float]:
    """``count`` periods: one value in [lo, hi], or with drift a random walk that stays inside it."""
    value = rng.uniform(lo, hi)
    out = []
    for _ in range(count):
        out.append(value)
        if drift:
            value = min(hi, max(lo, value + rng.gauss(0, (hi - lo) / 3)))
    return out


def _clean(pattern: str, rng: random.Random, profile: NoiseProfile, timing: LedTiming,
           variant: str | None) -> tuple[str, int, Edges, float, dict[str, object]]:
    """The LED's true behaviour for ``pattern``: (variant, initial level, edges, end, events)."""
    t = timing
    period_lo = t.network_lost_period_s * (1 - t.network_lost_tolerance)
    period_hi = t.network_lost_period_s * (1 + t.network_lost_tolerance)
    worst_none_s = 2 * period_hi        # long enough for a classifier that allows one missed flash
    lead_s = rng.uniform(0.3, 3.0)
    ends_lit = rng.random() < profile.end_lit_prob
    edges: Edges = []

    def pulse(rise: float, width: float) -> tuple[float, float]:
        edges.extend([(rise, 1), (rise + width, 0)])
        return rise, rise + width

    if pattern == "none":
        return "dark", 0, edges, worst_none_s + rng.uniform(1.0, 6.0), {}

    if pattern == "network_lost":
        periods = _drifting(rng, period_lo, period_hi, 6, profile.period_drift)
        rise = rng.uniform(0.05, periods[0])
        flashes = []
        for index in range(rng.randint(4, 7)):
            flashes.append(pulse(rise, _flash_width(rng, t)))
            rise += periods[index % len(periods)]
        end = flashes[-1][1] + rng.uniform(0.5, 2.5)
        if ends_lit:
            end = rng.uniform(flashes[-1][0] + 0.01, flashes[-1][1] - 0.01)
            edges.pop()
        return ("ends_lit" if ends_lit else "train"), 0, edges, end, {"flashes": flashes}

    if pattern == "solid":
        starts_lit = variant == "starts_lit" or (variant is None and rng.random() < 0.3)
        lit_from = 0.0 if starts_lit else lead_s
        if not starts_lit:
            edges.append((lit_from, 1))
        end = lit_from + t.clip_max_s + rng.uniform(1.0, 15.0)
        return ("starts_lit" if starts_lit else "lit"), int(starts_lit), edges, end, {"lit_from": lit_from}

    # motion and low_battery start with the motion flash
    flash = pulse(lead_s, _flash_width(rng, t))
    if pattern == "motion":
        lone = variant == "lone_flash" or (variant is None and rng.random() < 0.3)
        if lone:
            return "lone_flash", 0, edges, flash[0] + 2 * period_hi + rng.uniform(0.5, 4.0), {"flash": flash}
    light_rise = flash[1] + rng.uniform(t.recording_delay_min_s, t.recording_delay_max_s)
    clip = rng.uniform(t.clip_min_s, t.clip_max_s)
    light = pulse(light_rise, clip)
    if pattern == "motion":
        if ends_lit:
            edges.pop()
            end = rng.uniform(light_rise + 0.5, light[1] - 0.1)
            return "ends_lit", 0, edges, end, {"flash": flash, "light": (light_rise, None)}
        end = light[1] + t.burst_delay_max_s + t.burst_period_max_s + rng.uniform(0.5, 4.0)
        return "recording", 0, edges, end, {"flash": flash, "light": light}

    count = rng.choice(range(t.burst_flashes[0], t.burst_flashes[1] + 1))
    periods = _drifting(rng, t.burst_period_min_s, t.burst_period_max_s, count, profile.period_drift)
    rise = light[1] + rng.uniform(t.burst_delay_min_s, t.burst_delay_max_s)
    burst = []
    for period in periods:
        # keep a dark gap between burst flashes: at a 0.3 s period a 0.3 s flash would never go dark
        burst.append(pulse(rise, _flash_width(rng, t, period - 0.1)))
        rise += period
    end = burst[-1][1] + rng.uniform(0.5, 3.0)
    if ends_lit:
        end = rng.uniform(burst[-1][0] + 0.01, burst[-1][1] - 0.01)
        edges.pop()
    return ("ends_lit" if ends_lit else "burst"), 0, edges, end, {"flash": flash, "light": light, "burst": burst}


def generate_trace(pattern: str, seed: int, profile: NoiseProfile | str = "clean", *,
                   timing: LedTiming = DEFAULT_TIMING, variant: str | None = None) -> GeneratedTrace:
    """One trace of ``pattern`` (see :data:`PATTERNS`), reproducible from ``seed``, with ``profile``'s noise.

    ``variant`` forces a shape: ``lone_flash`` or ``recording`` for motion, ``starts_lit`` for solid.
    """
    if pattern not in PATTERNS:
        raise ValueError(f"unknown pattern {pattern!r}; choose from {', '.join(PATTERNS)}")
    if isinstance(profile, str):
        profile = noise_profile(profile)
    if variant == "recording":
        profile = replace(profile, end_lit_prob=0.0) if pattern == "motion" else profile
    rng = random.Random(f"{pattern}/{profile.name}/{seed}")
    shape, initial, clean_edges, end_s, events = _clean(pattern, rng, profile, timing, variant)
    end_s = round(end_s, 6)
    noisy_initial, noisy, report = _noisy(clean_edges, profile, rng, 0.0, end_s, initial, timing)
    return GeneratedTrace(pattern, shape, noisy_initial, noisy, end_s, initial, clean_edges, events,
                          report.missed_flash_rises, report.pwm, profile.name, seed)


def generate_suite(patterns: Sequence[str], count: int, profile: NoiseProfile | str, first_seed: int = 0,
                   timing: LedTiming = DEFAULT_TIMING) -> list[GeneratedTrace]:
    """``count`` traces of each pattern, seeds ``first_seed`` onwards."""
    return [generate_trace(p, first_seed + i, profile, timing=timing) for p in patterns for i in range(count)]
