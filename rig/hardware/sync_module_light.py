"""The bench's light sensor on the Sync Module's green LED: what state the one Sync Module says it is in.

Blink support: solid blue + solid green = online; solid blue + blinking green = dropped offline, trying to
reconnect; solid blue alone = starting up. With several slots this is how a stuck Sync Module (every outdoor
camera behind it offline) is told from a stuck camera without power-cycling the Sync Module, which would knock
every outdoor camera on the bench offline (docs/DESIGN.md, "Bench faults"). No blink rate is published: a look
of ``LOOK_S`` calls a light that changed twice blinking, and one that stayed lit solid. A sensor not fitted (or
a Sync Module off or starting) reads dark, which proves nothing.

The sensor is the same front end as a slot's photodiode, so it is one: edges into a bounded buffer. Several
slots may ask at once; one look at a time answers them all (a look is reused for ``LOOK_S``), and a waiting
slot waits on the clock, never on a lock alone (in virtual time that would stop every slot's turn).
"""

from __future__ import annotations

import threading
from enum import StrEnum

from rig.core.clock import Clock
from rig.hardware.photodiode import Photodiode

LOOK_S = 3.0      # long enough for two changes of a blinking light at 1 Hz, or more
POLL_S = 0.25     # a slot waiting for another slot's look


class SyncModuleLight(StrEnum):
    ONLINE = "online"                  # solid green
    RECONNECTING = "reconnecting"      # blinking green
    DARK = "dark"                      # green off: starting up, off, or no sensor fitted: no evidence


class SyncModuleLightSensor:
    def __init__(self, photodiode: Photodiode, clock: Clock, look_s: float = LOOK_S) -> None:
        self.photodiode = photodiode
        self.clock = clock
        self.look_s = look_s
        self._lock = threading.Lock()
        self._last: tuple[float, SyncModuleLight] | None = None

    def read(self) -> SyncModuleLight:
        """The light's state over the last look (a fresh look unless one ended within ``look_s``)."""
        while not self._lock.acquire(blocking=False):
            self.clock.sleep(POLL_S)
        try:
            if self._last is not None and self.clock.now() - self._last[0] < self.look_s:
                return self._last[1]
            self.photodiode.discard_before(self.photodiode.mark())   # only this look's edges are kept
            mark = self.photodiode.mark()
            self.clock.sleep(self.look_s)
            changes = len(self.photodiode.edges_since(mark))
            lit = self.photodiode.lit
            state = (SyncModuleLight.RECONNECTING if changes >= 2 else
                     SyncModuleLight.ONLINE if lit and changes == 0 else SyncModuleLight.DARK)
            self._last = (self.clock.now(), state)
            return state
        finally:
            self._lock.release()

    def close(self) -> None:
        self.photodiode.close()
