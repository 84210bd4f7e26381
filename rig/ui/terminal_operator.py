"""The operator on a real desk: a prompt in the terminal, Enter to confirm, with a countdown.

Waiting for the human is real time by nature (it is a person at a phone), so this polls the terminal with
``select`` in short slices and shows the time left; an empty line is "done", a line starting with ``n``
(or the timeout) is "not done".
"""

from __future__ import annotations

import select
import sys
from typing import TextIO

from rich.console import Console

from rig.core.clock import Clock
from rig.core.durations import duration_text
from rig.procedure.operator import OperatorReply, OperatorTask

POLL_S = 1.0


class TerminalOperator:
    def __init__(self, clock: Clock, console: Console, stream: TextIO | None = None) -> None:
        self.clock = clock
        self.console = console
        self.stream = stream or sys.stdin

    def _readline(self) -> str:
        """Read bytes like the barcode scanner does (they share stdin), so neither buffers the other's lines."""
        raw = getattr(self.stream, "buffer", None)
        if raw is None:
            return self.stream.readline()
        return raw.readline().decode("utf-8", errors="replace")

    def request(self, task: OperatorTask, serial: str, instructions: str, timeout_s: float) -> OperatorReply:
        self.console.print(f"\n[bold]Operator, camera {serial}: {task.value.replace('_', ' ')}[/bold]")
        self.console.print(instructions)
        self.console.print("(Enter when done, 'n' + Enter if it cannot be done)")
        deadline = self.clock.now() + timeout_s
        while (remaining := deadline - self.clock.now()) > 0:
            self.clock.sleep(0)   # the clock is where a stop request (Ctrl-C) lands
            ready, _, _ = select.select([self.stream], [], [], min(POLL_S, remaining))
            if ready:
                answer = self._readline()
                if not answer:
                    return OperatorReply(False, "no operator input (end of input)")
                if answer.strip().lower().startswith("n"):
                    return OperatorReply(False, "operator said it cannot be done")
                return OperatorReply(True)
            self.console.print(f"  waiting for the operator: {duration_text(remaining)} left", end="\r")
        return OperatorReply(False, f"no answer within {duration_text(timeout_s)}")
