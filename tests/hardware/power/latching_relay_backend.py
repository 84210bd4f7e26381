"""A backend that is not in the rig: a bistable (latching) relay with a SET and a RESET coil on two GPIO pins.

The whole backend is this one module (its keys, its driver, and the simulator's stand-in for its hardware);
``register(BACKEND)`` is the one line that makes ``backend = "latching"`` valid in a config. A latching relay
keeps its contacts when the rig dies, so it is not fail-safe and needs ``not_fail_safe_ok = true``.
"""

from __future__ import annotations

from typing import Any

from gpiozero import OutputDevice
from pydantic import Field

from rig.core.config import BcmPin
from rig.hardware.power import Backend, BackendSettings, BuildContext

COIL_PULSE_S = 0.05


class LatchingSettings(BackendSettings):
    set_pin: BcmPin
    reset_pin: BcmPin
    pulse_s: float = Field(COIL_PULSE_S, gt=0, le=1)

    def fail_safe_problem(self) -> str:
        return "a latching relay keeps its contacts when the rig dies"

    def gpio_pins(self) -> dict[str, int]:
        return {"set_pin": self.set_pin, "reset_pin": self.reset_pin}

    def where(self) -> str:
        return f"latching relay GPIO{self.set_pin}/GPIO{self.reset_pin}"


class LatchingRelay:
    assumed_on = True

    def __init__(self, name: str, settings: LatchingSettings, ctx: BuildContext) -> None:
        self.where = settings.where()
        self.clock = ctx.clock
        self.pulse_s = settings.pulse_s
        self.set_coil = OutputDevice(settings.set_pin, pin_factory=ctx.pin_factory)
        self.reset_coil = OutputDevice(settings.reset_pin, pin_factory=ctx.pin_factory)

    def power_set(self, on: bool) -> None:
        coil = self.set_coil if on else self.reset_coil
        coil.on()
        self.clock.sleep(self.pulse_s)
        coil.off()

    def power_get(self) -> bool | None:
        return None

    def close(self) -> None:
        self.set_coil.close()
        self.reset_coil.close()


def simulate(name: str, settings: LatchingSettings, wiring: Any) -> bool:
    """The relay's contacts: a SET pulse closes them, a RESET pulse opens them; shipped closed."""

    def on_pin(bcm: int, level: bool) -> None:
        if level and bcm in (settings.set_pin, settings.reset_pin):
            wiring.set_power(name, bcm == settings.set_pin)

    wiring.factory.watch_outputs(on_pin)
    return True


BACKEND = Backend("latching", LatchingSettings, lambda name, s, ctx: LatchingRelay(name, s, ctx), simulate)
