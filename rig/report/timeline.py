"""What happened to one camera, in time order, as plain data: LED lit intervals, steps, classifier decisions.

The LED timeline plot and the events table of the camera sheet are both drawn from these lists, so what the
plot marks and what the sheet says can never disagree (and the tests check the data, not pixels).
"""

from __future__ import annotations

from dataclasses import dataclass

from rig.core.durations import duration_text
from rig.core.records import CameraRecord, FixOutcome, StepError, StepKind, StepOutcome

FIX_OUTCOME_WORDS: dict[StepOutcome, str] = {
    FixOutcome.VERIFIED: "cured it",
    FixOutcome.NOT_VERIFIED: "did not cure it",
    FixOutcome.DECLINED: "declined by the operator",
    FixOutcome.ADVISORY: "advice only",
    FixOutcome.ESCALATED: "escalated",
    StepError.ERROR: "rig error",
}


@dataclass(frozen=True)
class StepSpan:
    """One step of the procedure on the camera's timeline (seconds from the camera's start)."""

    index: int
    name: str
    kind: StepKind
    start_s: float
    end_s: float
    outcome: StepOutcome | None


@dataclass(frozen=True)
class Classification:
    """One decision of the LED classifier: the window it watched and the pattern it committed to."""

    step: str
    pattern: str
    started_s: float
    decided_at_s: float
    timed_out: bool
    seen: str = ""   # when the window ran out first: what the LED did, in words (not a pattern it may not be)


@dataclass(frozen=True)
class TimelineEvent:
    """A line of the camera sheet's event list: the same events the timeline plot marks."""

    t_s: float
    kind: str  # "step", "fix", "pattern"
    text: str


def timeline_end_s(record: CameraRecord) -> float:
    """Where the timeline ends: the camera's bench time, or the last thing recorded when it has none."""
    if record.duration_s is not None:
        return record.duration_s
    ends = [t for t, _ in record.trace]
    ends += [s.finished_s if s.finished_s is not None else s.started_s for s in record.steps]
    return max(ends, default=0.0)


def step_spans(record: CameraRecord) -> list[StepSpan]:
    end_s = timeline_end_s(record)
    return [
        StepSpan(
            index,
            step.name,
            step.kind,
            step.started_s,
            step.finished_s if step.finished_s is not None else end_s,
            step.outcome,
        )
        for index, step in enumerate(record.steps)
    ]


def classifications(record: CameraRecord) -> list[Classification]:
    """Every classifier decision recorded by any step, in time order."""
    found = [
        Classification(
            step.name, obs.pattern.value, obs.started_s, obs.decided_at_s, obs.timed_out,
            str(obs.figures.get("seen", "")),
        )
        for step in record.steps
        for obs in step.evidence.observations
    ]
    return sorted(found, key=lambda c: c.decided_at_s)


def lit_intervals(record: CameraRecord) -> list[tuple[float, float]]:
    """The LED's lit spans ``(on_s, off_s)`` over the whole test, from the recorded edges."""
    end_s = timeline_end_s(record)
    spans: list[tuple[float, float]] = []
    on_s: float | None = 0.0 if record.trace_initial_level else None
    for t_s, level in record.trace:
        if level and on_s is None:
            on_s = t_s
        elif not level and on_s is not None:
            spans.append((on_s, t_s))
            on_s = None
    if on_s is not None:
        spans.append((on_s, max(end_s, on_s)))
    return spans


def events(record: CameraRecord) -> list[TimelineEvent]:
    """The sheet's event list: each step's start, each fix with its result, each change of classified pattern.

    Repeats of the same pattern (a camera flashing ``network_lost`` for minutes while a fix is verified) are
    folded into the first: the plot shows every decision, the list only what changed.
    """
    out: list[TimelineEvent] = []
    for span in step_spans(record):
        if span.kind is StepKind.FIX:
            word = FIX_OUTCOME_WORDS.get(span.outcome, span.outcome or "no outcome")
            out.append(TimelineEvent(span.start_s, "fix", f"fix {span.name} ({word}, {_secs(span)})"))
        else:
            shown = f": {span.outcome}" if span.outcome else ""
            out.append(TimelineEvent(span.start_s, "step", f"{span.name}{shown} ({_secs(span)})"))
    previous: str | None = None
    for c in classifications(record):
        if c.timed_out:
            label = c.seen or ("no pattern" if c.pattern == "none" else f"{c.pattern}, provisionally")
            text = f"LED window ran out: {label} (during {c.step})"
        else:
            label = c.pattern
            text = f"LED classified {label} (during {c.step})"
        if label != previous:
            out.append(TimelineEvent(c.decided_at_s, "pattern", text))
        previous = label
    order = {"step": 0, "fix": 0, "pattern": 1}
    return sorted(out, key=lambda e: (e.t_s, order[e.kind]))


def _secs(span: StepSpan) -> str:
    return duration_text(span.end_s - span.start_s)
