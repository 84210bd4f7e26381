"""The results CSV contract: whole rows, header checked before anything is tested, appends that match."""

from __future__ import annotations

import csv
import json

import pytest

from rig.core.records import BatteryFigures, CameraRecord, Disposition, StepRecord
from rig.output.results import RESULT_COLUMNS, ResultsCsv, ResultsError, result_row, write_json_record, write_trace


def _record(serial: str = "EX-0001", model: str = "outdoor", battery: bool = True) -> CameraRecord:
    record = CameraRecord(serial=serial, model=model, started_at="2026-11-25T09:00:00", started_s=100.0)
    record.finished_s = 312.5
    record.finished_at = "2026-11-25T09:03:32"
    record.initial_pattern = "network_lost"
    record.fixes_tried = ["restart_camera", "reset_wifi"]
    record.fixed_by = "reset_wifi"
    record.disposition = Disposition.FIXED
    record.notes = ["first note", "second, with a comma"]
    if battery:
        record.battery = BatteryFigures(3.512, 3.251, 0.98512, 0.004, 3.51, 0.2651, True)
    step = StepRecord("observe", 0.0, 4.2, "network_lost")
    step.measure("internal_resistance_ohm", 0.27, "ohm", high=1.0)
    record.steps.append(step)
    record.trace = [(1.0, 1), (1.15, 0), (4.0, 1), (4.14, 0)]
    return record


def test_row_has_the_contract_columns_and_values() -> None:
    row = result_row(_record())
    assert tuple(row) == RESULT_COLUMNS
    assert row["duration_s"] == "212.5"
    assert row["fixes_tried"] == "restart_camera;reset_wifi"
    assert row["fixed_by"] == "reset_wifi"
    assert row["disposition"] == "fixed"
    assert row["internal_resistance_ohm"] == "0.265"
    assert row["battery_open_v"] == "3.512"


def test_mini_has_empty_battery_columns() -> None:
    row = result_row(_record(model="mini", battery=False))
    assert [row[c] for c in ("battery_open_v", "battery_loaded_v", "battery_load_a", "internal_resistance_ohm")] == [
        "",
        "",
        "",
        "",
    ]


def test_new_file_gets_header_then_rows_and_appends(tmp_path) -> None:
    path = tmp_path / "results.csv"
    ResultsCsv(path).append(_record("EX-0001"))
    again = ResultsCsv(path)  # a second run appends under the same header
    again.append(_record("EX-0002"))
    rows = list(csv.DictReader(path.open(newline="")))
    assert [r["serial"] for r in rows] == ["EX-0001", "EX-0002"]
    assert rows[1]["notes"] == "first note; second, with a comma"
    assert path.read_text().count("serial,model") == 1


def test_different_header_is_refused_and_file_untouched(tmp_path) -> None:
    path = tmp_path / "results.csv"
    path.write_text("serial,verdict\nX,ok\n")
    before = path.read_bytes()
    with pytest.raises(ResultsError, match=r"results\.csv: existing file has a different header"):
        ResultsCsv(path)
    assert path.read_bytes() == before


def test_unusable_paths_fail_before_any_camera(tmp_path) -> None:
    with pytest.raises(ResultsError, match="does not exist"):
        ResultsCsv(tmp_path / "missing" / "r.csv")
    with pytest.raises(ResultsError, match="is a folder"):
        ResultsCsv(tmp_path)
    a_file = tmp_path / "plain"
    a_file.write_text("x")
    with pytest.raises(ResultsError, match="does not exist"):
        ResultsCsv(a_file / "r.csv")
    with pytest.raises(ResultsError, match="cannot write"):
        ResultsCsv("/proc/rig-results.csv")  # not writable even for root


def test_new_file_is_created_with_its_header_at_once(tmp_path) -> None:
    path = tmp_path / "r.csv"
    ResultsCsv(path)
    assert path.read_text() == ",".join(RESULT_COLUMNS) + "\n"


def test_json_record_and_trace_written(tmp_path) -> None:
    record = _record()
    json_path = write_json_record(record, tmp_path / "records")
    data = json.loads(json_path.read_text())
    assert data["serial"] == "EX-0001"
    assert data["steps"][0]["measurements"][0] == {
        "name": "internal_resistance_ohm",
        "value": 0.27,
        "unit": "ohm",
        "low": None,
        "high": 1.0,
        "passed": True,
    }
    trace_path = write_trace(record, tmp_path / "records", "csv")
    lines = trace_path.read_text().strip().splitlines()
    assert lines[0] == "t_s,level"
    assert lines[1] == "0.000000,0"
    assert "4.140000,0" in lines
    assert lines[-1].startswith("212.5")
