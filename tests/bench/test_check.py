"""``rig check``: every part OK on a good simulated fixture, and the right one-line hint for each fault."""

from __future__ import annotations

from firmware_sim.battery import BatterySpec
from firmware_sim.ina219 import FakeI2CBus
from rig.core.config import parse_config
from rig.hardware.fixture import build_fixture
from rig.procedure.self_check import check_power_meter, run_check
from rig.sim import build_sim_bench, simulated_technician


def _by_part(results):
    return {r.part: r for r in results}


def test_good_fixture_all_ok_and_left_safe(make_bench) -> None:
    bench = make_bench()
    results = _by_part(run_check(bench.fixture, simulated_technician(bench)))
    assert all(r.ok for r in results.values()), [r for r in results.values() if not r.ok]
    assert set(results) >= {"INA219", "photodiode", "network", "outlet router", "outlet sync_module",
                            "outlet camera", "reset_button", "load_switch", "battery_changeover"}
    assert "0x40 on I2C bus 1" in results["INA219"].detail
    assert all(bench.wiring.state(name) for name in ("router", "sync_module", "camera"))
    assert not any(bench.wiring.state(name) for name in ("reset_button", "load_switch", "motion_stimulus"))
    # The outlets really were switched: each one went off once and came back.
    for name in ("router", "sync_module", "camera"):
        assert [c.state for c in bench.wiring.changes(name)][-2:] == [False, True]


def test_absent_ina219_gets_the_wiring_hint(make_bench) -> None:
    bench = make_bench()
    bench.fixture.close()
    fixture = build_fixture(
        bench.fixture.config, bench.clock, pin_factory=_fresh_factory(bench), i2c_bus=FakeI2CBus(),
        network=bench.world.network_probe,
    )
    try:
        result = _by_part(run_check(fixture, lambda *_: True))["INA219"]
    finally:
        fixture.close()
    assert not result.ok
    assert result.detail == "INA219 not found at 0x40 on I2C bus 1: check SDA=GPIO2, SCL=GPIO3, VCC, GND"


def _fresh_factory(bench):
    bench.factory.reset()
    return bench.factory


def test_flooded_photodiode_is_named(make_bench) -> None:
    bench = make_bench()
    bench.world.flood_photodiode(True)
    result = _by_part(run_check(bench.fixture, simulated_technician(bench)))["photodiode"]
    assert not result.ok
    assert "reads LIT with no LED" in result.detail and "shroud" in result.detail


def test_outlet_not_seen_switching_names_pin_and_setting(make_bench) -> None:
    bench = make_bench()

    def technician_who_sees_nothing_on_the_camera(device: str, question: str, expected_on: bool) -> bool:
        return device != "camera"

    results = _by_part(run_check(bench.fixture, technician_who_sees_nothing_on_the_camera))
    assert not results["outlet camera"].ok
    assert results["outlet camera"].detail.startswith("GPIO26: not seen switching off")
    assert results["outlet router"].ok


def test_serial_relay_board_is_checked_on_its_channels() -> None:
    config = parse_config('[relays]\nbackend = "serial"\nserial_port = "/dev/ttyUSB0"\n', "serial.toml")
    bench = build_sim_bench(config)
    try:
        results = _by_part(run_check(bench.fixture, simulated_technician(bench)))
    finally:
        bench.close()
    assert results["outlet sync_module"].ok
    assert results["outlet sync_module"].detail.startswith("channel 2 on /dev/ttyUSB0")
    assert bench.relay_board is not None
    assert bench.relay_board.frames[:2] == [bytes([0xA0, 1, 1, 0xA2]), bytes([0xA0, 1, 0, 0xA1])] or \
        bytes([0xA0, 2, 1, 0xA3]) in bench.relay_board.frames


def test_network_down_is_reported(make_bench) -> None:
    bench = make_bench()
    bench.fixture.outlets["router"].off()  # router unplugged: nothing answers
    bench.clock.sleep(1)
    result = _by_part(run_check(bench.fixture, simulated_technician(bench)))["network"]
    assert not result.ok
    assert "192.168.8.1:80 timed out" in result.detail


def test_a_dead_or_missing_reference_pack_is_not_ok(make_bench) -> None:
    """Issue 15 item 8: `OK INA219 ... 0.000 V, 0.0 mA` was printed for an empty holder."""
    bench = make_bench()
    good = check_power_meter(bench.fixture)
    assert good.ok and "reference pack 3.5" in good.detail
    bench.world.reference_pack = BatterySpec(0.0001, 0.2)  # missing: nothing across the holder
    dead = check_power_meter(bench.fixture)
    assert not dead.ok
    assert "reference pack is dead or missing" in dead.detail
    assert not bench.wiring.state("battery_changeover")  # the changeover is released again


def test_a_load_path_that_draws_nothing_is_not_ok(make_bench) -> None:
    bench = make_bench()
    bench.world.load_path_open = True
    result = check_power_meter(bench.fixture)
    assert not result.ok
    assert "load pulse draws nothing: check the load switch MOSFET" in result.detail
