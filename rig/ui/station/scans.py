"""Cameras from the page's scan field: each serial scanned on the page becomes the next camera, once it is on
the fixture. Waiting for a scan is a wait on the rig clock, so a stop request ends it like any other wait."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rig.core.clock import Clock
from rig.ui.scanner import CameraId
from rig.ui.station.board import StationBoard

SCAN_POLL_S = 0.5

Mount = Callable[[str], CameraId | None]
"""A scanned serial onto the fixture: its camera id, or None when it cannot be loaded (the board says why)."""


class ScannedCameras:
    """A camera source (``rig.ui.scanner.CameraSource``) fed by the station page's scan field."""

    def __init__(self, board: StationBoard, clock: Clock, mount: Mount,
                 done: Callable[[], bool] = lambda: False) -> None:
        self.board = board
        self.clock = clock
        self.mount = mount
        self.done = done   # True when no more cameras are expected (``--exit-when-done`` in the simulator)

    def __iter__(self) -> Iterator[CameraId]:
        while not self.done():
            serial = self.board.take_scanned()
            if serial is None:
                self.clock.sleep(SCAN_POLL_S)
                continue
            camera = self.mount(serial)
            if camera is None:
                self.board.tell(f"{serial}: no such camera on this bench; scan another")
                continue
            self.board.tell("")
            yield camera
