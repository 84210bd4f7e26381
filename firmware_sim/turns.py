"""Several slot procedures in one virtual time, deterministically: threads that take turns.

The rig's procedure is plain blocking code that waits through ``clock.sleep``. To run several of them at once
on the simulator without making the simulated world thread-safe, each runs in its own thread but only one
thread holds the turn at a time. ``sleep`` records when its thread wants to wake and hands the turn to the
thread due first (ties: the one that asked first); that thread moves the shared :class:`VirtualClock` to its
wake time, firing the world's events, and runs on until its next ``sleep``. The same seed gives the same
interleaving on every run, and virtual time runs as fast as the CPU allows.

A participant must wait only through ``sleep`` (or :meth:`TurnTaking.wait_until`, which polls through it):
blocking on a real lock held by another participant would stop the turn from ever coming back.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from firmware_sim.clock import VirtualClock


@dataclass
class TaskResult:
    """How one participant ended: its return value, or the exception it raised."""

    value: object = None
    error: BaseException | None = None


class TurnTaking:
    """A ``rig.core.clock.Clock`` shared by the threads of :meth:`run`; outside a run it is the plain clock."""

    virtual = True   # records say their times are simulated

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._cond = threading.Condition()
        self._turn: int | None = None
        self._due: list[tuple[float, int, int]] = []   # (wake_s, order asked, participant)
        self._order = itertools.count()
        self._local = threading.local()

    # --- the Clock protocol -------------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now()

    def sleep(self, seconds: float) -> None:
        me = getattr(self._local, "participant", None)
        if me is None:
            self.clock.sleep(seconds)
            return
        wake_s = self.clock.now() + max(0.0, seconds)
        with self._cond:
            heapq.heappush(self._due, (wake_s, next(self._order), me))
            self._hand_on()
            self._cond.wait_for(lambda: self._turn == me)
        self.clock.advance_to(wake_s)

    def wait_until(self, condition: Callable[[], bool], poll_s: float = 0.5) -> None:
        """Sleep in steps of ``poll_s`` until ``condition()`` holds (checked first, without sleeping)."""
        while not condition():
            self.sleep(poll_s)

    @property
    def participant(self) -> int | None:
        """The index (in :meth:`run`'s list) of the calling thread's task; ``None`` outside a run."""
        return getattr(self._local, "participant", None)

    # --- running ------------------------------------------------------------------------------------------
    def run(self, tasks: Sequence[Callable[[], object]], join_poll_s: float = 0.1) -> list[TaskResult]:
        """Run every task to its end, taking turns; the first turn goes to the first task. Returns how each
        ended (an exception is caught and returned, so one failing slot does not stop the others)."""
        results = [TaskResult() for _ in tasks]
        start_s = self.clock.now()
        with self._cond:
            if self._due or self._turn is not None:
                raise RuntimeError("TurnTaking.run is already running")
            for index in range(len(tasks)):
                heapq.heappush(self._due, (start_s, next(self._order), index))
        threads = [
            threading.Thread(target=self._participate, args=(index, task, results[index]),
                             name=f"slot-{index + 1}", daemon=True)
            for index, task in enumerate(tasks)
        ]
        for thread in threads:
            thread.start()
        with self._cond:
            self._hand_on()
        for thread in threads:
            # A timed join keeps the main thread responsive to signals while the slots run.
            while thread.is_alive():
                thread.join(join_poll_s)
        return results

    def _participate(self, index: int, task: Callable[[], object], result: TaskResult) -> None:
        self._local.participant = index
        with self._cond:
            self._cond.wait_for(lambda: self._turn == index)
        try:
            result.value = task()
        except BaseException as exc:  # returned to the caller, who decides what a slot's failure means
            result.error = exc
        finally:
            with self._cond:
                self._turn = None
                self._hand_on()

    def _hand_on(self) -> None:
        """Give the turn to the participant due first (called with the condition held)."""
        if self._due:
            _wake_s, _order, participant = heapq.heappop(self._due)
            self._turn = participant
        else:
            self._turn = None
        self._cond.notify_all()
