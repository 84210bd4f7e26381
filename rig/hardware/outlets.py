"""Switched outlets: the names the rest of the rig imports. The backends live in ``rig/hardware/power/``."""

from __future__ import annotations

from rig.hardware.power.bank import OutletBank
from rig.hardware.power.base import Outlet, OutletError
from rig.hardware.power.gpio import GpioRelayOutlet
from rig.hardware.power.lcus import BOARD_HINT, LcusRelayBoard, SerialRelayOutlet

__all__ = ["BOARD_HINT", "GpioRelayOutlet", "LcusRelayBoard", "Outlet", "OutletBank", "OutletError",
           "SerialRelayOutlet"]
