"""The 230 V build on the simulated bench: router and Sync Module on Kasa plugs (their emulators on
127.0.0.1), ``rig check --sim`` reporting them and ``rig test --sim`` giving the relay build's verdicts."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from rig.cli import cli

PLUGS = Path(__file__).resolve().parents[2] / "data" / "power" / "kasa-plugs.toml"


def verdicts(path: Path) -> list[tuple[str, str, str, str]]:
    with path.open(newline="") as f:
        return [(r["serial"], r["disposition"], r["fixed_by"], r["fixes_tried"]) for r in csv.DictReader(f)]


def test_check_reports_each_plug_with_alias_model_state_and_read_back() -> None:
    result = CliRunner().invoke(cli, ["check", "--sim", "--config", str(PLUGS), "--yes"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "outlet router Kasa plug 192.168.8.21:9999 'router plug' HS100(EU), on: switched off and on, read " \
           "back on" in text
    assert "outlet sync_module Kasa plug 192.168.8.22:9999 'sync_module plug' HS100(EU), on: switched off and " \
           "on, read back on" in text
    assert "outlet camera GPIO26: switched off and on" in text


def test_a_batch_with_plugs_for_router_and_sync_module_gives_the_relay_builds_verdicts(tmp_path: Path) -> None:
    runner = CliRunner()
    relays = runner.invoke(cli, ["test", "--sim", "--csv", str(tmp_path / "relays.csv"), "--no-sheets"])
    plugs = runner.invoke(cli, ["test", "--sim", "--config", str(PLUGS), "--csv", str(tmp_path / "plugs.csv"),
                                "--no-sheets", "--sim-log", str(tmp_path / "sim.csv")])
    assert relays.exit_code == 0 and plugs.exit_code == 0, plugs.output
    assert verdicts(tmp_path / "plugs.csv") == verdicts(tmp_path / "relays.csv")
    # The plugs really switched: the wiring saw the router and the Sync Module go off and on.
    log = (tmp_path / "sim.csv").read_text().splitlines()
    for device in ("router", "sync_module"):
        states = [line.rsplit(",", 1)[1] for line in log if f",{device}," in line]
        assert states[:3] == ["on", "off", "on"], device
