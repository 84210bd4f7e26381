"""The simulated camera's LED, measured from the edges it puts on the photodiode's pin, against the model."""

from __future__ import annotations

import itertools

import pytest

from firmware_sim.battery import BatterySpec
from firmware_sim.desk import Desk, build_desk, single_camera
from firmware_sim.led_timing import DEFAULT_TIMING as T
from rig.core.models import camera_model

SETTLE_S = 30.0   # boot + first connection attempt, with margin
STIMULUS_S = 0.5


def mounted(model: str = "outdoor", faults: tuple[str, ...] = (), battery: BatterySpec | None = None,
            serial: str = "CAM-0001", seed: int = 0) -> Desk:
    desk = build_desk(single_camera(model, faults, battery, serial), seed=seed)
    desk.world.mount(0)
    desk.clock.sleep(SETTLE_S)
    return desk


def stimulate(desk: Desk) -> float:
    """The rig's motion stimulus for the mounted model; returns when it started."""
    model = desk.world.spec.model
    actuator = getattr(desk.actuators, camera_model(model).motion_actuator)
    started = desk.clock.now()
    actuator.pulse(STIMULUS_S)
    return started


def assert_quick_flash(on_s: float, off_s: float) -> None:
    assert T.flash_min_s <= off_s - on_s <= T.flash_max_s, f"flash {off_s - on_s:.3f} s"


@pytest.mark.parametrize("model,faults", [("mini", ("camera_glitch",)), ("outdoor", ("registration_lost",))])
@pytest.mark.parametrize("serial", ["A-1", "B-2", "C-3", "D-4"])
def test_network_lost_is_a_quick_flash_every_three_seconds(model, faults, serial):
    desk = mounted(model, faults, serial=serial)
    start = desk.clock.now()
    desk.clock.sleep(60)
    pulses = desk.led.pulses(start)
    assert 19 <= len(pulses) <= 22
    for on_s, off_s in pulses:
        assert_quick_flash(on_s, off_s)
    period = T.network_lost_period_s
    tolerance = period * T.network_lost_tolerance
    for (a, _), (b, _) in itertools.pairwise(pulses):
        assert abs((b - a) - period) <= tolerance, f"period {b - a:.3f} s"


def test_cameras_differ_from_each_other_within_tolerance():
    widths, periods = set(), set()
    for serial in ("X-1", "X-2", "X-3", "X-4", "X-5"):
        desk = mounted("mini", ("camera_glitch",), serial=serial)
        start = desk.clock.now()
        desk.clock.sleep(30)
        pulses = desk.led.pulses(start)
        widths.add(round(sum(off - on for on, off in pulses) / len(pulses), 3))
        periods.add(round((pulses[-1][0] - pulses[0][0]) / (len(pulses) - 1), 3))
    assert len(widths) == 5 and len(periods) == 5   # per-camera variation, not one fixed waveform
    assert max(widths) - min(widths) > 0.01


def test_healthy_online_camera_is_dark():
    desk = mounted()
    start = desk.clock.now()
    desk.clock.sleep(300)
    assert desk.led.edges(start) == []
    assert not desk.led.lit


@pytest.mark.parametrize("model", ["outdoor", "mini"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_motion_is_one_flash_then_the_recording_light(model, seed):
    desk = mounted(model, seed=seed)
    t0 = stimulate(desk)
    desk.clock.sleep(90)
    pulses = desk.led.pulses(t0)
    assert len(pulses) == 2, pulses
    (flash_on, flash_off), (rec_on, rec_off) = pulses
    assert_quick_flash(flash_on, flash_off)
    assert flash_on - t0 < 1.0
    assert T.recording_delay_min_s <= rec_on - flash_off
    assert rec_on - flash_on <= T.recording_delay_max_s
    assert T.clip_min_s <= rec_off - rec_on <= T.clip_max_s
    assert not desk.led.lit


def test_motion_during_a_clip_is_ignored_and_a_new_motion_afterwards_answered():
    desk = mounted()
    t0 = stimulate(desk)
    desk.clock.sleep(3)
    stimulate(desk)                      # mid-clip: ignored
    desk.clock.sleep(30)
    assert len(desk.led.pulses(t0)) == 2
    t1 = stimulate(desk)                 # idle again: answered
    desk.clock.sleep(30)
    assert len(desk.led.pulses(t1)) == 2


def test_each_model_answers_only_its_own_stimulus():
    outdoor = mounted("outdoor")
    t0 = outdoor.clock.now()
    outdoor.actuators.motion_light.pulse(STIMULUS_S)
    outdoor.clock.sleep(20)
    assert outdoor.led.edges(t0) == []
    mini = mounted("mini")
    t0 = mini.clock.now()
    mini.actuators.motion_stimulus.pulse(STIMULUS_S)
    mini.clock.sleep(20)
    assert mini.led.edges(t0) == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_low_battery_burst_after_the_recording_light(seed):
    desk = mounted("outdoor", ("battery_failing",), seed=seed)
    t0 = stimulate(desk)
    desk.clock.sleep(60)
    pulses = desk.led.pulses(t0)
    (flash_on, flash_off), (rec_on, rec_off), *burst = pulses
    assert_quick_flash(flash_on, flash_off)
    assert T.clip_min_s <= rec_off - rec_on <= T.clip_max_s
    assert len(burst) in T.burst_flashes
    assert T.burst_delay_min_s <= burst[0][0] - rec_off <= T.burst_delay_max_s
    for on_s, off_s in burst:
        assert_quick_flash(on_s, off_s)
    for (a, _), (b, _) in itertools.pairwise(burst):
        assert T.burst_period_min_s <= b - a <= T.burst_period_max_s
    assert not desk.led.lit


def test_an_offline_camera_does_not_record():
    desk = mounted("outdoor", ("camera_glitch",))
    t0 = stimulate(desk)
    desk.clock.sleep(30)
    pulses = desk.led.pulses(t0)
    assert len(pulses) >= 9
    assert all(off - on <= T.flash_max_s for on, off in pulses)   # flashes only, no recording light


def test_booting_camera_stays_dark_until_its_first_attempt_fails():
    desk = build_desk(single_camera("mini", ("camera_glitch",)))
    t0 = desk.clock.now()
    desk.world.mount(0)
    desk.clock.sleep(20)
    first_on = desk.led.pulses(t0)[0][0]
    assert 4.0 <= first_on - t0 <= 9.0


def test_same_seed_same_edges_other_seed_other_edges():
    def run(seed: int) -> list[tuple[float, bool]]:
        desk = mounted("outdoor", ("battery_failing",), seed=seed)
        stimulate(desk)
        desk.clock.sleep(40)
        return desk.led.edges()

    assert run(5) == run(5)
    assert run(5) != run(6)


def lit_pin_levels(desk: Desk) -> set[bool]:
    pin = desk.factory.input_pin(desk.config.photodiode.pin)
    return {level for (_, level), (_, lit) in zip(pin.states[1:], desk.led.edges(), strict=True) if lit}


def test_edges_respect_the_photodiode_polarity():
    """Reference fixture: the comparator pulls low when lit. An active-high front end gets the opposite."""
    from rig.core.config import parse_config

    low = mounted("mini", ("camera_glitch",))
    low.clock.sleep(10)
    high_cfg = parse_config("[photodiode]\nactive_high = true\npull_up = false\n")
    high = build_desk(single_camera("mini", ("camera_glitch",)), config=high_cfg)
    high.world.mount(0)
    high.clock.sleep(40)
    assert low.led.pulses() and high.led.pulses()
    assert lit_pin_levels(low) == {False}
    assert lit_pin_levels(high) == {True}
