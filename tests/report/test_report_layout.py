"""What a screenshot of the sheet and the page showed wrong, as tests: labels cut at the edge or stacked, a
headline R that matched none of the pulses, serials and times wrapped mid-value, a single day drawn as one
bar across the whole plot."""

from __future__ import annotations

import itertools
import re

from matplotlib.backends.backend_agg import FigureCanvasAgg
from report_builders import BATTERY, _battery_step, fixed_camera, mini_camera

from rig.core.records import CameraRecord, Disposition, StepRecord
from rig.output.results import ResultsCsv
from rig.report.batch_page import render_batch_page
from rig.report.batch_plots import yield_per_day_figure
from rig.report.camera import render_camera_report
from rig.report.camera_plots import led_timeline_figure
from rig.report.results_file import read_results
from rig.report.summary import summarise


def escalated_camera() -> CameraRecord:
    """Every fix tried, ``move_closer`` (advice, no time) at the moment ``reset_wifi`` starts, and
    ``contact_support`` at the very end of the timeline: the layout that cut and stacked the names."""
    record = CameraRecord(serial="G8T1-0011", model="outdoor", started_at="2026-11-25T09:00:00", started_s=0.0)
    record.finished_s = 859.4
    record.initial_pattern = "network_lost"
    record.disposition = Disposition.ESCALATE
    record.battery = BATTERY
    record.fixes_tried = ["restart_camera", "move_closer", "reset_wifi", "readd_camera", "contact_support"]
    record.steps = [
        StepRecord("observe", 0.0, 15.6, "network_lost"),
        _battery_step(BATTERY, 15.6, 16.9),
        StepRecord("restart_camera", 16.9, 232.0, "not_verified"),
        StepRecord("move_closer", 232.0, 232.0, "advisory"),
        StepRecord("reset_wifi", 232.0, 439.0, "not_verified"),
        StepRecord("readd_camera", 439.0, 859.0, "not_verified"),
        StepRecord("contact_support", 859.0, 859.0, "escalated"),
    ]
    return record


def _fix_labels(fig):
    return [t for t in fig.findobj(lambda a: str(a.get_gid()).startswith("fix-label-"))]


def test_fix_names_are_inside_the_figure_and_never_overlap() -> None:
    for record in (escalated_camera(), fixed_camera()):
        fig = led_timeline_figure(record)
        renderer = FigureCanvasAgg(fig).get_renderer()
        labels = _fix_labels(fig)
        boxes = [t.get_window_extent(renderer) for t in labels]
        frame = fig.bbox
        for label, box in zip(labels, boxes, strict=True):
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, label.get_text()
            assert frame.y0 <= box.y0 and box.y1 <= frame.y1, label.get_text()
        for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes, strict=True), 2):
            assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())
        marks = fig.findobj(lambda a: str(a.get_gid()).startswith("fix-outcome-"))
        assert marks
        for mark in marks:  # the ✓/✗ at a fix's end sits under the next fix's name, not in it
            box = mark.get_window_extent(renderer)
            assert not any(box.overlaps(label) for label in boxes), mark.get_gid()


def test_fixes_at_the_same_moment_share_one_label_in_the_order_they_ran() -> None:
    texts = [t.get_text().strip() for t in _fix_labels(led_timeline_figure(escalated_camera()))]
    assert texts == ["restart_camera", "move_closer, reset_wifi", "readd_camera", "contact_support"]


def test_last_fix_name_ends_at_its_line_instead_of_running_off() -> None:
    fig = led_timeline_figure(escalated_camera())
    [last] = [t for t in _fix_labels(fig) if "contact_support" in t.get_text()]
    assert last.get_position()[0] == 859.0 and last.get_horizontalalignment() == "right"


def test_headline_resistance_is_one_of_the_pulses_and_the_sheet_says_why() -> None:
    record = escalated_camera()
    page = render_camera_report(record)
    headline = re.search(r"internal resistance ΔV/ΔI</td><td class=\"num\">([0-9.]+) Ω", page).group(1)
    [per_pulse] = re.findall(r"<p id=\"pulses\">.*?</p>", page)
    shown = re.findall(r"([0-9.]+) Ω", per_pulse.split("The internal resistance")[0])
    assert len(shown) == 3 and headline in shown
    assert f"<b>{headline} Ω</b>" in per_pulse and "median" in per_pulse
    assert f"R = ΔV / ΔI = {headline} Ω" in page  # the plot's title says the same number


def _page(tmp_path, records) -> str:
    results = ResultsCsv(tmp_path / "results.csv")
    for record in records:
        results.append(record)
    return render_batch_page(summarise(read_results([tmp_path / "results.csv"])))


def test_camera_table_keeps_serials_and_times_whole_and_has_led_and_r(tmp_path) -> None:
    page = _page(tmp_path, [fixed_camera(), mini_camera()])
    table = page[page.index('<table class="cameras">'):]
    table = table[: table.index("</table>")]
    headers = re.findall(r"<th>(.*?)</th>", table)
    assert headers == [
        "serial", "model", "started", "LED", "R Ω", "disposition", "fixes tried (✓ cured)", "bench time", "notes"
    ]
    row = re.search(r"<tr><td[^>]*>G8T1-0042.*?</tr>", table).group(0)
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", row)
    by_header = dict(zip(headers, cells, strict=True))
    for header in ("serial", "started", "LED", "disposition"):
        assert by_header[header][0] == ' class="nowrap"', header
    for header in ("R Ω", "bench time"):
        assert by_header[header][0] == ' class="num"', header  # td.num: right-aligned and nowrap
    assert "td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }" in page
    assert by_header["LED"][1] == "network_lost" and by_header["R Ω"][1] == "0.30"
    assert by_header["started"][1] == "2026-11-25 09:00"
    assert by_header["fixes tried (✓ cured)"][1] == (
        '<span class="nowrap">power_cycle_router</span>, <span class="nowrap">restart_camera ✓</span>'
    )
    assert ".nowrap { white-space: nowrap; }" in page


def test_a_single_day_is_a_bar_not_the_whole_plot(tmp_path) -> None:
    results = ResultsCsv(tmp_path / "results.csv")
    results.append(fixed_camera())
    fig = yield_per_day_figure(summarise(read_results([tmp_path / "results.csv"])))
    renderer = FigureCanvasAgg(fig).get_renderer()
    [ax] = [a for a in fig.axes if a.patches]
    bars = [p for p in ax.patches]
    axes_width = ax.get_window_extent(renderer).width
    assert bars and all(bar.get_window_extent(renderer).width <= 0.15 * axes_width for bar in bars)


def test_per_pulse_values_say_when_the_fixture_resistance_was_taken_off() -> None:
    record = escalated_camera()
    assert "fixture's own" not in render_camera_report(record)  # nothing subtracted, nothing said
    [battery] = [s for s in record.steps if s.name == "battery"]
    battery.evidence["fixture_ohm"] = 0.042
    assert "each less the fixture's own 0.0420 Ω (rig calibrate)" in render_camera_report(record)
