"""The router/modem on the router outlet: off, booting, up; its upstream (the internet) can be lost.

``router_down`` means the upstream is gone while the router still answers on the LAN. Only a real power-cycle
cures it: off for at least :data:`~firmware_sim.faults.ROUTER_MIN_OFF_S`, as the article says. A shorter
blip still reboots the router (and costs a full boot) but the upstream stays lost.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from enum import StrEnum

from firmware_sim.clock import EventHandle, VirtualClock
from firmware_sim.faults import PowerHistory, router_cycle_cures

ROUTER_BOOT_S = (40.0, 60.0)       # power on to answering on the LAN
UPSTREAM_SYNC_S = (3.0, 8.0)       # then the WAN session (DHCP/PPPoE) before the internet answers


class RouterState(StrEnum):
    OFF = "off"
    BOOTING = "booting"
    UP = "up"


class Router:
    def __init__(self, clock: VirtualClock, rng: random.Random, on_change: Callable[[], None],
                 powered: bool = True) -> None:
        self._clock = clock
        self._rng = rng
        self._on_change = on_change
        self.state = RouterState.UP if powered else RouterState.OFF
        self.power = PowerHistory(powered)
        self.upstream_fault = False
        self._upstream_ready = powered
        self._handle: EventHandle | None = None

    @property
    def lan_ok(self) -> bool:
        """Does the router answer on the LAN (the bench probe's first hop)?"""
        return self.state is RouterState.UP

    @property
    def internet_ok(self) -> bool:
        return self.state is RouterState.UP and self._upstream_ready and not self.upstream_fault

    def set_upstream_fault(self, lost: bool) -> None:
        if lost != self.upstream_fault:
            self.upstream_fault = lost
            self._on_change()

    def set_power(self, on: bool) -> None:
        if not self.power.switch(on, self._clock.now()):
            return
        self._cancel()
        self._upstream_ready = False
        if on:
            if self.upstream_fault and router_cycle_cures(self.power.last_off):
                self.upstream_fault = False
            self.state = RouterState.BOOTING
            self._handle = self._clock.call_later(self._rng.uniform(*ROUTER_BOOT_S), self._booted)
        else:
            self.state = RouterState.OFF
        self._on_change()

    def _booted(self) -> None:
        self.state = RouterState.UP
        self._handle = self._clock.call_later(self._rng.uniform(*UPSTREAM_SYNC_S), self._upstream_up)
        self._on_change()

    def _upstream_up(self) -> None:
        self._handle = None
        self._upstream_ready = True
        self._on_change()

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
