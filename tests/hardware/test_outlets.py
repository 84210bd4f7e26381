"""Outlets on both backends: GPIO relays (levels for every active_low x normally_on wiring) and the LCUS board
through real pyserial on a real pty, byte-exact; cycle timing in virtual time; failures as OutletError."""

from __future__ import annotations

import contextlib
import os
import pty
import tty

import pytest
import serial

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from firmware_sim.wiring import BenchWiring
from rig.core.config import OUTLET_NAMES, RigConfig, load_config, parse_config
from rig.hardware.outlets import (
    GpioRelayOutlet,
    LcusRelayBoard,
    Outlet,
    OutletBank,
    OutletError,
    SerialRelayOutlet,
)


class RawPty:
    """A bare pty (no emulator): what the rig wrote, read straight off the master."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self.slave)

    def read_all(self) -> bytes:
        data = b""
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except BlockingIOError:
                return data
            if not chunk:
                return data
            data += chunk

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def raw_pty():
    p = RawPty()
    yield p
    p.close()


def serial_config(port_path: str, extra: str = "") -> RigConfig:
    return parse_config(f'[relays]\nbackend = "serial"\nserial_port = "{port_path}"\n{extra}', "test")


def expected_level(powered: bool, active_low: bool, normally_on: bool) -> bool:
    energised = powered != normally_on
    return energised != active_low


# -- frames ------------------------------------------------------------------------------------------------


def test_frame_bytes_match_the_lcus_protocol() -> None:
    assert LcusRelayBoard.frame(1, 1) == bytes.fromhex("A0 01 01 A2")
    assert LcusRelayBoard.frame(1, 0) == bytes.fromhex("A0 01 00 A1")
    assert LcusRelayBoard.frame(4, True) == bytes.fromhex("A0 04 01 A5")
    assert LcusRelayBoard.frame(8, False) == bytes.fromhex("A0 08 00 A8")
    for channel in range(1, 9):
        for state in (0, 1):
            frame = LcusRelayBoard.frame(channel, state)
            assert len(frame) == 4
            assert frame[:3] == bytes((0xA0, channel, state))
            assert frame[3] == (0xA0 + channel + state) & 0xFF


@pytest.mark.parametrize("channel", [0, 9, -1])
def test_frame_refuses_a_channel_the_board_does_not_have(channel: int) -> None:
    with pytest.raises(ValueError, match="1-8"):
        LcusRelayBoard.frame(channel, 1)


def test_board_writes_byte_exact_frames_on_a_real_pty(raw_pty: RawPty) -> None:
    board = LcusRelayBoard.open(raw_pty.path)
    try:
        assert board.port.baudrate == 9600
        assert board.port.write_timeout is not None
        expected = b""
        for channel in range(1, 9):
            for energised in (True, False):
                board.set(channel, energised)
                expected += bytes((0xA0, channel, int(energised), (0xA0 + channel + int(energised)) & 0xFF))
        assert raw_pty.read_all() == expected
        board.set(2, True)
        assert raw_pty.read_all() == bytes.fromhex("A0 02 01 A3")
    finally:
        board.close()


def test_serial_outlet_maps_power_to_relay_state(raw_pty: RawPty, clock: VirtualClock) -> None:
    board = LcusRelayBoard.open(raw_pty.path)
    try:
        fail_safe = SerialRelayOutlet("router", board, 1, normally_on=True, clock=clock)
        plain = SerialRelayOutlet("camera", board, 3, normally_on=False, clock=clock)
        assert raw_pty.read_all() == b""  # nothing switched at construction
        assert fail_safe.is_on and not plain.is_on  # what a released relay gives each wiring
        fail_safe.off()
        assert not fail_safe.is_on
        assert raw_pty.read_all() == bytes.fromhex("A0 01 01 A2")  # off = energise the NC relay
        fail_safe.on()
        assert fail_safe.is_on
        assert raw_pty.read_all() == bytes.fromhex("A0 01 00 A1")
        plain.on()
        assert raw_pty.read_all() == bytes.fromhex("A0 03 01 A4")
        plain.off()
        assert raw_pty.read_all() == bytes.fromhex("A0 03 00 A3")
    finally:
        board.close()


def test_serial_outlet_refuses_a_bad_channel_at_construction(raw_pty: RawPty, clock: VirtualClock) -> None:
    board = LcusRelayBoard.open(raw_pty.path)
    try:
        with pytest.raises(ValueError, match="got 9"):
            SerialRelayOutlet("router", board, 9, normally_on=True, clock=clock)
    finally:
        board.close()


# -- GPIO relays -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("active_low", [False, True])
@pytest.mark.parametrize("normally_on", [False, True])
def test_gpio_relay_pin_level_for_every_wiring(
    factory: VirtualMockFactory, clock: VirtualClock, active_low: bool, normally_on: bool
) -> None:
    outlet = GpioRelayOutlet("camera", 26, active_low, normally_on, clock, pin_factory=factory)
    pin = factory.pin("GPIO26")
    assert pin.function == "output"
    # Built powered.
    assert outlet.is_on
    assert pin.state == expected_level(True, active_low, normally_on)
    outlet.off()
    assert not outlet.is_on
    assert pin.state == expected_level(False, active_low, normally_on)
    assert outlet.energised == normally_on  # off means energised exactly on normally-on wiring
    outlet.on()
    assert outlet.is_on
    assert pin.state == expected_level(True, active_low, normally_on)
    outlet.close()


def test_gpio_relay_levels_spelled_out(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    """The four combinations written out, so the table above is not just checked against itself."""
    hat = GpioRelayOutlet("a", 20, active_low=True, normally_on=True, clock=clock, pin_factory=factory)
    iot = GpioRelayOutlet("b", 21, active_low=False, normally_on=True, clock=clock, pin_factory=factory)
    hat_no = GpioRelayOutlet("c", 5, active_low=True, normally_on=False, clock=clock, pin_factory=factory)
    iot_no = GpioRelayOutlet("d", 6, active_low=False, normally_on=False, clock=clock, pin_factory=factory)
    levels = lambda: [factory.pin(f"GPIO{n}").state for n in (20, 21, 5, 6)]  # noqa: E731
    # Powered: NC relays released (HAT input high, IoT trigger low); NO relays energised (HAT low, IoT high).
    assert levels() == [True, False, False, True]
    for outlet in (hat, iot, hat_no, iot_no):
        outlet.off()
    assert levels() == [False, True, True, False]


def test_gpio_outlet_on_a_pin_in_use_is_one_clear_line(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    router = GpioRelayOutlet("router", 5, False, True, clock, pin_factory=factory)
    with pytest.raises(OutletError) as info:
        GpioRelayOutlet("sync_module", 5, False, True, clock, pin_factory=factory)
    assert router.is_on
    message = str(info.value)
    assert message.startswith("outlet sync_module: cannot drive GPIO5")
    assert "\n" not in message


# -- cycle -------------------------------------------------------------------------------------------------


def test_cycle_keeps_the_outlet_off_for_exactly_off_s(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock)
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    clock.sleep(100.25)
    bank.router.cycle(35.0)
    assert clock.now() == pytest.approx(135.25, abs=1e-9)
    timeline = [(c.t_s, c.state) for c in wiring.changes("router")]
    assert timeline == [(0.0, True), (100.25, False), (135.25, True)]
    assert timeline[2][0] - timeline[1][0] == 35.0
    assert bank.router.is_on
    # The others never flickered.
    assert [c.t_s for c in wiring.changes("camera")] == [0.0]
    bank.close()


def test_cycle_on_the_serial_board_is_timed_the_same(board_emulator: RelayBoardEmulator,
                                                    factory: VirtualMockFactory, clock: VirtualClock) -> None:
    cfg = serial_config(board_emulator.port_path)
    wiring = BenchWiring(cfg, factory, clock, relay_board=board_emulator)
    bank = OutletBank.from_config(cfg, clock, serial_port_opener=board_emulator.rig_opener())
    clock.sleep(3.0)
    bank["camera"].cycle(75.0)
    assert [(c.t_s, c.state) for c in wiring.changes("camera")] == [(0.0, True), (3.0, False), (78.0, True)]
    assert board_emulator.frames == [bytes.fromhex("A0 03 01 A4"), bytes.fromhex("A0 03 00 A3")]
    bank.close()


class InterruptingClock(VirtualClock):
    def sleep(self, seconds: float) -> None:
        raise KeyboardInterrupt


def test_interrupted_cycle_still_turns_the_outlet_back_on(factory: VirtualMockFactory) -> None:
    clock = InterruptingClock()
    outlet = GpioRelayOutlet("router", 5, False, True, clock, pin_factory=factory)
    with pytest.raises(KeyboardInterrupt):
        outlet.cycle(35.0)
    assert outlet.is_on
    assert factory.pin("GPIO5").state is False  # relay released again: power flows


def test_cycle_refuses_negative_time(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    outlet = GpioRelayOutlet("router", 5, False, True, clock, pin_factory=factory)
    with pytest.raises(ValueError):
        outlet.cycle(-1.0)
    assert outlet.is_on


# -- failures of the serial board --------------------------------------------------------------------------


def test_unplugged_board_raises_outlet_error_naming_the_port(
    board_emulator: RelayBoardEmulator, clock: VirtualClock
) -> None:
    cfg = serial_config(board_emulator.port_path)
    bank = OutletBank.from_config(cfg, clock)  # the real opener: serial.Serial on the pty path
    bank.router.off()
    board_emulator.poll()
    assert board_emulator.states[1] is True
    board_emulator.unplug()
    with pytest.raises(OutletError) as info:
        bank.router.on()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"outlet router: relay board on {board_emulator.port_path} not answering")
    # Still unplugged: the reopen fails, again as an OutletError naming the port.
    with pytest.raises(OutletError, match=f"relay board on {board_emulator.port_path} cannot be opened"):
        bank.camera.off()
    assert bank.all_on() == list(OUTLET_NAMES)
    bank.close()  # never raises, even with the board gone


def test_replugged_board_is_reopened_on_the_next_switch(raw_pty: RawPty, clock: VirtualClock) -> None:
    board = LcusRelayBoard.open(raw_pty.path)
    outlet = SerialRelayOutlet("router", board, 1, normally_on=True, clock=clock)
    board.port.close()  # the port dropped under us (USB reset), the device node is still there
    outlet.off()
    assert raw_pty.read_all() == bytes.fromhex("A0 01 01 A2")
    board.close()


def test_stalled_board_times_out_as_outlet_error(raw_pty: RawPty, clock: VirtualClock) -> None:
    """A board that stops draining its input: the write times out instead of hanging the rig."""
    port = serial.Serial(raw_pty.path, 9600, write_timeout=0.02)
    board = LcusRelayBoard(port)
    outlet = SerialRelayOutlet("sync_module", board, 2, normally_on=True, clock=clock)
    with pytest.raises(OutletError, match=f"outlet sync_module: relay board on {raw_pty.path} not answering"):
        for _ in range(100_000):
            outlet.off()
    board.close()


def test_opening_a_missing_port_is_an_outlet_error(clock: VirtualClock) -> None:
    cfg = serial_config("/dev/ttyNOSUCHRELAY")
    with pytest.raises(OutletError) as info:
        OutletBank.from_config(cfg, clock)
    assert str(info.value).startswith("relay board on /dev/ttyNOSUCHRELAY cannot be opened: ")
    assert "\n" not in str(info.value)


def test_board_without_reopen_reports_a_closed_port(raw_pty: RawPty) -> None:
    port = serial.Serial(raw_pty.path, 9600, write_timeout=1.0)
    board = LcusRelayBoard(port)
    port.close()
    with pytest.raises(OutletError, match="port is closed"):
        board.set(1, True)


# -- the bank ----------------------------------------------------------------------------------------------


def test_bank_is_mapping_like(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    bank = OutletBank.from_config(load_config(), clock, pin_factory=factory)
    assert list(bank) == list(OUTLET_NAMES)
    assert len(bank) == 3 and "camera" in bank and "kettle" not in bank
    assert bank["router"] is bank.router
    assert isinstance(bank.sync_module, Outlet)
    assert [name for name, _ in bank.items()] == list(OUTLET_NAMES)
    with pytest.raises(KeyError, match="kettle"):
        bank["kettle"]
    with pytest.raises(AttributeError, match="kettle"):
        bank.kettle  # noqa: B018
    # Pins of the reference fixture: router 5, sync 6 (IoT Relay, active high), camera 26 (HAT, active low).
    assert [factory.pin(f"GPIO{n}").state for n in (5, 6, 26)] == [False, False, True]
    bank.close()


def test_all_on_turns_everything_on_even_when_one_outlet_raises(
    factory: VirtualMockFactory, clock: VirtualClock
) -> None:
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock)
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    for name in bank:
        bank[name].off()
    assert not any(wiring.state(n) for n in OUTLET_NAMES)
    bank.router._device.close()  # the first outlet in the bank now raises
    with pytest.raises(OutletError, match="outlet router"):
        bank.router.on()
    assert bank.all_on() == ["router"]
    assert wiring.state("sync_module") and wiring.state("camera")
    assert bank.sync_module.is_on and bank.camera.is_on
    bank.close()


class ExplodingOutlet:
    name = "sync_module"
    is_on = False

    def on(self) -> None:
        raise RuntimeError("driver crashed")

    def off(self) -> None: ...

    def cycle(self, off_s: float) -> None: ...


def test_all_on_survives_any_exception(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    router = GpioRelayOutlet("router", 5, False, True, clock, pin_factory=factory)
    camera = GpioRelayOutlet("camera", 26, True, True, clock, pin_factory=factory)
    router.off()
    camera.off()
    bank = OutletBank({"router": router, "sync_module": ExplodingOutlet(), "camera": camera})
    assert bank.all_on() == ["sync_module"]
    assert router.is_on and camera.is_on


def test_serial_bank_switches_through_the_emulator(board_emulator: RelayBoardEmulator,
                                                  factory: VirtualMockFactory, clock: VirtualClock) -> None:
    cfg = serial_config(board_emulator.port_path)
    bank = OutletBank.from_config(cfg, clock)
    for name in OUTLET_NAMES:
        bank[name].off()
    board_emulator.poll()
    assert board_emulator.states == {1: True, 2: True, 3: True, 4: False}
    assert bank.all_on() == []
    board_emulator.poll()
    assert board_emulator.states == {1: False, 2: False, 3: False, 4: False}
    assert board_emulator.frames == [LcusRelayBoard.frame(ch, 1) for ch in (1, 2, 3)] + [
        LcusRelayBoard.frame(ch, 0) for ch in (1, 2, 3)
    ]
    assert factory.pin("GPIO5").function == "input"  # the serial backend leaves the outlet pins alone
    bank.close()


def test_close_leaves_everything_powered_and_frees_the_pins(factory: VirtualMockFactory,
                                                           clock: VirtualClock) -> None:
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock)
    bank = OutletBank.from_config(cfg, clock, pin_factory=factory)
    bank.router.off()
    bank.camera.off()
    bank.close()
    assert all(wiring.state(n) for n in OUTLET_NAMES)
    # Pins are free again: a new bank can claim them.
    OutletBank.from_config(cfg, clock, pin_factory=factory).close()


def test_failed_bank_construction_releases_the_pins_it_took(factory: VirtualMockFactory,
                                                            clock: VirtualClock) -> None:
    from gpiozero import OutputDevice

    blocker = OutputDevice(26, pin_factory=factory)  # the camera's pin is taken
    with pytest.raises(OutletError, match="outlet camera: cannot drive GPIO26"):
        OutletBank.from_config(load_config(), clock, pin_factory=factory)
    blocker.close()
    OutletBank.from_config(load_config(), clock, pin_factory=factory).close()
