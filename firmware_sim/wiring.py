"""The simulated bench's wiring harness: from relay coils and GPIO levels to named device power states.

Built from the same :class:`RigConfig` as the rig, because the config *is* the physical wiring (which pin
drives which relay, active low or high, load on the normally-closed or normally-open side, which outlet is on
which plug). It watches what the rig does at the lowest level (GPIO output levels through the pin factory,
relay-board frames and plug commands through the emulators) and tells the rest of the world "the router lost
power at t=12.0", never asking the rig anything.

Every relay starts released (a Pi that has not configured its pins drives nothing, and each relay input has
its pull resistor), so on the reference fixture every outlet starts powered and every actuator idle. Build
the wiring before the rig, as a bench is wired before the Pi boots.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from firmware_sim.clock import VirtualClock
from firmware_sim.outlet_sims import ANY_PORT, SimPower, expander_emulator, sim_adapter
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from rig.core.config import ACTUATOR_NAMES, OUTLET_NAMES, RigConfig

log = logging.getLogger(__name__)

SIM_LOG_HEADER = "t_s,device,state"

DeviceListener = Callable[[str, bool], None]
"""Called with (device name, new state): outlets -> powered, actuators -> active."""


@dataclass(frozen=True)
class _PinRole:
    device: str
    active_level: bool    # the pin level that energises the relay / drives the MOSFET
    normally_on: bool     # outlets only: power flows while the relay is released


@dataclass(frozen=True)
class DeviceChange:
    t_s: float
    device: str
    state: bool


class BenchWiring:
    """Named power and actuator states of the simulated bench, with listeners and an optional sim log.

    Each outlet is wired by its backend's adapter (``firmware_sim/outlet_sims.py``): a GPIO relay's pin, an
    LCUS board's channel, a smart plug's relay all end in :meth:`set_power`; ``power`` holds the emulators.
    """

    def __init__(
        self,
        cfg: RigConfig,
        factory: VirtualMockFactory,
        clock: VirtualClock,
        relay_board: RelayBoardEmulator | None = None,
        sim_log_path: str | None = None,
        power: SimPower | None = None,
        outlets: tuple[str, ...] = OUTLET_NAMES,
        log_prefix: str = "",
    ) -> None:
        self.clock = clock
        self.factory = factory
        self.log_prefix = log_prefix   # another slot's devices in the shared sim log: "slot2.camera"
        self.power = power if power is not None else SimPower(clock, create=False)
        if relay_board is not None:
            self.power.emulators.setdefault(("lcus", ANY_PORT), relay_board)
        self.relay_board: RelayBoardEmulator | None = None   # set by the first LCUS outlet
        self._listeners: list[DeviceListener] = []
        self._pins: dict[int, _PinRole] = {}
        # Everything released: outlets powered exactly when wired normally-on, actuators idle.
        self._states: dict[str, bool] = {}
        for name in outlets:   # a second slot's harness: its camera outlet only (the bench's are slot 1's)
            oc = cfg.outlets[name]
            self._states[name] = sim_adapter(oc.backend)(name, oc.settings, self)
        for name in ACTUATOR_NAMES:
            ac = cfg.actuators[name]
            if ac.expander is not None:
                chip = expander_emulator(self.power, ac.expander)
                self._states[name] = self.attach_line(name, chip, ac.line, active_level=ac.active_high,
                                                      normally_on=False)
            else:
                self._states[name] = self.attach_pin(name, ac.pin, active_level=ac.active_high, normally_on=False)
        self.history: list[DeviceChange] = [
            DeviceChange(clock.now(), name, state) for name, state in self._states.items()
        ]
        self._log: IO[str] | None = None
        if sim_log_path is not None:
            self._open_log(sim_log_path)
            for change in self.history:
                self._write_log(change)
        factory.watch_outputs(self._on_pin)

    def attach_pin(self, device: str, bcm: int, active_level: bool, normally_on: bool) -> bool:
        """Wire a relay or MOSFET input on GPIO ``bcm`` to ``device``; returns its state before the rig starts."""
        role = _PinRole(device, active_level=active_level, normally_on=normally_on)
        self._pins[bcm] = role
        return self._settle_pin(self.factory, bcm, role)

    def attach_line(self, device: str, chip: Any, line: int, active_level: bool, normally_on: bool) -> bool:
        """Wire a relay or MOSFET input on MCP23017 ``line`` to ``device``; returns its state before the rig starts
        (an expander line powers up as an input: the relay released)."""

        def changed(pin: int, level: bool) -> None:
            if pin == line:
                energised = level == active_level
                self.set_power(device, (not energised) if normally_on else energised)

        chip.subscribe(changed)
        driven = chip.output_level(line)
        energised = driven is not None and driven == active_level
        return (not energised) if normally_on else energised

    # -- queries and listeners -----------------------------------------------------------------------------

    def subscribe(self, callback: DeviceListener) -> None:
        self._listeners.append(callback)

    def state(self, name: str) -> bool:
        try:
            return self._states[name]
        except KeyError:
            raise KeyError(f"no device named {name!r} on the bench (devices: {', '.join(self._states)})") from None

    @property
    def states(self) -> dict[str, bool]:
        return dict(self._states)

    def changes(self, name: str) -> list[DeviceChange]:
        """The device's timeline, initial state first."""
        return [c for c in self.history if c.device == name]

    def poll(self) -> None:
        """Apply what the emulators received and not yet reported (relay frames, plug commands)."""
        self.power.poll()

    # -- what the rig did ----------------------------------------------------------------------------------

    @staticmethod
    def _settle_pin(factory: VirtualMockFactory, bcm: int, role: _PinRole) -> bool:
        """The named state a pin gives before the world starts, modelling the input's pull resistor.

        A relay HAT input is pulled up (active low), an IoT Relay trigger or a MOSFET gate pulled down: an
        undriven pin leaves the relay released. The mock pin is set to that level, so the rig configuring it
        as an output at the *active* level is an edge the wiring hears (a mock pin that idled low would hide
        an active-low relay being energised at construction). A pin the rig already drives is read as is.
        """
        pin = factory.pin(f"GPIO{bcm}")
        if pin.function == "input":
            if role.active_level:
                pin.drive_low()
            else:
                pin.drive_high()
            energised = False
        else:
            energised = bool(pin.state) == role.active_level
        return (not energised) if role.normally_on else energised

    def _on_pin(self, bcm: int, level: bool) -> None:
        role = self._pins.get(bcm)
        if role is not None:
            energised = level == role.active_level
            self.set_power(role.device, (not energised) if role.normally_on else energised)

    def set_power(self, device: str, state: bool) -> None:
        """A device's named state changed (outlet powered, actuator active): record it and tell the world."""
        if self._states[device] == state:
            return
        self._states[device] = state
        change = DeviceChange(self.clock.now(), device, state)
        self.history.append(change)
        self._write_log(change)
        for listener in list(self._listeners):
            listener(device, state)

    # -- sim log ---------------------------------------------------------------------------------------------

    def _open_log(self, path: str) -> None:
        new = not os.path.exists(path) or os.path.getsize(path) == 0
        self._log = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115 (held for the run)
        if new:
            self._log.write(SIM_LOG_HEADER + "\n")
            self._sync_log()

    def _write_log(self, change: DeviceChange) -> None:
        if self._log is None:
            return
        self._log.write(f"{change.t_s:.6f},{self.log_prefix}{change.device},{'on' if change.state else 'off'}\n")
        self._sync_log()

    def _sync_log(self) -> None:
        assert self._log is not None
        self._log.flush()
        os.fsync(self._log.fileno())

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
