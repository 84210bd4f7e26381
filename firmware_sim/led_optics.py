"""What the photodiode's pin sees of a camera besides its LED being on or off: the LED's PWM drive and the
room's ambient flicker (docs/DESIGN.md's noise model, per camera in the scenario's ``[camera.led]`` table).

``[camera.led]`` keys, all optional::

    pwm_hz = 2000          # the LED is PWM-driven: a pulse train at 500-5000 Hz while lit...
    pwm_duty = 0.3         # ...lit this fraction of each period (0.2-1)
    flicker_hz = 100       # ambient light flickering at 100 or 120 Hz, in bursts...
    flicker_lit_s = 0.004  # ...lit 1-5 ms each period (at most half of it)...
    flicker_every_s = 20   # ...a burst about this often (mean; 1-3600 s)...
    flicker_burst_s = 2.0  # ...each up to this long (0.05-2 s)

:class:`PhotodiodePin` drives the photodiode's mock pin from the three sources (the LED, the flicker, a
flooding light) with the PWM and flicker toggles scheduled on the virtual clock.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from firmware_sim.clock import VirtualClock

LED_KEYS = ("pwm_hz", "pwm_duty", "flicker_hz", "flicker_lit_s", "flicker_every_s", "flicker_burst_s")
_RANGES = {"pwm_hz": (500.0, 5000.0), "pwm_duty": (0.2, 1.0), "flicker_lit_s": (0.001, 0.005),
           "flicker_every_s": (1.0, 3600.0), "flicker_burst_s": (0.05, 2.0)}


@dataclass(frozen=True)
class LedOptics:
    pwm_hz: float | None = None
    pwm_duty: float = 0.5
    flicker_hz: float | None = None
    flicker_lit_s: float = 0.003
    flicker_every_s: float = 30.0
    flicker_burst_s: float = 2.0


def parse_led_optics(raw: Any, fail) -> LedOptics:
    """``[camera.led]`` as :class:`LedOptics`; ``fail(key, problem)`` raises the one-line error."""
    if not isinstance(raw, dict):
        fail("led", "must be a table ([camera.led])")
    values: dict[str, float] = {}
    for key, value in raw.items():
        if key not in LED_KEYS:
            fail(f"led.{key}", f"unknown key (known: {', '.join(LED_KEYS)})")
        number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
        if not math.isfinite(number):
            fail(f"led.{key}", f"must be a number (got {value!r})")
        if key == "flicker_hz":
            if number not in (100.0, 120.0):
                fail(f"led.{key}", f"must be 100 or 120 (the mains flicker), got {value!r}")
        else:
            lo, hi = _RANGES[key]
            if not lo <= number <= hi:
                fail(f"led.{key}", f"must be {lo:g}-{hi:g} (got {value!r})")
        values[key] = number
    if "pwm_duty" in values and "pwm_hz" not in values:
        fail("led.pwm_duty", "needs pwm_hz")
    flicker_keys = [k for k in values if k.startswith("flicker_") and k != "flicker_hz"]
    if flicker_keys and "flicker_hz" not in values:
        fail(f"led.{flicker_keys[0]}", "needs flicker_hz")
    optics = LedOptics(**values)  # type: ignore[arg-type]
    if optics.flicker_hz is not None and optics.flicker_lit_s > 0.5 / optics.flicker_hz:
        fail("led.flicker_lit_s", f"must be at most half the flicker period ({0.5 / optics.flicker_hz * 1000:.2f} ms)")
    return optics


class PhotodiodePin:
    """The comparator output the rig reads: lit when the LED is lit (through its PWM), or flicker, or flooded."""

    def __init__(self, pin, active_high: bool, clock: VirtualClock) -> None:
        self._pin = pin
        self._lit_level = active_high
        self._clock = clock
        self._optics = LedOptics()
        self._rng = random.Random(0)
        self.led = False             # the camera's LED as its firmware drives it
        self.flooded = False         # ambient light swamping the sensor (no shroud)
        self._pwm_on = True          # inside the PWM period: the lit part
        self._flicker_on = False
        self._epoch = 0
        self._level: bool | None = None
        self._apply()

    def set_optics(self, optics: LedOptics | None, rng: random.Random) -> None:
        """The camera now on the fixture (None: no camera) and its LED's drive and room light."""
        self._epoch += 1
        self._optics, self._rng = optics or LedOptics(), rng
        self._pwm_on, self._flicker_on = True, False
        if self._optics.flicker_hz is not None:
            self._next_burst()
        if self.led:
            self._start_pwm()
        self._apply()

    def set_led(self, lit: bool) -> None:
        if lit == self.led:
            return
        self.led = lit
        if lit:
            self._start_pwm()
        self._apply()

    def flood(self, flooded: bool) -> None:
        self.flooded = flooded
        self._apply()

    # --- PWM: lit for duty x period, dark for the rest, while the LED is on ---
    def _start_pwm(self) -> None:
        self._pwm_on = True
        if self._optics.pwm_hz is not None and self._optics.pwm_duty < 1.0:
            self._later(self._optics.pwm_duty / self._optics.pwm_hz, self._pwm_toggle)

    def _pwm_toggle(self) -> None:
        if not self.led:
            self._pwm_on = True
            return
        optics = self._optics
        assert optics.pwm_hz is not None
        self._pwm_on = not self._pwm_on
        lit_s = optics.pwm_duty / optics.pwm_hz
        self._later(lit_s if self._pwm_on else 1 / optics.pwm_hz - lit_s, self._pwm_toggle)
        self._apply()

    # --- ambient flicker: bursts at random times ---
    def _next_burst(self) -> None:
        self._later(self._rng.expovariate(1 / self._optics.flicker_every_s), self._burst)

    def _burst(self) -> None:
        optics = self._optics
        assert optics.flicker_hz is not None
        periods = max(1, int(self._rng.uniform(0.05, optics.flicker_burst_s) * optics.flicker_hz))
        self._flicker(periods)

    def _flicker(self, periods_left: int) -> None:
        optics = self._optics
        assert optics.flicker_hz is not None
        self._flicker_on = True
        self._apply()

        def off() -> None:
            self._flicker_on = False
            self._apply()

        self._later(optics.flicker_lit_s, off)
        if periods_left > 1:
            self._later(1 / optics.flicker_hz, lambda: self._flicker(periods_left - 1))
        else:
            self._next_burst()

    def _later(self, delay_s: float, action) -> None:
        epoch = self._epoch

        def fire() -> None:
            if self._epoch == epoch:      # a camera change cancels what the last one scheduled
                action()

        self._clock.call_later(delay_s, fire)

    def _apply(self) -> None:
        lit = self.flooded or self._flicker_on or (self.led and self._pwm_on)
        level = lit == self._lit_level
        if level != self._level:
            self._level = level
            if level:
                self._pin.drive_high()
            else:
                self._pin.drive_low()
