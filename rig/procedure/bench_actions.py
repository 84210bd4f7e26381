"""A slot's view of the shared bench: the leases its steps hold, and the bench actions it asks for.

With several slots a router outage or a stuck Sync Module is the bench's (docs/DESIGN.md): the router cycle
and the Sync Module cycle run once for every slot that asks (merged through :class:`BenchLeases`), and every
camera they touch records them in its notes, never in ``fixes_tried`` or ``fixed_by``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rig.procedure.leases import BenchEvent, BenchLeases

ROUTER_CYCLE = "power_cycle_router"
SYNC_MODULE_CYCLE = "power_cycle_sync_module"


@dataclass
class SlotBench:
    """What one slot's procedure uses of the bench it shares with the other slots."""

    slot: int
    leases: BenchLeases
    _seen: int = field(default=0, repr=False)

    @contextmanager
    def network(self) -> Iterator[None]:
        """Hold the network as it is while the step watches the camera (no bench cycle starts meanwhile)."""
        with self.leases.network(self.slot):
            yield

    def cycle(self, action: str, run: Callable[[], str]) -> BenchEvent:
        """Run a bench action once for every slot asking for it meanwhile."""
        return self.leases.exclusive(action, self.slot, run)

    def camera_loaded(self) -> None:
        self.leases.occupy(self.slot)
        self._seen = self.leases.mark()

    def camera_unloaded(self) -> None:
        self.leases.vacate(self.slot)

    def new_events(self) -> list[BenchEvent]:
        """Bench actions that touched this slot since the last call (the camera must be watched again)."""
        events = self.leases.events_since(self._seen, self.slot)
        self._seen = self.leases.mark()
        return events


def event_note(event: BenchEvent, slot: int, started_s: float) -> str:
    """How a camera's notes record a bench action that touched it."""
    asked = ", ".join(str(s) for s in event.requested_by)
    plural = "s" if len(event.requested_by) > 1 else ""
    who = "asked by this slot" if event.requested_by == (slot,) else f"asked by slot{plural} {asked}"
    outcome = "" if event.ok else f" (failed: {event.detail})"
    return (f"bench event: {event.action} at {event.started_s - started_s:.0f}-{event.finished_s - started_s:.0f} s, "
            f"{who}, touched slots {', '.join(str(s) for s in event.touched)}{outcome}: not a verdict on the camera")
