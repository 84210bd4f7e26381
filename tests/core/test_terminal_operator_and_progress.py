"""The desk's human interface: the operator prompt on a terminal, and the progress lines and batch table."""

from __future__ import annotations

import io
import os

from rich.console import Console

from rig.core.clock import MonotonicClock
from rig.core.records import BatteryFigures, CameraRecord, Disposition
from rig.procedure.operator import OperatorTask
from rig.ui.progress import RichProgress, summary_table
from rig.ui.terminal_operator import TerminalOperator


def _operator_with_input(text: str | None):
    read_fd, write_fd = os.pipe()
    if text is not None:
        os.write(write_fd, text.encode())
    stream = os.fdopen(read_fd, "r")
    out = io.StringIO()
    return TerminalOperator(MonotonicClock(), Console(file=out, width=120), stream), out, write_fd


def test_enter_means_done_and_the_instructions_are_shown() -> None:
    operator, out, write_fd = _operator_with_input("\n")
    reply = operator.request(OperatorTask.CHANGE_WIFI, "G8T1-0001", "Blink app: Change WiFi.", timeout_s=5)
    os.close(write_fd)
    assert reply.done
    assert "G8T1-0001" in out.getvalue() and "Blink app: Change WiFi." in out.getvalue()


def test_n_means_not_done() -> None:
    operator, _, write_fd = _operator_with_input("n\n")
    reply = operator.request(OperatorTask.READD_CAMERA, "G8T1-0001", "re-add", timeout_s=5)
    os.close(write_fd)
    assert not reply.done and "cannot be done" in reply.note


def test_end_of_input_and_timeout_are_not_done() -> None:
    operator, _, write_fd = _operator_with_input("")
    os.close(write_fd)  # end of input
    reply = operator.request(OperatorTask.DELETE_CAMERA, "X", "delete", timeout_s=5)
    assert not reply.done and "end of input" in reply.note
    operator, _out, write_fd = _operator_with_input(None)
    reply = operator.request(OperatorTask.DELETE_CAMERA, "X", "delete", timeout_s=0.3)
    os.close(write_fd)
    assert not reply.done and "no answer within" in reply.note


def _record(serial: str, disposition: Disposition, fixed_by: str = "", battery: bool = True) -> CameraRecord:
    record = CameraRecord(serial=serial, model="outdoor", started_at="2026-11-25T09:00:00", started_s=0.0)
    record.finished_s = 125.0
    record.initial_pattern = "network_lost"
    record.disposition = disposition
    record.fixed_by = fixed_by
    record.fixes_tried = [fixed_by] if fixed_by else []
    if battery:
        record.battery = BatteryFigures(3.5, 3.2, 1.0, 0.004, 3.49, 0.3047, True)
    return record


def test_progress_line_and_summary_table() -> None:
    out = io.StringIO()
    progress = RichProgress(Console(file=out, width=200), total=2)
    progress.camera_started(0, "G8T1-0001", "outdoor")
    progress.step_started("restart_camera", "fix")
    progress.waiting("camera off", 30, 65)
    progress.camera_finished(_record("G8T1-0001", Disposition.FIXED, "restart_camera"))
    progress.close()
    assert "[1/2] G8T1-0001 (outdoor): fixed by restart_camera after 125 s (LED: network_lost)" in out.getvalue()
    table_out = io.StringIO()
    records = [_record("G8T1-0001", Disposition.FIXED, "restart_camera"), _record("G8T1-0002", Disposition.PASS)]
    Console(file=table_out, width=200).print(summary_table(records))
    text = table_out.getvalue()
    assert "Bench run: 2 cameras" in text
    assert "fixed (restart_camera)" in text and "0.30" in text and "2:05" in text
    assert "pass: 1  fixed: 1" in text
