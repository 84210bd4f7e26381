"""``rig calibrate`` on a fixture of several slots: one value per slot, stored in ``[slots.N]`` tables, and the
battery test of a camera in slot N subtracts slot N's (rig/procedure/calibration.py)."""

from __future__ import annotations

import csv
import tomllib

import pytest
from click.testing import CliRunner

from firmware_sim.battery import fixture_series_ohm
from rig.cli import cli
from rig.core.config import parse_config
from rig.procedure.calibration import CalibrationError, fixture_ohm


def run(*args: str):
    return CliRunner().invoke(cli, ["calibrate", *args])


def battery(path) -> object:
    return parse_config(f'[battery]\ncalibration_file = "{path}"\n').battery


def test_calibrate_with_two_slots_writes_each_slot_s_own_value(tmp_path) -> None:
    out = tmp_path / "cal.toml"
    result = run("--sim", "--slots", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    stored = tomllib.loads(out.read_text())
    assert set(stored) == {"slots"} and set(stored["slots"]) == {"1", "2"}
    for n in (1, 2):
        assert stored["slots"][str(n)]["fixture_ohm"] == pytest.approx(fixture_series_ohm(n), rel=0.02)
        assert fixture_ohm(battery(out), n) == stored["slots"][str(n)]["fixture_ohm"]
    assert fixture_series_ohm(2) - fixture_series_ohm(1) > 0.01   # the sim's slots differ: slot 2 is told apart
    assert result.output.splitlines()[1].startswith("slot 2: fixture resistance 72.")
    assert result.output.splitlines()[-1] == f"saved slots 1, 2 to {out}"


def calibrated_two_slots(tmp_path, packs: dict[str, float]):
    """A config whose calibration file `rig calibrate --sim --slots 2` wrote, and a scenario of two slots with
    an outdoor camera for each pack (serial: internal resistance), in that order."""
    cal = tmp_path / "cal.toml"
    config = tmp_path / "bench.toml"
    config.write_text(f'[battery]\ncalibration_file = "{cal}"\n')
    assert run("--sim", "--slots", "2", "--config", str(config)).exit_code == 0
    scenario = tmp_path / "s.toml"
    scenario.write_text("[bench]\nslots = 2\n" + "".join(
        f'[[camera]]\nserial = "{serial}"\nmodel = "outdoor"\nfaults = []\n'
        f"[camera.battery]\nopen_circuit_v = 3.5\ninternal_resistance_ohm = {ohm}\n" for serial, ohm in packs.items()))
    return config, scenario


def test_a_camera_in_slot_2_has_slot_2_s_resistance_taken_off(tmp_path) -> None:
    packs = {"P-1": 0.22, "P-2": 0.30}
    config, scenario = calibrated_two_slots(tmp_path, packs)
    result = CliRunner().invoke(cli, ["test", "--sim", str(scenario), "--config", str(config), "--csv",
                                      str(tmp_path / "r.csv"), "--no-sheets"])
    assert result.exit_code == 0, result.output
    rows = {r["serial"]: r for r in csv.DictReader((tmp_path / "r.csv").open())}
    assert [rows[s]["slot"] for s in packs] == ["1", "2"]
    for serial, ohm in packs.items():
        assert float(rows[serial]["internal_resistance_ohm"]) == pytest.approx(ohm, rel=0.02)
    # Slot 1's value in slot 2 would be 17 mOhm off: outside the 2 % the test above allows.
    assert (fixture_series_ohm(2) - fixture_series_ohm(1)) / packs["P-2"] > 0.04


def test_one_slot_recalibrated_keeps_the_others(tmp_path) -> None:
    out = tmp_path / "cal.toml"
    assert run("--sim", "--slots", "3", "--out", str(out)).exit_code == 0
    before = tomllib.loads(out.read_text())["slots"]
    result = run("--sim", "--slots", "3", "--slot", "2", "--known-ohm", "0.1", "--out", str(out))
    assert result.exit_code == 0, result.output
    after = tomllib.loads(out.read_text())["slots"]
    assert after["1"] == before["1"] and after["3"] == before["3"]
    assert after["2"]["known_ohm"] == 0.1 and after["2"]["measured_ohm"] == pytest.approx(0.1 + 0.072, rel=0.02)
    assert result.output.splitlines()[-1] == f"saved slot 2 to {out}"


def test_a_file_of_one_value_recalibrated_in_slot_2_keeps_it_as_slot_1_s(tmp_path) -> None:
    out = tmp_path / "cal.toml"
    out.write_text('fixture_ohm = 0.06\ncalibrated_at = "2026-01-01T00:00:00+00:00"\n')
    assert run("--sim", "--slots", "2", "--slot", "2", "--out", str(out)).exit_code == 0
    stored = tomllib.loads(out.read_text())["slots"]
    assert stored["1"] == {"fixture_ohm": 0.06, "calibrated_at": "2026-01-01T00:00:00+00:00"}
    assert fixture_ohm(battery(out), 1) == 0.06
    assert fixture_ohm(battery(out), 2) == pytest.approx(fixture_series_ohm(2), rel=0.02)


def test_a_slot_that_cannot_be_calibrated_is_named_and_the_others_are_saved(tmp_path, monkeypatch) -> None:
    from rig.cli import test as test_cli

    opened = test_cli.open_sim_bench

    def without_slot_2_s_meter(*args, **kwargs):
        bench = opened(*args, **kwargs)
        bench.i2c_bus.detach(0x41)
        return bench

    monkeypatch.setattr(test_cli, "open_sim_bench", without_slot_2_s_meter)
    out = tmp_path / "cal.toml"
    out.write_text("[slots.2]\nfixture_ohm = 0.07\n")
    result = run("--sim", "--slots", "3", "--out", str(out))
    assert result.exit_code == 2
    assert result.output.splitlines()[-1].startswith("rig: slot 2: INA219 at 0x41 on I2C bus 1: I2C error")
    stored = tomllib.loads(out.read_text())["slots"]
    assert set(stored) == {"1", "2", "3"} and stored["2"] == {"fixture_ohm": 0.07}   # its old value kept


@pytest.mark.parametrize(
    ("text", "slot", "expected"),
    [
        ("fixture_ohm = 0.06\n", 1, 0.06),
        ("fixture_ohm = 0.06\n", 4, 0.06),   # a file from before slots: every slot's
        ("fixture_ohm = 0.06\n[slots.2]\nfixture_ohm = 0.07\n", 1, 0.06),
        ("fixture_ohm = 0.06\n[slots.2]\nfixture_ohm = 0.07\n", 2, 0.07),
        ("[slots.1]\nfixture_ohm = 0.05\n[slots.2]\nfixture_ohm = 0.07\n", 1, 0.05),
    ],
)
def test_which_value_a_slot_reads(tmp_path, text, slot, expected) -> None:
    path = tmp_path / "cal.toml"
    path.write_text(text)
    assert fixture_ohm(battery(path), slot) == expected


@pytest.mark.parametrize(
    ("text", "slot", "message"),
    [
        ("fixture_ohm = 0.06\n[slots.2]\nfixture_ohm = 0.07\n", 3,
         "no calibration for slot 3 ([slots.3] missing): run `rig calibrate --slot 3`"),
        ("[slots.2]\nfixture_ohm = 0.07\n", 1, "no calibration for slot 1 ([slots.1] missing)"),
        ("[slots.2]\nfixture_ohm = 0.9\n", 2, "slots.2.fixture_ohm must be a number from 0 to 0.5 (got 0.9)"),
        ("slots = 3\n", 1, "slots must hold [slots.N] tables"),
        ("[slots.two]\nfixture_ohm = 0.07\n", 2, "slots must hold [slots.N] tables"),
    ],
)
def test_a_slot_without_a_usable_value_is_one_line(tmp_path, text, slot, message) -> None:
    path = tmp_path / "cal.toml"
    path.write_text(text)
    with pytest.raises(CalibrationError) as info:
        fixture_ohm(battery(path), slot)
    assert message in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_slot_the_fixture_does_not_have_and_slots_without_sim_are_refused(tmp_path) -> None:
    beyond = run("--sim", "--slots", "2", "--slot", "3", "--out", str(tmp_path / "c.toml"))
    assert beyond.exit_code == 2 and beyond.output.strip() == "rig: --slot 3: the fixture has 2 slots"
    real = run("--slots", "2", "--out", str(tmp_path / "c.toml"))
    assert real.exit_code == 2 and "--slots needs --sim" in real.output
    assert not (tmp_path / "c.toml").exists()


def test_one_slot_writes_the_file_as_before(tmp_path) -> None:
    out = tmp_path / "cal.toml"
    assert run("--sim", "--out", str(out)).exit_code == 0
    stored = tomllib.loads(out.read_text())
    assert set(stored) == {"fixture_ohm", "measured_ohm", "known_ohm", "calibrated_at"}


def test_rig_cycle_s_measure_step_subtracts_its_slot_s_value(tmp_path) -> None:
    config, scenario = calibrated_two_slots(tmp_path, {"C-1": 0.25, "C-2": 0.25})
    sequence = tmp_path / "seq.toml"
    sequence.write_text('name = "measure"\nrepeat = 1\n[[step]]\nmeasure = "battery"\n')
    result = CliRunner().invoke(cli, ["cycle", str(sequence), "--sim", str(scenario), "--config", str(config),
                                      "--csv", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "c.csv").open()))
    assert sorted(r["slot"] for r in rows) == ["1", "2"]
    assert all(float(r["value"]) == pytest.approx(0.25, rel=0.02) for r in rows), rows
