"""The one source of time for the rig.

Every wait in the rig goes through a :class:`Clock`, so the same controller runs in real time on a Pi and in
virtual time on the simulator (where ``sleep`` advances the simulated world instead of blocking).
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

from rig.core.stop import StopFlag


@runtime_checkable
class Clock(Protocol):
    """Monotonic seconds and a sleep that may be virtual."""

    def now(self) -> float:
        """Seconds on a monotonic timeline (origin unspecified: use differences)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass. On the simulator this is when the world moves."""
        ...


class MonotonicClock:
    """Wall-clock time for a real bench: ``time.monotonic``, and a sleep a stop request wakes.

    With a :class:`~rig.core.stop.StopFlag`, ``sleep`` is where a Ctrl-C lands: the sleep in progress ends at
    once and raises :class:`~rig.core.stop.StopRequested` (once); after a second signal it no longer waits."""

    def __init__(self, stop: StopFlag | None = None) -> None:
        self.stop = stop

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        stop = self.stop
        if stop is None:
            if seconds > 0:
                time.sleep(seconds)
            return
        stop.check()
        if seconds > 0 and not stop.urgent:
            stop.wait(seconds)
        stop.check()


def wait_until(clock: Clock, condition, timeout_s: float, poll_s: float = 0.5) -> bool:
    """Poll ``condition()`` on ``clock`` until it is true or ``timeout_s`` has passed.

    Returns whether the condition became true. The condition is checked once more at the deadline, so a
    zero timeout still asks once.
    """
    deadline = clock.now() + timeout_s
    while True:
        if condition():
            return True
        remaining = deadline - clock.now()
        if remaining <= 0:
            return False
        clock.sleep(min(poll_s, remaining))
