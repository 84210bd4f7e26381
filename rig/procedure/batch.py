"""A batch: cameras one after another through the controller, each one's outputs written as it finishes
(the outputs themselves: :mod:`rig.output.writers`)."""

from __future__ import annotations

from collections.abc import Iterable

from rig.core.records import CameraRecord, Disposition
from rig.output.writers import BatchOutputs
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
        outputs.write(record)
        records.append(record)
        # Announced only once its row is on disk: "finished" on the screen means "in the CSV".
        controller.listener.camera_finished(record)
        if record.disposition is Disposition.ABORTED:
            reason = record.notes[0] if record.notes else "rig fault"
            raise BatchStopped(f"stopped after {camera.serial}: {reason}")
    return records
