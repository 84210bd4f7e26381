"""A batch: cameras one after another through the controller, each one's outputs written as it finishes
(the outputs themselves: :mod:`rig.output.writers`)."""

from __future__ import annotations

from collections.abc import Iterable

from rig.core.records import CameraRecord, Disposition
from rig.core.stop import INTERRUPTED_PREFIX
from rig.output.writers import BatchOutputs, OutputFailed  # noqa: F401  (OutputFailed: raised by outputs.write)
from rig.procedure.controller import ProcedureController
from rig.ui.scanner import CameraId


class BatchStopped(RuntimeError):
    """The rig failed on a camera: the batch stops so the technician can fix the fixture first."""


def run_batch(
    controller: ProcedureController,
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
