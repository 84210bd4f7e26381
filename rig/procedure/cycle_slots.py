"""``rig cycle`` on several slots: each slot runs the sequence on its camera, concurrently.

The slots share one :class:`BenchLeases`: a router or Sync Module step is taken *together* (docs/DESIGN.md,
"Sequences"), so it switches once per cycle for every camera on the bench, each camera's row noting the
slots it was shared with. Cameras are queued in scenario order, each loaded into the first free slot, as for
``rig test`` (:mod:`rig.procedure.slots`); how the threads run is the caller's (turns in virtual time on the
simulator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from rig.core.stop import StopFlag
from rig.hardware.fixture import Fixture
from rig.procedure.cycle import CameraCycles, CycleAborted, CycleListener, CycleRow, CycleRunner
from rig.procedure.leases import BenchLeases
from rig.procedure.operator import Operator
from rig.procedure.sequence_file import Sequence
from rig.procedure.slots import CameraQueue, Loader, Runner, SlotOperator, raise_slot_errors, run_threads
from rig.ui.scanner import CameraId


def run_cycle_slots(
    fixture: Fixture,
    cameras: Iterable[CameraId],
    operator: Operator,
    listener: CycleListener,
    sequence: Sequence,
    write: Callable[[CycleRow], None],
    wall_clock: Callable[[], datetime],
    results: list[CameraCycles],
    stop: StopFlag | None = None,
    *,
    runner: Runner = run_threads,
    loader: Loader | None = None,
) -> None:
    """Every camera through ``sequence`` on the fixture's slots; ``results`` fills as cameras finish. Raises
    the first :class:`CycleAborted` (a rig fault: that slot takes no more cameras, the others finish theirs)
    or any other error a slot raised."""
    slots = max(1, len(fixture.slots))
    leases = BenchLeases(fixture.clock)
    queue = CameraQueue(cameras, fixture.clock)
    aborted: list[CycleAborted] = []

    def slot_task(slot: int) -> None:
        if stop is not None:
            stop.as_slot()
        cycle_runner = CycleRunner(fixture.slot_fixture(slot), SlotOperator(operator, slot), listener, sequence,
                                   write, wall_clock, leases=leases, slot=slot)
        while not (stop is not None and stop.requested):
            item = queue.take()
            if item is None:
                return
            index, camera = item
            if loader is not None:
                loader.load(slot, index)
            try:
                results.append(cycle_runner.run_camera(index, camera.serial, camera.model))
            except CycleAborted as exc:
                results.append(exc.result)
                aborted.append(exc)
                return
            finally:
                if loader is not None:
                    loader.unload(slot)

    raise_slot_errors(runner([lambda n=n: slot_task(n) for n in range(1, slots + 1)]))
    if aborted:
        raise aborted[0]
    if stop is not None:
        stop.check()
