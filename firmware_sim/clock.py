"""Virtual time: a clock whose ``sleep`` runs the simulated world forward, event by event.

The rig is handed a :class:`VirtualClock` in ``--sim`` mode. Its ``sleep(s)`` fires every event scheduled up to
``now + s`` in time order (ties in scheduling order), with ``now`` set to each event's time while its callback
runs, so pin edges and register changes carry exact simulated timestamps. Nothing here uses threads.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rig.core.stop import StopFlag


@dataclass(order=True)
class _Event:
    at_s: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class EventHandle:
    """What :meth:`VirtualClock.schedule` returns: lets the scheduler of an event cancel it."""

    def __init__(self, event: _Event) -> None:
        self._event = event

    @property
    def at_s(self) -> float:
        return self._event.at_s

    @property
    def pending(self) -> bool:
        return not self._event.cancelled

    def cancel(self) -> None:
        self._event.cancelled = True


class VirtualClock:
    """A deterministic discrete-event scheduler that also satisfies ``rig.core.clock.Clock``.

    ``speed`` (optional) paces virtual time at that many times real time, so another process can watch the
    simulation happen (``rig test --sim --speed X``); ``None`` runs as fast as the CPU allows.
    """

    def __init__(self, start_s: float = 0.0, speed: float | None = None, stop: StopFlag | None = None) -> None:
        if speed is not None and speed <= 0:
            raise ValueError("speed must be positive")
        self._now = float(start_s)
        self._queue: list[_Event] = []
        self._seq = itertools.count()
        self._speed = speed
        self._wall_anchor: tuple[float, float] | None = None
        self._before_advance: list[Callable[[], None]] = []
        self.stop = stop   # a stop request (Ctrl-C) ends the sleep in progress between two events

    def before_advance(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` at the start of every ``sleep``: lets an emulator that receives bytes outside the
        clock (the relay board on its pty) take in what the rig just sent, at the moment it was sent."""
        self._before_advance.append(hook)

    def now(self) -> float:
        return self._now

    def schedule(self, at_s: float, callback: Callable[[], None]) -> EventHandle:
        """Run ``callback`` when virtual time reaches ``at_s`` (never in the past: clamped to now)."""
        event = _Event(max(float(at_s), self._now), next(self._seq), callback)
        heapq.heappush(self._queue, event)
        return EventHandle(event)

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> EventHandle:
        return self.schedule(self._now + max(0.0, delay_s), callback)

    def sleep(self, seconds: float) -> None:
        """Advance to ``now + seconds``, firing due events in order."""
        self.advance_to(self._now + max(0.0, seconds))

    def advance_to(self, target_s: float) -> None:
        """Fire the events due up to ``target_s``. A stop request raises ``StopRequested`` between two events
        (the world stays consistent: the next event simply has not happened yet)."""
        stop = self.stop
        if stop is not None:
            stop.check()
        for hook in self._before_advance:
            hook()
        while self._queue and self._queue[0].at_s <= target_s:
            if self._queue[0].cancelled:
                heapq.heappop(self._queue)
                continue
            self._pace(self._queue[0].at_s)
            if stop is not None:
                stop.check()
            event = heapq.heappop(self._queue)
            self._now = event.at_s
            event.cancelled = True  # fired: no longer pending
            event.callback()
        self._pace(target_s)
        self._now = max(self._now, target_s)

    def _pace(self, target_s: float) -> None:
        """With a speed set, block in real time until the wall clock catches up with ``target_s``."""
        if self._speed is None:
            return
        wall_now = time.monotonic()
        if self._wall_anchor is None:
            self._wall_anchor = (wall_now, self._now)
        wall0, virtual0 = self._wall_anchor
        due = wall0 + (target_s - virtual0) / self._speed
        if self.stop is not None:
            if not self.stop.urgent:
                self.stop.wait(due - time.monotonic())   # a stop request wakes it at once
            return
        while (delay := due - time.monotonic()) > 0:
            time.sleep(min(delay, 0.05))
