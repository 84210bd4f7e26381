"""The results CSV's columns, defined once: how the rig writes each and how the batch summary reads it back.

The contract (docs/DESIGN.md, "Results CSV") fixes the first fourteen names; ``clock`` extends it (``wall`` or
``simulated``: the simulator's timestamps run on virtual time, ahead of the wall clock), and so does ``slot``
(the fixture slot, 1-based). Readers must accept files written before a column existed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from rig.core.records import CameraRecord


class ColumnKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"   # a non-negative figure; blank when not measured
    TIME = "time"       # ISO 8601 with the UTC offset
    LIST = "list"       # names joined by ';'


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    value: Callable[[CameraRecord], str]
    required: bool = False   # a reader cannot use a row without it


def _fmt(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _battery(attribute: str, digits: int) -> Callable[[CameraRecord], str]:
    def value(record: CameraRecord) -> str:
        return _fmt(getattr(record.battery, attribute) if record.battery else None, digits)

    return value


COLUMNS: tuple[Column, ...] = (
    Column("serial", ColumnKind.TEXT, lambda r: r.serial, required=True),
    Column("model", ColumnKind.TEXT, lambda r: r.model),
    Column("started_at", ColumnKind.TIME, lambda r: r.started_at),
    Column("finished_at", ColumnKind.TIME, lambda r: r.finished_at),
    Column("duration_s", ColumnKind.NUMBER, lambda r: _fmt(r.duration_s, 1)),
    Column("initial_pattern", ColumnKind.TEXT, lambda r: r.initial_pattern),
    Column("battery_open_v", ColumnKind.NUMBER, _battery("open_circuit_v", 3)),
    Column("battery_loaded_v", ColumnKind.NUMBER, _battery("loaded_v", 3)),
    Column("battery_load_a", ColumnKind.NUMBER, _battery("load_a", 4)),
    Column("internal_resistance_ohm", ColumnKind.NUMBER, _battery("internal_resistance_ohm", 3)),
    Column("fixes_tried", ColumnKind.LIST, lambda r: ";".join(r.fixes_tried)),
    Column("fixed_by", ColumnKind.TEXT, lambda r: r.fixed_by),
    Column("disposition", ColumnKind.TEXT, lambda r: r.disposition.value if r.disposition else "", required=True),
    Column("notes", ColumnKind.TEXT, lambda r: "; ".join(r.notes)),
    Column("clock", ColumnKind.TEXT, lambda r: r.clock.value),
    Column("slot", ColumnKind.NUMBER, lambda r: str(r.slot)),
)

RESULT_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS)
CONTRACT_COLUMNS: tuple[str, ...] = RESULT_COLUMNS[:14]   # the header files written before ``clock``
OLDER_HEADERS: tuple[tuple[str, ...], ...] = tuple(
    RESULT_COLUMNS[:n] for n in range(len(RESULT_COLUMNS) - 1, len(CONTRACT_COLUMNS) - 1, -1)
)
"""Headers of files written by earlier versions (columns are only ever added at the end): still appended to."""
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)
NUMBER_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind is ColumnKind.NUMBER)
TIME_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind is ColumnKind.TIME)
LIST_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.kind is ColumnKind.LIST)


FORMULA_STARTS = ("=", "+", "-", "@")   # what a spreadsheet takes for the start of a formula


def spreadsheet_safe(value: str) -> str:
    """A CSV field no spreadsheet runs as a formula (CSV injection): text starting with ``= + - @`` (or a tab
    or carriage return) gets a leading apostrophe, the spreadsheets' own "this is text" mark. Numbers such as
    ``-0.012`` are left as they are."""
    if not value.startswith((*FORMULA_STARTS, "\t", "\r")):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def result_row(record: CameraRecord) -> dict[str, str]:
    """The CSV row of a finished camera, as the contract defines it (every field spreadsheet-safe)."""
    return {column.name: spreadsheet_safe(column.value(record)) for column in COLUMNS}
