"""The article's fixes as automated steps.

Each fix acts through the fixture (outlets, actuators) or hands an app-only step to the operator. It does
not judge itself: the ladder then verifies the symptom that was diagnosed (on the LED, the bench network and,
for a battery symptom, a new motion test), so "done" is never assumed from having waited.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from rig.core.records import StepRecord
from rig.core.retry import retry_transient
from rig.procedure.operator import OperatorTask
from rig.procedure.session import CameraSession


class FixOutcome(StrEnum):
    VERIFIED = "verified"          # the symptom is gone: this fix cured it
    NOT_VERIFIED = "not_verified"  # done, but the symptom stayed
    DECLINED = "declined"          # the operator did not do the app step
    ADVISORY = "advisory"          # nothing to actuate on a bench (move_closer)
    ESCALATED = "escalated"        # contact_support: the ladder ends here


class Fix(Protocol):
    name: str
    reboots_camera: bool   # the action interrupts the camera's power: its dark boot proves nothing

    def act(self, session: CameraSession, step: StepRecord) -> FixOutcome | None:
        """Do the fix. ``None``: done, verify now; an outcome: nothing to verify (declined, advisory...)."""
        ...

    def undo(self, session: CameraSession) -> None:
        """Take back what the fix left changed when it did not cure (most leave nothing)."""
        ...


class _Fix:
    """What most fixes share: nothing to take back."""

    def undo(self, session: CameraSession) -> None:
        return None


def _ask_operator(
    session: CameraSession, step: StepRecord, task: OperatorTask, instructions: str, what: str
) -> bool:
    """Hand an app-only step to the operator; a refusal or a timeout is noted on the step."""
    reply = session.operator.request(
        task, session.record.serial, instructions, session.config.timings.operator_timeout_s
    )
    if not reply.done:
        step.notes = f"operator did not {what}: {reply.note}".rstrip(": ")
    return reply.done


class PowerCycleRouter(_Fix):
    """The article's #1: router and modem off for at least 30 s, then a minute or two to reconnect."""

    name = "power_cycle_router"
    reboots_camera = False

    def act(self, session: CameraSession, step: StepRecord) -> FixOutcome | None:
        router = session.fixture.outlets["router"]
        off_s = session.config.timings.router_off_s
        retry_transient(router.off, session.clock)
        try:
            session.wait("router off", off_s)
        finally:
            retry_transient(router.on, session.clock)
        step.measure("router_off_s", off_s, "s", low=30.0)
        return None


class RestartCamera(_Fix):
    """The article's #2. Mini: unplug 1-2 min. Battery camera: batteries out and Sync Module unplugged
    together for 1-2 min, batteries back first, then the Sync Module."""

    name = "restart_camera"
    reboots_camera = True

    def act(self, session: CameraSession, step: StepRecord) -> FixOutcome | None:
        outlets = session.fixture.outlets
        off_s = session.config.timings.camera_off_s
        names = ["camera"] if session.record.model == "mini" else ["camera", "sync_module"]
        for name in names:
            retry_transient(outlets[name].off, session.clock)
        try:
            session.wait(f"{' and '.join(names)} off", off_s)
        finally:
            for name in names:
                retry_transient(outlets[name].on, session.clock)
        step.measure("power_off_s", off_s, "s", low=60.0, high=120.0)
        return None


class MoveCloser(_Fix):
    """The article's #3. On the bench the camera sits next to the router: recorded as advice only."""

    name = "move_closer"
    reboots_camera = False

    def act(self, session: CameraSession, step: StepRecord) -> FixOutcome | None:
        step.notes = "advisory: on the bench the camera is next to the router; nothing to actuate"
        return FixOutcome.ADVISORY


class ResetWifi(_Fix):
    """The article's #4: hold the reset button, then the operator runs Change WiFi in the app."""

    name = "reset_wifi"
    reboots_camera = True

    def act(self, session: CameraSession, step: StepRecord) -> FixOutcome | None:
        timings = session.config.timings
        session.listener.step_started(self.name, f"holding the reset button {timings.reset_hold_s:g} s")
        session.fixture.actuators.reset_button.hold(timings.reset_hold_s)
        step.measure("reset_hold_s", timings.reset_hold_s, "s")
        changed = _ask_operator(
            session,
            step,
            OperatorTask.CHANGE_WIFI,
            "Blink app: Settings > Change WiFi (Sync Module: Change WiFi Network), Discover Device, Join, "
            "choose the bench network and its password. Press Enter when the app says it joined.",
            "change WiFi",
        )
        return None if changed else FixOutcome.DECLINED


class ReaddCamera(_Fix):
    """The article's #5: delete the camera in the app, wait 3-5 min, re-add it. A Mini is unplugged while
    deleted, as the article asks."""

    name = "readd_camera"
    reboots_camera = True

    def act(self, session: CameraSession, step: StepRecord) -> FixOutcome | None:
        timings = session.config.timings
        camera = session.fixture.outlets["camera"]
        is_mini = session.record.model == "mini"
        if is_mini:
            retry_transient(camera.off, session.clock)
        try:
            deleted = _ask_operator(
                session,
                step,
                OperatorTask.DELETE_CAMERA,
                "Blink app: the camera's Settings > Delete Camera > Delete. Press Enter when it is gone.",
                "delete the camera",
            )
            if not deleted:
                return FixOutcome.DECLINED
            session.wait("after deleting, before re-adding", timings.readd_wait_s)
            step.measure("readd_wait_s", timings.readd_wait_s, "s", low=180.0, high=300.0)
        finally:
            if is_mini:
                retry_transient(camera.on, session.clock)
        readded = _ask_operator(
            session,
            step,
            OperatorTask.READD_CAMERA,
            "Blink app: Add Device, pick the model, scan the QR code on the back, wait for 'Camera added', "
            "Done. Press Enter when it is added.",
            "re-add the camera",
        )
        return None if readded else FixOutcome.DECLINED


class ReplaceBatteries:
    """The article's #6, as a test: feed the camera from the known-good pack and test again. If the
    symptom goes, the camera's own batteries were the fault."""

    name = "replace_batteries"
    reboots_camera = True

    def act(self, session: CameraSession, step: StepRecord) -> FixOutcome | None:
        retry_transient(session.fixture.actuators.battery_changeover.use_reference_pack, session.clock)
        step.measure("reference_pack", True)
        return None

    def undo(self, session: CameraSession) -> None:
        """The batteries were not (only) the fault: the camera goes back to its own pack, so a later test
        still sees its own batteries."""
        retry_transient(session.fixture.actuators.battery_changeover.use_camera_pack, session.clock)


class ContactSupport(_Fix):
    """The article's #7: nothing left to try on the bench; escalate with the evidence."""

    name = "contact_support"
    reboots_camera = False

    def act(self, session: CameraSession, step: StepRecord) -> FixOutcome | None:
        step.notes = "escalate to Blink support with this record"
        return FixOutcome.ESCALATED


FIXES: dict[str, Fix] = {
    fix.name: fix
    for fix in (
        PowerCycleRouter(),
        RestartCamera(),
        MoveCloser(),
        ResetWifi(),
        ReaddCamera(),
        ReplaceBatteries(),
        ContactSupport(),
    )
}
