"""gpiozero mock pins that live in virtual time.

Stock ``MockPin`` stamps every change with ``time.monotonic`` (see the library notes), so photodiode edges
would carry wall-clock times. These pins stamp with the factory's ticks, which are the simulation's virtual
clock, and let the simulated world watch output pins (relays, actuators) the rig drives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from gpiozero.pins.mock import MockFactory, MockPin, PinState

from firmware_sim.clock import VirtualClock

OutputObserver = Callable[[int, bool], None]
"""Called with (BCM number, new level) whenever the rig changes an output pin."""


PIN_HISTORY = 1_024
"""Changes a pin keeps in gpiozero's ``states`` list: the newest ones (an 8-hour soak stays in flat memory)."""


class VirtualMockPin(MockPin):
    """A ``MockPin`` whose change timestamps are virtual ticks, with observable output changes."""

    _held: bool | None = None   # a level the bench holds the input at (a comparator's output), whatever the pull

    def hold(self, level: bool) -> None:
        """The bench drives this input to ``level`` and keeps it there: the rig setting a pull later (opening
        the pin) does not override it, as a comparator's output pulling low wins over the Pi's pull-up."""
        self._held = level
        if level:
            self.drive_high()
        else:
            self.drive_low()

    def _set_pull(self, value: str) -> None:
        super()._set_pull(value)
        if self._held is not None:
            self._change_state(self._held)

    def _change_state(self, value: bool) -> bool:
        if self._state == value:
            return False
        t = self._factory.ticks()
        self._state = value
        self.states.append(PinState(t - self._last_change, value))
        if len(self.states) > PIN_HISTORY:
            # The oldest changes go (the first entry stays: gpiozero's initial state); times are rebuilt
            # backwards from the latest change, so the ones kept keep their times.
            del self.states[1 : len(self.states) - PIN_HISTORY // 2]
        self._last_change = t
        if self._function == "output":
            self._factory.notify_output(self, value)
        return True

    def clear_states(self) -> None:
        self._last_change = self._factory.ticks()
        self.states = [PinState(0.0, self._state)]

    @property
    def bcm(self) -> int:
        """The pin's BCM number (``GPIO17`` -> 17)."""
        return int(self.info.name[4:])


class VirtualMockFactory(MockFactory):
    """A ``MockFactory`` on a :class:`VirtualClock`: ticks are virtual seconds."""

    def __init__(self, clock: VirtualClock, revision: str | None = None) -> None:
        # A Pi 4 B by default: the revision only decides the header layout, which is the same 40-pin one.
        super().__init__(revision=revision or "c03111", pin_class=VirtualMockPin)
        # gpiozero's reservation lock is not re-entrant: a device left to the garbage collector can be
        # finalised (and release its pins) while this factory is inside release_pins, deadlocking the test
        # run. A re-entrant lock makes that nested release harmless.
        self._res_lock = threading.RLock()
        self._clock = clock
        self._output_observers: list[OutputObserver] = []

    def ticks(self) -> float:  # type: ignore[override]
        return self._clock.now()

    @staticmethod
    def ticks_diff(later: float, earlier: float) -> float:
        return later - earlier

    def watch_outputs(self, observer: OutputObserver) -> None:
        """Register ``observer`` to hear every output-pin change (the world's view of the rig's relays)."""
        self._output_observers.append(observer)

    def notify_output(self, pin: VirtualMockPin, level: bool) -> None:
        for observer in list(self._output_observers):
            observer(pin.bcm, level)

    def input_pin(self, bcm: int) -> VirtualMockPin:
        """The pin object the world drives for an input (e.g. the photodiode's comparator output)."""
        return self.pin(f"GPIO{bcm}")  # type: ignore[return-value]
