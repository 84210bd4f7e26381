"""A batch: cameras one after another through the controller, each one's outputs written as it finishes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rig.core.config import BatteryConfig
from rig.core.records import CameraRecord, Disposition
from rig.output.results import ResultsCsv, write_json_record, write_trace
from rig.procedure.controller import BenchController
from rig.ui.scanner import CameraId


class BatchStopped(RuntimeError):
    """The rig failed on a camera: the batch stops so the technician can fix the fixture first."""


@dataclass
class BatchOutputs:
    results: ResultsCsv
    records_dir: Path
    trace_format: str = "csv"   # "csv" or "vcd"
    sheets: bool = True         # the per-camera HTML report
    battery_config: BatteryConfig | None = None
    problems: list[str] = field(default_factory=list)

    def write(self, record: CameraRecord) -> None:
        # The contract row first: it is what must never be lost.
        self.results.append(record)
        write_json_record(record, self.records_dir)
        write_trace(record, self.records_dir, self.trace_format)
        if self.sheets:
            from rig.report.camera import write_camera_report  # matplotlib: loaded only when sheets are made

            try:
                write_camera_report(record, self.records_dir, self.battery_config)
            except OSError as exc:  # a full stick must not stop the bench: the row and record are safe
                self.problems.append(f"{record.serial}: report sheet not written: {exc.strerror or exc}")


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
        outputs.write(record)
        records.append(record)
        # Announced only once its row is on disk: "finished" on the screen means "in the CSV".
        controller.listener.camera_finished(record)
        if record.disposition is Disposition.ABORTED:
            reason = record.notes[0] if record.notes else "rig fault"
            raise BatchStopped(f"stopped after {camera.serial}: {reason}")
    return records
