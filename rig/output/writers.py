"""The outputs of a batch as callbacks over one finished camera record, chosen by the command line.

Each writer takes a finished :class:`CameraRecord` and puts it somewhere: the results CSV row, the JSON record,
the LED trace, the HTML sheet. The CSV row comes first: it is what must never be lost. An *essential* writer's
failure stops the batch; a sheet that cannot be written is reported and the bench goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rig.core.config import BatteryConfig
from rig.core.records import CameraRecord
from rig.output.results import ResultsCsv, write_json_record, write_trace

OUTPUT_NAMES = ("csv", "json", "trace", "sheet")
"""What ``rig test --output`` can choose (the CSV row is always written: it is the contract)."""


@dataclass(frozen=True)
class RecordWriter:
    name: str
    write: Callable[[CameraRecord], object]
    essential: bool = True   # a failure stops the batch; otherwise it is noted and the batch goes on


def csv_writer(results: ResultsCsv) -> RecordWriter:
    return RecordWriter("csv", results.append)


def json_writer(folder: Path) -> RecordWriter:
    return RecordWriter("json", lambda record: write_json_record(record, folder))


def trace_writer(folder: Path, fmt: str = "csv") -> RecordWriter:
    return RecordWriter("trace", lambda record: write_trace(record, folder, fmt))


def sheet_writer(folder: Path, battery_config: BatteryConfig | None = None) -> RecordWriter:
    def write(record: CameraRecord) -> object:
        from rig.report.camera import write_camera_report  # matplotlib: loaded only when sheets are made

        return write_camera_report(record, folder, battery_config)

    return RecordWriter("sheet", write, essential=False)


@dataclass
class BatchOutputs:
    """Where each finished camera goes. Built from the command line's choice (:func:`choose_outputs`)."""

    results: ResultsCsv
    records_dir: Path
    trace_format: str = "csv"   # "csv" or "vcd"
    sheets: bool = True         # the per-camera HTML report
    battery_config: BatteryConfig | None = None
    problems: list[str] = field(default_factory=list)
    outputs: Iterable[str] = OUTPUT_NAMES

    def __post_init__(self) -> None:
        chosen = set(self.outputs) | {"csv"}
        if not self.sheets:
            chosen.discard("sheet")
        unknown = chosen - set(OUTPUT_NAMES)
        if unknown:
            raise ValueError(f"unknown output {sorted(unknown)[0]!r} (known: {', '.join(OUTPUT_NAMES)})")
        self.outputs = tuple(name for name in OUTPUT_NAMES if name in chosen)
        self.sheets = "sheet" in self.outputs
        makers: dict[str, Callable[[], RecordWriter]] = {
            "csv": lambda: csv_writer(self.results),
            "json": lambda: json_writer(self.records_dir),
            "trace": lambda: trace_writer(self.records_dir, self.trace_format),
            "sheet": lambda: sheet_writer(self.records_dir, self.battery_config),
        }
        self.writers = [makers[name]() for name in self.outputs]

    @property
    def writes_records(self) -> bool:
        """Whether anything goes to the records folder."""
        return any(name != "csv" for name in self.outputs)

    def write(self, record: CameraRecord) -> None:
        for writer in self.writers:
            if writer.essential:
                writer.write(record)
                continue
            try:
                writer.write(record)
            except OSError as exc:  # a full stick must not stop the bench: the row and record are safe
                self.problems.append(f"{record.serial}: report {writer.name} not written: {exc.strerror or exc}")
