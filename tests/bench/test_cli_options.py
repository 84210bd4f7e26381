"""Options every command shares or refuses: ``rig --config FILE COMMAND`` and options that do not apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rig.cli import cli

DATA = Path(__file__).resolve().parents[1] / "data"
ONE_CAMERA = DATA / "example-scenario.toml"


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def strict_battery(tmp_path) -> Path:
    """A config that changes what a run records: a resistance limit the example's 0.25 Ω pack fails."""
    path = tmp_path / "bench.toml"
    path.write_text("[battery]\nmax_internal_resistance_ohm = 0.2\n")
    return path


def _resistance_limit(records: Path, serial: str) -> float:
    [path] = records.glob(f"{serial}_*.json")
    record = json.loads(path.read_text())
    [step] = [s for s in record["steps"] if s["name"] == "battery"]
    [m] = [m for m in step["measurements"] if m["name"] == "internal_resistance_ohm"]
    return m["high"]


@pytest.mark.parametrize("where", ["before the command", "after the command"])
def test_config_is_honoured_before_or_after_the_command(tmp_path, strict_battery, where) -> None:
    args = ["test", "--sim", ONE_CAMERA, "--csv", tmp_path / "r.csv", "--no-sheets"]
    args = ["--config", strict_battery, *args] if where == "before the command" else [*args, "--config", strict_battery]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert _resistance_limit(tmp_path / "records", "EX-0001") == 0.2


def test_config_before_check_is_used(tmp_path) -> None:
    """`rig --config FILE check --sim` checks the fixture the file describes (the serial relay board here)."""
    result = run("--config", DATA / "reliability" / "serial-relays.toml", "check", "--sim")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # rich wraps the long lines at the runner's 80 columns
    assert "outlet router channel 1 on /dev/" in text and "switched off and on" in text
    assert "GPIO5" not in text  # the built-in fixture's relay pin is not what was checked


@pytest.mark.parametrize(
    "command",
    [
        ["test", "--sim"],
        ["check", "--sim"],
        ["record", "--sim", "--seconds", "1", "-o", "t.csv"],
        ["classify", "t.csv"],
        ["report", "r.csv"],
    ],
)
def test_every_command_refuses_a_bad_config_in_one_line(tmp_path, command) -> None:
    bad = tmp_path / "bench.toml"
    bad.write_text("[photodiode]\npin = 3\n")
    result = run("--config", bad, *command)
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"rig: {bad}: photodiode.pin: GPIO3 is an I2C pin (SDA=GPIO2, SCL=GPIO3) used by the INA219"
    )


def test_two_different_config_files_are_refused(tmp_path, strict_battery) -> None:
    other = tmp_path / "other.toml"
    other.write_text("")
    result = run("--config", strict_battery, "test", "--sim", "--config", other, "--csv", tmp_path / "r.csv")
    assert result.exit_code == 2
    assert result.output.strip() == f"rig: --config given twice ({strict_battery} and {other}): give one file"
    assert not (tmp_path / "r.csv").exists() or (tmp_path / "r.csv").read_text().count("\n") <= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["test", "--sim", "--serial", "bad serial!"],
         "rig: --serial does not apply with --sim: the scenario names the cameras and their models"),
        (["test", "--sim", "--model", "mini"],
         "rig: --model does not apply with --sim: the scenario names the cameras and their models"),
        (["test", "--sim", "--serial", "G8T1-0001", "--model", "outdoor"],
         "rig: --serial and --model do not apply with --sim: the scenario names the cameras and their models"),
        (["test", "--speed", "10"], "rig: --speed needs --sim"),
        (["test", "x.toml", "--sim-log", "s.csv"], "rig: SCENARIO and --sim-log need --sim"),
        (["record", "--seconds", "1", "-o", "t.csv", "--camera", "1"], "rig: --camera needs --sim"),
        (["record", "x.toml", "--seconds", "1", "-o", "t.csv"], "rig: SCENARIO needs --sim"),
        (["check", "--sim", "--yes"], "rig: --yes does not apply with --sim: the simulated technician answers"),
    ],
)
def test_options_that_do_not_apply_are_refused_in_one_line(tmp_path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert (result.exit_code, result.output.strip()) == (2, message)
    assert not (tmp_path / "results.csv").exists()  # refused before anything was done
