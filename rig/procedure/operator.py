"""The human at the desk, for the steps only the Blink app can do (Change WiFi, delete and re-add).

The rig asks through an :class:`Operator`: a terminal prompt on a real desk, a scripted operator on the
simulator. Either way the rig then verifies the outcome on the LED itself; the operator's word is not proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class OperatorTask(StrEnum):
    """App-side steps the rig can hand to the operator."""

    CHANGE_WIFI = "change_wifi"          # app: Settings > Change WiFi, after the rig held the reset button
    DELETE_CAMERA = "delete_camera"      # app: camera settings > Delete Camera
    READD_CAMERA = "readd_camera"        # app: Add Device, scan the QR code, wait for "Camera added"


@dataclass(frozen=True)
class OperatorReply:
    done: bool
    note: str = ""


@runtime_checkable
class Operator(Protocol):
    def request(self, task: OperatorTask, serial: str, instructions: str, timeout_s: float) -> OperatorReply:
        """Ask the operator to do ``task`` for camera ``serial``; block (on the rig's clock) until they answer
        or ``timeout_s`` passes (then ``done`` is False)."""
        ...
