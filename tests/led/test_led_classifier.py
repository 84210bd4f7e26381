"""The classifier on hand-built traces: each tolerance just inside and just outside, and exact decision times.

Default timing (missed_flashes=1, edge_jitter_s=0.03): flash width < 0.36 s; network gaps 2.64-3.36 s or
5.34-6.66 s; none after 6.63 s dark; lone flash -> motion 6.66 s after its rise; light <= 1.06 s after the
flash, 4.94-60.06 s long; burst 0.24-2.16 s after light-off, flashes 0.24-1.26 s apart.
"""

from __future__ import annotations

import pytest
from led_builders import decide, flash_train, recording, trace_of

from rig.led.classifier import PatternClassifier, classify_trace
from rig.led.grammar import Phase
from rig.led.patterns import Pattern
from rig.led.timing import PatternTiming
from rig.led.trace import Edge

NONE, MOTION, NET, LOW, SOLID, UNKNOWN = (Pattern.NONE, Pattern.MOTION, Pattern.NETWORK_LOST,
                                          Pattern.LOW_BATTERY, Pattern.SOLID, Pattern.UNKNOWN)


# --- decision times on clean traces ---

def test_none_commits_when_a_network_flash_would_have_shown() -> None:
    d = decide([], 20.0)
    assert (d.pattern, d.committed) == (NONE, True)
    assert d.decided_at_s == pytest.approx(2 * 3.3 + 0.03)


def test_network_lost_commits_at_the_second_flash_end() -> None:
    d = decide(flash_train(1.0, [3.0, 3.0, 3.0]), 12.0)
    assert d.pattern is NET
    assert d.decided_at_s == pytest.approx(4.0 + 0.15 + 0.1)   # second fall + dropout_max_s
    assert d.evidence["period_s"] == pytest.approx(3.0) and d.evidence["flash_count"] == 2
    assert d.evidence["flash_widths_s"] == [0.15, 0.15] and d.evidence["missed_flashes"] == 0


def test_lone_flash_is_motion_only_when_no_network_flash_can_follow() -> None:
    d = decide([(1.0, 0.15)], 12.0)
    assert d.pattern is MOTION and d.evidence["recording_s"] is None
    assert d.decided_at_s == pytest.approx(1.0 + 6.66)
    clf = PatternClassifier()
    clf.feed((1.0, 1))
    clf.feed((1.15, 0))
    assert clf.advance(7.65) is None and clf.phase is Phase.FLASH   # 10 ms early: still could be network_lost
    assert clf.advance(30.0).decided_at_s == pytest.approx(7.66)    # reported when it was fixed, not now


def test_lone_flash_trusting_every_flash_commits_one_period_sooner() -> None:
    d = decide([(1.0, 0.15)], 12.0, missed_flashes=0)
    assert d.pattern is MOTION and d.decided_at_s == pytest.approx(1.0 + 3.36)


def test_motion_with_recording_waits_out_the_burst_window() -> None:
    pulses, light_off = recording(clip_s=10.0)
    d = decide(pulses, light_off + 5.0)
    assert d.pattern is MOTION
    assert d.decided_at_s == pytest.approx(light_off + 1.5 + 0.6 + 0.06)
    assert d.evidence["recording_s"] == pytest.approx(10.0)
    assert d.evidence["recording_delay_s"] == pytest.approx(0.5)
    assert d.evidence["flash_before_light"] is True and d.evidence["burst_flashes"] == 0


def test_low_battery_commits_at_the_second_burst_flash() -> None:
    pulses, light_off = recording()
    burst = flash_train(light_off + 0.8, [0.4] * 5, width_s=0.15)
    d = decide(pulses + burst, light_off + 6.0)
    assert d.pattern is LOW
    assert d.decided_at_s == pytest.approx(light_off + 0.8 + 0.4 + 0.15 + 0.1)
    assert d.evidence["burst_flashes"] == 2 and d.evidence["burst_delay_s"] == pytest.approx(0.8)
    assert d.evidence["burst_period_s"] == pytest.approx(0.4) and d.evidence["recording_s"] == pytest.approx(10)


def test_low_battery_can_commit_at_the_first_burst_flash() -> None:
    pulses, light_off = recording()
    d = decide(pulses + flash_train(light_off + 0.8, [0.4] * 4), light_off + 6.0, burst_flashes_to_commit=1)
    assert d.pattern is LOW and d.decided_at_s == pytest.approx(light_off + 0.8 + 0.15 + 0.1)


def test_solid_only_after_longer_than_any_clip() -> None:
    d = decide([(2.0, None)], 100.0)
    assert d.pattern is SOLID and d.decided_at_s == pytest.approx(2.0 + 60.06)
    clf = PatternClassifier()
    clf.feed((2.0, 1))
    assert clf.advance(62.0) is None and clf.phase is Phase.RECORDING


def test_solid_from_the_start_of_observation() -> None:
    d = decide([(0.0, None)], 80.0, initial_level=1)
    assert d.pattern is SOLID and d.decided_at_s == pytest.approx(60.06)
    assert d.evidence["lit_since_start"] is True


# --- tolerances: just inside and just outside ---

@pytest.mark.parametrize(("width_s", "want"), [(0.30, NET), (0.35, NET), (0.37, UNKNOWN), (0.5, UNKNOWN)])
def test_flash_width_upper_limit(width_s: float, want: Pattern) -> None:
    d = decide([(1.0, 0.15), (4.0, width_s)], 12.0)
    assert d.pattern is want


def test_pulse_too_long_for_a_flash_too_short_for_a_clip_is_unknown_at_once() -> None:
    d = decide([(1.0, 1.0)], 20.0)
    assert d.pattern is UNKNOWN and d.decided_at_s == pytest.approx(2.1)
    assert "too long for a quick flash" in d.evidence["reason"]


@pytest.mark.parametrize(("width_s", "want"), [(0.019, NONE), (0.039, NONE), (0.041, NET), (0.08, NET)])
def test_flash_width_lower_limit_is_the_merged_noise_limit(width_s: float, want: Pattern) -> None:
    """Under the whole noise model a glitch (< 20 ms) can overlap ambient flicker: lit runs up to ~34 ms that are
    noise. Shorter than 40 ms is never a flash (an 80 ms flash jittered that short counts as missed)."""
    assert decide(flash_train(1.0, [3.0, 3.0], width_s), 12.0).pattern is want


@pytest.mark.parametrize(("width_s", "want"), [(0.019, NONE), (0.021, NET), (0.08, NET)])
def test_flash_width_lower_limit_is_the_noise_limit_when_noise_never_merges(width_s: float, want: Pattern) -> None:
    """The earlier limit (the 20 ms noise limit) is one setting away, for a sensor whose noise never overlaps."""
    assert decide(flash_train(1.0, [3.0, 3.0], width_s), 12.0, noise_run_max_s=0.02).pattern is want


def test_a_glitch_inside_a_flicker_burst_is_not_a_flash() -> None:
    """A 19 ms glitch overlapping 100 Hz flicker (5 ms lit) makes one lit run of about 30 ms: still nothing."""
    flicker = [(1.0 + k / 100, 0.005) for k in range(100)]
    merged = [(2.003, 0.019 + 0.009)] + [f for f in flicker if not 2.0 <= f[0] <= 2.03]
    d = decide(sorted(merged), 12.0)
    assert d.pattern is NONE and d.evidence["flash_count"] == 0


@pytest.mark.parametrize(
    ("gap_s", "want"),
    [(2.60, UNKNOWN), (2.65, NET), (3.0, NET), (3.35, NET), (3.40, UNKNOWN), (4.5, UNKNOWN),
     (5.30, UNKNOWN), (5.40, NET), (6.60, NET), (6.70, MOTION)],
)
def test_network_period_limits(gap_s: float, want: Pattern) -> None:
    d = decide(flash_train(1.0, [gap_s, gap_s]), 20.0)
    assert d.pattern is want, d.evidence
    if want is NET and gap_s > 5:
        assert d.evidence["missed_flashes"] == 1 and d.evidence["period_s"] == pytest.approx(gap_s / 2)


@pytest.mark.parametrize(("gap_s", "want"), [(3.35, NET), (3.40, MOTION), (6.0, MOTION)])
def test_network_period_limits_trusting_every_flash(gap_s: float, want: Pattern) -> None:
    assert decide(flash_train(1.0, [gap_s, gap_s]), 20.0, missed_flashes=0).pattern is want


@pytest.mark.parametrize(("first_rise_s", "want"), [(6.60, NET), (6.66, NONE)])
def test_none_window_limit(first_rise_s: float, want: Pattern) -> None:
    d = decide(flash_train(first_rise_s, [3.0, 3.0]), 20.0)
    assert d.pattern is want


@pytest.mark.parametrize(("dark_s", "want"), [(0.2, MOTION), (1.0, MOTION), (1.05, MOTION), (1.08, UNKNOWN)])
def test_recording_light_delay_limit(dark_s: float, want: Pattern) -> None:
    pulses, light_off = recording(delay_s=dark_s)
    d = decide(pulses, light_off + 5.0)
    assert d.pattern is want


@pytest.mark.parametrize(("clip_s", "want"), [(4.90, UNKNOWN), (4.95, MOTION), (60.0, MOTION), (60.1, SOLID)])
def test_clip_length_limits(clip_s: float, want: Pattern) -> None:
    pulses, light_off = recording(clip_s=clip_s)
    d = decide(pulses, light_off + 5.0)
    assert d.pattern is want
    if want is SOLID:
        assert d.decided_at_s == pytest.approx(pulses[1][0] + 60.06)


@pytest.mark.parametrize(
    ("delay_s", "want"),
    [(0.20, UNKNOWN), (0.25, LOW), (1.5, LOW), (2.15, LOW), (2.20, MOTION)],
)
def test_burst_delay_limits(delay_s: float, want: Pattern) -> None:
    pulses, light_off = recording()
    d = decide(pulses + flash_train(light_off + delay_s, [0.4] * 4), light_off + 8.0)
    assert d.pattern is want


@pytest.mark.parametrize(("gap_s", "want"), [(0.22, UNKNOWN), (0.25, LOW), (0.6, LOW), (1.25, LOW), (1.30, UNKNOWN)])
def test_burst_period_limits(gap_s: float, want: Pattern) -> None:
    pulses, light_off = recording()
    d = decide(pulses + flash_train(light_off + 0.5, [gap_s] * 4), light_off + 10.0)
    assert d.pattern is want


def test_burst_that_stops_after_one_flash_is_unknown() -> None:
    pulses, light_off = recording()
    d = decide([*pulses, (light_off + 0.5, 0.15)], light_off + 10.0)
    assert d.pattern is UNKNOWN and d.decided_at_s == pytest.approx(light_off + 0.5 + 1.26)
    assert "burst stopped after 1" in d.evidence["reason"]


@pytest.mark.parametrize(("dropout_s", "want"), [(0.09, MOTION), (0.11, UNKNOWN)])
def test_dropout_limit_inside_the_light(dropout_s: float, want: Pattern) -> None:
    # light 1.65-11.65 s with one dropout at 4 s: bridged below dropout_max_s, else two too-short lights
    pulses = [(1.0, 0.15), (1.65, 4.0 - 1.65), (4.0 + dropout_s, 11.65 - 4.0 - dropout_s)]
    assert decide(pulses, 20.0).pattern is want


def test_missed_motion_flash_before_the_light() -> None:
    d = decide([(1.5, 8.0)], 15.0)
    assert d.pattern is MOTION and d.evidence["flash_before_light"] is False
    assert decide([(1.5, 8.0)], 15.0, missed_flashes=0).pattern is UNKNOWN


def test_other_sequences_are_unknown() -> None:
    assert decide([(1.0, 0.15), (2.5, 0.15)], 12.0).pattern is UNKNOWN                  # 1.5 s apart
    assert decide([(1.0, 0.15), (3.5, 8.0)], 15.0).pattern is UNKNOWN                   # light too late
    pulses, light_off = recording()
    assert decide([*pulses, (light_off + 0.8, 6.0)], light_off + 10).pattern is UNKNOWN  # second light


# --- the ends of observation ---

def test_trace_ending_during_the_recording_light_is_a_motion_guess() -> None:
    d = decide([(1.0, 0.15), (1.65, None)], 9.0)
    assert (d.pattern, d.committed, d.decided_at_s) == (MOTION, False, 9.0)
    assert d.evidence["recording_s"] is None and d.evidence["lit_s"] == pytest.approx(7.35)


def test_light_still_on_without_its_flash_at_the_end() -> None:
    assert decide([(2.0, None)], 20.0).pattern is MOTION                       # the flash may have been missed
    assert decide([(2.0, None)], 20.0, missed_flashes=0).pattern is UNKNOWN    # every flash is trusted


def test_lit_for_the_whole_short_observation_is_not_solid() -> None:
    d = decide([(0.0, None)], 20.0, initial_level=1)
    assert (d.pattern, d.committed) == (UNKNOWN, False)
    assert "whole observation" in d.evidence["reason"]


def test_trace_ending_in_the_second_network_flash() -> None:
    d = decide([(1.0, 0.15), (4.0, None)], 4.1)
    assert (d.pattern, d.committed) == (NET, False)


def test_short_observation_guesses() -> None:
    assert decide([], 3.0).pattern is NONE and not decide([], 3.0).committed
    assert decide([(1.0, 0.15)], 3.0).pattern is MOTION
    pulses, light_off = recording()
    assert decide(pulses, light_off + 1.0).pattern is MOTION
    d = decide([*pulses, (light_off + 0.5, 0.15)], light_off + 0.8)
    assert (d.pattern, d.committed) == (LOW, False)


def test_flash_cut_by_the_start_still_counts_as_a_flash() -> None:
    # lit at the start for 0.1 s (a flash already on), then the next flashes at the period
    d = decide([(0.0, 0.1), (2.9, 0.15), (5.9, 0.15)], 12.0, initial_level=1)
    assert d.pattern is NET and d.decided_at_s == pytest.approx(3.15)


# --- the streaming API ---

def test_feed_returns_the_decision_once_and_keeps_it() -> None:
    clf = PatternClassifier()
    edges = [Edge(1.0, 1), Edge(1.15, 0), Edge(4.0, 1), Edge(4.15, 0), Edge(7.0, 1)]
    results = [clf.feed(e) for e in edges]
    assert results[:4] == [None] * 4            # the second flash's end is known 0.1 s later
    assert results[4] is not None and results[4].pattern is NET and results[4].decided_at_s == pytest.approx(4.25)
    assert clf.decision is results[4]
    assert clf.feed((20.0, 0)) is results[4] and clf.finish(30.0) is results[4]


def test_accepts_pairs_edges_and_photodiode_style_edges() -> None:
    """One edge type: a pair, an Edge and what the photodiode hands out (an Edge, levels maybe bool) agree."""
    answers = []
    for make in (lambda t, v: (t, v), Edge, lambda t, v: Edge(t, bool(v))):
        clf = PatternClassifier()
        for t, v in [(1.0, 1), (1.15, 0), (4.0, 1), (4.15, 0)]:
            clf.feed(make(t, v))
        answers.append((clf.finish(6.0).pattern, round(clf.decision.decided_at_s, 9)))
    assert answers == [(NET, 4.25)] * 3


def test_time_going_backwards_and_bad_levels_are_refused() -> None:
    clf = PatternClassifier(start_s=10.0)
    clf.feed((11.0, 1))
    with pytest.raises(ValueError, match="backwards"):
        clf.feed((10.5, 0))
    clf.advance(12.0)
    with pytest.raises(ValueError, match="backwards"):
        clf.advance(11.9)
    with pytest.raises(ValueError, match="0 or 1"):
        clf.feed((13.0, 2))
    with pytest.raises(ValueError, match="0 or 1"):
        PatternClassifier(initial_level=3)


def test_live_use_with_a_clock_offset_matches_the_trace() -> None:
    """A controller on a monotonic clock: start_s is wherever the clock was; times are absolute."""
    offset = 12_345.678
    pulses, light_off = recording()
    trace = trace_of(pulses + flash_train(light_off + 0.8, [0.4] * 5), light_off + 6.0)
    clf = PatternClassifier(start_s=offset)
    now = offset
    edges = iter(trace.edges)
    pending = next(edges)
    while clf.decision is None and now < offset + trace.end_s:
        now += 0.05                      # the controller polls every 50 ms
        while pending is not None and pending.t_s + offset <= now:
            clf.feed((pending.t_s + offset, pending.level))
            pending = next(edges, None)
        clf.advance(now)
    assert clf.decision is not None and clf.decision.pattern is LOW
    assert clf.decision.decided_at_s - offset == pytest.approx(classify_trace(trace).decided_at_s)


def test_phase_follows_the_motion_sequence() -> None:
    clf = PatternClassifier()
    seen = [clf.phase]
    for t, v in [(1.0, 1), (1.15, 0), (1.65, 1), (11.65, 0)]:
        clf.advance(t)
        seen.append(clf.phase)
        clf.feed((t, v))
    clf.advance(11.8)
    seen.append(clf.phase)
    # the phase is that of the last stable moment: a flash shows once it has ended (and 0.1 s passed)
    assert seen == [Phase.DARK, Phase.DARK, Phase.DARK, Phase.FLASH, Phase.RECORDING, Phase.AFTER_RECORDING]


def test_none_can_be_made_to_wait_longer() -> None:
    """After a motion stimulus a controller may give a slow PIR more time before calling it none."""
    d = decide([], 30.0, none_wait_s=12.0)
    assert d.pattern is NONE and d.decided_at_s == pytest.approx(12.0)
    assert decide([(9.0, 0.15), (9.7, 8.0)], 30.0, none_wait_s=12.0).pattern is MOTION
    assert decide([], 30.0, none_wait_s=1.0).decided_at_s == pytest.approx(6.63)   # never sooner than the model


def test_reading_tells_the_controller_when_silence_decides() -> None:
    clf = PatternClassifier()
    clf.feed((1.0, 1))
    clf.feed((1.15, 0))
    clf.advance(2.0)
    reading = clf.reading
    assert reading.phase is Phase.FLASH and reading.guess is MOTION and reading.pattern is None
    assert reading.deadline_s == pytest.approx(7.66) and reading.evidence["flash_count"] == 1
    assert clf.advance(reading.deadline_s).pattern is MOTION


def test_timing_rejects_inconsistent_tolerances() -> None:
    with pytest.raises(ValueError, match="dropout_max_s"):
        PatternTiming(dropout_max_s=0.25)
    with pytest.raises(ValueError, match="missed_flashes"):
        PatternTiming(missed_flashes=4)
    with pytest.raises(ValueError, match="none_wait_s"):
        PatternTiming(none_wait_s=-1.0)
    with pytest.raises(ValueError, match="flash_min_s < flash_max_s"):
        PatternTiming(flash_max_s=6.0)
