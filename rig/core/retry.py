"""Retrying transient rig faults (a flaky I2C read, a relay board that missed a frame) with backoff.

Only the rig's own hardware errors are retried; the delays go through the rig clock. When the retries run
out, the last error propagates and the controller ends the camera as ``aborted`` with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rig.core.clock import Clock
from rig.hardware.actuators import ActuatorError
from rig.hardware.outlets import OutletError
from rig.hardware.power_meter import PowerMeterError

T = TypeVar("T")
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (PowerMeterError, OutletError, ActuatorError)


def retry_transient(
    action: Callable[[], T],
    clock: Clock,
    attempts: int = 4,
    first_delay_s: float = 0.05,
    factor: float = 4.0,
) -> T:
    delay = first_delay_s
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except TRANSIENT_ERRORS:
            if attempt == attempts:
                raise
            clock.sleep(delay)
            delay *= factor
    raise AssertionError("unreachable")
