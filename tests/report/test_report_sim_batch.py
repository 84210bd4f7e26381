"""Reports of a real (simulated) batch: the controller's records rendered, two days appended to one CSV."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest
from click.testing import CliRunner
from report_builders import run_sim_day
from test_report_camera import by_gid, parse

from rig.cli import cli
from rig.output.results import record_stem
from rig.report.camera import render_camera_report, write_camera_report
from rig.report.camera_plots import battery_pulse_figure, led_timeline_figure
from rig.report.records import load_record
from rig.report.results_file import read_results
from rig.report.summary import summarise
from rig.report.timeline import classifications


@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    records = run_sim_day(folder, datetime(2026, 11, 23, 9, 0)) + run_sim_day(
        folder, datetime(2026, 11, 24, 9, 0)
    )
    for record in records:
        write_camera_report(record, folder / "records")
    return folder, records


def test_every_camera_gets_a_sheet_that_agrees_with_its_row(two_days) -> None:
    folder, records = two_days
    rows = list(csv.DictReader((folder / "results.csv").open(newline="")))
    assert len(rows) == len(records) == 8
    for record, row in zip(records, rows, strict=True):
        sheet = folder / "records" / f"{record_stem(record)}.html"
        cells = parse(sheet.read_text(encoding="utf-8"))
        assert cells.ids["serial"] == row["serial"]
        assert cells.ids["disposition"] == row["disposition"]
        steps = [r[1] for r in cells.tables["steps"][1:]]
        assert steps == [s.name for s in record.steps]


def test_sheet_of_the_router_fix_marks_the_fix_and_the_cure(two_days) -> None:
    _, records = two_days
    record = next(r for r in records if r.serial == "EX-0004")  # router_down: cured by the power cycle
    assert record.fixed_by == "power_cycle_router"
    fix = next(s for s in record.steps if s.name == "power_cycle_router")
    fig = led_timeline_figure(record)
    [line] = by_gid(fig, "fix-0-power_cycle_router")
    assert list(line.get_xdata()) == [fix.started_s, fix.started_s]
    [cured] = by_gid(fig, "fix-outcome-0-verified")
    assert cured.get_position()[0] == fix.finished_s
    lost = [c.decided_at_s for c in classifications(record) if c.pattern == "network_lost"]
    [marks] = by_gid(fig, "pattern-network_lost")
    assert sorted(float(x) for x, _ in marks.get_offsets()) == sorted(lost) and lost
    page = (two_days[0] / "records" / f"{record_stem(record)}.html").read_text(encoding="utf-8")
    assert "fix power_cycle_router (cured it, " in page


def test_sheet_of_the_failing_pack_shows_its_resistance_against_the_limit(two_days) -> None:
    _, records = two_days
    record = next(r for r in records if r.serial == "EX-0003")
    assert record.battery is not None and not record.battery.passed
    [title] = by_gid(battery_pulse_figure(record), "pulse-resistance")
    assert (
        title.get_text()
        == f"R = ΔV / ΔI = {record.battery.internal_resistance_ohm:.4f} Ω (limit ≤ 1 Ω: FAIL)"
    )


def test_json_record_reads_back_to_the_same_sheet(two_days) -> None:
    folder, records = two_days
    record = records[3]
    again = load_record(folder / "records" / f"{record_stem(record)}.json")
    assert again.to_dict() == {**record.to_dict(), "trace": again.to_dict()["trace"]}
    assert again.trace == record.trace
    # the rig clock's offset is not in the JSON, and need not be: every time in it is from the camera's start
    assert render_camera_report(again) == render_camera_report(record)


def test_batch_summary_over_both_days_with_step_times(two_days) -> None:
    folder, records = two_days
    summary = summarise(read_results([folder / "results.csv"]))
    assert summary.problems == []
    assert [d.day for d in summary.days] == ["2026-11-23", "2026-11-24"]
    expected = {d: sum(1 for r in records if r.disposition.value == d) for d in summary.counts}
    assert summary.counts == expected
    assert len(summary.records) == 8
    longest_s, longest_name = max((s.duration_s, s.name) for r in records for s in r.steps)
    assert max((s.longest_s, s.name) for s in summary.steps) == (pytest.approx(longest_s), longest_name)
    result = CliRunner().invoke(
        cli, ["report", str(folder / "results.csv"), "-o", str(folder / "report.html")]
    )
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text(encoding="utf-8")
    for record in records:
        assert f'<a href="records/{record_stem(record)}.html">{record.serial}</a>' in page
