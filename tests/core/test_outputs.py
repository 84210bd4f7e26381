"""Outputs are callbacks over one finished record, chosen on the command line; the CSV columns are defined once."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from rig.cli import cli
from rig.core.records import CameraRecord, Disposition
from rig.output.columns import CONTRACT_COLUMNS, NUMBER_COLUMNS, RESULT_COLUMNS, result_row
from rig.output.results import ResultsCsv, ResultsError
from rig.output.writers import OUTPUT_NAMES, BatchOutputs, OutputFailed
from rig.report import results_file

DATA = Path(__file__).resolve().parents[1] / "data"


def _record() -> CameraRecord:
    record = CameraRecord("CAM-1", "mini", "2026-11-25T09:00:00+00:00", 0.0, finished_s=12.0)
    record.disposition = Disposition.PASS
    return record


def test_the_reader_uses_the_writers_column_definitions() -> None:
    assert results_file.NUMBER_COLUMNS is NUMBER_COLUMNS
    assert RESULT_COLUMNS[:14] == CONTRACT_COLUMNS and RESULT_COLUMNS[14:] == ("clock", "slot")
    assert tuple(result_row(_record())) == RESULT_COLUMNS


def test_only_the_chosen_outputs_are_written_and_the_row_always(tmp_path: Path) -> None:
    outputs = BatchOutputs(ResultsCsv(tmp_path / "r.csv"), tmp_path / "records", outputs=("json",))
    assert [w.name for w in outputs.writers] == ["csv", "json"]
    outputs.write(_record())
    assert [p.suffix for p in (tmp_path / "records").iterdir()] == [".json"]
    assert len(list(csv.DictReader((tmp_path / "r.csv").open()))) == 1
    with pytest.raises(ValueError, match="unknown output 'pdf'"):
        BatchOutputs(ResultsCsv(tmp_path / "r.csv"), tmp_path / "records", outputs=("pdf",))
    assert [w.name for w in BatchOutputs(ResultsCsv(tmp_path / "r.csv"), tmp_path, sheets=False).writers] == [
        "csv", "json", "trace"
    ]


def test_a_failing_sheet_is_reported_but_a_failing_row_stops(tmp_path: Path) -> None:
    outputs = BatchOutputs(ResultsCsv(tmp_path / "r.csv"), tmp_path / "records", outputs=OUTPUT_NAMES)

    def full(record):
        raise OSError(28, "No space left on device")

    sheet = next(w for w in outputs.writers if w.name == "sheet")
    outputs.writers[outputs.writers.index(sheet)] = replace(sheet, write=full)
    outputs.write(_record())
    assert outputs.problems == ["CAM-1: report sheet not written: No space left on device"]
    json_writer = outputs.writers[1]
    outputs.writers[1] = replace(json_writer, write=full)
    with pytest.raises(OutputFailed, match="cannot write the record of CAM-1: No space left on device"):
        outputs.write(_record())


def test_rig_test_output_option_chooses_what_lands_in_records(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["test", "--sim", str(DATA / "example-scenario.toml"), "--csv", str(tmp_path / "r.csv"),
         "--output", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert sorted({p.suffix for p in (tmp_path / "records").iterdir()}) == [".json"]
    rows = list(csv.DictReader((tmp_path / "r.csv").open(newline="")))
    assert len(rows) == 4 and {r["clock"] for r in rows} == {"simulated"}


def test_an_older_results_file_is_appended_to_under_its_own_header(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(",".join(CONTRACT_COLUMNS) + "\n", encoding="utf-8")
    ResultsCsv(path).append(_record())
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == list(CONTRACT_COLUMNS) and len(rows[1]) == len(CONTRACT_COLUMNS)
    [row] = results_file.read_results([path]).rows
    assert (row.serial, row.disposition, row.clock) == ("CAM-1", "pass", "")


@pytest.mark.parametrize("added", range(len(RESULT_COLUMNS) - len(CONTRACT_COLUMNS)))
def test_every_earlier_versions_header_is_appended_to_under_its_own_header(tmp_path: Path, added: int) -> None:
    """Columns are only ever added at the end: a desk's file from any earlier version keeps growing."""
    header = RESULT_COLUMNS[: len(CONTRACT_COLUMNS) + added]
    path = tmp_path / "older.csv"
    path.write_text(",".join(header) + "\n", encoding="utf-8")
    ResultsCsv(path).append(_record())
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == list(header) and len(rows[1]) == len(header)


def test_a_header_that_is_no_version_of_ours_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text(",".join((*CONTRACT_COLUMNS, "slot")) + "\n", encoding="utf-8")
    with pytest.raises(ResultsError, match="different header"):
        ResultsCsv(path)
