"""The real bench's runner (docs/DESIGN.md, "Slots"): ``run_threads`` on real threads, and ``run_slots`` on it with
a clock that runs in real time.

The simulator's slots normally take turns in virtual time (firmware_sim/turns.py); here they are the real
threads a Pi runs, on :class:`WallPacedClock`: virtual seconds pass in wall time, a thousand times faster, so
the leases, the operator and the camera queue poll on a clock whose sleeps really block. The simulated world is
not thread-safe (a Pi's hardware is): a slot's thread holds the world while it runs and lets go of it while it
sleeps, so the threads interleave where a Pi's would, at their waits, in the order the wall clock and the OS
wake them.
"""

from __future__ import annotations

import csv
import itertools
import signal
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path

import pytest

from firmware_sim.bench import build_sim_hardware
from firmware_sim.clock import VirtualClock
from firmware_sim.scenario import parse_scenario
from rig.core.clock import MonotonicClock
from rig.core.config import load_config
from rig.core.events import SilentListener
from rig.core.records import CameraRecord
from rig.core.stop import StopFlag, StopRequested, stop_on_signals
from rig.hardware.fixture import build_fixture
from rig.output.results import ResultsCsv
from rig.output.writers import BatchOutputs
from rig.procedure.slots import CameraQueue, SlotResult, run_slots, run_threads
from rig.sim import SimulatedLoader, slotted
from rig.ui.scanner import CameraId

# A slot's thread that died of an exception the runner did not take back would print its traceback on the screen.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

SPEEDUP = 1000.0   # virtual seconds per wall second: a camera's few minutes take a fraction of a second
PATIENCE_S = 10.0  # how long a test waits for something that a working runner does at once


# --- run_threads -----------------------------------------------------------------------------------------------

def test_every_task_runs_on_its_own_thread_at_the_same_time() -> None:
    barrier = threading.Barrier(3, timeout=PATIENCE_S)   # passes only with all three tasks running at once
    main = threading.get_ident()

    def task() -> int:
        barrier.wait()
        return threading.get_ident()

    results = run_threads([task, task, task])
    assert [r.error for r in results] == [None, None, None]
    idents = [r.value for r in results]
    assert len(set(idents)) == 3 and main not in idents


def test_results_come_back_in_the_tasks_order_not_the_finishing_order() -> None:
    finished: list[int] = []
    done = [threading.Event() for _ in range(3)]

    def task(n: int) -> Callable[[], str]:
        def run() -> str:
            if n < 2:
                assert done[n + 1].wait(PATIENCE_S)   # task 2 ends first, then 1, then 0
            finished.append(n)
            done[n].set()
            return f"value {n}"
        return run

    results = run_threads([task(0), task(1), task(2)])
    assert finished == [2, 1, 0]
    assert [r.value for r in results] == ["value 0", "value 1", "value 2"]


def test_an_exception_in_one_task_is_returned_and_the_others_run_to_their_end() -> None:
    failed = threading.Event()

    def failing() -> None:
        failed.set()
        raise ValueError("INA219 gone")

    def after_it() -> str:
        assert failed.wait(PATIENCE_S)
        time.sleep(0.05)   # still running well after the other thread died
        return "finished"

    results = run_threads([failing, after_it, lambda: "quick"])
    assert isinstance(results[0].error, ValueError) and str(results[0].error) == "INA219 gone"
    assert results[0].value is None
    assert [(r.value, r.error) for r in results[1:]] == [("finished", None), ("quick", None)]


@pytest.mark.parametrize("exc", [StopRequested(signal.SIGINT), KeyboardInterrupt(), SystemExit(3)])
def test_a_base_exception_in_a_task_is_returned_not_raised(exc: BaseException) -> None:
    def stopped() -> None:
        raise exc

    results = run_threads([stopped, lambda: 7])
    assert results[0].error is exc and results[1].value == 7


def test_no_tasks_no_threads() -> None:
    assert run_threads([]) == []


class Interrupted(Exception):
    """What the test's signal handler raises in the main thread."""


def test_a_signal_reaches_the_main_thread_while_the_tasks_run() -> None:
    """The main thread joins with a timeout: a handler that raises (Ctrl-C's default) lands while the slots still
    run, not after them. The task is held until the interrupt arrived (or the test's patience ran out)."""
    release = threading.Event()
    started = threading.Event()
    finished = threading.Event()

    def task() -> str:
        started.set()
        release.wait(PATIENCE_S)
        finished.set()
        return "done"

    def handler(_signum: int, _frame: object) -> None:
        raise Interrupted

    def interrupt() -> None:
        assert started.wait(PATIENCE_S)
        time.sleep(0.05)   # the main thread is in its join by now
        signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)

    previous = signal.signal(signal.SIGUSR1, handler)
    sender = threading.Thread(target=interrupt)
    try:
        sender.start()
        with pytest.raises(Interrupted):
            run_threads([task])
        assert not finished.is_set()   # the interrupt came out while the slot still ran, not once it ended
    finally:
        release.set()
        sender.join()
        signal.signal(signal.SIGUSR1, previous)


def test_a_signal_wakes_every_slot_s_sleep_on_the_wall_clock() -> None:
    """Four slots asleep on the monotonic clock, a SIGTERM handled in run_threads' join: every one of them wakes
    and raises at once (they share one wake-up pipe, which the first one awake drains), none sleeps on."""
    stop = StopFlag()
    clock = MonotonicClock(stop)
    asleep = threading.Barrier(5, timeout=PATIENCE_S)

    def slot() -> float:
        stop.as_slot()
        asleep.wait()
        start = time.monotonic()
        try:
            clock.sleep(PATIENCE_S)
        finally:
            slept.append(time.monotonic() - start)
        return -1.0

    def send_sigterm() -> None:
        asleep.wait()
        time.sleep(0.05)   # the slots are in their sleep by now
        signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)

    slept: list[float] = []
    sender = threading.Thread(target=send_sigterm)
    with stop_on_signals(stop):
        sender.start()
        results = run_threads([slot, slot, slot, slot])
    sender.join()
    stop.close()
    assert all(isinstance(r.error, StopRequested) for r in results), results
    assert len(slept) == 4 and max(slept) < PATIENCE_S / 2, slept


# --- the camera queue, taken from by real threads ------------------------------------------------------------

class HundredfoldClock(MonotonicClock):
    """The wall clock, a hundred times faster: the queue's polls and a technician's seconds in milliseconds."""

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds / 100)


def test_the_camera_queue_hands_each_camera_to_one_slot_in_order_while_its_source_waits() -> None:
    """A source that waits for its next camera (a scan) on the wall clock while the slots' threads all ask: each
    camera goes to exactly one of them, with its place in the queue, and every slot hears the end once."""
    clock = HundredfoldClock()
    serials = [f"S-{n}" for n in range(12)]

    def scanned():
        for serial in serials:
            clock.sleep(0.2)   # the technician scans the next camera
            yield CameraId(serial, "mini")

    queue = CameraQueue(scanned(), clock)
    taken: dict[int, list[tuple[int, str]]] = {}

    def slot(n: int) -> Callable[[], None]:
        def run() -> None:
            taken[n] = []
            while (item := queue.take()) is not None:
                taken[n].append((item[0], item[1].serial))
                clock.sleep(3.0)   # testing it
        return run

    results = run_threads([slot(1), slot(2), slot(3)])
    assert [r.error for r in results] == [None, None, None]
    handed = sorted(item for items in taken.values() for item in items)
    assert handed == list(enumerate(serials))
    assert all(items == sorted(items) for items in taken.values())
    assert sum(1 for items in taken.values() if items) >= 2   # the slots shared the queue
    assert queue.take() is None


# --- run_slots on real threads, in real time --------------------------------------------------------------------

class WallPacedClock:
    """A ``rig.core.clock.Clock`` over the simulator's :class:`VirtualClock` whose sleeps take wall time, for the
    slots' real threads: ``sleep(s)`` blocks until ``s / speedup`` wall seconds after the virtual time it was asked
    at, then moves the world to its wake time and runs on.

    The simulated world is not thread-safe (a Pi's hardware is), so one slot thread at a time holds it, and lets go
    of it while it sleeps. And a Pi's threads wake microseconds late where the bench takes seconds, but here a
    thousand times faster a thread the OS runs 100 ms late would miss 100 s of the bench: so the world moves to a
    thread's wake time only once no other slot thread is due earlier (ties: the one that asked first).

    Outside the slots' threads (the fixture built and closed by the main thread) it is the plain virtual clock."""

    virtual = True

    def __init__(self, clock: VirtualClock, speedup: float = SPEEDUP) -> None:
        self.clock = clock
        self.speedup = speedup
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, int]] = {}   # slot thread -> (wake time, order asked)
        self._order = itertools.count()
        self._holder: int | None = None   # the slot thread that holds the world
        self._slots = 0                    # slot threads still to start: none takes the world before all have
        self._anchor = (time.monotonic(), clock.now())   # (wall, virtual) when the slots started
        self.sleeps = 0

    def now(self) -> float:
        return self.clock.now()

    def sleep(self, seconds: float) -> None:
        target_s = self.clock.now() + max(0.0, seconds)
        me = threading.get_ident()
        if self._holder == me:
            self.sleeps += 1
            self._let_go(me, target_s)
            wall0, virtual0 = self._anchor
            delay = wall0 + (target_s - virtual0) / self.speedup - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._take(me)
        self.clock.advance_to(target_s)   # the stop request, if any, is raised here (the clock's stop)

    def _let_go(self, me: int, wake_s: float | None) -> None:
        with self._cond:
            self._holder = None
            if wake_s is not None:
                self._due[me] = (wake_s, next(self._order))
            self._cond.notify_all()

    def _take(self, me: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._slots == 0 and self._holder is None
                                and min(self._due.values()) == self._due[me])
            del self._due[me]
            self._holder = me

    def holding_world(self, task: Callable[[], object]) -> Callable[[], object]:
        """``task`` run in its thread holding the world (let go of at its sleeps and at its end)."""
        def run() -> object:
            me = threading.get_ident()
            with self._cond:
                self._due[me] = (self.clock.now(), next(self._order))
                self._slots -= 1
                self._cond.notify_all()
            self._take(me)
            try:
                return task()
            finally:
                self._let_go(me, None)
        return run

    def runner(self, tasks: Sequence[Callable[[], object]]) -> list[SlotResult]:
        """``run_threads`` itself, each slot's task holding the world while it runs."""
        self._anchor = (time.monotonic(), self.clock.now())
        self._slots = len(tasks)
        return run_threads([self.holding_world(task) for task in tasks])


def camera(serial: str, model: str, *faults: str) -> str:
    return f'[[camera]]\nserial = "{serial}"\nmodel = "{model}"\nfaults = [{", ".join(repr(f) for f in faults)}]\n'


class ThreadsSeen:
    """Each slot's listener, asked for in that slot's own thread: which thread ran which slot."""

    def __init__(self, fail_in_slot: int | None = None) -> None:
        self.threads: dict[int, int] = {}
        self.fail_in_slot = fail_in_slot

    def __call__(self, slot: int) -> SilentListener:
        self.threads[slot] = threading.get_ident()
        return FailingListener() if slot == self.fail_in_slot else SilentListener()


class FailingListener(SilentListener):
    """A slot whose procedure meets a bug of the rig's (not a rig fault): the exception ends the slot's thread."""

    def step_started(self, name: str, detail: str = "") -> None:
        raise RuntimeError(f"a bug in the progress display at {name}")


class RealTimeBench:
    """The simulated bench with ``slots`` slots, its fixture on a :class:`WallPacedClock`, run by ``run_slots`` on
    ``run_threads``."""

    def __init__(self, cameras: str, slots: int = 2, swap_s: float = 20, stop: StopFlag | None = None) -> None:
        self.scenario = parse_scenario(f"seed = 0\n[bench]\nslots = {slots}\nswap_s = {swap_s}\n{cameras}",
                                       "s.toml")
        config = slotted(load_config(), slots)
        self.hardware = build_sim_hardware(config, self.scenario, clock=VirtualClock(stop=stop))
        self.clock = WallPacedClock(self.hardware.clock)
        self.hardware.world.take_turns(self.clock)   # the operator and the probe wait in the asking slot's thread
        self.fixture = build_fixture(config, self.clock, pin_factory=self.hardware.factory,
                                     i2c_bus=self.hardware.i2c_bus, network=self.hardware.world.network_probe,
                                     power_overrides=self.hardware.power_overrides)
        self.stop = stop
        self.threads = ThreadsSeen()
        self.records: list[CameraRecord] = []
        self.wall_s = 0.0

    def run(self, tmp_path: Path) -> dict[str, CameraRecord]:
        """Every camera through ``run_slots`` (what it raises, raised), then the fixture closed: the outlets
        must all end on."""
        csv_path = tmp_path / "r.csv"
        outputs = BatchOutputs(ResultsCsv(str(csv_path)), tmp_path / "records", outputs=("csv",))
        cameras = [CameraId(spec.serial, spec.model) for spec in self.scenario.cameras]
        start = time.monotonic()
        try:
            run_slots(self.fixture, cameras, self.threads, self.hardware.world.operator, outputs, self.stop,
                      runner=self.clock.runner, loader=SimulatedLoader(self.hardware), swap_s=self.scenario.swap_s,
                      records=self.records)
        finally:
            self.wall_s = time.monotonic() - start
            assert self.fixture.close() == []
            self.outlets_on = {"router": self.hardware.wiring.state("router"),
                               "sync_module": self.hardware.wiring.state("sync_module")}
            self.outlets_on |= {f"slot {slot.slot} camera": slot.wiring.state("camera") for slot in self.hardware.slots}
            self.hardware.close()
            with open(csv_path, newline="") as f:
                self.rows = list(csv.DictReader(f))
        return {r.serial: r for r in self.records}

    def offs(self, device: str) -> int:
        return sum(1 for change in self.hardware.wiring.changes(device)[1:] if not change.state)


def bench_notes(record: CameraRecord, action: str) -> list[str]:
    return [n for n in record.notes if n.startswith(f"bench event: {action}")]


def test_two_slots_on_real_threads_share_one_router_cycle(tmp_path) -> None:
    bench = RealTimeBench(camera("A-1", "outdoor", "router_down") + camera("B-2", "mini", "router_down")
                          + camera("C-3", "mini"))
    records = bench.run(tmp_path)
    # Each slot ran on a thread of its own, not the caller's.
    main = threading.get_ident()
    assert sorted(bench.threads.threads) == [1, 2]
    assert len(set(bench.threads.threads.values())) == 2 and main not in bench.threads.threads.values()
    # The clock really waited: the virtual minutes took wall time (a lower bound only: a loaded machine is slower).
    assert bench.wall_s >= 0.9 * bench.clock.now() / SPEEDUP
    # Every camera one row, in the CSV too, each with its slot; the first two in the two slots at once.
    assert sorted(records) == ["A-1", "B-2", "C-3"]
    assert {records["A-1"].slot, records["B-2"].slot} == {1, 2}
    assert sorted((row["serial"], row["slot"]) for row in bench.rows) == sorted(
        (r.serial, str(r.slot)) for r in records.values())
    first, second = records["A-1"], records["B-2"]
    assert first.started_s < second.finished_s and second.started_s < first.finished_s
    # The router outage: asked for by both slots, cycled once, noted in both rows, nobody's verdict.
    assert bench.offs("router") == 1
    for record in (first, second):
        assert record.disposition.value == "pass", (record.serial, record.notes)
        assert record.fixes_tried == [] and record.fixed_by == ""
        (note,) = bench_notes(record, "power_cycle_router")
        assert "touched slots 1, 2" in note and ("asked by slots 1, 2" in note or "asked by slots 2, 1" in note)
    assert records["C-3"].disposition.value == "pass" and bench_notes(records["C-3"], "power_cycle_router") == []
    assert all(bench.outlets_on.values()), bench.outlets_on


def test_an_exception_in_one_slot_s_thread_is_raised_once_the_other_slot_finished_the_queue(tmp_path) -> None:
    bench = RealTimeBench("".join(camera(f"C-{n}", "mini") for n in range(1, 5)))
    bench.threads.fail_in_slot = 2
    with pytest.raises(RuntimeError, match="a bug in the progress display"):
        bench.run(tmp_path)
    records = {r.serial: r for r in bench.records}
    # Slot 2 died at the first step of the camera it took (no row: its procedure never ended); slot 1 went on
    # with the rest of the queue, every one of them passed and written, before run_slots raised.
    assert len(records) == 3 and all(r.slot == 1 and r.disposition.value == "pass" for r in records.values())
    assert sorted(row["serial"] for row in bench.rows) == sorted(records)
    assert all(bench.outlets_on.values()), bench.outlets_on


def test_a_signal_stops_both_slots_at_their_next_wait_with_their_rows_written(tmp_path) -> None:
    """SIGTERM sent to the process while both slots test a camera: the handler (stop_on_signals) runs in the main
    thread, in run_threads' join; each slot ends its camera at its next wait, writes its row, takes no more."""
    stop = StopFlag()
    bench = RealTimeBench("".join(camera(f"C-{n}", "outdoor") for n in range(1, 5)), stop=stop)
    main = threading.main_thread().ident
    assert main is not None

    def send_sigterm() -> None:
        # The world waits for the handler to have run: on a Pi it takes microseconds, here (a thousand times
        # faster, on a loaded machine) the main thread may be scheduled late while the slots' minutes fly by.
        signal.pthread_kill(main, signal.SIGTERM)
        deadline = time.monotonic() + PATIENCE_S
        while not stop.requested and time.monotonic() < deadline:
            time.sleep(0.001)

    bench.hardware.clock.schedule(30.0, send_sigterm)
    # Whether run_slots raises the request or returns, the command reports it from the flag (rig.cli.test).
    with stop_on_signals(stop), suppress(StopRequested):
        bench.run(tmp_path)
    records = {r.serial: r for r in bench.records}
    assert stop.signals == [signal.SIGTERM]
    assert sorted(records) == ["C-1", "C-2"] and {r.slot for r in records.values()} == {1, 2}
    for record in records.values():
        assert record.disposition.value == "aborted", (record.serial, record.notes)
        assert any(n.startswith("interrupted by SIGTERM") for n in record.notes), record.notes
        assert record.finished_s < 30.0 + 60.0   # ended at a wait soon after the signal, not the camera's end
    assert sorted(row["serial"] for row in bench.rows) == ["C-1", "C-2"]
    assert all(bench.outlets_on.values()), bench.outlets_on
