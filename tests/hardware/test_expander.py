"""Outlets and actuators on an MCP23017 line, through the real adafruit_mcp230xx driver and the emulated chip."""

from __future__ import annotations

from firmware_sim.clock import VirtualClock
from firmware_sim.ina219 import FakeI2CBus
from firmware_sim.mcp23017 import IODIRA, Mcp23017Emulator
from rig.hardware.actuators import Actuator
from rig.hardware.expander import ExpanderLine, forget_bus
from rig.hardware.power.base import BuildContext, Outlet
from rig.hardware.power.mcp23017 import BACKEND, Mcp23017Settings


def bench(address: int = 0x20):
    chip = Mcp23017Emulator(address)
    seen: list[tuple[int, bool]] = []
    chip.subscribe(lambda pin, level: seen.append((pin, level)))
    return chip, FakeI2CBus(chip), seen


def test_an_active_low_line_is_latched_high_before_it_drives_so_the_relay_never_clicks() -> None:
    chip, bus, seen = bench()
    ExpanderLine(bus, 0x20, 3, active_high=False, initial_value=False)
    assert seen == [(3, True)]          # the first level ever driven is the released one
    assert not chip.register(IODIRA) & (1 << 3)
    forget_bus(bus)


def test_an_outlet_on_an_expander_line_switches_and_is_released_on_close() -> None:
    chip, bus, seen = bench(0x21)
    clock = VirtualClock()
    settings = Mcp23017Settings(address=0x21, line=9, active_low=True, normally_on=True)
    outlet = Outlet("camera", BACKEND.build("camera", settings, BuildContext(clock, overrides={"mcp23017": bus})),
                    clock)
    assert chip.output_level(9) is True       # powered: the normally-closed relay released
    outlet.off()
    assert chip.output_level(9) is False      # energised (active low): the camera's supply open
    outlet.on()
    assert chip.output_level(9) is True
    outlet.driver.close()
    assert chip.output_level(9) is None       # an input again: the relay's pull-up releases it
    assert [level for pin, level in seen if pin == 9] == [True, False, True]
    forget_bus(bus)


def test_two_actuators_on_one_chip_keep_each_other_s_lines() -> None:
    chip, bus, _ = bench()
    clock = VirtualClock()
    solenoid = Actuator("reset_button", None, True, clock, expander=(bus, 0x20, 11))
    lamp = Actuator("motion_light", None, False, clock, expander=(bus, 0x20, 10))
    solenoid.on()
    assert chip.output_level(11) is True and chip.output_level(10) is True   # the lamp (active low) released
    lamp.on()
    assert chip.output_level(11) is True and chip.output_level(10) is False
    solenoid.pulse(0.0)
    assert chip.output_level(11) is False and lamp.is_active
    assert "MCP23017 0x20 line 11" in repr(solenoid)
    forget_bus(bus)
