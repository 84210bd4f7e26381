"""Drive lines on an MCP23017 I/O expander (I2C), through Adafruit's ``adafruit_mcp230xx`` driver.

A fixture of several slots runs out of native GPIOs (docs/DESIGN.md, "Slots"): slots' camera outlets and
actuators go on expanders on the power meters' I2C bus. An :class:`ExpanderLine` behaves like the gpiozero
``OutputDevice`` it stands in for (``value``, ``on``, ``off``, ``close``). The latch is written BEFORE the line
becomes an output: the driver's ``switch_to_output`` does the opposite, and for an instant drives whatever the
latch held (a relay clicking on at power-up). Closing turns the line back into an input, which releases the
relay or MOSFET exactly as a released GPIO does.
"""

from __future__ import annotations

import threading
from typing import Any

import digitalio
from adafruit_mcp230xx.mcp23017 import MCP23017

_chips: dict[tuple[int, int], tuple[MCP23017, threading.Lock]] = {}
_chips_lock = threading.Lock()


class ExpanderError(RuntimeError):
    """The expander did not answer on the bus."""


def _chip(bus: Any, address: int) -> tuple[MCP23017, threading.Lock]:
    """One driver per chip on a bus: its lines share the port registers (read-modify-write under one lock)."""
    key = (id(bus), address)
    with _chips_lock:
        if key not in _chips:
            try:
                _chips[key] = (MCP23017(bus, address=address), threading.Lock())
            except (OSError, ValueError) as exc:
                raise ExpanderError(f"no MCP23017 answers at 0x{address:02x}: {exc}") from exc
        return _chips[key]


def forget_bus(bus: Any) -> None:
    """Drop the drivers of a bus that is going away (the simulator builds a fresh bus per run)."""
    with _chips_lock:
        for key in [k for k in _chips if k[0] == id(bus)]:
            del _chips[key]


class ExpanderLine:
    """One expander line as an output device, active high or low."""

    def __init__(self, bus: Any, address: int, line: int, active_high: bool = True,
                 initial_value: bool = False) -> None:
        self.address, self.line, self.active_high = address, line, active_high
        self._chip, self._lock = _chip(bus, address)
        self._pin = self._chip.get_pin(line)
        self._value = bool(initial_value)
        with self._lock:
            self._pin.value = self._level(self._value)   # the latch first ...
            self._pin.direction = digitalio.Direction.OUTPUT   # ... then drive it

    def _level(self, value: bool) -> bool:
        return value == self.active_high

    @property
    def value(self) -> bool:
        return self._value

    def _set(self, value: bool) -> None:
        with self._lock:
            self._pin.value = self._level(value)
        self._value = value

    def on(self) -> None:
        self._set(True)

    def off(self) -> None:
        self._set(False)

    def close(self) -> None:
        with self._lock:
            self._pin.direction = digitalio.Direction.INPUT

    @property
    def where(self) -> str:
        return f"MCP23017 0x{self.address:02x} line {self.line}"
