"""The simulator's rig faults on their own: the ``[[rig_fault]]`` table, and what each does to the emulators.

Checked through the simulated bench's hardware (the bus, the relay board's pty, the photodiode's pin, the
probe), at the moment the fault is due and not before.
"""

from __future__ import annotations

import errno
import time

import pytest
import serial
from reliability_support import SERIAL_RELAYS_CONFIG, camera_toml, rig_fault_toml

from firmware_sim.scenario import (
    DEFAULT_I2C_FAILURES,
    RIG_FAULT_KINDS,
    RigFaultSpec,
    ScenarioError,
    parse_scenario,
)
from rig.core.config import load_config
from rig.hardware.outlets import OutletError
from rig.hardware.power_meter import PowerMeterError
from rig.sim import SimulatedBench, build_sim_bench

CAMERAS = camera_toml("RJ-0001") + camera_toml("RJ-0002") + camera_toml("RJ-0003")


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.toml")
    message = str(info.value)
    assert message.splitlines() == [message]
    return message


def bench(rig_faults: str, serial_relays: bool = False) -> SimulatedBench:
    config = load_config(SERIAL_RELAYS_CONFIG if serial_relays else None)
    return build_sim_bench(config, parse_scenario(CAMERAS + rig_faults, "s.toml"))


# -- the table -------------------------------------------------------------------------------------------------


def test_every_kind_parses_with_its_defaults() -> None:
    text = CAMERAS + "".join(rig_fault_toml(kind) for kind in RIG_FAULT_KINDS)
    scenario = parse_scenario(text, "s.toml")
    assert scenario.rig_faults == tuple(RigFaultSpec(kind, 1, DEFAULT_I2C_FAILURES) for kind in RIG_FAULT_KINDS)


def test_a_scenario_without_rig_faults_has_none() -> None:
    assert parse_scenario(CAMERAS, "s.toml").rig_faults == ()


def test_at_camera_and_count_are_read() -> None:
    scenario = parse_scenario(CAMERAS + rig_fault_toml("i2c_intermittent", 3, 7), "s.toml")
    assert scenario.rig_faults == (RigFaultSpec("i2c_intermittent", 3, 7),)


@pytest.mark.parametrize(
    "table,expected",
    [
        ('kind = "kettle"', "s.toml: rig_fault 1: kind: unknown rig fault 'kettle' (known: ina219_absent, "),
        ("at_camera = 2", "s.toml: rig_fault 1: kind: missing (one of: ina219_absent, "),
        ('kind = 3', "s.toml: rig_fault 1: kind: unknown rig fault 3"),
        ('kind = "probe_timeout"\nat_camera = 0',
         "s.toml: rig_fault 1 (probe_timeout): at_camera: must be a camera number from 1 to 3 (got 0)"),
        ('kind = "probe_timeout"\nat_camera = 4', "s.toml: rig_fault 1 (probe_timeout): at_camera: must be a camera "
                                                  "number from 1 to 3 (got 4)"),
        ('kind = "probe_timeout"\nat_camera = true', "at_camera: must be a camera number from 1 to 3 (got True)"),
        ('kind = "probe_timeout"\nat_camera = "2"', "at_camera: must be a camera number from 1 to 3 (got '2')"),
        ('kind = "probe_timeout"\ncount = 2',
         "s.toml: rig_fault 1 (probe_timeout): count: only i2c_intermittent takes a count"),
        ('kind = "i2c_intermittent"\ncount = 0', "s.toml: rig_fault 1 (i2c_intermittent): count: must be a whole "
                                                 "number of transactions from 1 to 1000000 (got 0)"),
        ('kind = "i2c_intermittent"\ncount = 2.5', "count: must be a whole number of transactions"),
        ('kind = "i2c_intermittent"\ncount = 10000000', "(got 10000000)"),
        ('kind = "photodiode_saturated"\nwhen = 3',
         "s.toml: rig_fault 1 (photodiode_saturated): when: unknown key (known: kind, at_camera, count)"),
    ],
)
def test_a_bad_rig_fault_is_one_line_naming_the_table_and_key(table: str, expected: str) -> None:
    message = error_of(CAMERAS + f"[[rig_fault]]\n{table}\n")
    assert expected in message and message.startswith("s.toml: "), message


def test_rig_fault_must_be_an_array_of_tables() -> None:
    assert error_of('rig_fault = "ina219_absent"\n' + CAMERAS) == (
        "s.toml: rig_fault: must be an array of tables ([[rig_fault]])"
    )


def test_the_same_fault_twice_at_the_same_camera_is_refused_at_another_is_not() -> None:
    twice = rig_fault_toml("i2c_intermittent", 2, 3) + rig_fault_toml("i2c_intermittent", 2, 9)
    assert error_of(CAMERAS + twice) == (
        "s.toml: rig_fault 2 (i2c_intermittent): kind: duplicate: rig_fault 1 starts the same fault at camera 2"
    )
    again_later = rig_fault_toml("i2c_intermittent", 1) + rig_fault_toml("i2c_intermittent", 3)
    assert len(parse_scenario(CAMERAS + again_later, "s.toml").rig_faults) == 2


def test_the_spec_itself_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown rig fault 'kettle'"):
        RigFaultSpec("kettle")


# -- what the faults do ------------------------------------------------------------------------------------------


def mount(sim: SimulatedBench, index: int) -> None:
    sim.world.mount(index)


def test_ina219_absent_from_power_up_leaves_the_fixture_without_its_meter() -> None:
    sim = bench(rig_fault_toml("ina219_absent"))
    assert sim.fixture.power_meter is None
    assert "INA219 not found at 0x40" in sim.fixture.power_meter_error
    assert sim.i2c_bus.scan() == []


def test_ina219_absent_later_drops_the_chip_off_the_bus_at_that_mount() -> None:
    sim = bench(rig_fault_toml("ina219_absent", 2))
    meter = sim.fixture.power_meter
    assert meter is not None
    mount(sim, 0)
    assert meter.read(1).samples == 1
    mount(sim, 1)
    with pytest.raises(PowerMeterError, match=r"I2C error during read: \[Errno 121\]"):
        meter.read(1)
    mount(sim, 2)  # a rig fault stays when the camera leaves
    assert sim.i2c_bus.scan() == []


def test_i2c_intermittent_fails_count_transactions_then_the_bus_recovers() -> None:
    sim = bench(rig_fault_toml("i2c_intermittent", 2, 2))
    meter = sim.fixture.power_meter
    assert meter is not None
    mount(sim, 0)
    meter.read(1)
    mount(sim, 1)
    for _ in range(2):
        with pytest.raises(PowerMeterError) as info:
            meter.read(1)
        assert info.value.errno == errno.EREMOTEIO
    assert meter.read(1).samples == 1
    mount(sim, 2)  # spent: no new failures at later mounts
    assert meter.read(1).samples == 1


def test_relay_unplugged_takes_the_boards_port_away_at_that_mount() -> None:
    sim = bench(rig_fault_toml("relay_unplugged", 2), serial_relays=True)
    router = sim.fixture.outlets["router"]
    mount(sim, 0)
    router.off()
    router.on()
    sim.clock.sleep(0.1)
    assert [c.state for c in sim.wiring.changes("router")] == [True, False, True]
    mount(sim, 1)
    assert not sim.relay_board.plugged
    with pytest.raises(OutletError, match="relay board on .* cannot be opened|not answering"):
        router.off()
    assert sim.wiring.state("router") is True  # a released relay: the normally-on outlet stays powered


def test_relay_silent_lets_the_next_write_time_out() -> None:
    sim = bench(rig_fault_toml("relay_silent", 2), serial_relays=True)
    mount(sim, 0)
    mount(sim, 1)
    assert sim.relay_board.stalled and sim.relay_board.plugged
    port = serial.Serial(sim.relay_board.port_path, 9600, write_timeout=0.05)
    started = time.monotonic()
    with pytest.raises(serial.SerialTimeoutException):
        port.write(bytes.fromhex("A0 01 01 A2"))
    assert time.monotonic() - started < 1.0
    port.close()
    sim.clock.sleep(1.0)
    assert sim.relay_board.states[1] is False  # the hung board applied nothing


@pytest.mark.parametrize("kind", ["relay_unplugged", "relay_silent"])
def test_a_relay_fault_needs_the_serial_relay_board(kind: str) -> None:
    with pytest.raises(ScenarioError) as info:
        bench(rig_fault_toml(kind, 2))
    assert str(info.value) == (
        f's.toml: rig_fault 1 ({kind}): kind: needs the USB relay board: give a config with relays.backend = "serial"'
    )


def test_photodiode_saturated_floods_the_sensor_from_that_mount_on() -> None:
    sim = bench(rig_fault_toml("photodiode_saturated", 2))
    mount(sim, 0)
    sim.clock.sleep(30.0)
    assert not sim.fixture.photodiode.lit
    mount(sim, 1)
    assert sim.fixture.photodiode.lit
    sim.clock.sleep(100.0)
    mount(sim, 2)
    sim.clock.sleep(100.0)
    assert sim.fixture.photodiode.lit


def test_probe_timeout_fails_the_probe_after_its_timeouts_while_the_network_is_fine() -> None:
    sim = bench(rig_fault_toml("probe_timeout", 2))
    timeout_s = sim.fixture.config.network.timeout_s
    mount(sim, 0)
    sim.clock.sleep(60.0)
    assert sim.fixture.network.check().ok
    mount(sim, 1)
    before = sim.clock.now()
    status = sim.fixture.network.check()
    assert (status.router_ok, status.internet_ok) == (False, False)
    assert status.detail.count(f"timed out after {timeout_s:g} s") == 2
    assert sim.clock.now() - before == pytest.approx(2 * timeout_s)
    assert sim.world.router.lan_ok and sim.world.router.internet_ok
