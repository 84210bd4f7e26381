"""What a bench run remembers about one camera: phases with measurements against limits (OpenHTF's idea).

Every step of the procedure appends a :class:`StepRecord`; each reading it takes is a :class:`Measurement` with
its unit and limits, so the verdict can always be traced to numbers. Writers (results CSV, JSON, trace) are
small functions over one finished :class:`CameraRecord`, never logic spread through the controller.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Disposition(StrEnum):
    PASS = "pass"
    FIXED = "fixed"
    FAIL = "fail"            # a defect no fix cures (e.g. a dead PIR)
    ESCALATE = "escalate"    # the ladder is exhausted: contact support
    ABORTED = "aborted"      # the rig itself failed: never a verdict on the camera


class StepKind(StrEnum):
    """What a step of the procedure is: the reports group and colour steps by kind, never by name."""

    OBSERVE = "observe"   # watching a freshly mounted camera's LED
    BATTERY = "battery"   # the load test
    MOTION = "motion"     # the motion stimulus and the LED's answer (also its retry)
    FIX = "fix"           # one of the article's fixes (rig.procedure.fixes)
    OTHER = "other"


class Verdict(StrEnum):
    """A measured step against its limits (the battery load test)."""

    PASS = "pass"
    FAIL = "fail"


class MotionOutcome(StrEnum):
    """What the camera did after the motion stimulus."""

    MOTION = "motion"              # quick flash and the recording light: the sensor works
    LOW_BATTERY = "low_battery"    # the burst after recording: the pack sags
    NO_RESPONSE = "no_response"    # dark until the motion timeout
    OFFLINE = "offline"            # network_lost flashes instead
    UNCLEAR = "unclear"            # a pattern that is none of these


class FixOutcome(StrEnum):
    """How a fix ended."""

    VERIFIED = "verified"          # the symptom is gone: this fix cured it
    NOT_VERIFIED = "not_verified"  # done, but the symptom stayed
    DECLINED = "declined"          # the operator did not do the app step
    ADVISORY = "advisory"          # nothing to actuate on a bench (move_closer)
    ESCALATED = "escalated"        # contact_support: the ladder ends here


class StepError(StrEnum):
    ERROR = "error"                # the step was cut short by an exception (the notes say which)


class Symptom(StrEnum):
    """What a fix is tried against: the ladder does not repeat a fix against the same symptom."""

    OFFLINE = "offline"
    BATTERY = "battery"


@dataclass
class Measurement:
    name: str
    value: float | str | bool | None
    unit: str = ""
    low: float | None = None
    high: float | None = None

    @property
    def passed(self) -> bool | None:
        """Within limits? ``None`` when the measurement has no limits or no numeric value."""
        if self.low is None and self.high is None:
            return None
        if not isinstance(self.value, int | float) or isinstance(self.value, bool):
            return False
        if isinstance(self.value, float) and math.isnan(self.value):
            return False
        if self.low is not None and self.value < self.low:
            return False
        return not (self.high is not None and self.value > self.high)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


@dataclass
class StepRecord:
    name: str
    started_s: float
    finished_s: float | None = None
    outcome: str = ""          # e.g. "pass", "fail", "verified", "not_verified", "skipped", "error"
    measurements: list[Measurement] = field(default_factory=list)
    notes: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        return None if self.finished_s is None else self.finished_s - self.started_s

    def measure(self, name: str, value, unit: str = "", low=None, high=None) -> Measurement:
        m = Measurement(name, value, unit, low, high)
        self.measurements.append(m)
        return m

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "started_s": self.started_s,
            "finished_s": self.finished_s,
            "duration_s": self.duration_s,
            "outcome": self.outcome,
            "measurements": [m.to_dict() for m in self.measurements],
            "notes": self.notes,
            "evidence": self.evidence,
        }


@dataclass
class BatteryFigures:
    open_circuit_v: float
    loaded_v: float
    load_a: float
    background_a: float
    background_v: float
    internal_resistance_ohm: float
    passed: bool
    reason: str = ""


@dataclass
class CameraRecord:
    serial: str
    model: str
    started_at: str                      # ISO 8601, local wall time (virtual on the simulator)
    started_s: float                     # rig clock
    finished_at: str = ""
    finished_s: float | None = None
    initial_pattern: str = ""
    network_ok_at_start: bool | None = None
    battery: BatteryFigures | None = None
    fixes_tried: list[str] = field(default_factory=list)
    fixed_by: str = ""
    disposition: Disposition | None = None
    notes: list[str] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    trace: list[tuple[float, int]] = field(default_factory=list)   # LED edges (t_s from start, level)
    trace_initial_level: int = 0

    @property
    def duration_s(self) -> float | None:
        return None if self.finished_s is None else self.finished_s - self.started_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "serial": self.serial,
            "model": self.model,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": self.duration_s,
            "initial_pattern": self.initial_pattern,
            "network_ok_at_start": self.network_ok_at_start,
            "battery": asdict(self.battery) if self.battery else None,
            "fixes_tried": self.fixes_tried,
            "fixed_by": self.fixed_by,
            "disposition": self.disposition.value if self.disposition else None,
            "notes": self.notes,
            "steps": [s.to_dict() for s in self.steps],
            "trace": {"initial_level": self.trace_initial_level, "edges": self.trace},
        }
