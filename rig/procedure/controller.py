"""The procedure controller: one camera through observe, battery, motion, the fix ladder, and a disposition.

The procedure reads only what the fixture's hardware tells it. Whatever happens, the camera's record is
finished (a rig fault makes it ``aborted`` with the reason) and the fixture is put back in its safe state.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rig.core.events import ProgressListener, SilentListener
from rig.core.records import (
    CameraRecord,
    Disposition,
    FixOutcome,
    LedDecision,
    MotionOutcome,
    StepKind,
    Symptom,
    TimeBase,
    Verdict,
)
from rig.core.stop import INTERRUPTED_PREFIX, StopRequested
from rig.hardware.fixture import Fixture, unsafe_note
from rig.hardware.power_meter import PowerMeterError
from rig.hardware.sync_module_light import SyncModuleLight
from rig.led.patterns import Pattern
from rig.procedure.battery_test import run_battery_test
from rig.procedure.bench_actions import (
    ROUTER_ACTION,
    SYNC_MODULE_ACTION,
    BenchAction,
    SlotBench,
)
from rig.procedure.bench_evidence import BenchFirst, OthersBack, offline_at_check
from rig.procedure.calibration import fixture_ohm
from rig.procedure.cycle import CameraCycles, CycleRunner, StepsOnly
from rig.procedure.fixes import get_fix, registered_fixes
from rig.procedure.ladder import Diagnosis, plan_ladder
from rig.procedure.operator import Operator
from rig.procedure.rig_fault import RIG_FAULTS, PhotodiodeSaturated, RigFault
from rig.procedure.sequence_file import Sequence
from rig.procedure.session import CameraSession, MotionResult


class SoakAborted(RigFault):
    """A rig fault during the soak (its step said so): the camera ends ``aborted``."""


ROUTER_START_POLL_S = 5.0   # how often the probe is asked again while a power-cycled router starts
BENCH_SPOILED_TRIES = 3     # a fix's check spoiled by bench faults arriving: tried again after each cure
MOTION_OFFLINE_ROUNDS = 2   # offline at the motion test: the ladder and the test again, at most this often


def local_now() -> datetime:
    """The wall clock with its UTC offset, so a record's timestamps say which time zone they are in."""
    return datetime.now().astimezone()


@dataclass
class LadderPolicy:
    """How fixes are chosen. The rig's policy follows the diagnosis; the benchmark's naive one does not."""

    plan: Callable[[Diagnosis], list[str]] = plan_ladder
    verify_early: bool = True   # stop waiting as soon as the symptom is gone
    name: str = "rig"


class ProcedureController:
    def __init__(
        self,
        fixture: Fixture,
        operator: Operator,
        listener: ProgressListener | None = None,
        wall_clock: Callable[[], datetime] = local_now,
        policy: LadderPolicy | None = None,
        bench: SlotBench | None = None,
        soak: Sequence | None = None,
    ) -> None:
        self.fixture = fixture
        self.bench = bench   # several slots: the bench's router and Sync Module are shared (docs/DESIGN.md)
        self.operator = operator
        self.listener = listener or SilentListener()
        self.wall_clock = wall_clock
        self.policy = policy or LadderPolicy()
        self.soak = soak   # ``rig test --soak N``: power cycles after a pass or a fix (docs/DESIGN.md, "Soak")
        self._wall_start: datetime | None = None
        self._clock_start = fixture.clock.now()
        # A virtual clock (the simulator) runs ahead of the wall: the records say their times are simulated.
        self.time_base = TimeBase.SIMULATED if getattr(fixture.clock, "virtual", False) else TimeBase.WALL

    def _batch_wall_start(self) -> datetime:
        if self._wall_start is None:
            self._wall_start = self.wall_clock().replace(microsecond=0)
        return self._wall_start

    def test_camera(self, index: int, serial: str, model: str) -> CameraRecord:
        clock = self.fixture.clock
        camera_wall_start = self._batch_wall_start() + timedelta(seconds=clock.now() - self._clock_start)
        record = CameraRecord(serial=serial, model=model, started_at="", started_s=clock.now(), clock=self.time_base)
        session = CameraSession(self.fixture, self.operator, self.listener, record, camera_wall_start)
        record.started_at = session.wall_time().isoformat(timespec="seconds")
        self.listener.camera_started(index, serial, model)
        try:
            self._procedure(session)
            if self.soak is not None and record.disposition in (Disposition.PASS, Disposition.FIXED):
                self._soak(session, self.soak)
        except RIG_FAULTS as exc:
            record.disposition = Disposition.ABORTED
            record.notes.append(f"rig fault: {exc}")
        except StopRequested as exc:
            # A signal landed at a wait: the camera ends here, its row still written; never a verdict on it.
            record.disposition = Disposition.ABORTED
            record.notes.append(f"{INTERRUPTED_PREFIX} {exc.label}: not a verdict on the camera")
        finally:
            failed = self.fixture.safe_state()
            if failed:
                record.notes.append(unsafe_note(failed))
                record.disposition = Disposition.ABORTED
            if record.disposition is Disposition.ABORTED and record.fixed_by:
                # The contract: fixed_by is empty unless the camera is fixed. The cure is still worth knowing.
                record.notes.append(f"{record.fixed_by} had cured the camera before the stop")
                record.fixed_by = ""
            record.finished_s = clock.now()
            record.finished_at = session.wall_time().isoformat(timespec="seconds")
            edges = self.fixture.photodiode.edges_since(session.trace_mark)
            record.trace = [(round(e.t_s - record.started_s, 6), e.level) for e in edges]
            record.trace_initial_level = session.initial_level
        return record

    # --- the procedure ------------------------------------------------------------------------------------
    def _procedure(self, session: CameraSession) -> None:
        record = session.record
        with self._held(), session.step("observe", StepKind.OBSERVE, "watching the LED") as step:
            observation = session.observe_settled(step)
            status = self.fixture.network.check()
            step.measure("router_reachable", status.router_ok)
            step.measure("internet_reachable", status.internet_ok)
            if status.detail:
                step.notes = status.detail
            record.initial_pattern = observation.pattern.value
            record.network_ok_at_start = status.ok
            if observation.pattern is Pattern.NONE and status.ok:
                self._saw_online()
            step.outcome = observation.pattern
        if observation.pattern is Pattern.SOLID:
            raise PhotodiodeSaturated(
                "photodiode saturated: its input stayed lit for over a minute (ambient light in the shroud, "
                "or the comparator threshold too low); not classified"
            )
        # A burst seen on arrival already says "batteries"; the load test may say it too.
        battery_suspect = observation.pattern is Pattern.LOW_BATTERY
        if session.model.has_battery:
            battery_suspect = not self._battery(session) or battery_suspect
            if record.steps[-1].evidence.pack_flat:
                # A flat pack cannot run the camera: nothing else can be judged before the reference pack.
                self._run_ladder(session, Diagnosis(session.model, False, True, True))
                return
        offline = observation.pattern in (Pattern.NETWORK_LOST, Pattern.UNKNOWN)
        if offline and self._back_after_recent_bench_cycle(session):
            offline = False   # the bench's path was starting: nothing of the camera's
        if offline and not self._run_ladder(
            session, Diagnosis(session.model, True, self._network_ok(session, status.ok), battery_suspect)
        ):
            return
        motion = self._motion(session)
        offline_rounds, retried = 0, False
        while True:
            if motion.outcome is MotionOutcome.OFFLINE:
                if offline_rounds == MOTION_OFFLINE_ROUNDS:
                    record.disposition = Disposition.ESCALATE
                    record.notes.append("offline again at every motion test after the fixes: escalate to Blink support")
                    return
                offline_rounds += 1
                # Offline at a motion test: the ladder (fixes already tried against it are not repeated), again.
                if not self._run_ladder(
                    session, Diagnosis(session.model, True, self._network_ok(session), battery_suspect)
                ):
                    return
                motion = self._motion(session)
            elif motion.outcome is MotionOutcome.NO_RESPONSE and not retried:
                retried = True
                motion = self._motion(session, "motion_retry")
            else:
                break
        if motion.outcome is MotionOutcome.NO_RESPONSE:
            record.disposition = Disposition.FAIL
            record.notes.append("no response to the motion stimulus (twice): motion sensor dead")
            return
        if motion.outcome is MotionOutcome.UNCLEAR:
            record.disposition = Disposition.ESCALATE
            record.notes.append("LED pattern after motion not recognised")
            record.fixes_tried += [fix.name for fix in registered_fixes() if fix.escalation]
            return
        battery_cured = bool(record.fixed_by) and Symptom.BATTERY in get_fix(record.fixed_by).treats
        if (motion.outcome is MotionOutcome.LOW_BATTERY or battery_suspect) and not battery_cured:
            self._run_ladder(session, Diagnosis(session.model, False, True, True))
            return
        record.disposition = Disposition.FIXED if record.fixed_by else Disposition.PASS

    def _soak(self, session: CameraSession, soak: Sequence) -> None:
        """Power-cycle a camera that passed (or was fixed) ``soak.repeat`` times: an intermittent camera that
        sometimes fails to reconnect is a defect no fix cures, so any failed cycle makes it ``fail``."""
        record = session.record
        runner = CycleRunner(self.fixture, self.operator, StepsOnly(self.listener), soak, lambda row: None,
                             self.wall_clock, free_edges=False)
        result = CameraCycles(record.serial, record.model, 1)
        if self.bench is not None:
            self.bench.disturbing()
        with session.step("soak", StepKind.OTHER, f"{soak.repeat} power cycles") as step:
            runner.run_cycles(session, result)
            step.measure("soak_cycles_failed", result.failed)
            if result.aborted:
                raise SoakAborted(result.aborted.removeprefix("rig fault: "))
        record.notes.append(f"soak: {result.failed} of {result.cycles} power cycles failed"
                            + (f" ({result.reasons[0]})" if result.reasons else ""))
        if result.failed:
            if record.fixed_by:
                record.notes.append(f"{record.fixed_by} had cured it before the soak")
                record.fixed_by = ""
            record.disposition = Disposition.FAIL

    def _battery(self, session: CameraSession) -> bool:
        with session.step("battery", StepKind.BATTERY, "load test") as step:
            meter = self.fixture.power_meter
            if meter is None:
                raise PowerMeterError(self.fixture.power_meter_error or "INA219 not available")
            actuators = self.fixture.actuators
            figures = run_battery_test(
                meter, actuators.load_switch, actuators.battery_changeover, session.clock, session.config.battery,
                step, fixture_ohm(session.config.battery, self.fixture.slot),
            )
            session.record.battery = figures
            passed = figures is not None and figures.passed
            step.outcome = Verdict.PASS if passed else Verdict.FAIL
            step.notes = "; ".join(n for n in (step.notes, figures.reason if figures else "") if n)
            if step.evidence.camera_browned_out:
                # The pulse reset the camera: let it start again before anything reads its LED.
                if self.bench is not None:
                    self.bench.disturbing()
                if session.wait_online(step, session.config.timings.reconnect_timeout_s):
                    self._saw_online()
            return passed

    def _held(self) -> AbstractContextManager[None]:
        """A step that watches the camera holds the shared network: no bench cycle starts under it."""
        return self.bench.network() if self.bench is not None else nullcontext()

    def _network_ok(self, session: CameraSession, ok: bool | None = None) -> bool:
        """The bench probe (``ok``: its answer just read). On a shared bench a router that a bench action
        power-cycled moments ago is still starting: it is given the reconnect time before it is called down
        (another cycle would only start it again)."""
        ok = session.network_ok() if ok is None else ok
        if ok or self.bench is None:
            return ok
        deadline = self.bench.router_cycled_s() + session.config.timings.reconnect_timeout_s
        while not ok and (remaining := deadline - session.clock.now()) > 0:
            session.wait("the router starting after a bench power cycle", min(ROUTER_START_POLL_S, remaining))
            ok = session.network_ok()
        return ok

    def _path_works(self, session: CameraSession) -> bool:
        """Several slots: the bench's path to this camera works now (the probe is up), so an offline camera is
        offline on its own. Behind a Sync Module, another camera on the same path says so, seen online since
        any part of it last changed; a direct camera needs only the probe, once a router cycle's start-up is
        past (its cameras are still reconnecting)."""
        assert self.bench is not None
        if self.bench.path_cycling(session.model) or not self._network_ok(session):
            return False
        if session.model.via_sync_module and self._sync_module_light(session) is SyncModuleLight.ONLINE:
            return True   # solid green: the Sync Module is online, and the probe says the router is
        if self.bench.path_witness(session.model) is not None:
            return True
        router_settled_s = self.bench.router_cycled_s() + session.config.timings.reconnect_timeout_s
        return not session.model.via_sync_module and session.clock.now() > router_settled_s

    def _saw_online(self, at_s: float | None = None) -> None:
        """Tell the bench this slot's camera is online (now, or at ``at_s``): the other slots read it as a
        witness of the bench's path."""
        if self.bench is not None:
            self.bench.saw_online(at_s)

    def _back_after_bench_event(self, session: CameraSession, could_cure: bool = True) -> bool:
        """Another slot's bench action touched this camera: watch it come back before judging it. Returns
        whether it is online (False also when no bench action touched it, or when ``could_cure`` is False: the
        camera was known offline on its own before the action, which then cannot have brought it back).

        The wait ends early once the other cameras on its bench path are back and it is not (:class:`OthersBack`)."""
        if self.bench is None or not (events := self.bench.new_events()) or not could_cure:
            return False
        return self._watch_back(session, max(event.finished_s for event in events),
                                session.config.timings.reconnect_timeout_s, "a bench action touched this slot",
                                back_note="back online")

    def _back_after_recent_bench_cycle(self, session: CameraSession) -> bool:
        """Several slots: a camera loaded just after a bench power cycle of its path (another slot's) finds the
        path still starting, and flashes offline for the bench's reason. Watch it come back as the cameras the
        cycle touched do, within the reconnect time from the cycle's end, before calling it offline."""
        if self.bench is None:
            return False
        ended_s = self.bench.path_cycled_s(session.model)
        remaining_s = ended_s + session.config.timings.reconnect_timeout_s - session.clock.now()
        if remaining_s <= 0:
            return False
        return self._watch_back(session, ended_s, remaining_s, "the bench is starting after a power cycle",
                                back_note="back online: the bench's path was starting after a power cycle",
                                grace_s=0.0)

    def _watch_back(self, session: CameraSession, ended_s: float, timeout_s: float, detail: str, back_note: str,
                    grace_s: float | None = None) -> bool:
        """Watch a camera that a bench action ending at ``ended_s`` touched come back (a ``bench_event`` step,
        ended early by :class:`OthersBack`); an online camera is a sighting for the other slots."""
        others_back = self._others_back(session, ended_s)
        with session.step("bench_event", StepKind.OBSERVE, detail) as step:
            online = session.wait_online(step, timeout_s, grace_s=grace_s, give_up=others_back)
            step.notes = back_note if online else f"still offline{others_back.note()}"
        if online:
            self._saw_online()
        return online

    def _others_back(self, session: CameraSession, after_s: float) -> OthersBack:
        assert self.bench is not None
        return OthersBack(self.bench, session, after_s, path_up=lambda: self._path_up_now(session))

    def _motion(self, session: CameraSession, name: str = "motion") -> MotionResult:
        while True:
            self._back_after_bench_event(session)
            with self._held():
                if self.bench is not None and self.bench.pending_events():
                    continue   # a bench action ran while the test waited for the bench: the camera comes back first
                with session.step(name, StepKind.MOTION, "motion stimulus") as step:
                    result = session.motion_test(step)
                    if result.outcome is MotionOutcome.UNCLEAR and self.bench is not None:
                        result = self._look_again_after_unclear(session, step, result)
                    if result.outcome in (MotionOutcome.MOTION, MotionOutcome.LOW_BATTERY):
                        # It answered the stimulus with a clip: online when the test began.
                        self._saw_online(at_s=session.record.started_s + step.started_s)
                    step.outcome = result.outcome
                    if result.decision is not None:
                        step.evidence.decision = LedDecision(result.decision.pattern, result.decision.evidence)
                    return result

    def _look_again_after_unclear(self, session: CameraSession, step, result: MotionResult) -> MotionResult:
        """Several slots: a bench fault arrives with another slot's camera, and one arriving during the test
        mixes offline flashes into the motion pattern. Look again: a camera flashing ``network_lost`` now is
        offline (the ladder, where a bench fault is the bench's), not a pattern nobody recognises."""
        observation = session.observe(step, session.config.led.observe_timeout_s)
        if observation.pattern is not Pattern.NETWORK_LOST:
            return result
        step.notes = "not recognised, then flashing network_lost: the camera went offline during the test"
        return MotionResult(MotionOutcome.OFFLINE, observation.decision, [*result.observations, observation])

    def _run_ladder(self, session: CameraSession, diagnosis: Diagnosis) -> bool:
        """Try the planned fixes in order until one is verified. Returns whether one was; otherwise the
        ladder ended in escalation and the disposition says so.

        A fix already tried against the same symptom is not repeated (offline again after the motion test);
        against another symptom it is (replace_batteries for an offline camera, then for its burst).
        """
        record = session.record
        symptom = Symptom.OFFLINE if diagnosis.offline else Symptom.BATTERY
        shared = self.bench is not None and diagnosis.offline   # several slots: the bench's part comes first
        bench_first = BenchFirst()
        if shared:
            # A path cycled moments ago may not have brought the camera back yet: then its own is not shown.
            settled = session.clock.now() > (self.bench.path_cycled_s(session.model)
                                             + session.config.timings.reconnect_timeout_s)
            session.offline_on_its_own = diagnosis.network_ok and settled and self._path_works(session)
        for name in self.policy.plan(diagnosis):
            fix = get_fix(name)
            if (name, symptom) in session.fixes_against and not fix.escalation:
                continue
            if shared and name == ROUTER_ACTION.fix:
                continue   # the bench's: cycled as a bench action whenever the probe fails (below)
            if shared and fix.escalation:
                if self._back_after_bench_event(session, not session.offline_on_its_own):
                    return True
            elif shared and self._cure_bench_first(session, bench_first):
                return True   # a bench action cured the bench: nothing of this camera's
            restart_alone = shared and name == SYNC_MODULE_ACTION.fix and len(session.model.restart_outlets) > 1
            with session.step(name, StepKind.FIX, "fix") as step:
                context = session.fix_context(fix, step)
                if restart_alone:   # the camera alone: the Sync Module is the bench's
                    context = replace(context, restart_outlets=("camera",))
                    step.notes = bench_first.sync_module_note(session)
                outcome = self._try_fix(session, step, diagnosis, fix, context)
                step.outcome = outcome
            if (outcome is FixOutcome.NOT_VERIFIED and not diagnosis.offline and self.bench is not None
                    and offline_at_check(step)):
                outcome = self._again_after_bench_cure(session, diagnosis, fix)
            if outcome is FixOutcome.ADVISORY:
                continue
            session.fixes_against.add((name, symptom))
            record.fixes_tried.append(name)
            if outcome is FixOutcome.VERIFIED:
                if record.fixed_by:
                    record.notes.append(f"{record.fixed_by} cured the camera's first symptom")
                record.fixed_by = name
                if symptom is Symptom.BATTERY:
                    record.disposition = Disposition.FIXED
                    record.notes.append("camera's own batteries failing: the reference pack cured it")
                return True
            if outcome is FixOutcome.ESCALATED:
                break
        record.disposition = Disposition.ESCALATE
        record.notes.append(
            "no fix cured it: escalate to Blink support; tried " + (", ".join(record.fixes_tried) or "nothing")
        )
        return False

    def _cure_bench_first(self, session: CameraSession, done: BenchFirst) -> bool:
        """Several slots, an offline camera: what the bench explains is the bench's (docs/DESIGN.md), cured
        by bench actions before any fix of the camera's own, so that no fix takes a bench action's credit.
        Returns whether the camera came back (then nothing of its own was wrong). Asked again before each fix:
        a bench fault can arrive with another slot's camera at any time.

        - another slot's bench action touched it: watched coming back, unless it was offline on its own;
        - the probe fails: the router, cycled as a bench action;
        - behind a Sync Module: the Sync Module, once per ladder, when its own light blinks, or when neither its
          light (solid green) nor another camera on its path (seen, or looked at, since the path last changed)
          shows it works (a stuck one cures every camera behind it, a stuck camera stays).
        """
        assert self.bench is not None
        if self._back_after_bench_event(session, not session.offline_on_its_own):
            return True
        if not self._network_ok(session):
            session.offline_on_its_own = False
            if self._bench_cycle(session, ROUTER_ACTION):
                return True
        if session.model.via_sync_module and not done.sync_module_asked:
            done.sync_module_asked = True
            done.light = self._sync_module_light(session)
            if done.light is SyncModuleLight.RECONNECTING:
                return self._bench_cycle(session, SYNC_MODULE_ACTION)   # its own light says it is stuck
            if done.light is not SyncModuleLight.ONLINE:
                done.witness = self.bench.path_witness(session.model, look=not session.offline_on_its_own)
                if done.witness is None and not session.offline_on_its_own:
                    return self._bench_cycle(session, SYNC_MODULE_ACTION)
        session.offline_on_its_own = session.offline_on_its_own or self._path_works(session)
        return False

    def _path_up_now(self, session: CameraSession) -> bool:
        """The bench says its path to this camera is up now: the probe, and behind a Sync Module its solid green
        light (without a sensor, only another camera can say so)."""
        if not session.network_ok():
            return False
        return not session.model.via_sync_module or self._sync_module_light() is SyncModuleLight.ONLINE

    def _sync_module_light(self, session: CameraSession | None = None) -> SyncModuleLight | None:
        """What the bench's sensor on the Sync Module's green LED says (None: no sensor on this fixture).

        With ``session``: a Sync Module blinks while it reconnects after the router came back, so a blinking
        light within the reconnect time of a bench power cycle of the router is watched until it settles
        (solid green, or still blinking at the end: stuck) rather than taken for a stuck Sync Module."""
        sensor = self.fixture.sync_module_light
        if sensor is None:
            return None
        light = sensor.read()
        if session is None or self.bench is None:
            return light
        deadline_s = self.bench.router_cycled_s() + session.config.timings.reconnect_timeout_s
        while light is SyncModuleLight.RECONNECTING and (remaining := deadline_s - session.clock.now()) > 0:
            session.wait("the Sync Module reconnecting after the router", min(ROUTER_START_POLL_S, remaining))
            light = sensor.read()
        return light

    def _try_fix(self, session: CameraSession, step, diagnosis: Diagnosis, fix, context) -> FixOutcome:
        """Act and verify, up to ``fix.attempts`` times while it is not verified (undone after each miss)."""
        for attempt in range(1, fix.attempts + 1):
            if self.bench is not None:
                self.bench.disturbing()
            outcome = fix.act(context)
            if outcome is not None:
                return outcome
            outcome = self._verify(session, step, diagnosis, fix.reboots_camera)
            if outcome is FixOutcome.NOT_VERIFIED and diagnosis.offline and self.bench is not None:
                if attempt < fix.attempts:
                    self.bench.new_events()   # the next attempt is judged afresh, after them
                elif self._back_after_bench_event(session):
                    # A bench fault that arrived during the wait (another slot's camera brought it) hid the
                    # camera: judged again once the bench action cured the bench (it never cures a camera's own).
                    outcome = FixOutcome.VERIFIED
            if outcome is not FixOutcome.NOT_VERIFIED:
                if attempt > 1:
                    step.notes = f"verified at attempt {attempt} of {fix.attempts}"
                return outcome
            fix.undo(context)
        if fix.attempts > 1:
            step.notes = f"not verified after {fix.attempts} attempts"
        return FixOutcome.NOT_VERIFIED

    def _bench_cycle(self, session: CameraSession, action: BenchAction) -> bool:
        """A router or Sync Module cycle as a bench action, merged with the other slots' requests; returns
        whether this camera came back. Never in fixes_tried or fixed_by: the event goes in the notes."""
        assert self.bench is not None
        fix = get_fix(action.fix)
        with session.step(action.name, StepKind.FIX, "bench action") as step:
            context = session.fix_context(fix, step)
            if action.outlets is not None:
                context = replace(context, restart_outlets=action.outlets,
                                  outlets={name: self.fixture.outlets[name] for name in action.outlets})
            event = self.bench.cycle(action, lambda: str(fix.act(context) or ""))
            self.bench.new_events()   # the event this step waited for: acted on here
            outcome = self._verify(session, step, Diagnosis(session.model, True, True, False),
                                   rebooted=action.reboots_camera, after_s=event.finished_s)
            step.outcome = outcome
        if outcome is FixOutcome.VERIFIED:
            return True
        # Another bench action during the wait (a router outage another camera brought) is no proof against it.
        if self._back_after_bench_event(session):
            return True
        # Still offline with the probe up after the bench's last part was cycled: offline on its own.
        last_part = action is SYNC_MODULE_ACTION or not session.model.via_sync_module
        if last_part and session.network_ok():
            session.offline_on_its_own = True
        return False

    def _again_after_bench_cure(self, session: CameraSession, diagnosis: Diagnosis, fix) -> FixOutcome:
        """Several slots: the camera went offline during the motion check after ``fix`` (a bench fault arriving
        with another slot's camera), and the fix was undone. The bench's part is cured as a bench action, then
        the fix is tried again; an offline camera the bench did not explain stays not verified."""
        assert self.bench is not None
        outcome = FixOutcome.NOT_VERIFIED
        for _ in range(BENCH_SPOILED_TRIES):
            if not self._network_ok(session):
                back = self._bench_cycle(session, ROUTER_ACTION)
            elif session.model.via_sync_module and self.bench.path_witness(session.model) is None:
                back = self._bench_cycle(session, SYNC_MODULE_ACTION)
            else:
                back = self._back_after_bench_event(session)
            if not back:
                return FixOutcome.NOT_VERIFIED
            with session.step(fix.name, StepKind.FIX, "fix, again after the bench action") as step:
                outcome = self._try_fix(session, step, diagnosis, fix, session.fix_context(fix, step))
                step.outcome = outcome
                step.notes = "; ".join(n for n in (
                    "the camera went offline during the last check: tried again after the bench action", step.notes
                ) if n)
            if outcome is not FixOutcome.NOT_VERIFIED or not offline_at_check(step):
                return outcome
        return outcome

    def _verify(self, session: CameraSession, step, diagnosis: Diagnosis, rebooted: bool,
                after_s: float | None = None) -> FixOutcome:
        """Is the diagnosed symptom gone? Offline: online again on the LED and the bench probe. Battery:
        online and a clean motion test (quick flash, recording, no low-battery burst).

        Several slots: after a bench action (this step's, ending at ``after_s``, or another slot's during the
        wait) the wait ends once the other cameras on the camera's path are back and it is not."""
        timeout_s = session.config.timings.reconnect_timeout_s
        grace_s = None if rebooted else 0.0
        # Only after a bench action of this step: a fix of the camera's own sets its own time to come back.
        others_back = self._others_back(session, after_s) if self.bench and after_s is not None else None
        if self.policy.verify_early:
            online = session.wait_online(step, timeout_s, grace_s=grace_s, give_up=others_back)
        else:  # the naive bench: wait the article's longest time, then look once
            session.wait("waiting the full reconnect time", timeout_s)
            online = session.wait_online(step, session.config.led.observe_timeout_s, grace_s=0.0)
        if not online:
            if others_back is not None and others_back.gave_up:
                assert self.bench is not None
                self.bench.new_events()   # judged here: no second wait for them
                step.notes = "; ".join(n for n in (step.notes, f"not back{others_back.note()}") if n)
            return FixOutcome.NOT_VERIFIED
        self._saw_online()
        if not diagnosis.offline and diagnosis.battery_suspect:
            motion = session.motion_test(step)
            if motion.outcome is MotionOutcome.UNCLEAR and self.bench is not None:
                motion = self._look_again_after_unclear(session, step, motion)
            step.evidence.motion_after_fix = motion.outcome
            if motion.outcome is not MotionOutcome.MOTION:
                return FixOutcome.NOT_VERIFIED
        return FixOutcome.VERIFIED
