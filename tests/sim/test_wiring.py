"""The bench wiring harness: GPIO levels and relay-board frames become named power / actuator states with
virtual timestamps, listeners and a durable sim log."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from gpiozero import OutputDevice

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from firmware_sim.wiring import SIM_LOG_HEADER, BenchWiring
from rig.core.config import ACTUATOR_NAMES, OUTLET_NAMES, RigConfig, load_config, parse_config
from rig.hardware.actuators import Actuators
from rig.hardware.outlets import LcusRelayBoard, OutletBank

ALL_DEVICES = [*OUTLET_NAMES, *ACTUATOR_NAMES]


@pytest.fixture
def board(board_emulator: RelayBoardEmulator) -> RelayBoardEmulator:
    return board_emulator


def serial_config(port_path: str) -> RigConfig:
    return parse_config(f'[relays]\nbackend = "serial"\nserial_port = "{port_path}"\n', "test")


def read_log(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


def test_the_world_starts_powered_and_idle(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    wiring = BenchWiring(load_config(), factory, clock)
    assert wiring.states == {**dict.fromkeys(OUTLET_NAMES, True), **dict.fromkeys(ACTUATOR_NAMES, False)}
    assert [(c.t_s, c.device, c.state) for c in wiring.history] == [(0.0, n, wiring.state(n)) for n in ALL_DEVICES]
    with pytest.raises(KeyError, match="kettle"):
        wiring.state("kettle")


def test_building_the_rig_changes_no_named_state(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    """Constructing outlets (powered) and actuators (released) moves pins but must not flicker any device."""
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock)
    heard: list[tuple[str, bool]] = []
    wiring.subscribe(lambda name, state: heard.append((name, state)))
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    actuators = Actuators.from_config(cfg, clock, pin_factory=factory)
    assert heard == []
    assert len(wiring.history) == len(ALL_DEVICES)
    bank.close()
    actuators.close()


def test_gpio_changes_become_named_states(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock)
    heard: list[tuple[float, str, bool]] = []
    wiring.subscribe(lambda name, state: heard.append((clock.now(), name, state)))
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    actuators = Actuators.from_config(cfg, clock, pin_factory=factory)
    clock.sleep(1.0)
    bank.camera.off()           # active-low HAT, NC contact: pin goes low... and power goes off
    actuators.battery_changeover.use_reference_pack()   # active-low HAT channel
    clock.sleep(0.5)
    actuators.load_switch.on()  # active-high MOSFET
    bank.camera.on()
    actuators.load_switch.off()
    assert heard == [
        (1.0, "camera", False),
        (1.0, "battery_changeover", True),
        (1.5, "load_switch", True),
        (1.5, "camera", True),
        (1.5, "load_switch", False),
    ]
    assert wiring.state("battery_changeover") is True
    assert wiring.state("camera") is True
    bank.close()
    actuators.close()


@pytest.mark.parametrize("active_low", [False, True])
@pytest.mark.parametrize("normally_on", [False, True])
def test_wiring_agrees_with_the_rig_for_every_relay_wiring(
    factory: VirtualMockFactory, clock: VirtualClock, active_low: bool, normally_on: bool
) -> None:
    cfg = parse_config(
        f"[outlets.router]\nactive_low = {str(active_low).lower()}\nnormally_on = {str(normally_on).lower()}\n"
        "not_fail_safe_ok = true\n",
        "test",
    )
    wiring = BenchWiring(cfg, factory, clock)
    assert wiring.state("router") is normally_on  # a released relay
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    assert wiring.state("router") is True  # the rig powers everything at construction
    bank.router.off()
    assert wiring.state("router") is False
    bank.router.on()
    assert wiring.state("router") is True
    bank.close()


def test_pins_nobody_wired_are_ignored(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    wiring = BenchWiring(load_config(), factory, clock)
    stray = OutputDevice(24, pin_factory=factory)
    stray.on()
    assert len(wiring.history) == len(ALL_DEVICES)
    stray.close()


def test_serial_relays_through_the_emulator(board: RelayBoardEmulator, factory: VirtualMockFactory,
                                            clock: VirtualClock) -> None:
    cfg = serial_config(board.port_path)
    wiring = BenchWiring(cfg, factory, clock, relay_board=board)
    bank = OutletBank.from_config(cfg, clock, serial_port_opener=board.rig_opener())
    clock.sleep(2.0)
    bank.sync_module.off()
    assert wiring.state("sync_module") is False  # seen inside the rig's write: no poll needed
    assert wiring.changes("sync_module")[-1].t_s == 2.0
    bank.sync_module.on()
    assert wiring.state("sync_module") is True
    bank.close()


def test_serial_relays_with_a_plain_port_need_a_poll(board: RelayBoardEmulator, factory: VirtualMockFactory,
                                                      clock: VirtualClock) -> None:
    cfg = serial_config(board.port_path)
    wiring = BenchWiring(cfg, factory, clock, relay_board=board)
    bank = OutletBank.from_config(cfg, clock)  # LcusRelayBoard.open: stock pyserial
    bank.router.off()
    wiring.poll()
    assert wiring.state("router") is False
    # Channel 4 has no outlet on it: a frame there changes no named state.
    rig_board = LcusRelayBoard.open(board.port_path)
    rig_board.set(4, True)
    wiring.poll()
    assert board.states[4] is True
    assert [c.device for c in wiring.history[len(ALL_DEVICES):]] == ["router"]
    rig_board.close()
    bank.close()


def test_serial_outlet_pins_are_not_wired_to_anything(board: RelayBoardEmulator, factory: VirtualMockFactory,
                                                      clock: VirtualClock) -> None:
    """With the serial backend, the outlet pin numbers in the config are unused; driving them is no switch."""
    cfg = serial_config(board.port_path)
    wiring = BenchWiring(cfg, factory, clock, relay_board=board)
    stray = OutputDevice(cfg.outlets["router"].pin, pin_factory=factory)
    stray.on()
    assert wiring.state("router") is True
    stray.close()


def test_serial_backend_without_a_board_is_refused(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    with pytest.raises(ValueError, match="relay board emulator"):
        BenchWiring(serial_config("/dev/null"), factory, clock)


def test_sim_log_records_initial_states_and_every_change(tmp_path: Path, factory: VirtualMockFactory,
                                                         clock: VirtualClock) -> None:
    cfg = load_config()
    log_path = tmp_path / "sim.csv"
    clock.sleep(0.5)
    wiring = BenchWiring(cfg, factory, clock, sim_log_path=str(log_path))
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    actuators = Actuators.from_config(cfg, clock, pin_factory=factory)
    clock.sleep(10.0)
    bank.router.cycle(35.0)
    actuators.reset_button.hold(12.0)
    clock.sleep(1 / 3)
    actuators.motion_light.on()
    # Flushed line by line: readable while the run is still going.
    rows = read_log(log_path)
    assert rows[0] == SIM_LOG_HEADER.split(",")
    assert rows[1:] == [
        ["0.500000", "router", "on"],
        ["0.500000", "sync_module", "on"],
        ["0.500000", "camera", "on"],
        ["0.500000", "reset_button", "off"],
        ["0.500000", "motion_stimulus", "off"],
        ["0.500000", "motion_light", "off"],
        ["0.500000", "load_switch", "off"],
        ["0.500000", "battery_changeover", "off"],
        ["10.500000", "router", "off"],
        ["45.500000", "router", "on"],
        ["45.500000", "reset_button", "on"],
        ["57.500000", "reset_button", "off"],
        ["57.833333", "motion_light", "on"],
    ]
    wiring.close()
    bank.close()
    actuators.close()


def test_sim_log_appends_without_a_second_header(tmp_path: Path, factory: VirtualMockFactory,
                                                 clock: VirtualClock) -> None:
    log_path = tmp_path / "sim.csv"
    BenchWiring(load_config(), factory, clock, sim_log_path=str(log_path)).close()
    BenchWiring(load_config(), VirtualMockFactory(clock), clock, sim_log_path=str(log_path)).close()
    rows = read_log(log_path)
    assert rows.count(SIM_LOG_HEADER.split(",")) == 1
    assert len(rows) == 1 + 2 * len(ALL_DEVICES)


def test_sim_log_header_goes_into_an_empty_existing_file(tmp_path: Path, factory: VirtualMockFactory,
                                                         clock: VirtualClock) -> None:
    log_path = tmp_path / "sim.csv"
    log_path.touch()
    BenchWiring(load_config(), factory, clock, sim_log_path=str(log_path)).close()
    assert log_path.read_text().splitlines()[0] == SIM_LOG_HEADER


def test_sim_log_lines_are_on_disk_before_close(tmp_path: Path, factory: VirtualMockFactory,
                                                clock: VirtualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock, sim_log_path=str(tmp_path / "sim.csv"))
    before = len(synced)
    assert before == 1 + len(ALL_DEVICES)  # header + each initial line
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    bank.camera.off()
    assert len(synced) == before + 1
    assert (tmp_path / "sim.csv").read_text().splitlines()[-1] == "0.000000,camera,off"
    wiring.close()
    bank.close()


def test_wiring_built_after_the_rig_reads_the_pins_as_they_are(factory: VirtualMockFactory,
                                                               clock: VirtualClock) -> None:
    cfg = load_config()
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    actuators = Actuators.from_config(cfg, clock, pin_factory=factory)
    bank.camera.off()
    actuators.battery_changeover.use_reference_pack()
    wiring = BenchWiring(cfg, factory, clock)
    assert wiring.state("camera") is False and wiring.state("router") is True
    assert wiring.state("battery_changeover") is True and wiring.state("load_switch") is False
    bank.camera.on()
    assert wiring.state("camera") is True
    bank.close()
    actuators.close()


def test_undriven_relay_inputs_sit_at_their_pull_level(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    """Active-low HAT inputs idle high (pull-up), active-high triggers idle low: both mean released."""
    cfg = load_config()
    BenchWiring(cfg, factory, clock)
    assert factory.pin("GPIO26").state is True   # camera relay, HAT, active low
    assert factory.pin("GPIO20").state is True   # battery changeover, HAT, active low
    assert factory.pin("GPIO5").state is False   # router, IoT Relay trigger, active high
    assert factory.pin("GPIO16").state is False  # reset solenoid MOSFET
    assert factory.pin("GPIO26").function == "input"
