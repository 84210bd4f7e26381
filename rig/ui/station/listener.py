"""The bench's events onto the station board: one listener per slot, so every callback lands on its tile."""

from __future__ import annotations

from rig.core.records import CameraRecord
from rig.ui.station.board import Countdown, FinishedCamera, StationBoard


class BoardListener:
    """A ``rig.core.events.ProgressListener`` for one slot of the station page."""

    def __init__(self, board: StationBoard, slot: int) -> None:
        self.board = board
        self.slot = slot

    def camera_started(self, index: int, serial: str, model: str) -> None:
        self.board.load(self.slot, serial, model)

    def step_started(self, name: str, detail: str = "") -> None:
        self.board.update(self.slot, step=name, step_detail=detail, countdown=None)

    def waiting(self, label: str, remaining_s: float, total_s: float) -> None:
        if remaining_s <= 0:
            self.board.update(self.slot, countdown=None)
            return
        ends_s = self.board.clock.now() + remaining_s
        self.board.update(self.slot, countdown=Countdown(label, ends_s, total_s))

    def step_finished(self, name: str, record: CameraRecord) -> None:
        """The pattern once observed and the battery figures once measured, before the verdict."""
        self.board.update(self.slot, pattern=record.initial_pattern, battery=_battery(record))

    def camera_finished(self, record: CameraRecord) -> None:
        disposition = record.disposition.value if record.disposition else "aborted"
        self.board.update(self.slot, pattern=record.initial_pattern, battery=_battery(record))
        self.board.finish(
            self.slot,
            FinishedCamera(record.serial, self.slot, record.model, disposition, record.fixed_by,
                           record.duration_s, "; ".join(record.notes)),
            reason="; ".join(record.notes[-2:]),
        )


def _battery(record: CameraRecord) -> dict[str, float]:
    if record.battery is None:
        return {}
    figures = {
        "open_circuit_v": record.battery.open_circuit_v,
        "loaded_v": record.battery.loaded_v,
        "internal_resistance_ohm": record.battery.internal_resistance_ohm,
    }
    return {key: value for key, value in figures.items() if value is not None}
