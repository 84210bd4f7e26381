"""Rig faults are not camera faults: each fault of the rig's own hardware, injected in the simulator.

Every scenario here is the same three cameras; camera 2 carries the rig fault (and, where a fault only shows
when the rig acts, a camera fault that makes it act: ``router_down`` needs the router's outlet and the probe).
A control run without the rig fault shows what the cameras really are, so an ``aborted`` can only come from
the rig. Runs go through the real ``rig test`` command line (in-process, for speed).
"""

from __future__ import annotations

import csv
import inspect
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability_support import (
    SERIAL_RELAYS_CONFIG,
    SimLog,
    assert_safe_state,
    camera_toml,
    read_results,
    rig_fault_toml,
)

import rig.hardware.power.lcus
from rig.cli import cli
from rig.core.retry import retry_transient

HEALTHY_PACK = (3.5, 0.25)
SERIALS = ("RF-0001", "RF-0002", "RF-0003")
EXIT_BATCH_STOPPED = 3
RETRY_ATTEMPTS = inspect.signature(retry_transient).parameters["attempts"].default


@dataclass
class Run:
    exit_code: int
    stderr: str
    rows: list[dict[str, str]]
    log: SimLog
    records_dir: Path

    def row(self, serial: str) -> dict[str, str]:
        return next(row for row in self.rows if row["serial"] == serial)

    @property
    def stop_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("rig: ")]

    def step_duration_s(self, serial: str, step: str) -> float:
        (path,) = self.records_dir.glob(f"{serial}_*.json")
        steps = [s for s in json.loads(path.read_text())["steps"] if s["name"] == step]
        return sum(s["finished_s"] - s["started_s"] for s in steps)


def scenario_text(camera2_faults: tuple[str, ...] = (), rig_faults: str = "") -> str:
    return (
        camera_toml(SERIALS[0], battery=HEALTHY_PACK)
        + camera_toml(SERIALS[1], faults=camera2_faults, battery=HEALTHY_PACK)
        + camera_toml(SERIALS[2], battery=HEALTHY_PACK)
        + rig_faults
    )


def run_rig(tmp_path: Path, scenario: str, serial_relays: bool = True) -> Run:
    workdir = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    workdir.mkdir()
    (workdir / "scenario.toml").write_text(scenario)
    args = ["test", "--sim", str(workdir / "scenario.toml"), "--csv", str(workdir / "r.csv"),
            "--sim-log", str(workdir / "sim.csv"), "--no-sheets"]
    if serial_relays:
        args += ["--config", str(SERIAL_RELAYS_CONFIG)]
    result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"rig test raised {result.exception!r}; stderr: {result.stderr}")
    return Run(result.exit_code, result.stderr, read_results(workdir / "r.csv"),
               SimLog.read(workdir / "sim.csv"), workdir / "records")


@pytest.fixture
def short_write_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hung relay board costs the rig its serial write timeout (1 s, real time) per switch; the handling
    does not depend on its length, so the test shortens it to stay fast."""
    monkeypatch.setattr(rig.hardware.power.lcus, "WRITE_TIMEOUT_S", 0.05)


def test_control_run_without_rig_faults_gives_the_cameras_their_verdicts(tmp_path: Path) -> None:
    run = run_rig(tmp_path, scenario_text(("router_down",)))
    assert run.exit_code == 0, run.stderr
    assert [(r["serial"], r["disposition"], r["fixed_by"]) for r in run.rows] == [
        ("RF-0001", "pass", ""),
        ("RF-0002", "fixed", "power_cycle_router"),
        ("RF-0003", "pass", ""),
    ]
    assert run.stop_lines == []
    assert_safe_state(run.log)


# kind, at_camera, count, camera 2's own faults, what the reason must say, the word of its hint
PERSISTENT = {
    "ina219_absent_from_power_up": ("ina219_absent", 1, None, (), ["INA219", "not found"], "check"),
    "ina219_drops_off_the_bus": ("ina219_absent", 2, None, (), ["INA219", "I2C error"], "check"),
    "i2c_errors_outlast_the_retries": ("i2c_intermittent", 2, 50, (), ["INA219", "I2C error"], "check"),
    "relay_board_unplugged": ("relay_unplugged", 2, None, ("router_down",), ["relay board"], "check"),
    "relay_board_silent": ("relay_silent", 2, None, ("router_down",), ["relay board", "not answering"], "check"),
    "photodiode_saturated": ("photodiode_saturated", 2, None, (), ["photodiode saturated", "not classified"],
                             "shroud"),
    "probe_times_out": ("probe_timeout", 2, None, ("router_down",), ["network probe"], "check"),
}


@pytest.mark.usefixtures("short_write_timeout")
@pytest.mark.parametrize("case", list(PERSISTENT))
def test_a_persistent_rig_fault_aborts_that_camera_and_stops_the_batch(tmp_path: Path, case: str) -> None:
    kind, at_camera, count, camera_faults, reason_says, _ = PERSISTENT[case]
    run = run_rig(tmp_path, scenario_text(camera_faults, rig_fault_toml(kind, at_camera, count)))
    victim = SERIALS[at_camera - 1]

    assert run.exit_code == EXIT_BATCH_STOPPED, run.stderr
    # The batch stopped at the camera on the fixture: earlier rows intact, later cameras never tested.
    assert [r["serial"] for r in run.rows] == list(SERIALS[:at_camera])
    for earlier in run.rows[:-1]:
        assert (earlier["disposition"], earlier["notes"]) == ("pass", "")
        assert earlier["battery_open_v"] and earlier["internal_resistance_ohm"]
    row = run.row(victim)
    # Never a verdict on the camera: aborted, nothing "fixed", the reason in the notes.
    assert row["disposition"] == "aborted"
    assert row["fixed_by"] == ""
    assert row["notes"].startswith("rig fault: ")
    for words in reason_says:
        assert words in row["notes"], row["notes"]
    # One line on stderr says why the batch stopped, naming the camera and the reason.
    assert len(run.stop_lines) == 1, run.stderr
    stop = run.stop_lines[0]
    assert stop.startswith(f"rig: stopped after {victim}: rig fault: ")
    assert row["notes"].startswith(stop.removeprefix(f"rig: stopped after {victim}: "))
    assert "Traceback" not in run.stderr
    assert_safe_state(run.log)


@pytest.mark.usefixtures("short_write_timeout")
@pytest.mark.parametrize("case", list(PERSISTENT))
def test_the_stop_line_tells_the_technician_what_to_check(tmp_path: Path, case: str) -> None:
    """An errno alone leaves the technician guessing: the one line must also say what to look at (the INA219's
    wiring, the relay board's USB cable, the photodiode's shroud, the Pi's network link)."""
    kind, at_camera, count, camera_faults, _, hint = PERSISTENT[case]
    run = run_rig(tmp_path, scenario_text(camera_faults, rig_fault_toml(kind, at_camera, count)))
    assert len(run.stop_lines) == 1, run.stderr
    assert hint in run.stop_lines[0].lower(), run.stop_lines[0]


def test_a_few_i2c_errors_are_retried_and_the_camera_gets_its_verdict(tmp_path: Path) -> None:
    control = run_rig(tmp_path, scenario_text())
    run = run_rig(tmp_path, scenario_text(rig_faults=rig_fault_toml("i2c_intermittent", 2)))  # 3 failures
    assert run.exit_code == 0, run.stderr
    assert [(r["serial"], r["disposition"], r["notes"]) for r in run.rows] == [
        (serial, "pass", "") for serial in SERIALS
    ]
    # Same camera, same figures (to the chip's resolution) as without the fault...
    for column in ("battery_open_v", "battery_loaded_v", "internal_resistance_ohm"):
        assert float(run.row("RF-0002")[column]) == pytest.approx(float(control.row("RF-0002")[column]), abs=0.01)
    # ...but the load test took longer: the rig waited between its retries (backoff on the rig clock).
    slower_s = run.step_duration_s("RF-0002", "battery") - control.step_duration_s("RF-0002", "battery")
    assert slower_s > 0.5, slower_s
    assert run.step_duration_s("RF-0003", "battery") == pytest.approx(control.step_duration_s("RF-0003", "battery"))


def test_as_many_i2c_errors_as_the_retries_abort_the_camera(tmp_path: Path) -> None:
    run = run_rig(tmp_path, scenario_text(rig_faults=rig_fault_toml("i2c_intermittent", 2, RETRY_ATTEMPTS)))
    assert run.exit_code == EXIT_BATCH_STOPPED
    assert [(r["serial"], r["disposition"]) for r in run.rows] == [("RF-0001", "pass"), ("RF-0002", "aborted")]
    assert "I2C error" in run.row("RF-0002")["notes"]


def test_one_i2c_error_fewer_than_the_retries_is_ridden_out(tmp_path: Path) -> None:
    run = run_rig(tmp_path, scenario_text(rig_faults=rig_fault_toml("i2c_intermittent", 2, RETRY_ATTEMPTS - 1)))
    assert run.exit_code == 0, run.stderr
    assert run.row("RF-0002")["disposition"] == "pass"


def test_a_saturated_photodiode_is_reported_not_classified(tmp_path: Path) -> None:
    run = run_rig(tmp_path, scenario_text(rig_faults=rig_fault_toml("photodiode_saturated", 2)))
    row = run.row("RF-0002")
    assert row["disposition"] == "aborted"
    assert "saturated" in row["notes"] and "not classified" in row["notes"]
    # Nothing was done to the camera on the strength of a reading the rig knows to be worthless.
    assert (row["fixes_tried"], row["fixed_by"]) == ("", "")


def test_a_failing_probe_does_not_fail_a_healthy_camera(tmp_path: Path) -> None:
    """The probe is only needed to verify a network fix; a camera that needs none still gets its verdict."""
    run = run_rig(tmp_path, scenario_text(rig_faults=rig_fault_toml("probe_timeout", 2)))
    assert [(r["serial"], r["disposition"]) for r in run.rows] == [(serial, "pass") for serial in SERIALS]


def test_a_relay_fault_without_the_relay_board_is_one_line_and_tests_nothing(tmp_path: Path) -> None:
    run = run_rig(tmp_path, scenario_text(rig_faults=rig_fault_toml("relay_unplugged", 2)), serial_relays=False)
    assert run.exit_code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "rig_fault 1 (relay_unplugged)" in lines[0] and 'relays.backend = "serial"' in lines[0]
    assert run.rows == []


def test_the_results_file_is_csv_the_whole_way(tmp_path: Path) -> None:
    """A rig-fault row (notes with quotes, semicolons, paths) still reads back as one whole row."""
    run = run_rig(tmp_path, scenario_text(("router_down",), rig_fault_toml("relay_unplugged", 2)))
    with (tmp_path / "run0" / "r.csv").open(newline="") as f:
        raw_rows = list(csv.reader(f))
    assert [len(r) for r in raw_rows] == [len(raw_rows[0])] * len(raw_rows)
    assert len(raw_rows) == 1 + len(run.rows) == 3
