"""Several cameras at once: every slot of the fixture runs its own procedure, concurrently.

Cameras are queued in file (or scan) order; each is loaded into the first free slot, after the technician's
swap time when the slot held one before. The slots share the bench through :class:`BenchLeases` (a router or
Sync Module cycle runs once for all who ask, and is noted in every camera it touched) and share one operator,
whose prompts queue, each naming its slot. How the slots' threads run is the caller's: taking turns in virtual
time on the simulator (deterministic for a seed), real threads on a Pi (:func:`run_threads`).

``run_slots`` is the one scheduler for ``rig test``, and the API a station page or ``rig cycle`` can drive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rig.core.clock import Clock
from rig.core.events import ProgressListener
from rig.core.models import camera_model
from rig.core.records import CameraRecord, Disposition
from rig.core.stop import INTERRUPTED_PREFIX, StopFlag, StopRequested
from rig.hardware.fixture import Fixture
from rig.output.writers import BatchOutputs, OutputFailed
from rig.procedure.batch import BatchStopped, abort_reason
from rig.procedure.bench_actions import SlotBench, event_note
from rig.procedure.controller import LadderPolicy, ProcedureController
from rig.procedure.leases import BenchLeases
from rig.procedure.observe import LedWatcher
from rig.procedure.operator import Operator, OperatorReply, OperatorTask
from rig.procedure.witnesses import BenchWitnesses
from rig.ui.scanner import CameraId

QUEUE_POLL_S = 0.25   # a slot waiting for another one to take its camera from a source that waits

@dataclass
class SlotResult:
    """How one slot's thread ended: its return value, or the exception it raised."""

    value: object = None
    error: BaseException | None = None


Runner = Callable[[Sequence[Callable[[], object]]], Sequence[SlotResult]]
"""Runs the slots' tasks concurrently to their ends (an exception is returned, not raised)."""


class Loader(Protocol):
    """The technician's hands on the simulator (a real bench loads by hand and scans)."""

    def load(self, slot: int, index: int) -> None: ...

    def unload(self, slot: int) -> None: ...


class SlotOperator:
    """The one operator, asked by one slot: every prompt names its slot."""

    def __init__(self, operator: Operator, slot: int) -> None:
        self.operator = operator
        self.slot = slot

    def request(self, task: OperatorTask, serial: str, instructions: str, timeout_s: float) -> OperatorReply:
        return self.operator.request(task, serial, f"slot {self.slot}: {instructions}", timeout_s)


def run_threads(tasks: Sequence[Callable[[], object]]) -> list[SlotResult]:
    """A real bench's runner: one thread per slot (the clock's sleeps are real, the leases poll on it)."""
    results = [SlotResult() for _ in tasks]

    def participate(task: Callable[[], object], result: SlotResult) -> None:
        try:
            result.value = task()
        except BaseException as exc:  # returned to run_slots, which decides what a slot's failure means
            result.error = exc

    threads = [threading.Thread(target=participate, args=(task, result), name=f"slot-{n}", daemon=True)
               for n, (task, result) in enumerate(zip(tasks, results, strict=True), start=1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.1)   # a timed join keeps the main thread responsive to signals
    return results


def raise_slot_errors(results: Sequence[SlotResult]) -> None:
    """Raise the first error a slot's thread ended with; a stop request is the caller's to report."""
    for result in results:
        if result.error is not None and not isinstance(result.error, StopRequested):
            raise result.error


class CameraQueue:
    """Cameras in order, handed to whichever slot asks first. A source may wait for its next camera (a scan on
    the station page) on the clock; a slot asking meanwhile waits on the clock too, never on the lock alone:
    in virtual time, a thread blocked outside the clock would stop every slot's turn."""

    def __init__(self, cameras: Iterable[CameraId], clock: Clock) -> None:
        self._cameras: Iterator[CameraId] = iter(cameras)
        self._index = 0
        self._lock = threading.Lock()
        self._clock = clock
        self.closed = False

    def take(self) -> tuple[int, CameraId] | None:
        while not self._lock.acquire(blocking=False):
            self._clock.sleep(QUEUE_POLL_S)
        try:
            if self.closed:
                return None
            camera = next(self._cameras, None)
            if camera is None:
                self.closed = True
                return None
            self._index += 1
            return self._index - 1, camera
        finally:
            self._lock.release()


def run_slots(
    fixture: Fixture,
    cameras: Iterable[CameraId],
    listener_for_slot: Callable[[int], ProgressListener],
    operator: Operator,
    outputs: BatchOutputs,
    stop: StopFlag | None = None,
    *,
    runner: Runner = run_threads,
    loader: Loader | None = None,
    swap_s: float = 0.0,
    records: list[CameraRecord] | None = None,
    policy: LadderPolicy | None = None,
    soak: Any = None,
) -> list[CameraRecord]:
    """Test every camera on the fixture's slots at once; ``records`` fills as cameras finish (in finishing
    order, each with its ``slot``). Raises ``OutputFailed`` when a result could not be written, and
    :class:`BatchStopped` when a rig fault stopped a slot (the other slots went on with the queue). ``soak``:
    ``rig test --soak``'s sequence, run on each slot's camera after a pass or a fix."""
    records = [] if records is None else records
    slots = max(1, len(fixture.slots))
    leases = BenchLeases(fixture.clock)
    witnesses = BenchWitnesses(fixture.clock)
    queue = CameraQueue(cameras, fixture.clock)
    written = threading.Lock()
    stopped: list[str] = []
    output_failed: list[OutputFailed] = []

    def slot_task(slot: int) -> None:
        if stop is not None:
            stop.as_slot()
        view = fixture.slot_fixture(slot)
        bench = SlotBench(slot, leases, witnesses)
        bench.watch_led(LedWatcher(view.photodiode, view.clock))
        listener = listener_for_slot(slot)
        controller = ProcedureController(view, SlotOperator(operator, slot), listener, policy=policy,
                                         bench=bench if slots > 1 else None, soak=soak)
        held_one = False
        while not output_failed and not (stop is not None and stop.requested):
            item = queue.take()
            if item is None:
                return
            index, camera = item
            if held_one and swap_s > 0:
                try:
                    view.clock.sleep(swap_s)   # the technician unloads the last camera and loads this one
                except StopRequested:
                    return
            if loader is not None:
                loader.load(slot, index)
            bench.camera_loaded(camera_model(camera.model))
            mark = leases.mark()
            record = controller.test_camera(index, camera.serial, camera.model)
            record.slot = slot
            record.notes += [event_note(e, slot, record.started_s) for e in leases.events_since(mark, slot)]
            bench.camera_unloaded()
            if loader is not None:
                loader.unload(slot)
            held_one = True
            with written:
                records.append(record)
                try:
                    outputs.write(record)
                except OutputFailed as exc:
                    output_failed.append(exc)
                    queue.closed = True
                    return
                # Announced only once its row is on disk: "finished" on the screen means "in the CSV".
                listener.camera_finished(record)
            if record.disposition is Disposition.ABORTED:
                reason = abort_reason(record)
                if not reason.startswith(INTERRUPTED_PREFIX):
                    # A rig fault in this slot: it takes no more cameras; the others go on with the queue.
                    stopped.append(f"slot {slot} stopped after {camera.serial}: {reason}")
                return

    raise_slot_errors(runner([lambda n=n: slot_task(n) for n in range(1, slots + 1)]))
    if output_failed:
        raise output_failed[0]
    if stopped:
        raise BatchStopped("; ".join(stopped))
    if stop is not None:
        stop.check()
    return records
