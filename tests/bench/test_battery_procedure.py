"""The battery test against the simulated bench: the slope formula, the fixture's resistance, a flat pack
against a broken load path, and the brown-out of a camera on a failing pack."""

from __future__ import annotations

import csv

import pytest

from firmware_sim.battery import BatterySpec
from firmware_sim.desk import Desk, build_desk, single_camera
from rig.core.records import Disposition, StepRecord
from rig.procedure.batch import BatchStopped
from rig.procedure.battery_test import BatteryTestError, run_battery_test
from tests.bench.test_bench_e2e import run_one

FLAT = BatterySpec(0.1, 3.0)


def mounted(pack: BatterySpec, faults: tuple[str, ...] = ()) -> Desk:
    desk = build_desk(single_camera("outdoor", faults, pack))
    desk.world.mount(0)
    desk.clock.sleep(30.0)
    return desk


def battery_test(desk: Desk, fixture_ohm: float = 0.0):
    step = StepRecord("battery", desk.clock.now())
    figures = run_battery_test(desk.power_meter, desk.actuators.load_switch, desk.actuators.battery_changeover,
                               desk.clock, desk.config.battery, step, fixture_ohm)
    return figures, step


def test_resistance_is_the_slope_dv_over_di_within_2_percent():
    """An offline camera draws ~60 mA before the pulse: ΔV/I_loaded would read ~6 % low, ΔV/ΔI is right."""
    pack = BatterySpec(3.4, 0.4)
    desk = mounted(pack, ("camera_glitch",))
    figures, step = battery_test(desk, desk.world.fixture_ohm)
    assert figures.background_a > 0.04
    assert figures.internal_resistance_ohm == pytest.approx(pack.internal_resistance_ohm, rel=0.02)
    dv = figures.background_v - figures.loaded_v
    assert dv / figures.load_a - desk.world.fixture_ohm < 0.96 * pack.internal_resistance_ohm
    assert len(step.evidence["pulses_ohm"]) == 3


def test_the_fixture_resistance_is_subtracted():
    pack = BatterySpec(3.5, 0.22)
    desk = mounted(pack)
    raw, _ = battery_test(desk)
    assert raw.internal_resistance_ohm == pytest.approx(0.22 + desk.world.fixture_ohm, rel=0.02)
    corrected, step = battery_test(desk, fixture_ohm=0.055)
    assert corrected.internal_resistance_ohm == pytest.approx(raw.internal_resistance_ohm - 0.055, abs=0.004)
    assert step.evidence["fixture_ohm"] == 0.055


def test_each_pulse_ends_at_100_ms_however_many_samples_are_asked():
    desk = mounted(BatterySpec(3.5, 0.25))
    desk.power_meter.samples = 500  # far more than fit in the pulse
    _, step = battery_test(desk)
    assert step.evidence["pulse_ms"] == pytest.approx([100.0] * 3, abs=5.0)


def test_a_flat_pack_is_the_cameras_failing_battery_not_a_rig_fault():
    desk = mounted(FLAT, ("battery_failing",))
    figures, step = battery_test(desk)
    assert figures is not None and figures.passed is False
    assert step.notes.startswith("pack flat or missing: 0.10 V")
    assert step.measurements[-1].name == "reference_pack_pulse_a" and step.measurements[-1].value > 0.5
    assert not desk.wiring.state("battery_changeover")  # back on the camera's own pack


def test_an_empty_holder_gives_no_figures_and_says_why():
    desk = mounted(BatterySpec(0.0001, 0.1), ("battery_failing",))
    figures, step = battery_test(desk)
    assert figures is None
    assert "pack flat or missing" in step.notes


def test_a_broken_load_path_is_a_rig_fault_with_the_hint():
    desk = mounted(BatterySpec(3.5, 0.25))
    desk.world.load_path_open = True
    with pytest.raises(BatteryTestError, match="0 mA from the reference pack: check the load switch MOSFET"):
        battery_test(desk)


def test_a_failing_pack_browns_the_camera_out_once_and_says_so():
    desk = mounted(BatterySpec(2.9, 3.0), ("battery_failing",))
    figures, step = battery_test(desk)
    assert desk.world.camera.brownouts == 1  # one pulse, not three
    assert step.evidence["camera_browned_out"] is True
    assert "below the camera's 2 V brown-out" in step.notes
    assert figures.passed is False


def test_end_to_end_flat_pack_is_fixed_by_the_reference_pack(tmp_path):
    record, _ = run_one(single_camera("outdoor", ("battery_failing",), FLAT, serial="FLAT-0001"), tmp_path)
    assert record.disposition is Disposition.FIXED, record.notes
    assert record.fixed_by == "replace_batteries"


def test_end_to_end_broken_load_path_aborts_with_the_hint(tmp_path):
    scenario = single_camera("outdoor", (), BatterySpec(3.5, 0.25), serial="LOAD-0001")
    with pytest.raises(BatchStopped, match="rig fault: load pulse drew only 0 mA") as info:
        run_one(scenario, tmp_path, load_path_open=True)
    assert "check the load switch MOSFET" in str(info.value)
    row = next(csv.DictReader((tmp_path / "results.csv").open(newline="")))
    assert row["disposition"] == "aborted" and "load switch MOSFET" in row["notes"]


def test_end_to_end_browned_out_camera_is_waited_for_and_fixed(tmp_path):
    record, _bench = run_one(single_camera("outdoor", ("battery_failing",), BatterySpec(2.9, 3.0)), tmp_path)
    assert record.disposition is Disposition.FIXED, record.notes
    assert record.fixed_by == "replace_batteries"
    battery_step = next(step for step in record.steps if step.name == "battery")
    assert battery_step.evidence["camera_browned_out"] is True
    assert any(m.name == "online_after_s" for m in battery_step.measurements)  # it waited for the restart


def test_the_simulated_i2c_runs_at_the_configured_bus_clock():
    from rig.core.config import parse_config

    slow = build_desk(single_camera("outdoor", (), BatterySpec(3.5, 0.25)))
    fast = build_desk(single_camera("outdoor", (), BatterySpec(3.5, 0.25)),
                      config=parse_config("[power_meter]\ni2c_bus_hz = 400000\n"))
    assert slow.i2c_bus.scl_hz == 100_000 and fast.i2c_bus.scl_hz == 400_000
    elapsed = {}
    for name, desk in (("slow", slow), ("fast", fast)):
        meter = desk.power_meter  # built (and its set-up traffic spent) before the clock is read
        start = desk.clock.now()
        meter.read(samples=16)
        elapsed[name] = desk.clock.now() - start
    assert elapsed["slow"] == pytest.approx(32 * slow.i2c_bus.transaction_s(48))
    # At 400 kHz a sample's two reads take less than the chip's conversion cycle: the chip sets the pace.
    assert elapsed["fast"] == pytest.approx(15 * 1.064e-3 + 2 * fast.i2c_bus.transaction_s(48))


def test_a_pulse_beyond_the_pga_range_is_a_rig_fault_not_a_low_reading():
    """0.3 A expected picks the 40 mV range (0.4 A with 0.1 ohm): the ~1 A pulse clips. The chip's OVF stays
    clear (calibration 4096), so only the shunt counts can tell."""
    from rig.core.config import parse_config

    desk = build_desk(single_camera("outdoor", (), BatterySpec(3.5, 0.25)),
                      config=parse_config("[power_meter]\nmax_expected_current_a = 0.3\n"))
    desk.world.mount(0)
    desk.clock.sleep(30.0)
    with pytest.raises(BatteryTestError, match="clipped at its 40 mV range during the load pulse"):
        battery_test(desk)
    assert desk.ina219.overflow is False


def test_an_i2c_error_inside_the_pulse_ends_it_and_the_pulse_is_taken_again():
    desk = mounted(BatterySpec(3.5, 0.25))
    armed = []

    def on_switch(name: str, state: bool) -> None:
        if name == "load_switch" and state and not armed:  # 30 ms into the first pulse: during its reading
            armed.append(desk.clock.call_later(0.03, lambda: desk.i2c_bus.fail_next(1)))

    desk.wiring.subscribe(on_switch)
    figures, _step = battery_test(desk)
    changes = desk.wiring.changes("load_switch")
    ons = [c.t_s for c in changes if c.state]
    offs = [c.t_s for c in changes if not c.state and c.t_s > ons[0]]
    assert len(ons) == 4  # three pulses and the one the error cut short
    lengths = [off - on for on, off in zip(ons, offs, strict=True)]
    assert max(lengths) <= 0.105  # never held on through a retry's backoff
    assert sorted(lengths)[0] < 0.095
    assert figures.internal_resistance_ohm == pytest.approx(0.25 + desk.world.fixture_ohm, rel=0.02)
