"""The MCP23017 emulator against Adafruit's real driver, and its registers against the datasheet."""

from __future__ import annotations

import digitalio
import pytest
from adafruit_mcp230xx.mcp23017 import MCP23017

from firmware_sim.ina219 import FakeI2CBus
from firmware_sim.mcp23017 import GPIOA, IOCON_A, IOCON_SEQOP, IODIRA, IODIRB, OLATA, Mcp23017Emulator


def chip(address: int = 0x20) -> tuple[Mcp23017Emulator, MCP23017, list[tuple[int, bool]]]:
    emulator = Mcp23017Emulator(address)
    seen: list[tuple[int, bool]] = []
    emulator.subscribe(lambda pin, level: seen.append((pin, level)))
    return emulator, MCP23017(FakeI2CBus(emulator), address=address), seen


def test_power_on_state_is_all_inputs_and_nothing_driven() -> None:
    emulator = Mcp23017Emulator()
    assert (emulator.register(IODIRA), emulator.register(IODIRB)) == (0xFF, 0xFF)
    assert all(emulator.output_level(pin) is None for pin in range(16))


def test_the_driver_switches_outputs_on_both_ports() -> None:
    emulator, driver, seen = chip()
    relay = driver.get_pin(3)
    relay.value = True                     # latch first, while still an input: no glitch when it turns output
    relay.direction = digitalio.Direction.OUTPUT
    solenoid = driver.get_pin(12)
    solenoid.switch_to_output(value=False)
    relay.value = False
    solenoid.value = True
    assert seen == [(3, True), (12, False), (3, False), (12, True)]
    assert emulator.output_level(3) is False and emulator.output_level(12) is True
    assert emulator.output_level(4) is None


def test_switch_to_output_drives_the_old_latch_first_as_the_chip_does() -> None:
    """The driver sets the direction before the value: the pin briefly drives the latch's old level. An
    active-low relay on it would click; a backend must write the latch before the direction."""
    _emulator, driver, seen = chip()
    driver.get_pin(5).switch_to_output(value=True)
    assert seen == [(5, False), (5, True)]


def test_inputs_read_the_outside_level_with_pull_up_and_polarity() -> None:
    emulator, driver, _ = chip(0x21)
    sensor = driver.get_pin(9)
    sensor.switch_to_input(pull=digitalio.Pull.UP)
    assert sensor.value is True            # floating, pulled up
    emulator.set_input(9, False)
    assert sensor.value is False
    sensor.invert_polarity = True
    assert sensor.value is True
    emulator.set_input(9, None)
    sensor.pull = None
    sensor.invert_polarity = False
    assert sensor.value is False           # floating without a pull-up reads low here


def test_the_register_pointer_increments_and_wraps_unless_seqop() -> None:
    emulator = Mcp23017Emulator()
    emulator.i2c_write(bytes([0x15, 0xAA, 0x00]))      # OLATB, then wraps to IODIRA
    assert emulator.register(0x15) == 0xAA and emulator.register(IODIRA) == 0x00
    emulator.i2c_write(bytes([IOCON_A, IOCON_SEQOP]))
    emulator.i2c_write(bytes([OLATA, 0x01, 0x02, 0x03]))  # byte mode: all three land in OLATA
    assert emulator.register(OLATA) == 0x03
    emulator.i2c_write(bytes([GPIOA]))
    assert emulator.i2c_read(2) == bytes([0x03, 0x03])   # still GPIOA: the port reads its latch twice


def test_only_the_datasheet_addresses_answer() -> None:
    for bad in (0x1F, 0x28, 0x40):
        with pytest.raises(ValueError, match="0x20-0x27"):
            Mcp23017Emulator(bad)
    with pytest.raises(ValueError, match="absent|No I2C device"):
        MCP23017(FakeI2CBus(Mcp23017Emulator(0x20)), address=0x22)
