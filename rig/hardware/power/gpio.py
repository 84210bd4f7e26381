"""GPIO relays: a relay HAT channel or an IoT Relay trigger on a GPIO pin (gpiozero ``OutputDevice``).

The common relay HATs are active low. The wiring decides what "on" means: with ``normally_on`` the load sits on
the relay's normally-closed side (or the IoT Relay's normally-on outlet), so a released relay is a powered
outlet and a dead Pi leaves the bench powered.
"""

from __future__ import annotations

from typing import Any

from gpiozero import OutputDevice
from pydantic import StrictBool

from rig.core.clock import Clock
from rig.core.config import BcmPin
from rig.hardware.power.base import Backend, BackendSettings, BuildContext, Outlet, OutletError


class GpioSettings(BackendSettings):
    pin: BcmPin
    active_low: StrictBool = False
    normally_on: StrictBool = True

    def fail_safe(self) -> bool:
        return self.normally_on

    def fail_safe_problem(self) -> str:
        return "normally_on = false: a dead rig (or one that let go of its pins) leaves this outlet off"

    def gpio_pins(self) -> dict[str, int]:
        return {"pin": self.pin}

    def where(self) -> str:
        return f"GPIO{self.pin}"


class GpioRelay:
    """Built powered: the pin is driven to the "on" level at once, so constructing the bank never cuts power."""

    assumed_on = True

    def __init__(self, name: str, pin: int, active_low: bool, normally_on: bool, pin_factory: Any = None) -> None:
        self.name = name
        self.pin = pin
        self.active_low = active_low
        self.normally_on = normally_on
        self.where = f"GPIO{pin}"
        try:
            self._device = OutputDevice(
                pin, active_high=not active_low, initial_value=not normally_on, pin_factory=pin_factory
            )
        except Exception as exc:  # gpiozero's errors (pin in use, no factory) as one line naming the outlet
            raise OutletError(f"outlet {name}: cannot drive GPIO{pin}: {type(exc).__name__}: {exc}") from exc

    @property
    def energised(self) -> bool:
        return bool(self._device.value)

    def power_set(self, on: bool) -> None:
        # normally_on wiring: released relay = power on, so power on means de-energise.
        try:
            if on != self.normally_on:
                self._device.on()
            else:
                self._device.off()
        except Exception as exc:
            raise OutletError(f"outlet {self.name}: cannot drive GPIO{self.pin}: {exc}") from exc

    def power_get(self) -> bool | None:
        return None  # the pin reads back only what the rig drove, not the contacts

    def close(self) -> None:
        self._device.close()


def build(name: str, settings: GpioSettings, ctx: BuildContext) -> GpioRelay:
    return GpioRelay(name, settings.pin, settings.active_low, settings.normally_on, ctx.pin_factory)


BACKEND = Backend("gpio", GpioSettings, build)


class GpioRelayOutlet(Outlet):
    """An outlet on one GPIO relay, built directly (tests, tools) rather than from a config."""

    def __init__(
        self, name: str, pin: int, active_low: bool, normally_on: bool, clock: Clock, pin_factory: Any = None
    ) -> None:
        super().__init__(name, GpioRelay(name, pin, active_low, normally_on, pin_factory), clock)
