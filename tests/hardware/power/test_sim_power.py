"""The one simulated-bench builder puts each outlet's emulated hardware behind it, whatever the backend: the
simulator's own desk and the rig's ``--sim`` bench are built the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.bench import SimHardware
from firmware_sim.desk import build_desk, single_camera
from firmware_sim.outlet_sims import sim_adapter
from firmware_sim.router import RouterState
from rig.core.config import parse_config
from rig.hardware.power import Backend, registry
from rig.hardware.power.gpio import GpioSettings
from rig.sim import build_sim_bench

PLUGS = (Path(__file__).resolve().parents[2] / "data" / "power" / "kasa-plugs.toml").read_text()


def test_the_desk_drives_a_plug_and_the_world_follows_at_the_virtual_instant() -> None:
    desk = build_desk(single_camera(), config=parse_config(PLUGS, "plugs.toml"))
    try:
        desk.clock.sleep(5.0)
        desk.outlets.router.off()
        desk.clock.sleep(0.0)   # the plug's command reaches the world at the next clock step, not later
        assert desk.wiring.state("router") is False
        assert desk.wiring.changes("router")[-1].t_s == 5.0
        assert desk.world.router.state is RouterState.OFF
        desk.outlets.router.on()
        desk.clock.sleep(1.0)
        assert desk.wiring.state("router") is True and desk.world.router.state is not RouterState.OFF
    finally:
        desk.close()


def test_rig_sim_and_the_desk_share_one_builder() -> None:
    config = parse_config('[relays]\nbackend = "serial"\n', "serial.toml")
    bench = build_sim_bench(config)
    desk = build_desk(single_camera(), config=config)   # the desk used to refuse a serial board
    try:
        assert isinstance(bench.hardware, SimHardware) and isinstance(desk._hardware, SimHardware)
        assert bench.relay_board is not None and desk.wiring.relay_board is not None
        desk.outlets.camera.off()
        assert desk.wiring.state("camera") is False
    finally:
        bench.close()
        desk.close()


def test_a_backend_without_simulated_hardware_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._BACKENDS, "nosim", Backend("nosim", GpioSettings, lambda name, s, ctx: None))
    with pytest.raises(ValueError, match=r"^outlet backend 'nosim' has no simulated hardware"):
        sim_adapter("nosim")
