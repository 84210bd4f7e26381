"""The batch figures: counts per disposition, which fixes cured how many, bench times, and where time goes.

Everything here comes from the results rows, except the step timings: the CSV has one row per camera, so the
slowest step is read from the JSON records written beside it (``records/`` next to the CSV by default). A
camera whose record is missing still counts everywhere else.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rig.core.records import CameraRecord
from rig.output.results import record_stem
from rig.procedure.fixes import fix_names
from rig.report.records import RecordError, load_record
from rig.report.results_file import DISPOSITIONS, Problem, ResultRow, ResultsData

VERDICTS = (
    "pass",
    "fixed",
    "fail",
    "escalate",
)  # "aborted" is the rig's failure, never a verdict on a camera


@dataclass(frozen=True)
class FixTally:
    name: str
    tried: int
    cured: int

    @property
    def cure_rate(self) -> float:
        return self.cured / self.tried if self.tried else 0.0


@dataclass(frozen=True)
class DayTally:
    day: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def yield_fraction(self) -> float | None:
        return yield_of(self.counts)


@dataclass(frozen=True)
class StepTally:
    """One step name over every camera whose record was found."""

    name: str
    durations_s: tuple[float, ...]
    longest_serial: str

    @property
    def median_s(self) -> float:
        return statistics.median(self.durations_s)

    @property
    def longest_s(self) -> float:
        return max(self.durations_s)

    @property
    def total_s(self) -> float:
        return sum(self.durations_s)


@dataclass
class BatchSummary:
    rows: list[ResultRow]
    sources: list[str]
    problems: list[Problem]
    counts: dict[str, int]
    fixes: list[FixTally]
    days: list[DayTally]
    bench_times_s: list[float]
    steps: list[StepTally]
    records: dict[tuple[str, int], Path] = field(default_factory=dict)  # (source, line) -> JSON record

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def yield_fraction(self) -> float | None:
        return yield_of(self.counts)

    @property
    def median_bench_s(self) -> float | None:
        return statistics.median(self.bench_times_s) if self.bench_times_s else None

    @property
    def slowest_camera(self) -> ResultRow | None:
        timed = [r for r in self.rows if r.duration_s is not None]
        return max(timed, key=lambda r: r.duration_s or 0.0) if timed else None

    @property
    def slowest_step(self) -> StepTally | None:
        """The step that takes longest on a typical camera (highest median)."""
        return max(self.steps, key=lambda s: (s.median_s, s.longest_s)) if self.steps else None

    @property
    def days_span(self) -> tuple[str, str] | None:
        return (self.days[0].day, self.days[-1].day) if self.days else None


def yield_of(counts: dict[str, int]) -> float | None:
    """Good cameras (pass or fixed) as a share of the cameras that got a verdict; None when none did."""
    judged = sum(counts.get(d, 0) for d in VERDICTS)
    return (counts.get("pass", 0) + counts.get("fixed", 0)) / judged if judged else None


def _fix_order(name: str) -> int:
    names = fix_names()
    return names.index(name) if name in names else len(names)


def record_path(row: ResultRow, records_dir: Path | None = None) -> Path:
    """Where ``rig test`` put this row's JSON record: ``records/`` beside the CSV unless told otherwise."""
    folder = records_dir if records_dir is not None else Path(row.source).parent / "records"
    stem = record_stem(
        CameraRecord(serial=row.serial, model=row.model, started_at=row.started_at, started_s=0.0)
    )
    return folder / f"{stem}.json"


def summarise(data: ResultsData, records_dir: Path | None = None, read_records: bool = True) -> BatchSummary:
    rows = data.rows
    problems = list(data.problems)
    counts = {d: 0 for d in DISPOSITIONS}
    counts.update(Counter(r.disposition for r in rows))

    tried: Counter[str] = Counter()
    cured: Counter[str] = Counter()
    for row in rows:
        tried.update(set(row.fixes_tried))
        if row.disposition == "fixed" and row.fixed_by:
            cured[row.fixed_by] += 1
            if row.fixed_by not in row.fixes_tried:
                tried[row.fixed_by] += 1
    fixes = sorted(
        (FixTally(name, tried[name], cured[name]) for name in tried),
        key=lambda f: (-f.tried, -f.cured, _fix_order(f.name)),
    )

    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.day is not None:
            per_day[row.day][row.disposition] += 1
    days = [DayTally(day, {d: per_day[day][d] for d in DISPOSITIONS}) for day in sorted(per_day)]

    bench = [r.duration_s for r in rows if r.duration_s is not None]
    found: dict[tuple[str, int], Path] = {}
    step_times: dict[str, list[tuple[float, str]]] = defaultdict(list)
    if read_records:
        for row in rows:
            path = record_path(row, records_dir)
            if not path.is_file():
                continue
            try:
                record = load_record(path)
            except RecordError as exc:
                problems.append(Problem(str(exc.path), exc.line, exc.reason))
                continue
            found[(row.source, row.line)] = path
            for step in record.steps:
                if step.duration_s is not None:
                    step_times[step.name].append((step.duration_s, row.serial))
    steps = [
        StepTally(name, tuple(d for d, _ in times), max(times)[1])
        for name, times in sorted(step_times.items())
    ]
    return BatchSummary(rows, list(data.sources), problems, counts, fixes, days, bench, steps, found)
