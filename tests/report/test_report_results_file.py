"""Reading results CSVs: the writer's own rows back, older column sets, bad rows named by file and line."""

from __future__ import annotations

from pathlib import Path

from report_builders import fixed_camera, mini_camera

from rig.output.columns import CONTRACT_COLUMNS
from rig.output.results import ResultsCsv
from rig.report.results_file import read_results

HEADER = ",".join(CONTRACT_COLUMNS)   # the contract's fourteen columns, as files before ``clock`` have them


def row(
    serial: str,
    disposition: str = "pass",
    started: str = "2026-11-25T09:00:00",
    duration: str = "20.0",
    fixes: str = "",
    fixed_by: str = "",
    notes: str = "",
) -> str:
    values = {c: "" for c in CONTRACT_COLUMNS}
    values.update(
        serial=serial,
        model="outdoor",
        started_at=started,
        duration_s=duration,
        fixes_tried=fixes,
        fixed_by=fixed_by,
        disposition=disposition,
        notes=notes,
    )
    return ",".join(values[c] for c in CONTRACT_COLUMNS)


def write(path: Path, *lines: str, end: str = "\n") -> Path:
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


def test_rows_written_by_the_rig_read_back(tmp_path) -> None:
    path = tmp_path / "results.csv"
    results = ResultsCsv(path)
    results.append(fixed_camera())
    results.append(mini_camera())
    data = read_results([path])
    assert data.problems == []
    first, second = data.rows
    assert (first.serial, first.disposition, first.fixed_by, first.line) == (
        "G8T1-0042",
        "fixed",
        "restart_camera",
        2,
    )
    assert first.fixes_tried == ("power_cycle_router", "restart_camera")
    assert first.duration_s == 262.0 and first.internal_resistance_ohm == 0.298
    assert first.day == "2026-11-25" and second.day == "2026-11-26"
    assert second.battery_open_v is None and second.model == "mini"


def test_older_column_set_extra_columns_ignored_missing_ones_blank(tmp_path) -> None:
    path = write(
        tmp_path / "old.csv",
        "serial,started_at,finished_at,operator,fixes_tried,fixed_by,disposition",
        "G8T1-0001,2026-10-01T09:00:00,2026-10-01T09:02:30,anna,restart_camera,restart_camera,fixed",
        "G8T1-0002,2026-10-01T09:03:00,,anna,,,pass",
    )
    data = read_results([path])
    assert data.problems == []
    first, second = data.rows
    assert first.duration_s == 150.0  # no duration_s column: worked out from the timestamps
    assert first.fixed_by == "restart_camera" and first.notes == "" and first.initial_pattern == ""
    assert second.duration_s is None and second.battery_open_v is None
    assert not hasattr(first, "operator")


def test_truncated_last_line_is_named_and_the_rest_counted(tmp_path) -> None:
    full = [
        HEADER,
        row("A-1"),
        row("A-2", "fail"),
        row("A-3", "fixed", fixes="reset_wifi", fixed_by="reset_wifi"),
    ]
    text = "\n".join(full) + "\n"
    path = tmp_path / "cut.csv"
    path.write_text(text[: text.index("A-3") + 30], encoding="utf-8")  # the plug was pulled mid-row
    data = read_results([path])
    assert [r.serial for r in data.rows] == ["A-1", "A-2"]
    [problem] = data.problems
    assert str(problem).startswith(f"{path}:4: truncated last line: ")
    assert "row skipped" in str(problem)


def test_cut_inside_a_quoted_note_is_named(tmp_path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text(
        HEADER + "\n" + row("A-1") + "\n" + row("A-2", notes='"no fix cured it, escal'), encoding="utf-8"
    )
    data = read_results([path])
    assert [r.serial for r in data.rows] == ["A-1"]
    [problem] = data.problems
    assert problem.line == 3 and "unreadable CSV" in problem.message


def test_whole_last_row_without_line_end_is_counted_with_a_warning(tmp_path) -> None:
    path = write(tmp_path / "r.csv", HEADER, row("A-1"), row("A-2"), end="")
    data = read_results([path])
    assert [r.serial for r in data.rows] == ["A-1", "A-2"]
    [problem] = data.problems
    assert (problem.line, problem.message) == (
        3,
        "last line has no line end: the write may have been cut off; A-2 counted as read",
    )


def test_unknown_disposition_and_other_bad_rows(tmp_path) -> None:
    path = write(
        tmp_path / "r.csv",
        HEADER,
        row("A-1"),
        row("A-2", "maybe"),
        row("A-3", ""),
        row("", "pass"),
        row("A-5", "fixed", duration="abc", fixes="restart_camera", fixed_by="restart_camera"),
        row("A-6", "PASS", started="yesterday"),
        row("A-7", "fail", fixed_by="reset_wifi"),
        row("A-8") + ",extra",
        "A-9,outdoor",
        "",
        row("A-10", "escalate", duration="-5"),
    )
    data = read_results([path])
    assert [r.serial for r in data.rows] == ["A-1", "A-5", "A-6", "A-7", "A-10"]
    assert [str(p) for p in data.problems] == [
        f"{path}:3: unknown disposition 'maybe' for A-2 "
        "(expected pass, fixed, fail, escalate, aborted); row skipped",
        f"{path}:4: no disposition for A-3 (expected pass, fixed, fail, escalate, aborted); row skipped",
        f"{path}:5: no serial; row skipped",
        f"{path}:6: duration_s 'abc' is not a number (A-5); left blank",
        f"{path}:7: started_at 'yesterday' is not an ISO 8601 date-time (A-6)",
        f"{path}:8: fixed_by 'reset_wifi' on a row whose disposition is fail (A-7)",
        f"{path}:9: 15 fields where the header has 14 (a stray comma?); row skipped",
        f"{path}:10: short row: 2 of 14 fields; row skipped",
        f"{path}:12: duration_s '-5' is not a plausible value (A-10); left blank",
    ]
    a5 = data.rows[1]
    assert a5.duration_s is None and a5.disposition == "fixed"
    assert data.rows[2].disposition == "pass" and data.rows[2].day is None


def test_several_files_and_concatenated_headers(tmp_path) -> None:
    first = write(
        tmp_path / "day1.csv", HEADER, row("A-1"), HEADER, row("A-2", started="2026-11-26T09:00:00")
    )
    second = write(tmp_path / "day2.csv", HEADER, row("B-1", "fail"))
    data = read_results([first, second])
    assert data.problems == []
    assert [(r.serial, Path(r.source).name, r.line) for r in data.rows] == [
        ("A-1", "day1.csv", 2),
        ("A-2", "day1.csv", 4),
        ("B-1", "day2.csv", 2),
    ]


def test_files_that_are_not_results(tmp_path) -> None:
    trace = write(tmp_path / "trace.csv", "t_s,level", "0.0,0", "1.0,1")
    empty = write(tmp_path / "empty.csv", "", end="")
    missing = tmp_path / "missing.csv"
    good = write(tmp_path / "good.csv", HEADER, row("A-1"))
    data = read_results([trace, empty, missing, tmp_path, good])
    assert [r.serial for r in data.rows] == ["A-1"]
    assert [str(p) for p in data.problems] == [
        f"{trace}:1: not a results file: the header has no serial, disposition column",
        f"{empty}: empty file: no header, no rows",
        f"{missing}: cannot read: No such file or directory",
        f"{tmp_path}: is a folder, not a results file",
    ]


def test_bytes_that_are_not_utf8_do_not_stop_the_reader(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes((HEADER + "\n" + row("A-1", notes="caf\xe9") + "\n").encode("latin-1") + b"")
    data = read_results([path])
    assert [r.serial for r in data.rows] == ["A-1"]
    assert data.rows[0].notes == "caf\ufffd"
