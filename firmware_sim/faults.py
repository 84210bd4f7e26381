"""The fault table of docs/DESIGN.md and the rules that decide whether an action on the bench cured a fault.

A cure is physical: the router off long enough, the camera and its Sync Module off together long enough, the
reset button held long enough, the app's delete and re-add far enough apart. The rules are pure functions of
what happened (intervals and durations) so they can be tested on their own and the world only records facts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rig.core.models import CameraModel, camera_model, model_names


def _any_model(model: CameraModel) -> bool:
    return True


def _through_sync_module(model: CameraModel) -> bool:
    return model.via_sync_module


def _battery_powered(model: CameraModel) -> bool:
    return model.has_battery


@dataclass(frozen=True)
class FaultInfo:
    name: str
    symptom: str
    fix: str | None              # the fix name (docs/DESIGN.md) that cures it; None = no fix, a defect
    applies: Callable[[CameraModel], bool] = _any_model   # which camera models can have it (their profile)
    intermittent: bool = False   # present only by chance: a verdict on it is chance too (rig cycle exposes it)

    def possible_on(self, model: str) -> bool:
        return self.applies(camera_model(model))

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(name for name in model_names() if self.possible_on(name))


FAULT_TABLE: dict[str, FaultInfo] = {
    info.name: info
    for info in (
        FaultInfo("router_down", "router lost its upstream: network_lost, network probe fails",
                  "power_cycle_router"),
        FaultInfo("camera_glitch", "camera WiFi stuck: network_lost", "restart_camera"),
        FaultInfo("sync_module_glitch", "Sync Module stuck: network_lost", "restart_camera", _through_sync_module),
        FaultInfo("wifi_credentials_lost", "camera forgot the WiFi: network_lost", "reset_wifi"),
        FaultInfo("registration_lost", "camera must be deleted and re-added: network_lost", "readd_camera"),
        FaultInfo("battery_failing", "pack sags under load: low_battery after recording", "replace_batteries",
                  _battery_powered),
        FaultInfo("pir_dead", "no response to the motion stimulus", None),
        FaultInfo("radio_dead", "offline whatever is done", "contact_support"),
        # Intermittent: after a power-up, fails to reconnect with probability flaky_rate until the next one.
        FaultInfo("flaky_reconnect", "now and then offline after a power-up: network_lost", None,
                  intermittent=True),
    )
}
FAULTS: tuple[str, ...] = tuple(FAULT_TABLE)

# The firmware's and the article's thresholds: an action shorter than these does not cure anything.
ROUTER_MIN_OFF_S = 30.0        # the article: unplug the router, wait 30 s
RESTART_MIN_OFF_S = 60.0       # the article: camera (and Sync Module) off 1 to 2 minutes
RESET_HOLD_MIN_S = 10.0        # hold the reset button until the lights flash
DEFAULT_FLAKY_RATE = 0.25      # flaky_reconnect: chance a power-up ends without a connection
READD_MIN_WAIT_S = 180.0       # the article: wait 3 to 5 minutes after deleting


@dataclass(frozen=True)
class OffInterval:
    """A completed power-off: from ``start_s`` to ``end_s`` (virtual seconds)."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def overlaps(self, other: OffInterval) -> bool:
        return self.start_s < other.end_s and other.start_s < self.end_s


class PowerHistory:
    """Whether a device is powered now and when it was last off: the facts the cure rules need."""

    def __init__(self, powered: bool) -> None:
        self.powered = powered
        self.off_since_s: float | None = None     # None while powered, or off since before anyone watched
        self.last_off: OffInterval | None = None

    def switch(self, powered: bool, now_s: float) -> bool:
        """Record a change of supply; returns whether anything changed."""
        if powered == self.powered:
            return False
        self.powered = powered
        if powered:
            if self.off_since_s is not None:
                self.last_off = OffInterval(self.off_since_s, now_s)
            self.off_since_s = None
        else:
            self.off_since_s = now_s
        return True


def router_cycle_cures(off: OffInterval | None) -> bool:
    """A router power-cycle renews the upstream only when the router stayed off for the minimum."""
    return off is not None and off.duration_s >= ROUTER_MIN_OFF_S


def restart_cures(model: CameraModel, camera_off: OffInterval | None, sync_off: OffInterval | None) -> bool:
    """The article's restart: a direct camera (Mini) unplugged 1-2 min; a Sync Module camera with its batteries
    out AND the Sync Module unplugged for 1-2 min, at the same time. Anything less leaves the glitch in place."""
    if camera_off is None or camera_off.duration_s < RESTART_MIN_OFF_S:
        return False
    if not model.via_sync_module:
        return True
    return (
        sync_off is not None
        and sync_off.duration_s >= RESTART_MIN_OFF_S
        and camera_off.overlaps(sync_off)
    )


def readd_accepted(deleted_at_s: float | None, readded_at_s: float) -> bool:
    """The cloud releases a deleted camera only after the wait; an early re-add is refused."""
    return deleted_at_s is not None and readded_at_s - deleted_at_s >= READD_MIN_WAIT_S
