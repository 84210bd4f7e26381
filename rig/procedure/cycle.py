"""``rig cycle``: a power-cycle sequence run on one slot's camera, ``repeat`` times, one durable row per step.

The runner reaches the camera only through the fixture and the session's verified waits (docs/DESIGN.md,
"Sequences"): outlet steps switch the fixture's outlets (a router or Sync Module step is a bench action, taken
through :meth:`BenchLeases.exclusive` so that with several slots it happens once), ``expect`` uses the session's
online verification, the probe or an LED pattern, ``measure`` the battery test (skipped, ``ok``, on a model
without batteries), ``stimulus`` the motion test. Each row reaches the CSV as its step ends; the summary keeps
figures, not rows, so a soak of any length runs in flat memory (the photodiode's edges are freed after each step).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from rig.core.clock import wait_until
from rig.core.events import ProgressListener
from rig.core.records import CameraRecord, MotionOutcome, StepRecord, TimeBase
from rig.core.records import StepKind as RecordKind
from rig.core.stop import INTERRUPTED_PREFIX, StopRequested
from rig.hardware.fixture import Fixture, unsafe_note
from rig.hardware.power_meter import PowerMeterError
from rig.led.patterns import Pattern
from rig.procedure.battery_test import run_battery_test
from rig.procedure.calibration import fixture_ohm
from rig.procedure.leases import BenchLeases
from rig.procedure.operator import Operator
from rig.procedure.rig_fault import RIG_FAULTS
from rig.procedure.sequence_file import Condition, Sequence, Step, StepKind
from rig.procedure.session import CameraSession

CYCLE_COLUMNS = ("serial", "slot", "cycle", "step", "action", "started_at", "duration_s", "outcome", "value", "notes")
"""The cycle CSV's columns (docs/DESIGN.md, "Sequences"), in this order."""
BENCH_OUTLETS = ("router", "sync_module")   # shared by every slot: switched as one bench action
PROBE_POLL_S = 1.0
MAX_REASONS_KEPT = 20   # failed cycles listed in the summary (the rest are counted)


class StepOutcome(StrEnum):
    OK = "ok"
    TIMEOUT = "timeout"
    FAIL = "fail"
    ABORTED = "aborted"   # a rig fault or a stop: never a verdict on the camera


@dataclass(frozen=True)
class CycleRow:
    serial: str
    slot: int
    cycle: int
    step: int
    action: str
    started_at: str
    duration_s: float
    outcome: StepOutcome
    value: float | None = None
    notes: str = ""

    def to_row(self) -> dict[str, str]:
        return {
            "serial": self.serial, "slot": str(self.slot), "cycle": str(self.cycle), "step": str(self.step),
            "action": self.action, "started_at": self.started_at, "duration_s": f"{self.duration_s:.1f}",
            "outcome": self.outcome.value, "value": "" if self.value is None else f"{self.value:.3f}",
            "notes": self.notes,
        }


@dataclass
class CameraCycles:
    """One camera's run in figures (no rows kept): cycles passed and failed, reconnect times, reasons."""

    serial: str
    model: str
    slot: int
    cycles: int = 0
    passed: int = 0
    failed: int = 0
    reconnect_s: array = field(default_factory=lambda: array("d"))   # 8 bytes a cycle
    reasons: list[str] = field(default_factory=list)                 # the first MAX_REASONS_KEPT failed cycles
    reason_counts: Counter = field(default_factory=Counter)
    aborted: str = ""          # a rig fault or a stop ended the run (exit 3)

    def reconnect_stats(self) -> tuple[float, float, float, float] | None:
        """min, median, p95 and max of the seconds to ``online`` (nearest-rank percentiles)."""
        if not self.reconnect_s:
            return None
        ordered = sorted(self.reconnect_s)

        def rank(p: float) -> float:
            return ordered[max(0, math.ceil(p * len(ordered)) - 1)]

        return ordered[0], rank(0.5), rank(0.95), ordered[-1]


class CycleListener(Protocol):
    """What the runner reports (``rig.ui.progress.CycleProgress`` draws it); step and wait as for ``rig test``."""

    def camera_started(self, index: int, serial: str, model: str) -> None: ...
    def step_started(self, name: str, detail: str = "") -> None: ...
    def waiting(self, label: str, remaining_s: float, total_s: float) -> None: ...
    def cycle_finished(self, result: CameraCycles, cycle: int, total: int, ok: bool, reason: str) -> None: ...
    def camera_done(self, result: CameraCycles) -> None: ...


class StepsOnly:
    """A ``rig test`` progress listener seen as a :class:`CycleListener`: the soak's steps and waits show on the
    camera's own line; its cycles are summed up in the camera's notes instead."""

    def __init__(self, listener: ProgressListener) -> None:
        self.listener = listener

    def camera_started(self, index: int, serial: str, model: str) -> None:
        self.listener.camera_started(index, serial, model)

    def step_started(self, name: str, detail: str = "") -> None:
        self.listener.step_started(f"soak {name}", detail)

    def waiting(self, label: str, remaining_s: float, total_s: float) -> None:
        self.listener.waiting(label, remaining_s, total_s)

    def cycle_finished(self, result: CameraCycles, cycle: int, total: int, ok: bool, reason: str) -> None:
        pass

    def camera_done(self, result: CameraCycles) -> None:
        pass


class CycleAborted(RuntimeError):
    """A rig fault ended a camera's run: the sequence stops (exit 3); the reason is in the row's notes."""

    def __init__(self, result: CameraCycles) -> None:
        super().__init__(f"{result.serial}: {result.aborted}")
        self.result = result


class CycleRunner:
    """Runs one sequence on each camera mounted in ``slot``; ``write`` makes each row durable before the next step."""

    def __init__(
        self,
        fixture: Fixture,
        operator: Operator,
        listener: CycleListener,
        sequence: Sequence,
        write: Callable[[CycleRow], None],
        wall_clock: Callable[[], datetime],
        leases: BenchLeases | None = None,
        slot: int = 1,
        free_edges: bool = True,
    ) -> None:
        self.fixture = fixture
        self.operator = operator
        self.listener = listener
        self.sequence = sequence
        self.write = write
        self.leases = leases or BenchLeases(fixture.clock)
        self.slot = slot
        self.free_edges = free_edges   # False when the caller keeps the LED trace (``rig test --soak``)
        self._wall_start = wall_clock().replace(microsecond=0)
        self._clock_start = fixture.clock.now()
        self._virtual = getattr(fixture.clock, "virtual", False)

    def run_camera(self, index: int, serial: str, model: str) -> CameraCycles:
        """Every cycle of the sequence on this camera; the fixture's safe state at the end, however it ends.
        Raises :class:`CycleAborted` after a rig fault (its row written), and lets a stop request through."""
        clock = self.fixture.clock
        wall = self._wall_start + timedelta(seconds=clock.now() - self._clock_start)
        record = CameraRecord(serial, model, "", clock.now(),
                              clock=TimeBase.SIMULATED if self._virtual else TimeBase.WALL)
        session = CameraSession(self.fixture, self.operator, self.listener, record, wall)
        result = CameraCycles(serial, model, self.slot)
        self.listener.camera_started(index, serial, model)
        self.leases.occupy(self.slot)
        try:
            self._settle(session)
            self.run_cycles(session, result)
        finally:
            self.leases.vacate(self.slot)
            failed = self.fixture.safe_state()
            if failed:
                result.aborted = result.aborted or unsafe_note(failed)
            self.listener.camera_done(result)
        if result.aborted:
            raise CycleAborted(result)
        return result

    def _settle(self, session: CameraSession) -> None:
        """A camera just mounted is still starting: let it come online (as ``rig test`` does before it looks)
        so that the first cycle's stimulus or measurement is not judged on a booting camera. One that does not
        come online here is left to the cycles to expose."""
        self.listener.step_started("starting", "waiting for the camera to come online")
        settle = StepRecord("settle", self.fixture.clock.now() - session.record.started_s, kind=RecordKind.OTHER)
        with self.leases.network(self.slot):
            session.wait_online(settle, session.config.timings.reconnect_timeout_s)
        if self.free_edges:
            self.fixture.photodiode.discard_before(self.fixture.photodiode.mark())

    def run_cycles(self, session: CameraSession, result: CameraCycles) -> None:
        """The sequence's cycles on the camera of ``session``, counted into ``result`` (no safe state here)."""
        for cycle in range(1, self.sequence.repeat + 1):
            ok, reason = self._cycle(session, result, cycle)
            result.cycles += 1
            if ok:
                result.passed += 1
            else:
                result.failed += 1
                result.reason_counts[reason] += 1
                if len(result.reasons) < MAX_REASONS_KEPT:
                    result.reasons.append(f"cycle {cycle}: {reason}")
            self.listener.cycle_finished(result, cycle, self.sequence.repeat, ok, reason)
            if result.aborted or (not ok and self.sequence.stop_on_fail):
                break

    def _cycle(self, session: CameraSession, result: CameraCycles, cycle: int) -> tuple[bool, str]:
        """One cycle: every step that runs in it, each row written as it ends. (ok, the first failure's reason)"""
        reason = ""
        powered_up = False   # a camera switched on in this cycle: its first seconds of dark LED prove nothing
        for step in self.sequence.steps:
            if not step.runs_in(cycle, self.sequence.repeat):
                continue
            self.listener.step_started(f"cycle {cycle}/{self.sequence.repeat}", step.action)
            row = self._step(session, result, cycle, step, powered_up)
            if step.kind is StepKind.OUTLET and step.power_on:
                powered_up = True
            elif step.kind is StepKind.EXPECT:
                powered_up = False
            if row.outcome is not StepOutcome.OK and not reason:
                reason = f"step {step.number} ({step.action}): {row.outcome.value}" + (
                    f", {row.notes}" if row.notes else "")
            if row.outcome is StepOutcome.ABORTED:
                result.aborted = row.notes
                return False, reason
        return not reason, reason

    def _step(self, session: CameraSession, result: CameraCycles, cycle: int, step: Step,
              powered_up: bool) -> CycleRow:
        clock = self.fixture.clock
        started_s = clock.now()
        started_at = session.wall_time().isoformat(timespec="seconds")
        record = StepRecord(step.action, started_s - session.record.started_s, kind=RecordKind.OTHER)
        outcome, value, notes = StepOutcome.ABORTED, None, ""
        try:
            outcome, value, notes = self._act(session, record, step, powered_up)
        except RIG_FAULTS as exc:
            notes = f"rig fault: {exc}"
        except StopRequested as exc:
            notes = f"{INTERRUPTED_PREFIX} {exc.label}: not a verdict on the camera"
            raise
        finally:
            row = CycleRow(result.serial, self.slot, cycle, step.number, step.action, started_at,
                           clock.now() - started_s, outcome, value, notes)
            self.write(row)
            if self.free_edges:
                photodiode = self.fixture.photodiode
                photodiode.discard_before(photodiode.mark())   # no trace is kept: the buffer stays small
        if step.kind is StepKind.EXPECT and step.condition is Condition.ONLINE and outcome is StepOutcome.OK:
            result.reconnect_s.append(value or 0.0)
        return row

    # --- the kinds of step -----------------------------------------------------------------------------------
    def _act(self, session: CameraSession, record: StepRecord, step: Step,
             powered_up: bool) -> tuple[StepOutcome, float | None, str]:
        if step.kind is StepKind.OUTLET:
            return self._outlet(step)
        if step.kind is StepKind.WAIT:
            session.wait(step.action, step.seconds)
            return StepOutcome.OK, None, ""
        if step.kind is StepKind.EXPECT:
            return self._expect(session, record, step, powered_up)
        if step.kind is StepKind.MEASURE:
            return self._measure(session, record)
        with self.leases.network(self.slot):
            motion = session.motion_test(record)
        if motion.outcome is MotionOutcome.MOTION:
            return StepOutcome.OK, None, ""
        return StepOutcome.FAIL, None, f"motion test: {motion.outcome.value}"

    def _outlet(self, step: Step) -> tuple[StepOutcome, float | None, str]:
        outlet = self.fixture.outlets[step.outlet]

        def switch() -> str:
            if step.power_on:
                outlet.on()
            else:
                outlet.off()
            return step.action

        if step.outlet in BENCH_OUTLETS:
            event = self.leases.exclusive(step.action, self.slot, switch, together=True)
            shared = [s for s in event.requested_by if s != self.slot]
            return StepOutcome.OK, None, (f"one bench action with slot(s) {', '.join(map(str, shared))}"
                                          if shared else "")
        switch()
        return StepOutcome.OK, None, ""

    def _expect(self, session: CameraSession, record: StepRecord, step: Step,
                powered_up: bool) -> tuple[StepOutcome, float | None, str]:
        clock = self.fixture.clock
        start = clock.now()
        with self.leases.network(self.slot):
            if step.condition is Condition.ONLINE:
                grace = None if powered_up else 0.0
                ok = session.wait_online(record, step.seconds, grace_s=grace)
            elif step.condition is Condition.NETWORK:
                ok = wait_until(clock, session.network_ok, step.seconds, PROBE_POLL_S)
            else:
                ok = self._pattern(session, record, Pattern(step.pattern), start + step.seconds)
        if ok:
            return StepOutcome.OK, clock.now() - start, ""
        decided = [o.pattern.value for o in record.evidence.observations if not o.timed_out]
        seen = ", ".join(dict.fromkeys(decided[-3:]))   # the last patterns the LED committed to, once each
        probe = "" if step.condition is Condition.PATTERN or session.network_ok() else "; bench probe down"
        return StepOutcome.TIMEOUT, None, (f"LED showed {seen}" if seen else "LED undecided") + probe

    def _pattern(self, session: CameraSession, record: StepRecord, pattern: Pattern, deadline: float) -> bool:
        led = session.config.led
        while (remaining := deadline - self.fixture.clock.now()) > 0:
            observation = session.observe(record, min(led.observe_timeout_s, remaining))
            del record.evidence.observations[:-3]   # only the last few are reported: bounded for long timeouts
            if observation.pattern is pattern and not observation.timed_out:
                return True
        return False

    def _measure(self, session: CameraSession, record: StepRecord) -> tuple[StepOutcome, float | None, str]:
        if not session.model.has_battery:
            return StepOutcome.OK, None, f"skipped: a {session.model.name} has no batteries"
        meter = self.fixture.power_meter
        if meter is None:
            raise PowerMeterError(self.fixture.power_meter_error or "INA219 not available")
        actuators = self.fixture.actuators
        figures = run_battery_test(meter, actuators.load_switch, actuators.battery_changeover, session.clock,
                                   session.config.battery, record,
                                   fixture_ohm(session.config.battery, self.fixture.slot))
        if figures is None:
            return StepOutcome.FAIL, None, record.notes or "nothing to measure (an empty holder?)"
        if record.evidence.camera_browned_out:
            session.wait_online(record, session.config.timings.reconnect_timeout_s)
        outcome = StepOutcome.OK if figures.passed else StepOutcome.FAIL
        return outcome, figures.internal_resistance_ohm, figures.reason
