"""Pulse extraction: sensor noise out, the LED's pulses (with the sensor's own edge times) kept."""

from __future__ import annotations

import pytest

from rig.led.pulses import Pulse, PulseTracker, extract_pulses
from rig.led.timing import PatternTiming

T = PatternTiming()


def pulses(edges: list[tuple[float, int]], end_s: float, initial_level: int = 0) -> list[Pulse]:
    return extract_pulses(0.0, initial_level, edges, end_s, T)


def approx(p: list[Pulse]) -> list[tuple[float, float | None]]:
    return [(round(x.rise_s, 6), None if x.fall_s is None else round(x.fall_s, 6)) for x in p]


def test_clean_flash_is_kept_exactly() -> None:
    assert approx(pulses([(1.0, 1), (1.15, 0)], 3.0)) == [(1.0, 1.15)]


@pytest.mark.parametrize("width_s", [0.001, 0.010, 0.0199])
def test_glitches_shorter_than_noise_limit_vanish(width_s: float) -> None:
    assert pulses([(1.0, 1), (1.0 + width_s, 0)], 3.0) == []


def test_pulse_of_the_noise_limit_is_kept() -> None:
    assert approx(pulses([(1.0, 1), (1.021, 0)], 3.0)) == [(1.0, 1.021)]


def test_flicker_burst_at_a_flash_fall_does_not_stretch_it() -> None:
    edges = [(1.0, 1), (1.15, 0)]
    t = 1.155
    while t < 1.6:                       # 100 Hz, 4 ms lit each
        edges += [(t, 1), (t + 0.004, 0)]
        t += 0.01
    assert approx(pulses(edges, 3.0)) == [(1.0, 1.15)]


def test_flicker_alone_is_nothing() -> None:
    edges = []
    t = 0.5
    while t < 1.5:                       # 120 Hz, 6 ms lit each (the gaps are shorter than 20 ms too)
        edges += [(t, 1), (t + 0.006, 0)]
        t += 1 / 120
    assert pulses(edges, 3.0) == []


def test_chatter_on_both_edges() -> None:
    # rise bounces for 6 ms, fall bounces for 5 ms: one pulse, its edges within the bounces (dark gaps under
    # 2 ms are bridged like a PWM-driven LED's, so the pulse runs from the first rise to the last fall)
    edges = [(1.0, 1), (1.002, 0), (1.003, 1), (1.005, 0), (1.006, 1),
             (1.2, 0), (1.201, 1), (1.203, 0), (1.204, 1), (1.205, 0)]
    assert approx(pulses(edges, 3.0)) == [(1.0, 1.205)]


def test_short_dark_gap_inside_a_flash_is_bridged() -> None:
    assert approx(pulses([(1.0, 1), (1.05, 0), (1.065, 1), (1.15, 0)], 3.0)) == [(1.0, 1.15)]


def test_dropouts_inside_the_light_are_bridged_up_to_the_limit() -> None:
    edges = [(1.0, 1), (3.0, 0), (3.09, 1), (6.0, 0), (6.05, 1), (9.0, 0)]
    assert approx(pulses(edges, 12.0)) == [(1.0, 9.0)]
    split = [(1.0, 1), (3.0, 0), (3.11, 1), (9.0, 0)]
    assert approx(pulses(split, 12.0)) == [(1.0, 3.0), (3.11, 9.0)]


def test_dropout_early_in_the_light_does_not_make_a_flash() -> None:
    # 40 ms and 30 ms dropouts in the first 0.3 s of the light: the pieces before them belong to the light
    edges = [(1.0, 1), (1.1, 0), (1.14, 1), (1.25, 0), (1.28, 1), (8.0, 0)]
    assert approx(pulses(edges, 10.0)) == [(1.0, 8.0)]


def test_two_flashes_with_a_short_gap_stay_two() -> None:
    # burst flashes 60 ms apart are not a light: no merge
    edges = [(1.0, 1), (1.25, 0), (1.31, 1), (1.5, 0)]
    assert approx(pulses(edges, 3.0)) == [(1.0, 1.25), (1.31, 1.5)]


def test_lit_at_start_and_at_end() -> None:
    got = pulses([(0.5, 0), (2.0, 1)], 4.0, initial_level=1)
    assert got == [Pulse(0.0, 0.5, starts_before=True), Pulse(2.0, None)]


def test_stability_and_knowledge_delays() -> None:
    """A rise is known noise_max_s late, a pulse's end dropout_max_s late; nothing is stable in between."""
    tracker = PulseTracker(0.0, 0, T)
    assert tracker.stable and tracker.pulses() == []
    tracker.raw_edge(1.0, 1)
    assert not tracker.stable and tracker.next_due() == pytest.approx(1.02)
    tracker.fire_next(1.02)
    assert tracker.lit and not tracker.stable          # short lit: may be a flash or a light
    tracker.raw_edge(1.15, 0)
    assert tracker.next_due() == pytest.approx(1.152)  # a dark gap counts once longer than a PWM gap (2 ms)
    tracker.fire_next(1.152)
    assert tracker.next_due() == pytest.approx(1.25)   # the end is final after dropout_max_s
    tracker.fire_next(1.25)
    assert tracker.stable and tracker.pulses() == [Pulse(1.0, 1.15)]


def test_pending_rise_blocks_the_end_until_resolved() -> None:
    tracker = PulseTracker(0.0, 0, T)
    tracker.raw_edge(1.0, 1)
    tracker.fire_next(1.02)
    tracker.fire_next(1.36)                            # long: a light
    assert tracker.stable
    tracker.raw_edge(5.0, 0)
    tracker.raw_edge(5.09, 1)                          # dropout of 90 ms, rise not yet confirmed at 5.10
    assert tracker.next_due() == pytest.approx(5.11)   # confirmation first; the end's timer waits for it
    tracker.fire_next(5.11)
    assert tracker.stable and tracker.pulses() == [Pulse(1.0, None)]


# --- the whole noise model: PWM against flicker against dropouts (docs/DESIGN.md's noise table) ---

def _train(a: float, b: float, hz: float, duty: float) -> list[tuple[float, int]]:
    period, edges, t = 1 / hz, [], a
    while t < b:
        edges += [(t, 1), (min(b, t + duty * period), 0)]
        t += period
    return edges


@pytest.mark.parametrize(("hz", "duty"), [(500, 0.2), (500, 0.9), (1000, 0.5), (5000, 0.2), (5000, 0.95)])
def test_a_pwm_driven_flash_is_one_pulse(hz: float, duty: float) -> None:
    got = approx(pulses(_train(1.0, 1.15, hz, duty), 3.0))
    assert len(got) == 1
    rise, fall = got[0]
    assert rise == 1.0 and 1.15 - 1 / hz <= fall <= 1.15   # ends with the train's last lit sliver


def test_a_pwm_driven_light_with_a_15ms_dropout_is_one_pulse() -> None:
    edges = [e for e in _train(1.0, 9.0, 2000, 0.3) if not 4.0 <= e[0] < 4.015]
    got = approx(pulses(edges, 12.0))
    assert len(got) == 1 and got[0][0] == 1.0 and got[0][1] == pytest.approx(9.0, abs=0.001)


@pytest.mark.parametrize(("hz", "lit_s"), [(100, 0.005), (120, 0.0041), (100, 0.001)])
def test_flicker_bursts_of_two_seconds_are_nothing_beside_a_flash(hz: float, lit_s: float) -> None:
    flicker = _train(0.2, 2.2, hz, lit_s * hz)
    flash = [(e[0] + 2.4, e[1]) for e in [(0.0, 1), (0.15, 0)]]
    more = [(e[0] + 2.6, e[1]) for e in _train(0.0, 2.0, hz, lit_s * hz)]   # right after the flash, too
    assert approx(pulses(flicker + flash + more, 6.0)) == [(2.4, 2.55)]


def test_flicker_alone_at_the_models_widest_is_nothing() -> None:
    assert pulses(_train(0.5, 2.5, 120, 0.5), 3.0) == []       # 4.17 ms lit, 4.17 ms dark
