"""``rig check`` on a fixture of several slots (docs/DESIGN.md, "Slots"): the shared bench once, every slot's own
parts after it, each line naming its slot, and one slot's fault reported for that slot only."""

from __future__ import annotations

import re
from dataclasses import replace

from click.testing import CliRunner

from firmware_sim.scenario import parse_scenario
from rig.cli import cli
from rig.core.config import load_config
from rig.hardware.fixture import _sync_module_light
from rig.procedure.self_check import check_sync_module_light, run_check
from rig.sim import simulated_technician

SLOT_PARTS = ["INA219", "photodiode", "outlet camera", "reset_button", "motion_stimulus", "motion_light",
              "load_switch", "battery_changeover"]
ONE_SLOT_PARTS = ["INA219", "photodiode", "network", "outlet router", "outlet sync_module", "outlet camera",
                  "reset_button", "motion_stimulus", "motion_light", "load_switch", "battery_changeover"]


def labels(output: str) -> list[str]:
    """Each report line's part, as printed between the mark and the detail."""
    return [m.group(1) for m in re.finditer(r"^(?:OK  |FAIL) (.+?)\s{2,}", output, re.M)]


def test_check_with_four_slots_lists_the_bench_once_and_every_slot_s_own_parts() -> None:
    result = CliRunner().invoke(cli, ["check", "--sim", "--slots", "4"])
    assert result.exit_code == 0, result.output
    assert labels(result.output) == ["network", "Sync Module light", "outlet router", "outlet sync_module"] + [
        f"slot {n}: {part}" for n in range(1, 5) for part in SLOT_PARTS]
    assert result.output.strip().endswith("36 OK, 0 failed")
    assert re.search(r"^OK   Sync Module light\s+GPIO14: solid green: online$", result.output, re.M)
    # Each slot's INA219 at its own address, pulsed on its own reference pack.
    for n, address in zip(range(1, 5), ("0x40", "0x41", "0x42", "0x43"), strict=True):
        assert re.search(rf"^OK   slot {n}: INA219\s+{address} on I2C bus 1: reference pack 3\.5", result.output, re.M)
    assert re.search(r"slot 3: outlet camera\s+MCP23017 0x20 line 0: switched off and on", result.output)


def test_the_config_s_slots_are_checked_without_slots_option() -> None:
    result = CliRunner().invoke(cli, ["check", "--sim", "--config", "rig/defaults/fixture-4slot.toml"])
    assert result.exit_code == 0, result.output
    assert sum(label.endswith(": INA219") for label in labels(result.output)) == 4
    assert re.search(r"slot 4: INA219\s+0x45 on I2C bus 1", result.output)


def test_one_slot_keeps_today_s_report() -> None:
    result = CliRunner().invoke(cli, ["check", "--sim"])
    assert result.exit_code == 0, result.output
    assert labels(result.output) == ONE_SLOT_PARTS
    assert "slot" not in result.output
    assert result.output.strip().endswith("11 OK, 0 failed")


def test_slots_needs_sim() -> None:
    result = CliRunner().invoke(cli, ["check", "--slots", "2"])
    assert result.exit_code == 2
    assert result.output.strip() == ("rig: --slots needs --sim: a real fixture's slots are its config's [slots.N] "
                                     "tables")


def by_slot(results):
    return {(r.slot, r.part): r for r in results}


def check(bench):
    return by_slot(run_check(bench.fixture, simulated_technician(bench), lambda n: simulated_technician(bench, n)))


def test_a_slot_without_its_ina219_is_not_ok_and_the_others_are_still_checked(make_bench) -> None:
    # The simulator's rig fault: slot 1's INA219 absent from power-up (a scenario's [[rig_fault]]).
    scenario = parse_scenario('[[rig_fault]]\nkind = "ina219_absent"\nat_camera = 1\n'
                              '[[camera]]\nserial = "A"\nmodel = "mini"\nfaults = []\n', "s.toml")
    bench = make_bench(scenario=scenario, slots=4)
    results = check(bench)
    failed = [key for key, r in results.items() if not r.ok]
    assert failed == [(1, "INA219")]
    assert results[1, "INA219"].detail == "INA219 not found at 0x40 on I2C bus 1: check SDA=GPIO2, SCL=GPIO3, VCC, GND"
    assert len(results) == 4 + 4 * len(SLOT_PARTS)
    for n in (2, 3, 4):
        assert results[n, "INA219"].ok and "reference pack 3.5" in results[n, "INA219"].detail


def test_an_ina219_lost_from_slot_3_is_slot_3_s_line_only(make_bench) -> None:
    bench = make_bench(slots=4)
    bench.i2c_bus.detach(0x42)   # slot 3's chip: its cable came off after power-up
    results = check(bench)
    assert [key for key, r in results.items() if not r.ok] == [(3, "INA219")]
    assert results[3, "INA219"].detail.startswith("found but reading failed: INA219 at 0x42 on I2C bus 1")
    assert results[3, "battery_changeover"].ok   # the rest of slot 3 was checked all the same
    assert not any(bench.hardware.slots[2].wiring.state(n) for n in ("load_switch", "battery_changeover"))


def test_each_slot_s_outlet_is_looked_at_in_that_slot(make_bench) -> None:
    bench = make_bench(slots=4)
    asked = []

    def technician(slot):
        look = simulated_technician(bench, slot)

        def confirm(device, question, expected_on):
            asked.append(question)
            return look(device, question, expected_on) and not (slot == 3 and device == "camera")

        return confirm

    results = by_slot(run_check(bench.fixture, simulated_technician(bench), technician))
    assert [key for key, r in results.items() if not r.ok] == [(3, "outlet camera")]
    assert results[3, "outlet camera"].detail.startswith("MCP23017 0x20 line 0: not seen switching off")
    assert "slot 2: Is the camera outlet OFF now?" in asked
    # Every slot's camera outlet really went off once and came back, on its own harness.
    for slot in bench.hardware.slots:
        assert [c.state for c in slot.wiring.changes("camera")][-2:] == [False, True]
        assert slot.wiring.state("camera")


def test_a_fault_in_one_slot_makes_the_command_fail_and_names_the_slot(monkeypatch) -> None:
    from rig.cli import test as test_cli

    opened = test_cli.open_sim_bench

    def flooded_slot_2(*args, **kwargs):
        bench = opened(*args, **kwargs)
        bench.hardware.slots[1].world.flood_photodiode(True)
        return bench

    monkeypatch.setattr(test_cli, "open_sim_bench", flooded_slot_2)
    result = CliRunner().invoke(cli, ["check", "--sim", "--slots", "2"])
    assert result.exit_code == 1
    assert re.search(r"^FAIL slot 2: photodiode\s+GPIO27 reads LIT with no LED", result.output, re.M)
    assert re.search(r"^OK   slot 1: photodiode", result.output, re.M)
    assert result.output.strip().endswith("19 OK, 1 failed")


# -------------------------------------------------------------------------------- the Sync Module's light sensor

TWO_OUTDOOR = ('[bench]\nslots = 2\n[[camera]]\nserial = "A-1"\nmodel = "outdoor"\nfaults = ["sync_module_glitch"]\n'
               '[[camera]]\nserial = "B-2"\nmodel = "outdoor"\nfaults = []\n')


def light_line(bench):
    return check(bench)[None, "Sync Module light"]


def test_the_sync_module_light_line_says_solid_green_while_the_sync_module_is_online(make_bench) -> None:
    line = light_line(make_bench(scenario=parse_scenario(TWO_OUTDOOR, "s.toml")))
    assert (line.ok, line.detail) == (True, "GPIO14: solid green: online")


def test_a_blinking_sync_module_light_is_reported_as_reconnecting(make_bench) -> None:
    bench = make_bench(scenario=parse_scenario(TWO_OUTDOOR, "s.toml"))
    bench.loader.load(1, 0)   # the camera whose fault leaves the Sync Module stuck, trying to reconnect
    bench.clock.sleep(5.0)
    line = light_line(bench)
    assert (line.ok, line.detail) == (True, "GPIO14: blinking green: reconnecting (dropped offline, or stuck)")


DARK = "GPIO14: dark: starting, off, or no sensor fitted: no evidence (the rig goes by the cameras)"


def test_a_sync_module_switched_off_reads_dark_which_is_no_failure(make_bench) -> None:
    bench = make_bench(scenario=parse_scenario(TWO_OUTDOOR, "s.toml"))
    bench.fixture.outlets["sync_module"].off()
    bench.clock.sleep(5.0)
    results = check(bench)
    assert (results[None, "Sync Module light"].ok, results[None, "Sync Module light"].detail) == (True, DARK)
    assert all(r.ok for r in results.values())
    assert bench.hardware.slots[0].wiring.state("sync_module")   # the outlet check left it on


def test_a_sync_module_light_not_fitted_is_ok_with_its_note(make_bench) -> None:
    bench = make_bench(scenario=parse_scenario(TWO_OUTDOOR.replace("slots = 2", "slots = 2\nsync_module_light = false"),
                                               "s.toml"))
    line = light_line(bench)
    assert (line.ok, line.detail) == (True, DARK)


def test_a_sync_module_light_that_cannot_be_opened_fails_and_says_why(make_bench) -> None:
    bench = make_bench(slots=2)
    # GPIO14 already held (here by the bench's own sensor; on a Pi, by a serial console): the fixture keeps why.
    sensor, error = _sync_module_light(load_config(), bench.clock, bench.hardware.factory)
    assert sensor is None and error.startswith("sync_module_led.pin GPIO14: ")
    line = check_sync_module_light(replace(bench.fixture, sync_module_light=None, sync_module_light_error=error))
    assert not line.ok
    assert line.detail.startswith(error) and "turn it off (hardware/BUILD.md" in line.detail
