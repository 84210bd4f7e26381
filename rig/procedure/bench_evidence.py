"""What a slot's procedure reads of the shared bench before it judges its camera (docs/DESIGN.md, "Bench faults").

With several slots a camera's offline LED may be the bench's: a router outage, a stuck Sync Module, or a bench
power cycle another slot asked for. The controller cures the bench's part first, as bench actions, and never
gives a camera's fix the credit for a bench action; these are the small records it keeps while it does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rig.core.records import MotionOutcome, StepRecord
from rig.hardware.sync_module_light import SyncModuleLight
from rig.procedure.bench_actions import SlotBench
from rig.procedure.session import CameraSession
from rig.procedure.witnesses import OnlineWitness


def offline_at_check(step: StepRecord) -> bool:
    """A battery fix's check found the camera offline: never online in the reconnect time, or offline flashes
    during its motion test. On a shared bench that is the bench's to explain first (a fault another camera brought)."""
    return step.evidence.motion_after_fix in (None, MotionOutcome.OFFLINE)


def step_time(session: CameraSession, at_s: float) -> str:
    """A bench moment as the camera's record counts time: seconds since the camera was loaded."""
    return f"at {at_s - session.record.started_s:.0f} s"


@dataclass
class BenchFirst:
    """What one ladder asked of the bench before the camera's own fixes (``_cure_bench_first``)."""

    sync_module_asked: bool = False
    light: SyncModuleLight | None = None   # what the Sync Module's own light said
    witness: OnlineWitness | None = None   # the camera that showed the Sync Module works, when it was not cycled

    def sync_module_note(self, session: CameraSession) -> str:
        if self.light is SyncModuleLight.ONLINE:
            return "the Sync Module's light is solid green (online): the camera restarted alone"
        if self.witness is None:
            return ""
        how = "its LED, looked at" if self.witness.looked else "seen online"
        return (f"the Sync Module works (slot {self.witness.slot}'s camera on the same path: {how} "
                f"{step_time(session, self.witness.seen_s)}): the camera restarted alone")


class OthersBack:
    """Gives up a wait for a camera touched by a bench action once the action's path is back and the camera is
    still not, ``reconnect_spread_s`` later (cameras retry every 10-20 s): the path works, the camera is offline
    on its own, and the rest of the reconnect timeout would be lost bench time. The path is back when another
    camera on (at least) the same path was seen online after the action, or when the bench itself says so: its
    probe up and, behind a Sync Module, the Sync Module's light solid green (``path_up``).

    ``after_s``: when the action ended; None: the actions that touched the slot since it last took them."""

    def __init__(self, bench: SlotBench, session: CameraSession, after_s: float | None = None,
                 path_up: Callable[[], bool] | None = None) -> None:
        self.bench, self.session, self.after_s, self.path_up = bench, session, after_s, path_up
        self.witness: OnlineWitness | None = None
        self.since_s = after_s
        self.path_up_s: float | None = None   # when the bench first said its path was back, after the action
        self.gave_up = False

    def __call__(self) -> bool:
        if self.after_s is None:
            events = self.bench.pending_events()
            if not events:
                return False
            self.since_s = max(event.finished_s for event in events)
        assert self.since_s is not None
        now = self.session.clock.now()
        if self.bench.path_cycling(self.session.model):
            self.path_up_s = None
            return False   # the path is about to be cycled (again): nothing is settled
        # Back after the action and after the path last changed (a camera joining it may have brought a fault).
        since_s = max(self.since_s, self.bench.path_changed_s(self.session.model))
        if self.path_up_s is not None and self.path_up_s < since_s:
            self.path_up_s = None
        if self.path_up is not None:
            up = self.path_up()
            self.path_up_s = (self.path_up_s or now) if up else None
        self.witness = self.bench.back_since(self.session.model, since_s)
        back_s = min(t for t in (self.witness.seen_s if self.witness else None, self.path_up_s) if t is not None) \
            if self.witness is not None or self.path_up_s is not None else None
        self.gave_up = back_s is not None and now > back_s + self.session.config.timings.reconnect_spread_s
        return self.gave_up

    def note(self) -> str:
        if self.since_s is None:
            return ""
        if self.witness is not None:
            return (f"; slot {self.witness.slot}'s camera on the same bench path was back online "
                    f"{self.witness.seen_s - self.since_s:.0f} s after the bench action")
        if self.path_up_s is not None:
            return f"; the bench's path was back {self.path_up_s - self.since_s:.0f} s after the bench action"
        return ""
