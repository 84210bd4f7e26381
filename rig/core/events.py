"""What the controller tells whoever is watching (a progress display, a log, a test): plain callbacks.

The controller never draws anything itself; ``rig.ui.progress`` turns these into a live display.
"""

from __future__ import annotations

from typing import Protocol

from rig.core.records import CameraRecord


class ProgressListener(Protocol):
    def camera_started(self, index: int, serial: str, model: str) -> None: ...
    def step_started(self, name: str, detail: str = "") -> None: ...
    def waiting(self, label: str, remaining_s: float, total_s: float) -> None: ...
    def step_finished(self, name: str, record: CameraRecord) -> None: ...
    def camera_finished(self, record: CameraRecord) -> None: ...


class SilentListener:
    """The listener for tests and for runs without a terminal."""

    def camera_started(self, index: int, serial: str, model: str) -> None:
        pass

    def step_started(self, name: str, detail: str = "") -> None:
        pass

    def waiting(self, label: str, remaining_s: float, total_s: float) -> None:
        pass

    def step_finished(self, name: str, record: CameraRecord) -> None:
        pass

    def camera_finished(self, record: CameraRecord) -> None:
        pass
