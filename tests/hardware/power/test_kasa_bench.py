"""The 230 V build on the simulated bench: router and Sync Module on Kasa plugs (their emulators on
127.0.0.1), ``rig check --sim`` reporting them and ``rig test --sim`` giving the relay build's verdicts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from power_support import sim_batch, sim_log_states, verdicts

from rig.cli import cli

PLUGS = Path(__file__).resolve().parents[2] / "data" / "power" / "kasa-plugs.toml"


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
    plugs = verdicts(sim_batch(tmp_path, "plugs", PLUGS, sim_log=True))
    assert plugs == verdicts(sim_batch(tmp_path, "relays"))
    # The plugs really switched: the wiring saw the router and the Sync Module go off and on.
    for device in ("router", "sync_module"):
        assert [state for _, state in sim_log_states(tmp_path / "plugs-sim.csv", device)][:3] == ["on", "off", "on"]
