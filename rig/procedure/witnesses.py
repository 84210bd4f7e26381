"""What the slots see of their cameras, read by the other slots as evidence about the shared bench path.

"Several cameras dropping at once" is how a stuck Sync Module tells itself from a stuck camera
(docs/DESIGN.md, "Bench faults"). A camera seen online is a witness that the part of the bench it depends on
works: then another camera on the same path, offline with the probe up, is offline on its own, and no bench
power cycle (which would knock every camera behind it offline) is asked for it. Two kinds of sighting:

- a slot's own: its camera verified online (dark LED, probe up) in the course of its procedure;
- a look: a slot that needs to know *now* watches the LED of another slot's camera for a few seconds,
  through that slot's photodiode (the rig's own hardware). It counts only a camera its slot expects online
  (seen online since it was loaded, and not being restarted or reset by its own slot since).

A sighting is valid only after the path it vouches for last changed (``BenchLeases.last_changed``): a camera
joining the Sync Module can leave it stuck.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from rig.core.clock import Clock
from rig.led.patterns import Pattern
from rig.procedure.leases import EVERYTHING, BenchResource
from rig.procedure.observe import LedWatcher, PhotodiodeOverflow

LOOK_S = 8.0   # how long a look at another slot's LED lasts at most: the offline flash repeats every ~3 s


@dataclass(frozen=True)
class OnlineWitness:
    """Another slot's camera, seen online at ``seen_s``: the bench path it depends on worked then."""

    slot: int
    seen_s: float
    looked: bool = False   # seen by a look at its LED (not by its own slot's procedure)


@dataclass
class _SlotView:
    depends_on: frozenset[BenchResource] = EVERYTHING
    seen_online_s: float | None = None    # the last sighting (it outlives the camera's stay: the path worked then)
    seen_depends_on: frozenset[BenchResource] = EVERYTHING
    expected_online: bool = False         # seen online since loaded, and not restarted or reset by its slot since
    watcher: LedWatcher | None = None


@dataclass
class BenchWitnesses:
    clock: Clock
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _slots: dict[int, _SlotView] = field(default_factory=dict, repr=False)

    def _view(self, slot: int) -> _SlotView:
        return self._slots.setdefault(slot, _SlotView())

    def watch_led(self, slot: int, watcher: LedWatcher) -> None:
        """How the other slots may look at ``slot``'s LED."""
        with self._lock:
            self._view(slot).watcher = watcher

    def loaded(self, slot: int, depends_on: frozenset[BenchResource]) -> None:
        with self._lock:
            view = self._view(slot)
            view.depends_on, view.expected_online = depends_on, False

    def unloaded(self, slot: int) -> None:
        with self._lock:
            self._view(slot).expected_online = False

    def saw_online(self, slot: int, at_s: float | None = None) -> None:
        """``slot`` saw its camera online (dark LED and the probe up) now, or at ``at_s``: the path it depends on
        worked then."""
        with self._lock:
            view = self._view(slot)
            view.seen_online_s = self.clock.now() if at_s is None else at_s
            view.seen_depends_on = view.depends_on
            view.expected_online = True

    def disturbed(self, slot: int) -> None:
        """``slot`` is restarting or resetting its camera: its LED says nothing of the bench until seen again."""
        with self._lock:
            self._view(slot).expected_online = False

    def witness(self, slot: int, needs: frozenset[BenchResource], since_s: float) -> OnlineWitness | None:
        """Another slot's camera that depends on at least ``needs``, seen online after ``since_s``: the latest."""
        with self._lock:
            seen = [(view.seen_online_s, other) for other, view in self._slots.items()
                    if other != slot and view.seen_online_s is not None and view.seen_online_s > since_s
                    and needs <= view.seen_depends_on]
        if not seen:
            return None
        seen_s, other = max(seen)
        return OnlineWitness(other, seen_s)

    def look(self, slot: int, needs: frozenset[BenchResource]) -> OnlineWitness | None:
        """Watch the LEDs of the other slots' cameras on (at least) the same path, expected online (so loaded:
        unloading ends that), one after the other, until one shows itself online (then it is a sighting too).
        None: no such camera, or every one flashed offline or said nothing clear (the path may be down)."""
        with self._lock:
            candidates = [(other, view.watcher) for other, view in sorted(self._slots.items())
                          if other != slot and view.expected_online and view.watcher is not None
                          and needs <= view.depends_on]
        for other, watcher in candidates:
            assert watcher is not None
            try:
                pattern = watcher.observe(LOOK_S).pattern
            except PhotodiodeOverflow:
                continue   # that slot's own fault, for its own camera to end on; no evidence here
            with self._lock:
                still_expected = self._view(other).expected_online   # its slot did not restart it meanwhile
            # Dark, no offline flash: online. A clip proves less (it may have started before the path went).
            if pattern is Pattern.NONE and still_expected:
                self.saw_online(other)
                return OnlineWitness(other, self.clock.now(), looked=True)
        return None
