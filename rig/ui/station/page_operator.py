"""The operator on the station page: an app-only step becomes a prompt on the page, with a drawing of what to
do, Done / Can't buttons and the time left. Prompts from several slots queue in the order asked, each naming
its slot; the rig still verifies the outcome on the LED, so "Done" is a claim, not proof.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rig.core.clock import Clock
from rig.procedure.operator import OperatorReply, OperatorTask
from rig.ui.station.board import Prompt, PromptAnswer, StationBoard

POLL_S = 0.25

PROMPT_FACES: dict[OperatorTask, tuple[str, str]] = {
    OperatorTask.CHANGE_WIFI: ("Change WiFi in the Blink app", "change_wifi.svg"),
    OperatorTask.DELETE_CAMERA: ("Delete the camera in the Blink app", "delete_camera.svg"),
    OperatorTask.READD_CAMERA: ("Re-add the camera in the Blink app", "readd_camera.svg"),
}
"""Each task's headline and the drawing shown beside its instructions (served from ``static/``)."""

AppHook = Callable[[OperatorTask, str], str | None]
"""What the app step does where the app is simulated: None when it worked, else what the app showed."""


class PageOperator:
    """Satisfies ``rig.procedure.operator.Operator`` through the station board."""

    def __init__(self, board: StationBoard, clock: Clock, slot_of: Callable[[str], int],
                 app: AppHook | None = None) -> None:
        self.board = board
        self.clock = clock
        self.slot_of = slot_of
        self.app = app

    def request(self, task: OperatorTask, serial: str, instructions: str, timeout_s: float) -> OperatorReply:
        task = OperatorTask(task)
        with shown_prompt(self.board, self.slot_of(serial), task, serial, instructions, timeout_s) as prompt:
            while prompt.answer is None and self.clock.now() < prompt.deadline_s:
                if self.board.stop_requested:
                    return OperatorReply(False, "the station is stopping")
                self.clock.sleep(min(POLL_S, max(0.0, prompt.deadline_s - self.clock.now())))
        if prompt.answer is None:
            return OperatorReply(False, f"no answer within {timeout_s:,.0f} s")
        if prompt.answer is PromptAnswer.CANT:
            return OperatorReply(False, "operator said it cannot be done" + (f": {prompt.note}" if prompt.note else ""))
        if self.app is not None:
            problem = self.app(task, serial)
            return OperatorReply(problem is None, problem or "")
        return OperatorReply(True)


@contextmanager
def shown_prompt(board: StationBoard, slot: int, task: OperatorTask, serial: str, instructions: str,
                 timeout_s: float) -> Iterator[Prompt]:
    """The prompt on the page for as long as the block runs, taken down however the block ends."""
    title, image = PROMPT_FACES[task]
    instructions = instructions.removeprefix(f"slot {slot}: ")   # the prompt's headline names its slot
    prompt = board.post_prompt(slot, serial, task.value, title, instructions, f"/static/{image}", timeout_s)
    try:
        yield prompt
    finally:
        board.close_prompt(prompt)


class ShownOperator:
    """Another operator (the simulated technician) answering, with its prompts shown on the page meanwhile:
    a watcher sees which slot waits for the app and why. Clicks on such a prompt change nothing."""

    def __init__(self, board: StationBoard, slot_of: Callable[[str], int], operator) -> None:
        self.board = board
        self.slot_of = slot_of
        self.operator = operator

    def request(self, task: OperatorTask, serial: str, instructions: str, timeout_s: float) -> OperatorReply:
        task = OperatorTask(task)
        with shown_prompt(self.board, self.slot_of(serial), task, serial, instructions, timeout_s):
            return self.operator.request(task, serial, instructions, timeout_s)
