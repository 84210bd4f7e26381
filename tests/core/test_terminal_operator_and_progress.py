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
    assert not reply.done and "no answer within 0.3 s" in reply.note


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
    assert "[1/2] G8T1-0001 (outdoor): fixed by restart_camera after 2 min 05 s (LED: network_lost)" in out.getvalue()
    table_out = io.StringIO()
    records = [_record("G8T1-0001", Disposition.FIXED, "restart_camera"), _record("G8T1-0002", Disposition.PASS)]
    Console(file=table_out, width=200).print(summary_table(records))
    text = table_out.getvalue()
    assert "Bench run: 2 cameras" in text
    assert "restart_camera ✓" in text and "0.30" in text and "2 min 05 s" in text
    assert "pass: 1  fixed: 1" in text


def _long_batch() -> list[CameraRecord]:
    """The widest rows a batch has: every fix tried, a network_lost LED, an hour-long bench time."""
    everything = ["power_cycle_router", "restart_camera", "reset_wifi", "readd_camera", "contact_support"]
    escalated = _record("G8T1-0011", Disposition.ESCALATE)
    escalated.fixes_tried = everything
    escalated.finished_s = 859.4
    cured = _record("G8T1-0004", Disposition.FIXED, "replace_batteries")
    aborted = _record("MINI-0009", Disposition.ABORTED, battery=False)
    aborted.model = "mini"
    aborted.finished_s = 3725.0
    return [escalated, cured, aborted]


def _table_text(width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width).print(summary_table(_long_batch()))
    return out.getvalue().splitlines()


def test_summary_table_is_readable_at_80_columns() -> None:
    lines = _table_text(80)
    text = "\n".join(lines)
    assert all(len(line) <= 80 for line in lines)
    assert "…" not in text  # nothing truncated
    words = text.split()
    for name in ("power_cycle_router", "restart_camera", "reset_wifi", "readd_camera", "contact_support"):
        assert name in words or f"{name}," in words, name  # every fix name whole, wrapped only between names
    assert "replace_batteries" in words and "✓" in words  # the fix that cured is marked
    for row_start, time in (("G8T1-0011", "14 min 19 s"), ("MINI-0009", "1 h 02 min")):
        row = next(line for line in lines if line.startswith(row_start))
        assert row.rstrip().endswith(time), row  # the bench time whole on the camera's own line
        assert "escalate" in row or "aborted" in row


def test_summary_table_at_160_columns_keeps_each_camera_on_one_line() -> None:
    lines = _table_text(160)
    row = next(line for line in lines if line.startswith("G8T1-0011"))
    assert "power_cycle_router, restart_camera, reset_wifi, readd_camera, contact_support" in row
    assert row.rstrip().endswith("14 min 19 s")
    assert len([line for line in lines if line.strip()]) == 7  # title, header, rule, 3 cameras, caption
