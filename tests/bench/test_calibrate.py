"""`rig calibrate`: the fixture's series resistance measured once, stored, and subtracted by the battery test."""

from __future__ import annotations

import tomllib

import pytest
from click.testing import CliRunner

from firmware_sim.battery import FIXTURE_SERIES_OHM
from rig.cli import cli
from rig.core.config import load_config, parse_config
from rig.procedure.calibration import CalibrationError, calibrate, fixture_ohm
from rig.sim import build_sim_bench


def run(*args: str):
    return CliRunner().invoke(cli, ["calibrate", *args])


def test_calibrate_sim_finds_the_simulated_fixture_resistance(tmp_path):
    out = tmp_path / "cal.toml"
    result = run("--sim", "--out", str(out))
    assert result.exit_code == 0, result.output
    stored = tomllib.loads(out.read_text())
    assert stored["fixture_ohm"] == pytest.approx(FIXTURE_SERIES_OHM, rel=0.02)
    assert f"saved to {out}" in result.output


def test_a_known_cell_resistance_is_taken_off(tmp_path):
    out = tmp_path / "cal.toml"
    assert run("--sim", "--known-ohm", "0.15", "--out", str(out)).exit_code == 0
    stored = tomllib.loads(out.read_text())
    assert stored["measured_ohm"] == pytest.approx(0.15 + FIXTURE_SERIES_OHM, rel=0.02)
    assert stored["fixture_ohm"] == pytest.approx(FIXTURE_SERIES_OHM, rel=0.05)


def test_the_config_names_where_the_calibration_goes(tmp_path):
    cal = tmp_path / "state" / "cal.toml"
    config = tmp_path / "bench.toml"
    config.write_text(f'[battery]\ncalibration_file = "{cal}"\n')
    assert run("--sim", "--config", str(config)).exit_code == 0
    assert fixture_ohm(parse_config(config.read_text()).battery) == pytest.approx(FIXTURE_SERIES_OHM, rel=0.02)


def test_nowhere_to_store_it_is_one_line():
    result = run("--sim")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "rig: no file to keep the calibration in: set [battery] calibration_file in the config or pass --out"
    ]


def _sim_calibration(cell_ohm: float | None, known_ohm: float):
    bench = build_sim_bench(load_config())
    if cell_ohm is not None:
        bench.world.fit_calibration_cell(cell_ohm)
    try:
        fixture = bench.fixture
        return calibrate(fixture.power_meter, fixture.actuators.load_switch, bench.clock, fixture.config.battery,
                         known_ohm)
    finally:
        bench.close()


def test_a_cell_claimed_stiffer_than_the_slope_is_refused():
    with pytest.raises(CalibrationError, match=r"leaving -0\.8\d+ ohm for the fixture .*check --known-ohm"):
        _sim_calibration(cell_ohm=0.0, known_ohm=0.9)


def test_an_empty_holder_is_refused_with_what_to_check():
    with pytest.raises(CalibrationError, match="is the calibration cell in the holder and powered"):
        _sim_calibration(cell_ohm=None, known_ohm=0.0)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (None, "does not exist: run `rig calibrate` once"),
        ("fixture_ohm = ", "not valid TOML"),
        ("fixture_ohm = 7.0\n", "must be a number from 0 to 0.5"),
        ('fixture_ohm = "0.05"\n', "must be a number from 0 to 0.5"),
    ],
)
def test_a_bad_calibration_file_is_one_line(tmp_path, text, match):
    path = tmp_path / "cal.toml"
    if text is not None:
        path.write_text(text)
    cfg = parse_config(f'[battery]\ncalibration_file = "{path}"\n').battery
    with pytest.raises(CalibrationError, match=match) as info:
        fixture_ohm(cfg)
    assert "\n" not in str(info.value)


def test_no_calibration_file_means_nothing_subtracted():
    assert fixture_ohm(parse_config("").battery) == 0.0


def test_on_the_real_fixture_it_takes_the_fixture_lock_first(tmp_path):
    from rig.core.lock import fixture_lock

    lock = tmp_path / "fixture.lock"
    config = tmp_path / "bench.toml"
    config.write_text(f'[bench]\nlock_file = "{lock}"\n')
    with fixture_lock(lock):
        result = CliRunner().invoke(cli, ["calibrate", "--config", str(config), "--out", str(tmp_path / "c")],
                                    input="y\n")
    assert result.exit_code == 2
    assert "another rig is already using this fixture" in result.output
    assert not (tmp_path / "c").exists()
