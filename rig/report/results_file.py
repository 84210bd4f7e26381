"""Reading results CSVs for the batch summary: forgiving about the file, exact about what it reports.

A results file grows over many days and outlives the rig's versions: its header may be an older column set
(extra columns are ignored, missing optional ones read as blank) and several files may be given at once, or
concatenated with their headers. A bad row (cut short by a pulled plug, an unknown disposition, a number that
is not one) is a :class:`Problem` naming the file and line; every other row is still summarised.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rig.core.records import Disposition
from rig.output.columns import LIST_COLUMNS, NUMBER_COLUMNS, REQUIRED_COLUMNS, TIME_COLUMNS

DISPOSITIONS = tuple(d.value for d in Disposition)


@dataclass(frozen=True)
class Problem:
    """Something wrong in an input file; ``line`` is None for a whole-file problem."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ResultRow:
    """One camera's row, as read: optional fields the file did not have are blank (or None for numbers)."""

    source: str
    line: int
    serial: str
    disposition: str
    model: str = ""
    started_at: str = ""
    finished_at: str = ""
    duration_s: float | None = None
    initial_pattern: str = ""
    battery_open_v: float | None = None
    battery_loaded_v: float | None = None
    battery_load_a: float | None = None
    internal_resistance_ohm: float | None = None
    fixes_tried: tuple[str, ...] = ()
    fixed_by: str = ""
    notes: str = ""
    clock: str = ""      # "wall" or "simulated"; blank in files written before the column existed
    slot: float | None = None   # the fixture slot; None in files written before the column existed

    @property
    def day(self) -> str | None:
        """The calendar day the camera was started (``YYYY-MM-DD``), if ``started_at`` says."""
        started = _parse_time(self.started_at)
        return started.date().isoformat() if started else None


@dataclass
class ResultsData:
    rows: list[ResultRow]
    problems: list[Problem]
    sources: list[str]


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def read_results(paths: list[str | Path]) -> ResultsData:
    """Read every file in order; problems are collected, never raised."""
    data = ResultsData([], [], [])
    for path in paths:
        data.sources.append(str(path))
        _read_file(Path(path), data)
    return data


def _read_file(path: Path, data: ResultsData) -> None:
    source = str(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        data.problems.append(Problem(source, None, "is a folder, not a results file"))
        return
    except OSError as exc:
        data.problems.append(Problem(source, None, f"cannot read: {exc.strerror or exc}"))
        return
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not text.strip():
        data.problems.append(Problem(source, None, "empty file: no header, no rows"))
        return
    ends_cleanly = text.endswith(("\n", "\r"))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    last_line = text.count("\n") + (0 if ends_cleanly else 1)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            data.problems.append(Problem(source, line, f"unreadable CSV: {exc}; row skipped"))
            if line >= last_line:
                break
            continue
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        names = [f.strip() for f in fields]
        if all(column in names for column in REQUIRED_COLUMNS):
            header = names  # the first header, or another one where files were concatenated
            continue
        if header is None:
            missing = ", ".join(c for c in REQUIRED_COLUMNS if c not in names)
            data.problems.append(
                Problem(source, line, f"not a results file: the header has no {missing} column")
            )
            return
        cut_off = line >= last_line and not ends_cleanly
        row = _row(source, line, header, fields, cut_off, data.problems)
        if row is not None:
            data.rows.append(row)


def _row(
    source: str, line: int, header: list[str], fields: list[str], cut_off: bool, problems: list[Problem]
) -> ResultRow | None:
    def problem(message: str) -> None:
        problems.append(Problem(source, line, message))

    if len(fields) < len(header):
        why = "truncated last line" if cut_off else "short row"
        problem(f"{why}: {len(fields)} of {len(header)} fields; row skipped")
        return None
    if len(fields) > len(header):
        problem(f"{len(fields)} fields where the header has {len(header)} (a stray comma?); row skipped")
        return None
    values = {name: value.strip() for name, value in zip(header, fields, strict=True)}
    serial = values["serial"]
    disposition = values["disposition"].lower()
    if not serial:
        problem("no serial; row skipped")
        return None
    if disposition not in DISPOSITIONS:
        shown = f"unknown disposition {values['disposition']!r}" if disposition else "no disposition"
        problem(f"{shown} for {serial} (expected {', '.join(DISPOSITIONS)}); row skipped")
        return None
    if cut_off:
        problem(f"last line has no line end: the write may have been cut off; {serial} counted as read")
    numbers: dict[str, float | None] = {}
    for name in NUMBER_COLUMNS:
        numbers[name] = _number(values.get(name, ""), name, serial, problem)
    for name in TIME_COLUMNS:
        if values.get(name) and _parse_time(values[name]) is None:
            problem(f"{name} {values[name]!r} is not an ISO 8601 date-time ({serial})")
    if "duration_s" not in values:  # an older column set: work the bench time out from the timestamps
        numbers["duration_s"] = _elapsed_s(values.get("started_at", ""), values.get("finished_at", ""))
    fixed_by = values.get("fixed_by", "")
    if fixed_by and disposition != "fixed":
        problem(f"fixed_by {fixed_by!r} on a row whose disposition is {disposition} ({serial})")
    return ResultRow(
        source=source,
        line=line,
        serial=serial,
        disposition=disposition,
        model=values.get("model", ""),
        started_at=values.get("started_at", ""),
        finished_at=values.get("finished_at", ""),
        initial_pattern=values.get("initial_pattern", ""),
        **{name: tuple(f.strip() for f in values.get(name, "").split(";") if f.strip()) for name in LIST_COLUMNS},
        fixed_by=fixed_by,
        notes=values.get("notes", ""),
        clock=values.get("clock", ""),
        **numbers,
    )


def _number(text: str, name: str, serial: str, problem) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problem(f"{name} {text!r} is not a number ({serial}); left blank")
        return None
    if value != value or value < 0:  # NaN or negative: no such bench time or battery figure
        problem(f"{name} {text!r} is not a plausible value ({serial}); left blank")
        return None
    return value


def _elapsed_s(started: str, finished: str) -> float | None:
    start, end = _parse_time(started), _parse_time(finished)
    if start is None or end is None or (start.tzinfo is None) != (end.tzinfo is None) or end < start:
        return None
    return (end - start).total_seconds()
