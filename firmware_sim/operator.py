"""A scripted technician for the app-only steps (Change WiFi, delete, re-add), living in virtual time.

It takes ``delay_s`` to do a step (blocking on the virtual clock, so the world keeps running meanwhile), may
decline some tasks, and reports what the app showed: the world decides whether the step worked (Change WiFi
needs a camera in setup mode, a re-add needs the 3-5 minute wait). The rig must still verify on the LED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from firmware_sim.clock import VirtualClock
from rig.procedure.operator import OperatorReply, OperatorTask

AppAction = Callable[[OperatorTask, str], str | None]
"""The world's side of an app step: None when it worked, else the one line the app showed."""


@dataclass(frozen=True)
class OperatorRequest:
    """One request as the operator saw it, for tests and the sim log."""

    asked_at_s: float
    answered_at_s: float
    task: OperatorTask
    serial: str
    reply: OperatorReply
    instructions: str = ""


class SimulatedOperator:
    """Satisfies ``rig.procedure.operator.Operator``."""

    def __init__(
        self,
        clock: VirtualClock,
        app: AppAction,
        delay_s: float,
        declines: frozenset[str] = frozenset(),
    ) -> None:
        self._clock = clock
        self._app = app
        self.delay_s = delay_s
        self.declines = declines
        self.requests: list[OperatorRequest] = []
        self._free_at_s = float("-inf")   # one technician: a prompt from another slot waits for the last one

    def use_clock(self, clock: Any) -> None:
        """Wait on the slots' shared turn-taking clock (several slots ask from their own threads)."""
        self._clock = clock

    def _busy_for(self, seconds: float) -> None:
        """Answer after the requests already queued, then ``seconds`` of this one."""
        start_s = max(self._clock.now(), self._free_at_s)
        self._free_at_s = start_s + seconds
        self._clock.sleep(self._free_at_s - self._clock.now())

    def request(self, task: OperatorTask, serial: str, instructions: str, timeout_s: float) -> OperatorReply:
        asked_at_s = self._clock.now()
        if self.delay_s > timeout_s:
            self._clock.sleep(max(0.0, timeout_s))   # a technician who never comes is not busy
            reply = OperatorReply(False, f"no answer within {timeout_s:g} s")
        elif OperatorTask(task).value in self.declines:
            self._busy_for(self.delay_s)
            reply = OperatorReply(False, f"operator declined {OperatorTask(task).value}")
        else:
            self._busy_for(self.delay_s)
            problem = self._app(OperatorTask(task), serial)
            reply = OperatorReply(problem is None, problem or "")
        self.requests.append(OperatorRequest(asked_at_s, self._clock.now(), OperatorTask(task), serial, reply,
                                             instructions))
        return reply
