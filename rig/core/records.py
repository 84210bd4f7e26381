"""What a bench run remembers about one camera: phases with measurements against limits (OpenHTF's idea).

Every step of the procedure appends a :class:`StepRecord`; each reading it takes is a :class:`Measurement` with
its unit and limits, so the verdict can always be traced to numbers. Writers (results CSV, JSON, trace) are
small functions over one finished :class:`CameraRecord`, never logic spread through the controller.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from rig.led.patterns import Pattern

JSON_DIGITS = 12
"""Figures in the JSON record keep 12 significant digits: far finer than any sensor, and no float noise such
as 858.9478799999965 (the last bits of a subtraction)."""


def json_ready(value: Any) -> Any:
    """``value`` with floats cut to :data:`JSON_DIGITS` and NaN or infinities as null (JSON has neither)."""
    if isinstance(value, float):
        return float(f"{value:.{JSON_DIGITS}g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value


class TimeBase(StrEnum):
    """What a record's timestamps count: the wall clock, or the simulator's virtual time (which runs ahead)."""

    WALL = "wall"
    SIMULATED = "simulated"


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


StepOutcome = Pattern | Verdict | MotionOutcome | FixOutcome | StepError
"""How a step ended; which enum depends on its kind (see :func:`parse_outcome`)."""

_OUTCOMES_BY_KIND: dict[StepKind, type[StrEnum]] = {
    StepKind.OBSERVE: Pattern,
    StepKind.BATTERY: Verdict,
    StepKind.MOTION: MotionOutcome,
    StepKind.FIX: FixOutcome,
}


def parse_outcome(kind: StepKind, value: object) -> StepOutcome | None:
    """The typed outcome of a step of ``kind`` from its JSON text (``None`` or '' for no outcome)."""
    if value is None or value == "":
        return None
    if isinstance(value, Pattern | Verdict | MotionOutcome | FixOutcome | StepError):
        return value
    text = str(value)
    first = _OUTCOMES_BY_KIND.get(kind)
    for enum in (first, StepError, *_OUTCOMES_BY_KIND.values()):
        if enum is not None and text in enum._value2member_map_:
            return enum(text)  # type: ignore[return-value]
    raise ValueError(f"unknown outcome {text!r} for a {kind.value} step")


@dataclass(frozen=True)
class LedObservation:
    """One decision of the LED classifier during a step (times from the camera's start)."""

    pattern: Pattern
    started_s: float
    decided_at_s: float
    timed_out: bool = False
    figures: Mapping[str, Any] = field(default_factory=dict)   # the classifier's own evidence for it

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern.value,
            "started_s": self.started_s,
            "decided_at_s": self.decided_at_s,
            "timed_out": self.timed_out,
            "evidence": dict(self.figures),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LedObservation:
        """Raises KeyError/TypeError/ValueError when the observation cannot be placed on a timeline."""
        pattern = str(data["pattern"])
        decided = float(data["decided_at_s"])
        return cls(
            Pattern(pattern) if pattern in Pattern._value2member_map_ else Pattern.UNKNOWN,
            float(data.get("started_s", decided)),
            decided,
            bool(data.get("timed_out", False)),
            dict(data.get("evidence") or {}),
        )


@dataclass(frozen=True)
class LedDecision:
    """The pattern a motion step settled on, with the classifier's evidence."""

    pattern: Pattern
    figures: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"pattern": self.pattern.value, "evidence": dict(self.figures)}


def _numbers(values: object) -> list[float]:
    """The numbers of a JSON list (anything else in it dropped)."""
    if not isinstance(values, list):
        return []
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


@dataclass
class StepEvidence:
    """What a step saw beyond its measurements. Written as a JSON object holding only the parts it has."""

    observations: list[LedObservation] = field(default_factory=list)
    decision: LedDecision | None = None                 # motion steps: the pattern that answered the stimulus
    pulses_ohm: list[float] = field(default_factory=list)   # battery step: each load pulse's R
    pulse_ms: list[float] = field(default_factory=list)     # battery step: how long each pulse's load was on
    fixture_ohm: float | None = None                    # battery step: the calibrated fixture resistance subtracted
    camera_browned_out: bool = False                    # battery step: the pulse reset the camera
    pack_flat: bool = False                             # battery step: the pulse drew almost nothing
    motion_after_fix: MotionOutcome | None = None       # battery fix: the motion test that verified it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.observations:
            out["observations"] = [o.to_dict() for o in self.observations]
        if self.decision is not None:
            out["decision"] = self.decision.to_dict()
        if self.pulses_ohm:
            out["pulses_ohm"] = list(self.pulses_ohm)
        if self.pulse_ms:
            out["pulse_ms"] = list(self.pulse_ms)
        if self.fixture_ohm is not None:
            out["fixture_ohm"] = self.fixture_ohm
        if self.camera_browned_out:
            out["camera_browned_out"] = True
        if self.pack_flat:
            out["pack_flat"] = True
        if self.motion_after_fix is not None:
            out["motion_after_fix"] = self.motion_after_fix.value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepEvidence:
        """Read back what :meth:`to_dict` wrote; parts that make no sense (a hand-edited file) are dropped."""
        evidence = cls()
        raw = data.get("observations")
        for item in raw if isinstance(raw, list) else []:
            try:
                evidence.observations.append(LedObservation.from_dict(item))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue  # an observation without a pattern or a time cannot be placed on the timeline
        decision = data.get("decision")
        if isinstance(decision, Mapping) and str(decision.get("pattern")) in Pattern._value2member_map_:
            evidence.decision = LedDecision(Pattern(str(decision["pattern"])), dict(decision.get("evidence") or {}))
        evidence.pulses_ohm = _numbers(data.get("pulses_ohm"))
        evidence.pulse_ms = _numbers(data.get("pulse_ms"))
        fixture_ohm = _numbers([data.get("fixture_ohm")])
        evidence.fixture_ohm = fixture_ohm[0] if fixture_ohm else None
        evidence.camera_browned_out = data.get("camera_browned_out") is True
        evidence.pack_flat = data.get("pack_flat") is True
        after = data.get("motion_after_fix")
        if isinstance(after, str) and after in MotionOutcome._value2member_map_:
            evidence.motion_after_fix = MotionOutcome(after)
        return evidence


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
    outcome: StepOutcome | None = None    # a str is parsed into the kind's enum
    measurements: list[Measurement] = field(default_factory=list)
    notes: str = ""
    evidence: StepEvidence = field(default_factory=StepEvidence)
    kind: StepKind = StepKind.OTHER

    def __post_init__(self) -> None:
        self.kind = StepKind(self.kind)
        self.outcome = parse_outcome(self.kind, self.outcome)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "outcome" and "kind" in self.__dict__:
            value = parse_outcome(self.kind, value)
        super().__setattr__(name, value)

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
            "kind": self.kind.value,
            "started_s": self.started_s,
            "finished_s": self.finished_s,
            "duration_s": self.duration_s,
            "outcome": self.outcome.value if self.outcome is not None else None,
            "measurements": [m.to_dict() for m in self.measurements],
            "notes": self.notes or None,
            "evidence": self.evidence.to_dict(),
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
    started_at: str                      # ISO 8601 with the UTC offset; virtual on the simulator (see ``clock``)
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
    clock: TimeBase = TimeBase.WALL
    slot: int = 1                        # the fixture slot it was tested in (docs/DESIGN.md, "Slots")

    @property
    def duration_s(self) -> float | None:
        return None if self.finished_s is None else self.finished_s - self.started_s

    def to_dict(self) -> dict[str, Any]:
        """The JSON record: absent values are null (never ''), figures without float noise."""
        return json_ready({
            "serial": self.serial,
            "model": self.model,
            "started_at": self.started_at or None,
            "finished_at": self.finished_at or None,
            "clock": self.clock.value,
            "slot": self.slot,
            "duration_s": self.duration_s,
            "initial_pattern": self.initial_pattern or None,
            "network_ok_at_start": self.network_ok_at_start,
            "battery": asdict(self.battery) if self.battery else None,
            "fixes_tried": self.fixes_tried,
            "fixed_by": self.fixed_by or None,
            "disposition": self.disposition.value if self.disposition else None,
            "notes": self.notes,
            "steps": [s.to_dict() for s in self.steps],
            "trace": {"initial_level": self.trace_initial_level, "edges": self.trace},
        })
