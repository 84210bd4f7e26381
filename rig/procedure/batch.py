"""A batch: cameras one after another through the controller, each one's outputs written as it finishes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rig.core.config import BatteryConfig
from rig.core.records import CameraRecord, Disposition
from rig.core.stop import INTERRUPTED_PREFIX, StopFlag
from rig.core.textfile import printable
from rig.output.results import ResultsCsv, ResultsError, write_json_record, write_trace
from rig.procedure.controller import BenchController
from rig.ui.scanner import CameraId


class BatchStopped(RuntimeError):
    """The rig failed on a camera: the batch stops so the technician can fix the fixture first."""


class OutputFailed(RuntimeError):
    """A camera's results could not be written (full disk, file size limit, unwritable folder): the batch
    stops, since every later camera would be lost too. One line naming the path and the reason."""


@dataclass
class BatchOutputs:
    results: ResultsCsv
    records_dir: Path
    trace_format: str = "csv"   # "csv" or "vcd"
    sheets: bool = True         # the per-camera HTML report
    battery_config: BatteryConfig | None = None
    problems: list[str] = field(default_factory=list)
    stop: StopFlag | None = None   # after a second Ctrl-C the sheets are skipped: straight to the safe state

    def write(self, record: CameraRecord) -> None:
        """The contract row first (what must never be lost), then the JSON record even if the row failed,
        then the trace and the sheet. Raises :class:`OutputFailed` once everything possible is written."""
        failures: list[str] = []
        try:
            self.results.append(record)
        except ResultsError as exc:
            failures.append(str(exc))
        for writer, what in ((write_json_record, "record"), (self._write_trace, "LED trace")):
            try:
                writer(record, self.records_dir)
            except OSError as exc:
                where = printable(str(exc.filename or self.records_dir))
                failures.append(f"{where}: cannot write the {what} of {printable(record.serial)[:40]}: "
                                f"{exc.strerror or exc}")
                break   # the folder is unusable: the trace would fail the same way
        if failures:
            raise OutputFailed("; ".join(failures))
        if self.stop is not None and self.stop.urgent:
            self.problems.append(f"{record.serial}: report sheet skipped (stopping)")
            return
        if self.sheets:
            from rig.report.camera import write_camera_report  # matplotlib: loaded only when sheets are made

            try:
                write_camera_report(record, self.records_dir, self.battery_config)
            except OSError as exc:  # a full stick must not stop the bench: the row and record are safe
                self.problems.append(f"{record.serial}: report sheet not written: {exc.strerror or exc}")

    def _write_trace(self, record: CameraRecord, folder: Path) -> Path:
        return write_trace(record, folder, self.trace_format)


def run_batch(
    controller: BenchController,
    cameras: Iterable[CameraId],
    outputs: BatchOutputs,
    records: list[CameraRecord] | None = None,
) -> list[CameraRecord]:
    """Test every camera; ``records`` (if given) is filled as cameras finish, so a caller still has them
    when the batch stops on a rig fault or a signal."""
    records = [] if records is None else records
    for index, camera in enumerate(cameras):
        record = controller.test_camera(index, camera.serial, camera.model)
        records.append(record)
        outputs.write(record)
        # Announced only once its row is on disk: "finished" on the screen means "in the CSV".
        controller.listener.camera_finished(record)
        if record.disposition is Disposition.ABORTED:
            raise BatchStopped(f"stopped after {camera.serial}: {abort_reason(record)}")
        if outputs.stop is not None:
            outputs.stop.check()   # a signal after the camera's last wait: no next camera
    return records


def abort_reason(record: CameraRecord) -> str:
    """Why an aborted camera stopped the batch: the rig fault or the signal, not whatever note came first
    (a battery note written before the relay board failed is not the reason)."""
    for note in record.notes:
        if note.startswith(("rig fault:", INTERRUPTED_PREFIX)):
            return note
    return record.notes[-1] if record.notes else "rig fault"
