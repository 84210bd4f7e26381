"""The battery as the INA219 sees it: terminal voltage follows the current drawn, and the rig's dual-pulse
method (PowerMeter on the real driver + the load switch) gives back the pack's internal resistance."""

from __future__ import annotations

import pytest

from firmware_sim.battery import (
    ASSUMED_CAMERA_ELECTRICAL as E,
)
from firmware_sim.battery import (
    REFERENCE_PACK,
    BatterySpec,
    sags_below_alarm,
    solve_circuit,
    terminal_v,
)
from firmware_sim.desk import Desk, build_desk, single_camera
from rig.hardware.power_meter import PowerReading
from rig.procedure.battery_test import load_pulse

SETTLE_S = 30.0
PACKS = [BatterySpec(3.5, 0.25), BatterySpec(3.6, 0.15), BatterySpec(3.3, 0.45), BatterySpec(3.1, 0.9),
         BatterySpec(2.9, 3.0)]


def mounted(battery: BatterySpec | None, model: str = "outdoor", seed: int = 0) -> Desk:
    faults = ("battery_failing",) if battery is not None and sags_below_alarm(battery) else ()
    desk = build_desk(single_camera(model, faults, battery if model == "outdoor" else None), seed=seed)
    desk.world.mount(0)
    desk.clock.sleep(SETTLE_S)
    return desk


def dual_pulse(desk: Desk) -> tuple[PowerReading, PowerReading]:
    """Energizer's method as the rig runs it: a background reading, then one under the load pulse."""
    pulse = load_pulse(desk.power_meter, desk.actuators.load_switch, desk.clock, desk.config.battery)
    return pulse.background, pulse.loaded


def resistance(background: PowerReading, loaded: PowerReading) -> float:
    return (background.load_voltage_v - loaded.load_voltage_v) / (loaded.current_a - background.current_a)


def seen_ohm(desk: Desk, pack: BatterySpec) -> float:
    """What the slope shows: the pack plus the fixture's fuse, springs and leads before VIN+."""
    return pack.internal_resistance_ohm + desk.world.fixture_ohm


@pytest.mark.parametrize("camera_on", [True, False])
@pytest.mark.parametrize("pack", PACKS, ids=lambda p: f"{p.open_circuit_v}V-{p.internal_resistance_ohm}ohm")
def test_dual_pulse_gives_back_the_internal_resistance_within_5_percent(pack, camera_on):
    desk = mounted(pack)
    if not camera_on:
        desk.outlets.camera.off()
        desk.clock.sleep(1)
    for _ in range(3):
        background, loaded = dual_pulse(desk)
        assert not loaded.clipped
        assert resistance(background, loaded) == pytest.approx(seen_ohm(desk, pack), rel=0.05)
        desk.clock.sleep(0.5)


def test_the_load_pulse_current_is_ohms_law_on_the_sagging_pack():
    pack = BatterySpec(3.5, 0.25)
    desk = mounted(pack)
    desk.outlets.camera.off()
    desk.clock.sleep(1)
    background, loaded = dual_pulse(desk)
    assert background.current_a == pytest.approx(0.0, abs=0.001)
    assert background.load_voltage_v == pytest.approx(pack.open_circuit_v, abs=0.008)
    r_load = desk.config.battery.pulse_load_ohm
    shunt = desk.config.power_meter.shunt_ohm
    expected_a = pack.open_circuit_v / (r_load + shunt + seen_ohm(desk, pack))
    assert loaded.current_a == pytest.approx(expected_a, rel=0.01)
    assert loaded.load_voltage_v == pytest.approx(pack.open_circuit_v - expected_a * seen_ohm(desk, pack), abs=0.008)


def test_after_the_changeover_the_meter_sees_the_healthy_reference_pack():
    desk = mounted(BatterySpec(2.9, 3.0))
    assert resistance(*dual_pulse(desk)) == pytest.approx(3.0 + desk.world.fixture_ohm, rel=0.05)
    desk.actuators.battery_changeover.use_reference_pack()
    desk.clock.sleep(1)
    assert resistance(*dual_pulse(desk)) == pytest.approx(seen_ohm(desk, REFERENCE_PACK), rel=0.05)


def test_terminal_voltage_follows_what_the_camera_draws():
    pack = BatterySpec(3.3, 0.45)
    desk = mounted(pack)
    idle = desk.power_meter.read()
    assert idle.current_a < E.wifi_a + 0.01
    desk.actuators.motion_stimulus.pulse(0.5)
    desk.clock.sleep(3)                              # flash done, recording light on
    assert desk.led.lit
    recording = desk.power_meter.read()
    assert recording.current_a == pytest.approx(E.recording_a, abs=0.002)
    expected_v = terminal_v(pack, E.recording_a) - E.recording_a * desk.world.fixture_ohm  # VIN+, after the fixture
    assert recording.load_voltage_v == pytest.approx(expected_v, abs=0.008)
    assert recording.load_voltage_v < idle.load_voltage_v - 0.1
    desk.outlets.camera.off()
    desk.clock.sleep(1)
    off = desk.power_meter.read()
    assert off.current_a == pytest.approx(0.0, abs=0.001)
    assert off.load_voltage_v == pytest.approx(pack.open_circuit_v, abs=0.008)


def test_an_offline_camera_draws_more_than_an_idle_one():
    online = mounted(BatterySpec(3.5, 0.25))
    offline = build_desk(single_camera("outdoor", ("camera_glitch",)))
    offline.world.mount(0)
    offline.clock.sleep(SETTLE_S)
    online_a = [online.power_meter.read(1).current_a for _ in range(200) if not online.clock.sleep(0.25)]
    offline_a = [offline.power_meter.read(1).current_a for _ in range(200) if not offline.clock.sleep(0.25)]
    assert sum(online_a) / len(online_a) < sum(offline_a) / len(offline_a)
    assert min(online_a) == pytest.approx(E.idle_a, abs=0.001)


def test_a_mini_gives_the_meter_nothing():
    desk = mounted(None, model="mini")
    background, loaded = dual_pulse(desk)
    for reading in (background, loaded):
        assert reading.current_a == pytest.approx(0.0, abs=1e-4)
        assert reading.load_voltage_v == pytest.approx(0.0, abs=0.004)  # the chip's noise, under one LSB


def test_solve_circuit_matches_the_lead_formula_without_shunt():
    pack = BatterySpec(3.5, 0.3)
    point = solve_circuit(pack, 0.1, load_ohm=3.3)
    v = (3.5 - 0.3 * 0.1) / (1 + 0.3 / 3.3)
    assert point.terminal_v == pytest.approx(v)
    assert point.current_a == pytest.approx(0.1 + v / 3.3)
    no_load = solve_circuit(pack, 0.2)
    assert no_load.terminal_v == pytest.approx(3.5 - 0.06) and no_load.current_a == pytest.approx(0.2)


def test_a_flat_pack_never_reads_below_zero():
    assert terminal_v(BatterySpec(1.0, 10.0), 0.5) == 0.0
