"""Faults of the rig itself, as opposed to the camera's. They end a camera as ``aborted``, never as a verdict.

Each hardware module raises its own error (``PowerMeterError``, ``OutletError``, ``ActuatorError``); this module
names the ones that are the rig's and adds the faults only the controller can see (a saturated photodiode, a
probe that fails while the camera is plainly online).
"""

from __future__ import annotations

from rig.hardware.actuators import ActuatorError
from rig.hardware.outlets import OutletError
from rig.hardware.power_meter import PowerMeterError


class RigFault(RuntimeError):
    """The rig cannot test this camera; the message is the one-line reason and hint."""


class PhotodiodeSaturated(RigFault):
    pass


class PhotodiodeOverflow(RigFault):
    """The photodiode's edge buffer was full and edges were lost (counted, never silent)."""


class ProbeFault(RigFault):
    pass


RIG_FAULTS: tuple[type[Exception], ...] = (RigFault, PowerMeterError, OutletError, ActuatorError)
