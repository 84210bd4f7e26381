"""One duration format and one disposition colour map, used by the terminal, the sheets and the page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from rig.core.colors import DISPOSITION_COLORS, UNKNOWN_COLOR, disposition_color
from rig.core.durations import duration_text
from rig.core.records import Disposition
from rig.ui.progress import RichProgress


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (0, "0 s"),
        (0.04, "0.0 s"),
        (4.24, "4.2 s"),
        (9.96, "10 s"),
        (10.5, "11 s"),
        (42.4, "42 s"),
        (59.6, "1 min"),
        (109.7, "1 min 50 s"),
        (110.0, "1 min 50 s"),
        (125, "2 min 05 s"),
        (859.4, "14 min 19 s"),
        (3599.6, "1 h"),
        (3725, "1 h 02 min"),
        (-4.0, "-4.0 s"),
    ],
)
def test_duration_text(seconds, text) -> None:
    assert duration_text(seconds) == text


def test_every_disposition_has_its_own_colour_and_unknown_is_grey() -> None:
    assert set(DISPOSITION_COLORS) == {d.value for d in Disposition}
    assert len(set(DISPOSITION_COLORS.values())) == len(DISPOSITION_COLORS)
    assert disposition_color(Disposition.FIXED) == disposition_color("fixed") == DISPOSITION_COLORS["fixed"]
    assert disposition_color("mystery") == disposition_color(None) == UNKNOWN_COLOR


def test_the_same_bench_time_reads_the_same_on_the_terminal_and_in_the_reports() -> None:
    """The issue's 110 s appeared as ``after 110 s``, ``1:50`` and ``109.7 s``: now one text everywhere."""
    from rig.core.records import CameraRecord
    from rig.report.camera import render_camera_report
    from rig.ui.progress import summary_table

    record = CameraRecord(serial="MINI-0003", model="mini", started_at="2026-11-25T09:00:00", started_s=0.0)
    record.finished_s = 109.7
    record.disposition = Disposition.PASS
    record.initial_pattern = "none"
    line = io.StringIO()
    progress = RichProgress(Console(file=line, width=200), total=1)
    progress.camera_started(0, record.serial, record.model)
    progress.camera_finished(record)
    table = io.StringIO()
    Console(file=table, width=120).print(summary_table([record]))
    assert "after 1 min 50 s" in line.getvalue()
    assert "1 min 50 s" in table.getvalue()
    assert "bench time 1 min 50 s" in render_camera_report(record)


def test_no_module_keeps_its_own_duration_or_colour_table() -> None:
    """One place each: no other module of rig/ formats minutes and seconds or names a disposition's colour."""
    rig = Path(__file__).resolve().parents[2] / "rig"
    own = {rig / "core" / "durations.py", rig / "core" / "colors.py"}
    for path in rig.rglob("*.py"):
        if path in own:
            continue
        text = path.read_text(encoding="utf-8")
        assert "divmod(" not in text or "60)" not in text, f"{path}: formats durations itself"
        assert '"escalate": "' not in text and "Disposition.PASS: " not in text, f"{path}: its own colour map"
