"""A stop requested by a signal (Ctrl-C, SIGTERM, SIGHUP), honoured at the rig's next wait.

A signal handler that raises lands wherever the interpreter happens to be: inside a weakref callback or a
finaliser Python prints "Exception ignored" and carries on (the signal is lost), inside matplotlib it becomes
that library's error. So the handlers here only *record* the request and *wake* the wait in progress (a byte on
a pipe that every rig wait selects on). The exception that unwinds the camera, :class:`StopRequested`, is raised
by the clock's ``sleep`` (the rig's one place to wait), in ordinary code, where every ``finally`` runs.

A second signal makes the request urgent: waits stop waiting at all and optional outputs (sheets) are skipped,
so the rig goes straight to its safe state.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
INTERRUPTED_PREFIX = "interrupted by"   # how a camera ended by a signal says so in its notes
RECHECK_S = 0.05   # how often a wait looks at the requests again (another thread may have drained the wake-up)


def signal_label(signum: int) -> str:
    """How a technician knows the signal: ``Ctrl-C (SIGINT)``, ``SIGTERM``."""
    name = signal.Signals(signum).name
    return f"Ctrl-C ({name})" if signum == signal.SIGINT else name


class StopRequested(BaseException):
    """Raised at the rig's next wait once a stop was requested. A ``BaseException`` (like
    ``KeyboardInterrupt``) so that no ``except Exception`` of a retry or a rig-fault handler swallows it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.label = signal_label(signum)
        super().__init__(f"{INTERRUPTED_PREFIX} {self.label}")


class StopFlag:
    """The stop request of one run: which signals arrived, and a pipe that wakes any wait in progress."""

    def __init__(self) -> None:
        self.signals: list[int] = []
        self._raised = False
        self._slot = threading.local()   # a slot thread's own "raised" (see :meth:`as_slot`)
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        os.set_blocking(self._write_fd, False)

    # --- the handler's side: record and wake, nothing else --------------------------------------------------
    def request(self, signum: int, _frame: object = None) -> None:
        """The signal handler: never raises (a full pipe already wakes every reader)."""
        self.signals.append(signum)
        with suppress(OSError):
            os.write(self._write_fd, b"\0")

    # --- the rig's side -------------------------------------------------------------------------------------
    @property
    def requested(self) -> bool:
        return bool(self.signals)

    @property
    def urgent(self) -> bool:
        """A second signal: skip whatever is not needed to reach the safe state."""
        return len(self.signals) >= 2

    @property
    def signum(self) -> int | None:
        return self.signals[0] if self.signals else None

    @property
    def exit_status(self) -> int:
        """The shell's convention for a process ended by a signal: 128 + its number."""
        return 128 + (self.signum or 0)

    def describe(self) -> str:
        return signal_label(self.signum) if self.signum is not None else "nothing"

    def check(self) -> None:
        """Raise :class:`StopRequested` once, the first time a wait is reached after the request; later waits
        (the safe state's own relay frames) go on, so the wind-down is not interrupted by its own request.
        In a slot's thread (:meth:`as_slot`), once in that thread: every slot stops at its own next wait."""
        if not self.signals:
            return
        if getattr(self._slot, "joined", False):
            if not getattr(self._slot, "raised", False):
                self._slot.raised = self._raised = True
                raise StopRequested(self.signals[0])
            return
        if not self._raised:
            self._raised = True
            raise StopRequested(self.signals[0])

    def as_slot(self) -> None:
        """The calling thread runs one slot's cameras: a stop is raised once in it, whatever the others did."""
        self._slot.joined = True
        self._slot.raised = False

    def wait(self, seconds: float) -> None:
        """Block up to ``seconds`` real seconds, returning early on a stop request not yet acted on: before
        :meth:`check` raised, any request; after it, a second one. So the wind-down after a first signal
        still waits properly (relay frames, settle times) unless a second signal makes it urgent, and a
        signal landing just before the wait still ends it."""
        self.wait_readable(None, seconds, since=1 if self._raised else 0)

    def wait_readable(self, fd: int | None, seconds: float | None = None, since: int = 0) -> bool:
        """Block until ``fd`` is readable (True), or more than ``since`` stop requests were made or ``seconds``
        pass (False).

        Several threads (a slot each, docs/DESIGN.md "Slots") may wait at once on the one wake-up pipe; the first
        to wake drains it, and a thread whose select was woken with it finds nothing to read and would sleep on.
        So no select waits longer than ``RECHECK_S`` before the requests are looked at again."""
        seen = since
        deadline = None if seconds is None else time.monotonic() + seconds
        watched = [self._read_fd] if fd is None else [self._read_fd, fd]
        while len(self.signals) <= seen:
            timeout = RECHECK_S if deadline is None else min(max(0.0, deadline - time.monotonic()), RECHECK_S)
            ready, _, _ = select.select(watched, [], [], timeout)
            if fd is not None and fd in ready:
                return True
            if self._read_fd in ready:
                self._drain()
            elif deadline is not None and time.monotonic() >= deadline:
                return False
        return False

    def _drain(self) -> None:
        try:
            while os.read(self._read_fd, 512):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        for fd in (self._read_fd, self._write_fd):
            with suppress(OSError):
                os.close(fd)


@contextmanager
def stop_on_signals(stop: StopFlag, signals: tuple[int, ...] = STOP_SIGNALS) -> Iterator[StopFlag]:
    """Route ``signals`` to ``stop.request`` for the duration (the previous handlers come back after)."""
    previous = {sig: signal.signal(sig, stop.request) for sig in signals}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
