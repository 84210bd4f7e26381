"""An outlet relay on an MCP23017 expander line (the slots' camera outlets on a several-slot fixture).

The relay input hangs off an expander line instead of a GPIO (rig/hardware/expander.py drives it through
``adafruit_mcp230xx``); wiring and polarity mean what they mean for a GPIO relay (``normally_on``: a released
relay, or a line the rig let go of, leaves the outlet powered).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, StrictBool, StrictInt

from rig.hardware.expander import ExpanderError, ExpanderLine
from rig.hardware.power.base import Backend, BackendSettings, BuildContext, OutletError


class Mcp23017Settings(BackendSettings):
    address: StrictInt = Field(ge=0x20, le=0x27, description="A2..A0 strapping: 0x20-0x27")
    line: StrictInt = Field(ge=0, le=15, description="GPA0-7 are 0-7, GPB0-7 are 8-15")
    active_low: StrictBool = False
    normally_on: StrictBool = True
    i2c_bus: StrictInt = Field(1, ge=0)

    SECTION_DEFAULTS: ClassVar[dict[str, tuple[str, str]]] = {"i2c_bus": ("power_meter", "i2c_bus")}

    def fail_safe(self) -> bool:
        return self.normally_on

    def fail_safe_problem(self) -> str:
        return "normally_on = false: a dead rig (or one that let go of the expander) leaves this outlet off"

    def claims(self):
        return {"line": (expander_line(self.i2c_bus, self.address, self.line),
                         f"MCP23017 0x{self.address:02x} line {self.line}")}

    def where(self) -> str:
        return f"MCP23017 0x{self.address:02x} line {self.line}"


def expander_line(bus: int, address: int, line: int) -> tuple[str, int, int, int]:
    """The identity of one expander line, shared by outlets and actuators (each line used once)."""
    return ("mcp23017", bus, address, line)


class ExpanderRelay:
    assumed_on = True

    def __init__(self, name: str, settings: Mcp23017Settings, bus: Any) -> None:
        self.name = name
        self.normally_on = settings.normally_on
        self.where = settings.where()
        try:
            self._line = ExpanderLine(bus, settings.address, settings.line, active_high=not settings.active_low,
                                      initial_value=not settings.normally_on)
        except (ExpanderError, OSError) as exc:
            raise OutletError(f"outlet {name}: cannot drive {self.where}: {exc}") from exc

    def power_set(self, on: bool) -> None:
        try:
            if on != self.normally_on:
                self._line.on()
            else:
                self._line.off()
        except OSError as exc:
            raise OutletError(f"outlet {self.name}: cannot drive {self.where}: {exc}") from exc

    def power_get(self) -> bool | None:
        return None

    def close(self) -> None:
        self._line.close()


def build(name: str, settings: Mcp23017Settings, ctx: BuildContext) -> ExpanderRelay:
    bus = ctx.overrides.get("mcp23017")
    if bus is None:
        from rig.hardware.power_meter import PowerMeterError, open_i2c_bus

        try:
            bus = open_i2c_bus(settings.i2c_bus)
        except PowerMeterError as exc:
            raise OutletError(f"outlet {name}: {exc}") from exc
    return ExpanderRelay(name, settings, bus)


BACKEND = Backend("mcp23017", Mcp23017Settings, build)
