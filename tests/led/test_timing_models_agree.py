"""One LED timing model, kept twice on purpose (``rig`` must not import the simulator): the rig's copy and the
simulator's must say the same thing, number for number, or the classifier is tuned to a camera that is not
the one simulated (issue 12: "one timing model, or two with a test that they agree")."""

from __future__ import annotations

import dataclasses

from firmware_sim.led_timing import DEFAULT_TIMING, LedTiming
from rig.led.timing import DEFAULT_PATTERN_TIMING, PatternTiming


def test_every_shared_number_is_equal() -> None:
    rig = {f.name: getattr(DEFAULT_PATTERN_TIMING, f.name) for f in dataclasses.fields(PatternTiming)}
    sim = {f.name: getattr(DEFAULT_TIMING, f.name) for f in dataclasses.fields(LedTiming)}
    shared = rig.keys() & sim.keys()
    assert len(shared) >= 12      # flash, noise, network period, recording delay, clip, burst delay and period
    assert {name: rig[name] for name in shared} == {name: sim[name] for name in shared}


def test_the_numbers_kept_under_other_names_agree() -> None:
    assert DEFAULT_TIMING.burst_flashes[0] == DEFAULT_PATTERN_TIMING.burst_flashes_min
    assert DEFAULT_TIMING.solid_after_s == DEFAULT_PATTERN_TIMING.clip_max_s
