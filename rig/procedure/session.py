"""One camera on the fixture: the shared means every procedure step and fix uses.

A :class:`CameraSession` owns the camera's record and offers the verified primitives the steps are built from:
``step`` (a timed, recorded phase), ``wait`` (a visible countdown on the rig clock), ``observe`` (classify the
LED), ``wait_online`` (the verification of every network fix) and ``motion_test``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rig.core.config import RigConfig
from rig.core.events import ProgressListener
from rig.core.models import CameraModel, camera_model
from rig.core.records import (
    CameraRecord,
    LedObservation,
    MotionOutcome,
    StepError,
    StepKind,
    StepRecord,
    Symptom,
)
from rig.core.retry import retry_transient
from rig.hardware.fixture import Fixture
from rig.led.classifier import Decision
from rig.led.patterns import Pattern
from rig.procedure.fixes.base import Fix, FixContext
from rig.procedure.observe import LedWatcher, Observation
from rig.procedure.operator import Operator
from rig.procedure.rig_fault import ProbeFault

WAIT_TICK_S = 1.0          # how often a countdown reports the time left
PROBE_FAULT_STREAK = 3     # dark LED yet a failing probe this many times in a row: the probe is the fault
STIMULUS_S = 1.0           # how long the motion stimulus is applied


@dataclass
class MotionResult:
    """What the camera did after the motion stimulus."""

    outcome: MotionOutcome
    decision: Decision | None = None
    observations: list[Observation] = field(default_factory=list)


class CameraSession:
    def __init__(
        self,
        fixture: Fixture,
        operator: Operator,
        listener: ProgressListener,
        record: CameraRecord,
        wall_start: datetime,
    ) -> None:
        self.fixture = fixture
        self.config: RigConfig = fixture.config
        self.clock = fixture.clock
        self.operator = operator
        self.listener = listener
        self.record = record
        self.model: CameraModel = camera_model(record.model)
        self.watcher = LedWatcher(fixture.photodiode, fixture.clock)
        self._wall_start = wall_start
        self._clock_start = fixture.clock.now()
        self.fixes_against: set[tuple[str, Symptom]] = set()   # (fix, symptom) pairs the ladder has tried
        # Several slots: the bench's path is known to work while the camera is offline, so no bench action
        # can be what keeps it offline (set and read by the controller's ladder).
        self.offline_on_its_own = False
        self.trace_mark = fixture.photodiode.mark()
        self.initial_level = int(fixture.photodiode.lit)

    # --- time -------------------------------------------------------------------------------------------
    def wall_time(self) -> datetime:
        """Wall time on the rig's timeline (virtual on the simulator), for the record's timestamps."""
        return self._wall_start + timedelta(seconds=self.clock.now() - self._clock_start)

    def wait(self, label: str, seconds: float) -> None:
        """A deliberate wait (the article's off-times): on the rig clock, with the time left reported."""
        end = self.clock.now() + seconds
        while (remaining := end - self.clock.now()) > 1e-9:
            self.listener.waiting(label, remaining, seconds)
            self.clock.sleep(min(WAIT_TICK_S, remaining))
        self.listener.waiting(label, 0.0, seconds)

    # --- steps ------------------------------------------------------------------------------------------
    @contextmanager
    def step(self, name: str, kind: StepKind, detail: str = "") -> Iterator[StepRecord]:
        self.listener.step_started(name, detail)
        record = StepRecord(name=name, started_s=self.clock.now() - self.record.started_s, kind=kind)
        self.record.steps.append(record)
        try:
            yield record
        except BaseException as exc:
            record.outcome = record.outcome or StepError.ERROR
            record.notes = record.notes or f"{type(exc).__name__}: {exc}"
            raise
        finally:
            record.finished_s = self.clock.now() - self.record.started_s
            self.listener.step_finished(name, self.record)

    # --- LED ----------------------------------------------------------------------------------------------
    def observe(
        self, step: StepRecord, timeout_s: float, start_action: Callable[[], None] | None = None
    ) -> Observation:
        observation = self.watcher.observe(timeout_s, start_action=start_action)
        decision = observation.decision
        step.evidence.observations.append(
            LedObservation(
                pattern=decision.pattern,
                started_s=round(observation.started_s - self.record.started_s, 6),
                decided_at_s=round(decision.decided_at_s - self.record.started_s, 6),
                timed_out=observation.timed_out,
                figures=decision.evidence,
            )
        )
        return observation

    def observe_settled(self, step: StepRecord) -> Observation:
        """Classify the LED of a freshly mounted camera: let it boot first, and give a lit LED the time to
        prove itself a clip or a solid light."""
        led = self.config.led
        self.wait("camera starting up", self.config.timings.boot_grace_s)
        observation = self.observe(step, led.observe_timeout_s)
        if observation.timed_out and self.fixture.photodiode.lit:
            observation = self.observe(step, led.recording_timeout_s)
        return observation

    # --- fixes --------------------------------------------------------------------------------------------
    def fix_context(self, fix: Fix, step: StepRecord) -> FixContext:
        """What ``fix`` may use: only the outlets and actuators it declared, the operator only if it asks."""
        actuators = self.fixture.actuators
        return FixContext(
            serial=self.record.serial,
            model=self.model,
            timings=self.config.timings,
            step=step,
            clock=self.clock,
            outlets={name: self.fixture.outlets[name] for name in fix.outlets},
            actuators={name: getattr(actuators, name) for name in fix.actuators},
            operator=self.operator if fix.asks_operator else None,
            wait=self.wait,
            announce=self.listener.step_started,
        )

    # --- verification -------------------------------------------------------------------------------------
    def network_ok(self) -> bool:
        return self.fixture.network.check().ok

    def wait_online(self, step: StepRecord, timeout_s: float, grace_s: float | None = None,
                    give_up: Callable[[], bool] | None = None) -> bool:
        """Verified when the LED is dark (no offline flashes) and the bench probe passes, before the timeout.

        ``grace_s`` skips the first seconds after a power-up, when a booting camera's LED is dark but proves
        nothing. ``give_up``, asked after each look that did not find the camera online, ends the wait early
        (the bench already knows the camera is not coming back).
        """
        timings = self.config.timings
        deadline = self.clock.now() + timeout_s
        grace = timings.boot_grace_s if grace_s is None else grace_s
        if grace > 0:
            self.wait("camera booting", min(grace, timeout_s))
        dark_but_probe_down = 0
        while (remaining := deadline - self.clock.now()) > 0:
            self.listener.waiting("waiting for the camera to come online", remaining, timeout_s)
            observation = self.observe(step, min(self.config.led.observe_timeout_s, remaining))
            if observation.pattern is not Pattern.NONE or observation.timed_out:
                dark_but_probe_down = 0
                if give_up is not None and give_up():
                    return False
                continue
            status = self.fixture.network.check()
            if status.ok:
                online_s = self.clock.now() - self.record.started_s - step.started_s
                step.measure("online_after_s", round(online_s, 1), "s")
                return True
            dark_but_probe_down += 1
            if dark_but_probe_down >= PROBE_FAULT_STREAK:
                raise ProbeFault(
                    "the camera is online (no offline flashes) but the bench's network probe keeps failing "
                    f"({status.detail or 'no detail'}): check the Pi's own network link and [network] in the config"
                )
        return False

    def motion_test(self, step: StepRecord) -> MotionResult:
        """Fire the stimulus the model reacts to; expect a quick flash, the recording light, and no burst."""
        stimulus = getattr(self.fixture.actuators, self.model.motion_actuator)

        def fire() -> None:
            retry_transient(stimulus.on, self.clock)
            try:
                self.clock.sleep(STIMULUS_S)
            finally:
                stimulus.off()

        led = self.config.led
        result = MotionResult(MotionOutcome.NO_RESPONSE)
        deadline = self.clock.now() + led.motion_timeout_s
        start_action: Callable[[], None] | None = fire
        # A dark LED right after the stimulus is not yet "no response": keep looking until the motion timeout.
        while True:
            observation = self.observe(
                step, led.motion_timeout_s + led.recording_timeout_s, start_action=start_action
            )
            start_action = None
            result.observations.append(observation)
            pattern = observation.pattern
            if pattern is Pattern.MOTION:
                return MotionResult(MotionOutcome.MOTION, observation.decision, result.observations)
            if pattern is Pattern.LOW_BATTERY:
                return MotionResult(MotionOutcome.LOW_BATTERY, observation.decision, result.observations)
            if pattern is Pattern.NETWORK_LOST:
                return MotionResult(MotionOutcome.OFFLINE, observation.decision, result.observations)
            if pattern is not Pattern.NONE:
                return MotionResult(MotionOutcome.UNCLEAR, observation.decision, result.observations)
            if self.clock.now() >= deadline:
                return MotionResult(MotionOutcome.NO_RESPONSE, observation.decision, result.observations)
