"""The fixture's actuators: reset-button presser, motion stimulus and lamp, load switch, battery changeover.

Each is one gpiozero ``OutputDevice`` (a MOSFET or a relay HAT channel, active high or low as wired) built
released, so a starting rig never presses, heats, loads or swaps anything. Timed actions (a press, a held
reset) wait on the injected clock and release in a ``finally``: an interrupted hold does not leave the
solenoid pushing.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from gpiozero import OutputDevice

from rig.core.clock import Clock
from rig.core.config import ACTUATOR_NAMES, RigConfig

log = logging.getLogger(__name__)

PRESS_S = 0.3   # a short press of the reset button: long enough for the camera to see it


class ActuatorError(RuntimeError):
    """An actuator's GPIO could not be claimed or driven; one-line message naming it."""


class Actuator:
    """One GPIO-driven actuator: ``on`` (active) / ``off`` (released), ``is_active``, clock-timed ``pulse``."""

    def __init__(self, name: str, pin: int | None, active_high: bool, clock: Clock, pin_factory: Any = None,
                 expander: tuple[Any, int, int] | None = None) -> None:
        """On GPIO ``pin``, or on ``expander`` = (I2C bus, MCP23017 address, line) for a slot out of GPIOs."""
        self.name = name
        self.pin = pin
        self.clock = clock
        self.where = f"GPIO{pin}" if expander is None else f"MCP23017 0x{expander[1]:02x} line {expander[2]}"
        try:
            if expander is not None:
                from rig.hardware.expander import ExpanderLine

                self._device: Any = ExpanderLine(*expander, active_high=active_high, initial_value=False)
            else:
                self._device = OutputDevice(pin, active_high=active_high, initial_value=False, pin_factory=pin_factory)
        except Exception as exc:
            raise ActuatorError(
                f"actuator {name}: cannot drive {self.where}: {type(exc).__name__}: {exc}") from exc

    @property
    def is_active(self) -> bool:
        return bool(self._device.value)

    def on(self) -> None:
        self._device.on()

    def off(self) -> None:
        self._device.off()

    def release(self) -> None:
        self._device.off()

    def pulse(self, seconds: float) -> None:
        """Active for exactly ``seconds`` of clock time, then released (also when the wait is interrupted)."""
        if seconds < 0:
            raise ValueError(f"actuator {self.name}: duration must not be negative (got {seconds})")
        self.on()
        try:
            self.clock.sleep(seconds)
        finally:
            self.off()

    def close(self) -> None:
        self._device.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.where} {'active' if self.is_active else 'released'}>"


class ResetButton(Actuator):
    """A push solenoid over the camera's reset hole."""

    def press(self, s: float = PRESS_S) -> None:
        self.pulse(s)

    def hold(self, s: float) -> None:
        """Hold the button down ``s`` seconds (the article: until the lights flash, about 10-15 s)."""
        self.pulse(s)


class MotionStimulus(Actuator):
    """A warm-resistor flag in front of a PIR camera (needs a moving warm object)."""


class MotionLight(Actuator):
    """A lamp in front of a Mini, which detects motion by picture change rather than by PIR."""


class LoadSwitch(Actuator):
    """The MOSFET that puts the load-test resistor across the battery pack (the dual-pulse test's pulse)."""


class BatteryChangeover(Actuator):
    """A changeover relay feeding the camera from its own batteries (released) or the reference pack
    (energised): the article's "replace the batteries" without opening the camera twice."""

    @property
    def is_reference(self) -> bool:
        return self.is_active

    def use_reference_pack(self) -> None:
        self.on()

    def use_camera_pack(self) -> None:
        self.off()


_CLASSES: dict[str, type[Actuator]] = {
    "reset_button": ResetButton,
    "motion_stimulus": MotionStimulus,
    "motion_light": MotionLight,
    "load_switch": LoadSwitch,
    "battery_changeover": BatteryChangeover,
}


class Actuators:
    """Every actuator of the fixture, by name."""

    def __init__(
        self,
        reset_button: ResetButton,
        motion_stimulus: MotionStimulus,
        motion_light: MotionLight,
        load_switch: LoadSwitch,
        battery_changeover: BatteryChangeover,
    ) -> None:
        self.reset_button = reset_button
        self.motion_stimulus = motion_stimulus
        self.motion_light = motion_light
        self.load_switch = load_switch
        self.battery_changeover = battery_changeover

    @classmethod
    def from_config(cls, cfg: RigConfig, clock: Clock, pin_factory: Any = None, i2c_bus: Any = None) -> Actuators:
        """``i2c_bus``: where expander-driven actuators' MCP23017s are (the power meter's bus)."""
        built: dict[str, Actuator] = {}
        try:
            for name in ACTUATOR_NAMES:
                ac = cfg.actuators[name]
                expander = None
                if ac.expander is not None:
                    if i2c_bus is None:
                        from rig.hardware.power_meter import open_i2c_bus

                        i2c_bus = open_i2c_bus(cfg.power_meter.i2c_bus)
                    expander = (i2c_bus, ac.expander, ac.line)
                built[name] = _CLASSES[name](name, ac.pin, ac.active_high, clock, pin_factory=pin_factory,
                                             expander=expander)
        except BaseException:
            for actuator in built.values():
                actuator.close()
            raise
        return cls(**built)  # type: ignore[arg-type]

    def all(self) -> list[Actuator]:
        return [getattr(self, name) for name in ACTUATOR_NAMES]

    def release_all(self) -> None:
        """Release every actuator, best effort; raises :class:`ActuatorError` naming those that failed."""
        failed: list[str] = []
        for actuator in self.all():
            try:
                actuator.release()
            except Exception as exc:
                log.error("actuator %s could not be released: %s", actuator.name, exc)
                failed.append(f"{actuator.name} ({exc})")
        if failed:
            raise ActuatorError(f"could not release: {', '.join(failed)}")

    def close(self) -> None:
        """Release and let go of every pin. Never raises: it runs in teardown."""
        with contextlib.suppress(ActuatorError):  # already logged per actuator
            self.release_all()
        for actuator in self.all():
            try:
                actuator.close()
            except Exception as exc:
                log.warning("actuator %s: close failed: %s", actuator.name, exc)
