"""The Sync Module on its outlet: off, booting, connecting/offline, online (through the router's upstream).

Outdoor cameras reach the cloud only through it. ``sync_module_glitch`` leaves it powered but stuck (it
never reconnects); the world clears the glitch only for the article's restart (see ``faults.restart_cures``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from enum import StrEnum

from firmware_sim.clock import EventHandle, VirtualClock
from firmware_sim.faults import PowerHistory
from firmware_sim.link import Link

SYNC_BOOT_S = (15.0, 25.0)       # solid blue "starting up"
GREEN_BLINK_S = 0.5              # ASSUMED half-period of the blinking green (Blink publishes no rate)
SYNC_CONNECT_S = (2.0, 4.0)      # one connection attempt
SYNC_RETRY_S = (8.0, 15.0)       # between attempts while offline


class SyncState(StrEnum):
    OFF = "off"
    BOOTING = "booting"
    CONNECTING = "connecting"    # first attempt after boot
    OFFLINE = "offline"          # solid blue + blinking green: trying to reconnect
    ONLINE = "online"


class SyncModule:
    def __init__(
        self,
        clock: VirtualClock,
        rng: random.Random,
        upstream_ok: Callable[[], bool],
        on_change: Callable[[], None],
        powered: bool = True,
        green_led: Callable[[bool], None] | None = None,
    ) -> None:
        self._clock = clock
        self._green_led = green_led
        self._blink: EventHandle | None = None
        self._green = False
        self._rng = rng
        self._upstream_ok = upstream_ok
        self._on_change = on_change
        self.power = PowerHistory(powered)
        self.glitched = False
        self.link = Link(clock, self._can_connect, self._on_link, rng.uniform(*SYNC_CONNECT_S),
                         rng.uniform(*SYNC_RETRY_S))
        self._handle: EventHandle | None = None
        if powered:
            # The bench starts settled: a powered Sync Module is already online.
            self.state = SyncState.ONLINE
            self.link.assume_online()
        else:
            self.state = SyncState.OFF
        self._show()

    @property
    def online(self) -> bool:
        return self.state is SyncState.ONLINE

    # --- the green LED (Blink support): solid online, blinking while it tries to reconnect, off otherwise ---
    def _show(self) -> None:
        if self._blink is not None:
            self._blink.cancel()
            self._blink = None
        if self.state is SyncState.ONLINE:
            self._set_green(True)
        elif self.state in (SyncState.CONNECTING, SyncState.OFFLINE):
            self._toggle_green()
        else:
            self._set_green(False)

    def _toggle_green(self) -> None:
        self._set_green(not self._green)
        self._blink = self._clock.call_later(GREEN_BLINK_S, self._toggle_green)

    def _set_green(self, lit: bool) -> None:
        self._green = lit
        if self._green_led is not None:
            self._green_led(lit)

    def _can_connect(self) -> bool:
        return self._upstream_ok() and not self.glitched

    def set_glitched(self, glitched: bool) -> None:
        if glitched != self.glitched:
            self.glitched = glitched
            if glitched:
                self.link.upstream_changed()
            else:
                self.link.kick()

    def upstream_changed(self) -> None:
        self.link.upstream_changed()

    def set_power(self, on: bool) -> None:
        if not self.power.switch(on, self._clock.now()):
            return
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.link.stop()
        if on:
            self.state = SyncState.BOOTING
            self._handle = self._clock.call_later(self._rng.uniform(*SYNC_BOOT_S), self._booted)
        else:
            self.state = SyncState.OFF
        self._show()
        self._on_change()

    def _booted(self) -> None:
        self._handle = None
        self.state = SyncState.CONNECTING
        self._show()
        self.link.start()

    def _on_link(self, online: bool) -> None:
        state = SyncState.ONLINE if online else SyncState.OFFLINE
        if state is not self.state:
            self.state = state
            self._show()
            self._on_change()
