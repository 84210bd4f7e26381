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


def test_check_says_which_outlets_are_not_fail_safe_and_warns_of_a_kernel_numbered_port() -> None:
    from rig.core.config import parse_config
    from rig.procedure.self_check import run_check
    from rig.sim import build_sim_bench, simulated_technician

    bench = build_sim_bench(parse_config(PLUGS.read_text() + '[relays]\nbackend = "serial"\n'
                                         'serial_port = "/dev/ttyUSB0"\n', "mixed.toml"))
    try:
        results = {r.part: r for r in run_check(bench.fixture, simulated_technician(bench))}
    finally:
        bench.close()
    assert results["outlet router"].ok and results["outlet camera"].ok
    assert results["outlet router"].detail.endswith(
        "; not fail-safe (acknowledged): a smart plug keeps its last state when the rig dies, so a crash mid-cycle "
        "leaves this outlet off for up to restore_after_s = 600 s (its countdown)")
    camera = results["outlet camera"].detail
    assert camera.startswith("channel 3 on /dev/ttyUSB0: switched off and on, read back on; warning: /dev/ttyUSB0")
    assert "not fail-safe" not in camera
