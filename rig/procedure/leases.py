"""The bench's shared resources, held by the slots through leases.

Every slot's camera depends on the one router and the one Sync Module. A step that needs the network to stay
as it is (watching the LED, verifying a camera is online, a motion test) holds the bench *shared*; a power
cycle of the router or the Sync Module takes it *exclusive*. An exclusive request waits until the running
shared holds end (each one ends at a safe point: an observation finished), and new shared holds wait while it
is pending, so a cycle is never starved. Requests for the same action made while one is pending or running are
merged: the cycle runs once, for all who asked. Every slot on the bench at that moment is touched by it, and learns
so from :meth:`BenchLeases.events_since` before its next step, to record the event and observe again. A cycle
touches only the cameras that depend on what it cycles: a Sync Module cycle leaves a Mini alone.

When each part of the bench last changed (a camera joined it, or it was cycled) is kept here too: what the slots
saw of the bench before that says nothing of it now (rig.procedure.witnesses).

All waiting polls through the injected clock, so the same code runs on real threads on a Pi and taking turns
in virtual time on the simulator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from rig.core.clock import Clock

POLL_S = 0.25   # how often a waiting slot looks again (virtual on the simulator)


class BenchResource(StrEnum):
    """What a camera on the bench depends on, and what a bench action cycles."""

    ROUTER = "router"              # every camera
    SYNC_MODULE = "sync_module"    # the cameras that reach the router through it


EVERYTHING = frozenset(BenchResource)


@dataclass(frozen=True)
class BenchEvent:
    """A bench action that touched several slots: recorded in the notes of each camera it touched."""

    action: str                      # e.g. "power_cycle_router"
    requested_by: tuple[int, ...]    # slots whose request it answered
    touched: tuple[int, ...]         # slots with a camera on the bench while it ran
    started_s: float
    finished_s: float
    ok: bool = True
    detail: str = ""


@dataclass
class _Request:
    action: str
    requested_by: list[int]
    started: bool = False
    event: BenchEvent | None = None
    error: BaseException | None = None
    waiters: int = 0
    together: bool = False   # starts only once every slot on the bench has asked (a sequence's bench step)
    resource: BenchResource | None = None   # what it cycles (None: the whole bench, e.g. a sequence's step)


@dataclass
class BenchLeases:
    clock: Clock
    poll_s: float = POLL_S
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _shared: dict[int, int] = field(default_factory=dict, repr=False)      # slot -> nested hold count
    _occupied: dict[int, frozenset[BenchResource]] = field(default_factory=dict, repr=False)  # slot -> depends on
    # When each part of the bench last changed: a camera that depends on it loaded, or a bench action ended.
    _changed_s: dict[BenchResource, float] = field(default_factory=dict, repr=False)
    _cycled_s: dict[BenchResource, float] = field(default_factory=dict, repr=False)   # when its last cycle ended
    _pending: list[_Request] = field(default_factory=list, repr=False)
    _events: list[BenchEvent] = field(default_factory=list, repr=False)

    # --- occupancy -------------------------------------------------------------------------------------------
    def occupy(self, slot: int, depends_on: frozenset[BenchResource] = EVERYTHING) -> None:
        """A camera is on ``slot``: bench events that cycle what it depends on touch it from now on. A camera
        loaded is the moment a bench fault of what it joins may start (docs/DESIGN.md: a camera joining the Sync
        Module can leave it stuck): no earlier witness vouches for that part of the bench."""
        with self._lock:
            self._occupied[slot] = depends_on
            for resource in depends_on:
                self._changed_s[resource] = self.clock.now()

    def vacate(self, slot: int) -> None:
        with self._lock:
            self._occupied.pop(slot, None)
            self._shared.pop(slot, None)

    # --- shared holds ----------------------------------------------------------------------------------------
    @contextmanager
    def network(self, slot: int) -> Iterator[None]:
        """Hold the bench shared: no router or Sync Module cycle starts until this block ends."""
        self._wait(lambda: self._try_share(slot))
        try:
            yield
        finally:
            with self._lock:
                count = self._shared.get(slot, 0) - 1
                if count > 0:
                    self._shared[slot] = count
                else:
                    self._shared.pop(slot, None)

    def _try_share(self, slot: int) -> bool:
        with self._lock:
            # A slot already holding may nest; a new hold waits behind a pending exclusive request (one made
            # together waits behind only once every slot has asked: until then the others must reach it).
            if slot not in self._shared and any(self._due(r) for r in self._pending):
                return False
            self._shared[slot] = self._shared.get(slot, 0) + 1
            return True

    def last_changed(self, resources: frozenset[BenchResource]) -> float:
        """When any of ``resources`` last changed: a camera depending on it loaded, or a bench action ended."""
        with self._lock:
            return max((self._changed_s.get(r, float("-inf")) for r in resources), default=float("-inf"))

    def cycling(self, resources: frozenset[BenchResource]) -> bool:
        """Whether a bench action on any of ``resources`` is asked for or running: the path is about to change."""
        with self._lock:
            return any(r.resource is None or r.resource in resources for r in self._pending)

    def last_cycled(self, resource: BenchResource) -> float:
        """When the last bench action that cycled ``resource`` ended (-inf: none yet)."""
        with self._lock:
            return self._cycled_s.get(resource, float("-inf"))

    # --- exclusive actions -----------------------------------------------------------------------------------
    def exclusive(self, action: str, slot: int, run: Callable[[], str], *, together: bool = False,
                  resource: BenchResource | None = None) -> BenchEvent:
        """Run ``run`` (a router or Sync Module cycle) once for every slot asking for ``action`` meanwhile.

        ``run`` returns a detail line for the event; an exception it raises is raised in every slot that
        asked. The caller must not hold the bench shared (its own hold would wait for itself). ``together``
        (a ``rig cycle`` bench step, which every slot's sequence has): the action waits until every slot on
        the bench has asked for it (or left), so that it happens once per cycle for all of them. ``resource``:
        what the action cycles; it touches the cameras that depend on it (None: every camera on the bench).
        """
        with self._lock:
            if self._shared.get(slot):
                raise RuntimeError(f"slot {slot} asked for {action} while holding the bench shared")
            # A cycle of the same outlet already asked for, or already running, answers this request too.
            request = next((r for r in self._pending if r.action == action), None)
            if request is None:
                request = _Request(action, [slot], together=together, resource=resource)
                self._pending.append(request)
                leader = True
            else:
                if slot not in request.requested_by:
                    request.requested_by.append(slot)
                leader = False
            request.waiters += 1
        try:
            if leader:
                self._lead(request, run)
            else:
                self._wait(lambda: request.event is not None or request.error is not None)
        finally:
            with self._lock:
                request.waiters -= 1
        if request.error is not None:
            raise request.error
        assert request.event is not None
        return request.event

    def _lead(self, request: _Request, run: Callable[[], str]) -> None:
        # Wait for the shared holds to reach their safe points, and for any earlier exclusive action.
        self._wait(lambda: self._may_start(request))
        started_s = self.clock.now()
        try:
            detail = run()
            ok = True
        except BaseException as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
            request.error = exc
        with self._lock:
            touched = {s for s, depends in self._occupied.items()
                       if request.resource is None or request.resource in depends}
            event = BenchEvent(
                request.action,
                tuple(request.requested_by),
                tuple(sorted(touched | set(request.requested_by))),
                started_s,
                self.clock.now(),
                ok,
                detail,
            )
            for resource in (EVERYTHING if request.resource is None else {request.resource}):
                self._changed_s[resource] = self._cycled_s[resource] = event.finished_s
            self._events.append(event)
            request.event = event
            self._pending.remove(request)

    def _due(self, request: _Request) -> bool:
        """Whether ``request`` may start once the bench is free (caller holds the lock)."""
        return not request.together or set(self._occupied) <= set(request.requested_by)

    def _may_start(self, request: _Request) -> bool:
        with self._lock:
            if not self._due(request):
                return False
            if self._shared:
                return False
            if any(r.started for r in self._pending):
                return False
            if self._pending[0] is not request:
                return False
            request.started = True
            return True

    # --- what happened -----------------------------------------------------------------------------------------
    def mark(self) -> int:
        """A position in the event log: :meth:`events_since` gives what came after it."""
        with self._lock:
            return len(self._events)

    def events_since(self, mark: int, slot: int | None = None) -> list[BenchEvent]:
        """Events after ``mark``, only those that touched ``slot`` when one is given."""
        with self._lock:
            events = self._events[mark:]
        return [e for e in events if slot is None or slot in e.touched]

    @property
    def events(self) -> list[BenchEvent]:
        with self._lock:
            return list(self._events)

    def _wait(self, ready: Callable[[], bool]) -> None:
        while not ready():
            self.clock.sleep(self.poll_s)
