"""``rig test`` from the outside: what a technician types, what lands on disk, what a bad input gets."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rig.cli import cli
from rig.output.results import RESULT_COLUMNS

DATA = Path(__file__).resolve().parents[1] / "data"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("check", "classify", "record", "test", "report"):
        assert command in result.output


def test_sim_run_on_the_example_scenario(tmp_path) -> None:
    csv_path = tmp_path / "r.csv"
    result = invoke("test", "--sim", str(DATA / "example-scenario.toml"), "--csv", str(csv_path))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(csv_path.open(newline="")))
    assert tuple(rows[0]) == RESULT_COLUMNS
    assert {r["serial"]: (r["disposition"], r["fixed_by"]) for r in rows} == {
        "EX-0001": ("pass", ""),
        "EX-0002": ("fixed", "restart_camera"),
        "EX-0003": ("fixed", "replace_batteries"),
        "EX-0004": ("fixed", "power_cycle_router"),
    }
    assert "Bench run: 4 cameras" in result.output
    assert f"records and sheets: {tmp_path / 'records'}" in result.output
    records = sorted(p.suffix for p in (tmp_path / "records").iterdir())
    assert records.count(".json") == 4 and records.count(".csv") == 4 and records.count(".html") == 4


def test_default_scenario_runs_and_vcd_traces(tmp_path) -> None:
    result = invoke("test", "--sim", "--csv", str(tmp_path / "r.csv"), "--trace-format", "vcd", "--no-sheets")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "r.csv").open(newline="")))
    assert len(rows) == 12
    vcds = list((tmp_path / "records").glob("*.vcd"))
    assert len(vcds) == 12
    assert "$timescale" in vcds[0].read_text()
    # --no-sheets: the summary line does not promise sheets that were not written
    assert "sheets" not in result.output and f"records: {tmp_path / 'records'}" in result.output
    assert not list((tmp_path / "records").glob("*.html"))


def test_second_run_appends_under_the_same_header(tmp_path) -> None:
    csv_path = tmp_path / "r.csv"
    for _ in range(2):
        assert invoke("test", "--sim", str(DATA / "example-scenario.toml"), "--csv", str(csv_path)).exit_code == 0
    text = csv_path.read_text()
    assert text.count("serial,model") == 1
    assert len(text.strip().splitlines()) == 1 + 8


def test_bad_scenario_is_one_line_and_writes_no_row(tmp_path) -> None:
    csv_path = tmp_path / "bad.csv"
    result = CliRunner().invoke(cli, ["test", "--sim", str(DATA / "bad-scenario.toml"), "--csv", str(csv_path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "bad-scenario.toml" in lines[0] and "no_such_fault" in lines[0]
    assert csv_path.read_text().strip() == ",".join(RESULT_COLUMNS)   # a valid, empty results file: no row


def test_foreign_results_file_is_refused_untouched(tmp_path) -> None:
    csv_path = tmp_path / "r.csv"
    csv_path.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(cli, ["test", "--sim", "--csv", str(csv_path)])
    assert result.exit_code == 2
    assert "different header" in result.output
    assert csv_path.read_text() == "a,b\n1,2\n"


@pytest.mark.parametrize("args", [["--speed", "10"], ["--sim-log", "x.csv"]])
def test_sim_only_options_need_sim(tmp_path, args) -> None:
    result = CliRunner().invoke(cli, ["test", "--csv", str(tmp_path / "r.csv"), *args])
    assert result.exit_code == 2
    assert f"{args[0]} needs --sim" in result.output


def test_bad_config_is_one_line(tmp_path) -> None:
    bad = tmp_path / "bench.toml"
    bad.write_text("[photodiode]\npin = 3\n")
    result = CliRunner().invoke(cli, ["test", "--sim", "--config", str(bad), "--csv", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    expected = f"rig: {bad}: photodiode.pin: GPIO3 is an I2C pin (SDA=GPIO2, SCL=GPIO3) used by the INA219"
    assert result.output.strip() == expected


def test_check_sim_passes_and_reports_every_part() -> None:
    result = CliRunner().invoke(cli, ["check", "--sim"])
    assert result.exit_code == 0, result.output
    for part in ("INA219", "photodiode", "outlet router", "outlet camera", "load_switch", "network"):
        assert part in result.output
    assert "0 failed" in result.output


def test_sigterm_mid_run_leaves_every_outlet_on(tmp_path) -> None:
    log = tmp_path / "sim.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rig", "test", "--sim", "--speed", "400", "--sim-log", str(log),
         "--csv", str(tmp_path / "r.csv")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ),
    )
    deadline = time.monotonic() + 20
    # Wait until the rig has switched something off (a fix is in progress), then terminate it.
    while time.monotonic() < deadline:
        if log.exists() and ",off" in log.read_text():
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode != 0
    assert b"Traceback" not in err
    last: dict[str, str] = {}
    for t_s, device, state in csv.reader(log.open()):
        if t_s != "t_s":
            last[device] = state
    assert ",off" in log.read_text(), "the run never switched anything off: the test proved nothing"
    assert {d: last[d] for d in ("router", "sync_module", "camera")} == {
        "router": "on",
        "sync_module": "on",
        "camera": "on",
    }


def test_without_gpio_the_real_bench_says_so_in_one_line(tmp_path, monkeypatch) -> None:
    """No usable pin factory (a laptop, or a Pi without lgpio): one line and a hint, outlets untouched."""
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "no-such-factory")
    from gpiozero import Device

    monkeypatch.setattr(Device, "pin_factory", None)
    csv_path = tmp_path / "r.csv"
    result = CliRunner().invoke(
        cli, ["test", "--serial", "G8T1-0001", "--csv", str(csv_path), "--lock", str(tmp_path / "l")]
    )
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("rig: outlet router: cannot drive GPIO5: BadPinFactory")
    assert line.endswith("(not on a Raspberry Pi? add --sim)")
    assert csv_path.read_text().count("\n") == 1  # the header, no row


def test_bad_serial_argument_is_one_line(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["test", "--serial", "not a serial", "--csv", str(tmp_path / "r.csv"),
                                      "--lock", str(tmp_path / "l")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("rig: --serial: 'not a serial' is not a serial number")
