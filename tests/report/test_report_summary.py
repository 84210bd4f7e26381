"""The batch figures from rows and records, the terminal summary, and the batch page's plots and content."""

from __future__ import annotations

import json

import pytest
from report_builders import fixed_camera, mini_camera
from rich.console import Console
from test_report_results_file import HEADER, row, write

from rig.output.results import ResultsCsv, write_json_record
from rig.report.batch_page import render_batch_page, write_batch_page
from rig.report.batch_plots import bench_time_figure, fixes_figure, yield_per_day_figure
from rig.report.camera import write_camera_report
from rig.report.results_file import read_results
from rig.report.summary import record_path, summarise
from rig.report.terminal import summary_renderable


def three_days(tmp_path):
    """Ten cameras over three days (one aborted, one bad row) with known answers."""
    return write(
        tmp_path / "results.csv",
        HEADER,
        row("D1-1", "pass", "2026-11-23T09:00:00", "20.0"),
        row("D1-2", "fixed", "2026-11-23T09:10:00", "150.0", "power_cycle_router", "power_cycle_router"),
        row("D1-3", "fail", "2026-11-23T09:20:00", "35.0"),
        row("D2-1", "fixed", "2026-11-24T09:00:00", "400.0", "restart_camera;reset_wifi", "reset_wifi"),
        row("D2-2", "fixed", "2026-11-24T09:10:00", "130.0", "restart_camera", "restart_camera"),
        row(
            "D2-3",
            "escalate",
            "2026-11-24T09:20:00",
            "1200.0",
            "restart_camera;reset_wifi;readd_camera;contact_support",
        ),
        row("D2-4", "aborted", "2026-11-24T09:40:00", "5.0"),
        row("D3-1", "pass", "2026-11-25T09:00:00", "25.0"),
        row("D3-2", "wobbly", "2026-11-25T09:05:00", "25.0"),
        row("D3-3", "pass", "2026-11-25T09:10:00", ""),
        row("D3-4", "fixed", "2026-11-25T09:20:00", "60.0", "replace_batteries", "replace_batteries"),
    )


def test_counts_yield_fixes_and_bench_time(tmp_path) -> None:
    summary = summarise(read_results([three_days(tmp_path)]))
    assert summary.total == 10
    assert summary.counts == {"pass": 3, "fixed": 4, "fail": 1, "escalate": 1, "aborted": 1}
    assert summary.yield_fraction == pytest.approx(7 / 9)  # the aborted run is no verdict on its camera
    assert [(f.name, f.tried, f.cured) for f in summary.fixes] == [
        ("restart_camera", 3, 1),
        ("reset_wifi", 2, 1),
        ("power_cycle_router", 1, 1),
        ("replace_batteries", 1, 1),
        ("readd_camera", 1, 0),
        ("contact_support", 1, 0),
    ]
    assert summary.median_bench_s == 60.0  # 9 timed cameras: 5, 20, 25, 35, 60, 130, 150, 400, 1200
    assert summary.slowest_camera.serial == "D2-3"
    assert [(d.day, d.total, d.yield_fraction) for d in summary.days] == [
        ("2026-11-23", 3, pytest.approx(2 / 3)),
        ("2026-11-24", 4, pytest.approx(2 / 3)),
        ("2026-11-25", 3, 1.0),
    ]
    assert summary.days_span == ("2026-11-23", "2026-11-25")
    assert [p.line for p in summary.problems] == [10]
    assert summary.steps == [] and summary.slowest_step is None  # no records beside this CSV


def test_slowest_step_comes_from_the_records_beside_the_csv(tmp_path) -> None:
    results = ResultsCsv(tmp_path / "results.csv")
    first, second = fixed_camera(), mini_camera()
    for record in (first, second):
        results.append(record)
        write_json_record(record, tmp_path / "records")
    summary = summarise(read_results([tmp_path / "results.csv"]))
    assert len(summary.records) == 2
    slowest = summary.slowest_step
    assert (slowest.name, slowest.median_s, slowest.longest_serial) == ("restart_camera", 150.0, "G8T1-0042")
    motion = next(s for s in summary.steps if s.name == "motion")
    assert sorted(motion.durations_s) == [11.0, 12.0] and motion.longest_serial == "G8T1-0042"
    # a record folder given explicitly, and one that holds a broken record
    other = tmp_path / "elsewhere"
    other.mkdir()
    record_path(summary.rows[0], other).write_text("{not json", encoding="utf-8")
    summary = summarise(read_results([tmp_path / "results.csv"]), other)
    assert summary.records == {} and summary.slowest_step is None
    [problem] = summary.problems
    assert (
        str(problem)
        == f"{other / 'G8T1-0042_20261125T090000.json'}:1: not valid JSON (Expecting property name "
        "enclosed in double quotes)"
    )


def test_record_missing_a_field_is_a_problem_not_a_crash(tmp_path) -> None:
    results = ResultsCsv(tmp_path / "results.csv")
    results.append(mini_camera())
    path = write_json_record(mini_camera(), tmp_path / "records")
    data = json.loads(path.read_text())
    del data["steps"][0]["started_s"]
    path.write_text(json.dumps(data))
    summary = summarise(read_results([tmp_path / "results.csv"]))
    assert [str(p) for p in summary.problems] == [f"{path}: missing field 'started_s'"]
    assert summary.total == 1


def test_terminal_summary_shows_the_numbers(tmp_path) -> None:
    summary = summarise(read_results([three_days(tmp_path)]))
    console = Console(record=True, width=130)
    console.print(summary_renderable(summary))
    text = console.export_text()
    assert "Batch: 10 cameras, 2026-11-23 to 2026-11-25" in text
    assert "yield: 78 % (pass + fixed, of the cameras with a verdict)" in text
    lines = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") >= 3}
    assert lines["fixed"].split("│")[2:4] == ["       4 ", "  40 % "]
    assert [c.strip() for c in lines["restart_camera"].split("│")[2:5]] == ["3", "1", "33 %"]
    assert "median bench time: 1 min" in text
    assert "slowest camera: D2-3 20 min (escalate)" in text
    assert "slowest step: no JSON records found beside the CSV" in text
    assert "1 problem(s) in the input" in text


# --- the batch plots: the plotted numbers read back off the figures -----------------------------------------
def test_yield_per_day_plot(tmp_path) -> None:
    summary = summarise(read_results([three_days(tmp_path)]))
    fig = yield_per_day_figure(summary)
    ax = fig.axes[0]
    heights = {c.get_label(): [p.get_height() for p in c] for c in ax.containers}
    assert heights == {
        "pass": [1, 0, 2],
        "fixed": [1, 2, 1],
        "fail": [1, 0, 0],
        "escalate": [0, 1, 0],
        "aborted": [0, 1, 0],
    }
    [line] = fig.findobj(lambda a: a.get_gid() == "yield-line")
    assert list(line.get_ydata()) == pytest.approx([2 / 3, 2 / 3, 1.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["11-23", "11-24", "11-25"]


def test_fixes_plot(tmp_path) -> None:
    summary = summarise(read_results([three_days(tmp_path)]))
    fig = fixes_figure(summary)
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names[-1] == "restart_camera"  # the most tried at the top
    bars = {c.get_label(): dict(zip(names, [p.get_width() for p in c], strict=True)) for c in ax.containers}
    widths, cured = bars["tried"], bars["cured"]
    assert all(p.get_gid() == "fixes-tried" for p in ax.containers[0])
    assert widths["restart_camera"] == 3 and cured["restart_camera"] == 1
    assert widths["contact_support"] == 1 and cured["contact_support"] == 0
    assert "cured 1 of 3" in [t.get_text() for t in ax.texts]


def test_bench_time_plot(tmp_path) -> None:
    summary = summarise(read_results([three_days(tmp_path)]))
    fig = bench_time_figure(summary)
    ax = fig.axes[0]
    # 9 timed cameras in 1-minute bins (top 20 min): 5, 20, 25, 35 s | 60 s | 130, 150 s | 400 s | 1200 s
    counts = {c.get_label(): [int(p.get_height()) for p in c] for c in ax.containers}
    assert set(counts) == {"pass", "fixed", "fail", "escalate", "aborted"}
    assert sum(map(sum, counts.values())) == 9  # the row with no bench time is not drawn
    assert counts["pass"][0] == 2 and counts["fail"][0] == 1 and counts["aborted"][0] == 1
    assert counts["fixed"][1] == 1 and counts["fixed"][2] == 2 and counts["fixed"][6] == 1
    assert counts["escalate"][20] == 1 and sum(counts["escalate"]) == 1
    stacked = {c.get_label(): c[0].get_y() for c in ax.containers}
    assert stacked["pass"] == 0 and stacked["fixed"] == 2 and stacked["fail"] == 2 and stacked["aborted"] == 3
    [median] = fig.findobj(lambda a: a.get_gid() == "bench-median")
    assert list(median.get_xdata()) == [1.0, 1.0]  # 60 s
    assert "median 1 min" in [t.get_text() for t in ax.texts]


def test_plots_of_an_empty_batch_still_draw(tmp_path) -> None:
    summary = summarise(read_results([write(tmp_path / "r.csv", HEADER)]))
    assert summary.total == 0 and summary.yield_fraction is None and summary.median_bench_s is None
    page = render_batch_page(summary)
    assert page.count("<svg") == 3 and "No fix was tried." in page and "No camera rows." in page


# --- the batch page ---------------------------------------------------------------------------------------
def test_batch_page_content_and_links_to_sheets(tmp_path) -> None:
    results = ResultsCsv(tmp_path / "results.csv")
    for record in (fixed_camera(), mini_camera()):
        results.append(record)
        write_json_record(record, tmp_path / "records")
    write_camera_report(fixed_camera(), tmp_path / "records")  # the Mini has no sheet
    summary = summarise(read_results([tmp_path / "results.csv"]))
    path = write_batch_page(summary, tmp_path / "out" / "report.html")
    page = path.read_text(encoding="utf-8")
    assert page.count("<svg") == 3
    assert '<div class="n">2</div><div class="l">cameras</div>' in page
    assert '<div class="n">100%</div><div class="l">yield</div>' in page
    assert '<a href="../records/G8T1-0042_20261125T090000.html">G8T1-0042</a>' in page
    assert ">MINI-0007<" in page and 'href="../records/MINI' not in page
    assert 'Slowest step: <b id="slowest-step">restart_camera</b>, median 2 min 30 s' in page
    assert (
        '<td>restart_camera</td><td class="num">1</td><td class="num">1</td><td class="num">100%</td>' in page
    )
    assert "<script" not in page and "Problems in the input" not in page
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_batch_page_lists_the_problems(tmp_path) -> None:
    summary = summarise(read_results([three_days(tmp_path)]))
    page = render_batch_page(summary)
    assert "Problems in the input (1)" in page
    assert f"{tmp_path / 'results.csv'}:10: unknown disposition &#x27;wobbly&#x27;" in page
