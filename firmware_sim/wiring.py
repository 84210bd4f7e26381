"""The simulated bench's wiring harness: from relay coils and GPIO levels to named device power states.

Built from the same :class:`RigConfig` as the rig, because the config *is* the physical wiring (which pin
drives which relay, active low or high, load on the normally-closed or normally-open side). It watches what
the rig does at the lowest level (GPIO output levels through the pin factory, relay-board frames through the
emulator) and tells the rest of the world "the router lost power at t=12.0", never asking the rig anything.

Every relay starts released (a Pi that has not configured its pins drives nothing, and each relay input has
its pull resistor), so on the reference fixture every outlet starts powered and every actuator idle. Build
the wiring before the rig, as a bench is wired before the Pi boots.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from firmware_sim.clock import VirtualClock
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
    """Named power and actuator states of the simulated bench, with listeners and an optional sim log."""

    def __init__(
        self,
        cfg: RigConfig,
        factory: VirtualMockFactory,
        clock: VirtualClock,
        relay_board: RelayBoardEmulator | None = None,
        sim_log_path: str | None = None,
    ) -> None:
        self.clock = clock
        self.relay_board = relay_board
        self._listeners: list[DeviceListener] = []
        self._pins: dict[int, _PinRole] = {}
        self._channels: dict[int, _PinRole] = {}
        serial_relays = cfg.relays.backend == "serial"
        for name in OUTLET_NAMES:
            oc = cfg.outlets[name]
            role = _PinRole(name, active_level=not oc.active_low, normally_on=oc.normally_on)
            if serial_relays:
                assert oc.channel is not None
                self._channels[oc.channel] = role
            else:
                assert oc.pin is not None
                self._pins[oc.pin] = role
        for name in ACTUATOR_NAMES:
            ac = cfg.actuators[name]
            self._pins[ac.pin] = _PinRole(name, active_level=ac.active_high, normally_on=False)
        if serial_relays and relay_board is None:
            raise ValueError("relays.backend = 'serial' needs the relay board emulator to wire the outlets to")
        # Everything released: outlets powered exactly when wired normally-on, actuators idle.
        self._states: dict[str, bool] = {name: cfg.outlets[name].normally_on for name in OUTLET_NAMES}
        self._states.update(dict.fromkeys(ACTUATOR_NAMES, False))
        for bcm, role in self._pins.items():
            self._states[role.device] = self._settle_pin(factory, bcm, role)
        self.history: list[DeviceChange] = [
            DeviceChange(clock.now(), name, state) for name, state in self._states.items()
        ]
        self._log: IO[str] | None = None
        if sim_log_path is not None:
            self._open_log(sim_log_path)
            for change in self.history:
                self._write_log(change)
        factory.watch_outputs(self._on_pin)
        if serial_relays and relay_board is not None:
            relay_board.subscribe(self._on_channel)

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
        """Apply relay-board frames still unread (when the rig's port is not one that polls by itself)."""
        if self.relay_board is not None:
            self.relay_board.poll()

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
            self._relay_changed(role, level == role.active_level)

    def _on_channel(self, channel: int, energised: bool) -> None:
        role = self._channels.get(channel)
        if role is not None:
            self._relay_changed(role, energised)

    def _relay_changed(self, role: _PinRole, energised: bool) -> None:
        state = (not energised) if role.normally_on else energised
        if self._states[role.device] == state:
            return
        self._states[role.device] = state
        change = DeviceChange(self.clock.now(), role.device, state)
        self.history.append(change)
        self._write_log(change)
        for listener in list(self._listeners):
            listener(role.device, state)

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
        self._log.write(f"{change.t_s:.6f},{change.device},{'on' if change.state else 'off'}\n")
        self._sync_log()

    def _sync_log(self) -> None:
        assert self._log is not None
        self._log.flush()
        os.fsync(self._log.fileno())

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
