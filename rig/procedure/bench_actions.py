"""A slot's view of the shared bench: the leases its steps hold, and the bench actions it asks for.

With several slots a router outage or a stuck Sync Module is the bench's (docs/DESIGN.md): the router cycle
and the Sync Module cycle run once for every slot that asks (merged through :class:`BenchLeases`), and every
camera they touch records them in its notes, never in ``fixes_tried`` or ``fixed_by``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rig.core.models import CameraModel
from rig.procedure.leases import BenchEvent, BenchLeases, BenchResource
from rig.procedure.observe import LedWatcher
from rig.procedure.witnesses import BenchWitnesses, OnlineWitness

ROUTER_CYCLE = "power_cycle_router"
SYNC_MODULE_CYCLE = "power_cycle_sync_module"


@dataclass(frozen=True)
class BenchAction:
    """A power cycle of a part of the shared bench, performed by a fix's act on some of its outlets."""

    name: str                               # how steps and notes name it
    resource: BenchResource                 # what it cycles: the cameras depending on it are touched
    fix: str                                # the fix whose act performs it
    outlets: tuple[str, ...] | None = None  # only these of the fix's outlets (None: the fix's own)

    @property
    def reboots_camera(self) -> bool:
        """Whether the cameras behind it restart their connection from scratch (a booting grace applies)."""
        return self.outlets is not None


ROUTER_ACTION = BenchAction(ROUTER_CYCLE, BenchResource.ROUTER, "power_cycle_router")
SYNC_MODULE_ACTION = BenchAction(SYNC_MODULE_CYCLE, BenchResource.SYNC_MODULE, "restart_camera", ("sync_module",))


def depends_on(model: CameraModel) -> frozenset[BenchResource]:
    """What a camera of ``model`` needs of the bench to be online."""
    if model.via_sync_module:
        return frozenset({BenchResource.ROUTER, BenchResource.SYNC_MODULE})
    return frozenset({BenchResource.ROUTER})


@dataclass
class SlotBench:
    """What one slot's procedure uses of the bench it shares with the other slots."""

    slot: int
    leases: BenchLeases
    witnesses: BenchWitnesses
    _seen: int = field(default=0, repr=False)

    @contextmanager
    def network(self) -> Iterator[None]:
        """Hold the network as it is while the step watches the camera (no bench cycle starts meanwhile)."""
        with self.leases.network(self.slot):
            yield

    def cycle(self, action: BenchAction, run: Callable[[], str]) -> BenchEvent:
        """Run a bench action once for every slot asking for it meanwhile."""
        return self.leases.exclusive(action.name, self.slot, run, resource=action.resource)

    def watch_led(self, watcher: LedWatcher) -> None:
        """Let the other slots look at this slot's LED (their evidence about the bench path)."""
        self.witnesses.watch_led(self.slot, watcher)

    def camera_loaded(self, model: CameraModel) -> None:
        self.leases.occupy(self.slot, depends_on(model))
        self.witnesses.loaded(self.slot, depends_on(model))
        self._seen = self.leases.mark()

    def camera_unloaded(self) -> None:
        self.leases.vacate(self.slot)
        self.witnesses.unloaded(self.slot)

    def saw_online(self, at_s: float | None = None) -> None:
        """This slot saw its camera online (dark LED, probe up) now, or at ``at_s``."""
        self.witnesses.saw_online(self.slot, at_s)

    def disturbing(self) -> None:
        """This slot is about to restart or reset its camera: no witness of the bench until seen online again."""
        self.witnesses.disturbed(self.slot)

    def path_witness(self, model: CameraModel, look: bool = False) -> OnlineWitness | None:
        """Another slot's camera on (at least) the same bench path as ``model``, seen online since any part of
        that path last changed: the path works, so a camera of ``model`` offline now is offline on its own.
        ``look``: when no sighting says so, watch the LEDs of the cameras expected online on that path."""
        needs = depends_on(model)
        if self.leases.cycling(needs):
            return None   # a cycle of that path is asked for or running: what was seen says nothing of after it
        witness = self.witnesses.witness(self.slot, needs, self.leases.last_changed(needs))
        if witness is None and look:
            witness = self.witnesses.look(self.slot, needs)
        return witness

    def back_since(self, model: CameraModel, since_s: float) -> OnlineWitness | None:
        """Another slot's camera on (at least) the same bench path as ``model``, seen online after ``since_s``."""
        return self.witnesses.witness(self.slot, depends_on(model), since_s)

    def path_cycling(self, model: CameraModel) -> bool:
        """Whether a bench cycle of the path of a camera of ``model`` is asked for or running."""
        return self.leases.cycling(depends_on(model))

    def path_changed_s(self, model: CameraModel) -> float:
        """When the bench path of a camera of ``model`` last changed (a camera joined it, or it was cycled)."""
        return self.leases.last_changed(depends_on(model))

    def path_cycled_s(self, model: CameraModel) -> float:
        """When the last bench power cycle of anything a camera of ``model`` depends on ended (-inf: none)."""
        return max(self.leases.last_cycled(resource) for resource in depends_on(model))

    def router_cycled_s(self) -> float:
        """When the last bench power cycle of the router ended (-inf: none yet)."""
        return self.leases.last_cycled(BenchResource.ROUTER)

    def pending_events(self) -> list[BenchEvent]:
        """Bench actions that touched this slot since the last :meth:`new_events`, left for it to take."""
        return self.leases.events_since(self._seen, self.slot)

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
