"""The outputs of a batch as callbacks over one finished camera record, chosen by the command line.

Each writer takes a finished :class:`CameraRecord` and puts it somewhere: the results CSV row, the JSON record,
the LED trace, the HTML sheet (docs/DESIGN.md, "Outputs"). The CSV row comes first: it is what must never be
lost. An *essential* writer's failure stops the batch (every later camera would be lost too) once everything
possible for this camera is written; a sheet that cannot be written is reported and the bench goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rig.core.config import BatteryConfig
from rig.core.records import CameraRecord
from rig.core.stop import StopFlag
from rig.core.textfile import printable
from rig.output.results import ResultsCsv, ResultsError, write_json_record, write_trace

OUTPUT_NAMES = ("csv", "json", "trace", "sheet")
"""What ``rig test --output`` can choose (the CSV row is always written: it is the contract)."""


class OutputFailed(RuntimeError):
    """A camera's results could not be written (full disk, file size limit, unwritable folder): the batch
    stops, since every later camera would be lost too. One line naming the path and the reason."""


@dataclass(frozen=True)
class RecordWriter:
    name: str
    write: Callable[[CameraRecord], object]
    what: str = ""              # how a failure names what was not written ("record", "LED trace")
    essential: bool = True      # a failure stops the batch; otherwise it is noted and the batch goes on
    in_records_dir: bool = False   # once one such writer fails, the folder is unusable: the others are skipped


def csv_writer(results: ResultsCsv) -> RecordWriter:
    return RecordWriter("csv", results.append, "row")


def json_writer(folder: Path) -> RecordWriter:
    return RecordWriter("json", lambda record: write_json_record(record, folder), "record", in_records_dir=True)


def trace_writer(folder: Path, fmt: str = "csv") -> RecordWriter:
    return RecordWriter("trace", lambda record: write_trace(record, folder, fmt), "LED trace", in_records_dir=True)


def sheet_writer(folder: Path, battery_config: BatteryConfig | None = None) -> RecordWriter:
    def write(record: CameraRecord) -> object:
        from rig.report.camera import write_camera_report  # matplotlib: loaded only when sheets are made

        return write_camera_report(record, folder, battery_config)

    return RecordWriter("sheet", write, "report sheet", essential=False, in_records_dir=True)


@dataclass
class BatchOutputs:
    """Where each finished camera goes, built from the command line's choice (``outputs``, ``sheets``)."""

    results: ResultsCsv
    records_dir: Path
    trace_format: str = "csv"   # "csv" or "vcd"
    sheets: bool = True         # the per-camera HTML report
    battery_config: BatteryConfig | None = None
    problems: list[str] = field(default_factory=list)
    stop: StopFlag | None = None   # after a second Ctrl-C the sheets are skipped: straight to the safe state
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
        return any(writer.in_records_dir for writer in self.writers)

    def write(self, record: CameraRecord) -> None:
        """The contract row first, then the JSON record even if the row failed, then the trace and the sheet.
        Raises :class:`OutputFailed` once everything possible is written."""
        failures: list[str] = []
        folder_failed = False
        for writer in (w for w in self.writers if w.essential):
            if folder_failed and writer.in_records_dir:
                continue
            try:
                writer.write(record)
            except ResultsError as exc:
                failures.append(str(exc))
            except OSError as exc:
                where = printable(str(exc.filename or self.records_dir))
                failures.append(f"{where}: cannot write the {writer.what} of {printable(record.serial)[:40]}: "
                                f"{exc.strerror or exc}")
                folder_failed = folder_failed or writer.in_records_dir
        if failures:
            raise OutputFailed("; ".join(failures))
        for writer in (w for w in self.writers if not w.essential):
            if self.stop is not None and self.stop.urgent:
                self.problems.append(f"{record.serial}: {writer.what} skipped (stopping)")
                continue
            try:
                writer.write(record)
            except OSError as exc:  # a full stick must not stop the bench: the row and record are safe
                self.problems.append(f"{record.serial}: {writer.what} not written: {exc.strerror or exc}")
