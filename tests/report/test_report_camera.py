"""The per-camera sheet: the timeline's data and marks, the battery plot's numbers, and the page's content."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.lines import Line2D
from report_builders import BATTERY, failing_battery_camera, fixed_camera, mini_camera

from rig.core.config import BatteryConfig
from rig.core.records import CameraRecord, Disposition
from rig.output.results import record_stem
from rig.report.battery import battery_figures, reconstruct_pulse
from rig.report.camera import render_camera_report, write_camera_report
from rig.report.camera_plots import battery_pulse_figure, led_timeline_figure
from rig.report.records import step_from_dict
from rig.report.timeline import classifications, events, lit_intervals, step_spans


def by_gid(fig, gid: str) -> list:
    return list(fig.findobj(lambda a: a.get_gid() == gid))


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())]


# --- the timeline as data -----------------------------------------------------------------------------------
def test_lit_intervals_follow_the_edges_and_close_at_the_end() -> None:
    record = fixed_camera()
    spans = lit_intervals(record)
    assert spans[0] == (2.0, 2.18)
    assert spans[-1] == (251.9, 259.0)
    assert len(spans) == 78 + 2  # a flash every 3 s from 2 to 233, then the motion flash and the recording
    record.trace_initial_level = 1
    record.trace = [(1.5, 0), (4.0, 1)]  # lit at the start, lit again until the end of the test
    assert lit_intervals(record) == [(0.0, 1.5), (4.0, 262.0)]


def test_step_spans_and_decisions_in_time_order() -> None:
    record = fixed_camera()
    assert [(s.name, s.kind, s.start_s, s.end_s, s.outcome) for s in step_spans(record)] == [
        ("observe", "observe", 0.0, 9.0, "network_lost"),
        ("battery", "battery", 9.0, 10.5, "pass"),
        ("power_cycle_router", "fix", 10.5, 100.0, "not_verified"),
        ("restart_camera", "fix", 100.0, 250.0, "verified"),
        ("motion", "motion", 250.0, 262.0, "motion"),
    ]
    assert [(c.pattern, c.decided_at_s) for c in classifications(record)] == [
        ("network_lost", 8.9),
        ("network_lost", 60.0),
        ("network_lost", 70.0),
        ("none", 240.0),
        ("motion", 251.5),
    ]


def test_events_name_each_fix_with_its_result_and_each_change_of_pattern() -> None:
    lines = [(e.t_s, e.text) for e in events(fixed_camera())]
    assert (10.5, "fix power_cycle_router (did not cure it, 1 min 30 s)") in lines
    assert (100.0, "fix restart_camera (cured it, 2 min 30 s)") in lines
    patterns = [(t, text) for t, text in lines if text.startswith("LED")]
    # network_lost three times in a row is one event; then the change to none, then motion
    assert patterns == [
        (8.9, "LED classified network_lost (during observe)"),
        (240.0, "LED classified none (during restart_camera)"),
        (251.5, "LED classified motion (during motion)"),
    ]
    assert [t for t, _ in lines] == sorted(t for t, _ in lines)


def test_window_that_ran_out_is_not_called_a_classification() -> None:
    [event] = [e for e in events(mini_camera()) if e.kind == "pattern"]
    assert event.text == "LED window ran out: no pattern (during observe)"


def test_unfinished_steps_and_observations_without_times_do_not_break_the_timeline() -> None:
    record = CameraRecord(serial="X-1", model="outdoor", started_at="", started_s=0.0)
    # never finished: the rig stopped mid-step; its observations as a (hand-edited) JSON record holds them
    step = step_from_dict({
        "name": "observe",
        "started_s": 0.0,
        "evidence": {"observations": [{"pattern": "network_lost"}, {"pattern": "none", "decided_at_s": 3.0}, "junk"]},
    })
    record.steps = [step]
    record.trace = [(1.0, 1), (1.2, 0), (5.0, 1)]
    assert [(s.start_s, s.end_s) for s in step_spans(record)] == [(0.0, 5.0)]
    assert [(c.pattern, c.decided_at_s) for c in classifications(record)] == [("none", 3.0)]
    assert lit_intervals(record) == [(1.0, 1.2), (5.0, 5.0)]


# --- the LED timeline plot --------------------------------------------------------------------------------
def test_timeline_marks_every_fix_at_its_start_with_its_name_and_result() -> None:
    fig = led_timeline_figure(fixed_camera())
    [router_line] = by_gid(fig, "fix-0-power_cycle_router")
    [restart_line] = by_gid(fig, "fix-1-restart_camera")
    assert isinstance(router_line, Line2D)
    assert list(router_line.get_xdata()) == [10.5, 10.5]
    assert list(restart_line.get_xdata()) == [100.0, 100.0]
    [router_label] = by_gid(fig, "fix-label-0-power_cycle_router")
    assert router_label.get_text().strip() == "power_cycle_router" and router_label.get_position()[0] == 10.5
    [cured] = by_gid(fig, "fix-outcome-1-verified")
    [not_cured] = by_gid(fig, "fix-outcome-0-not_verified")
    assert (cured.get_text(), cured.get_position()[0]) == ("✓", 250.0)
    assert (not_cured.get_text(), not_cured.get_position()[0]) == ("✗", 100.0)


def test_timeline_marks_each_decision_at_its_time_coloured_by_pattern() -> None:
    fig = led_timeline_figure(fixed_camera())
    marks = {}
    for pattern in ("network_lost", "none", "motion"):
        [scatter] = by_gid(fig, f"pattern-{pattern}")
        assert isinstance(scatter, PathCollection)
        marks[pattern] = sorted(float(x) for x, _ in scatter.get_offsets())
    assert marks == {"network_lost": [8.9, 60.0, 70.0], "none": [240.0], "motion": [251.5]}
    assert by_gid(fig, "pattern-low_battery") == []
    assert {"network_lost", "none", "motion"} <= set(texts(fig))  # named where the pattern changes


def test_timeline_led_lane_and_step_lane_hold_the_recorded_spans() -> None:
    record = fixed_camera()
    fig = led_timeline_figure(record)
    [led] = by_gid(fig, "led")
    assert isinstance(led, PolyCollection)
    starts = sorted(round(float(path.vertices[:, 0].min()), 3) for path in led.get_paths())
    assert starts == [on for on, _ in lit_intervals(record)]
    [fixes] = by_gid(fig, "steps-fix")
    spans = sorted(
        (round(float(p.vertices[:, 0].min()), 3), round(float(p.vertices[:, 0].max()), 3))
        for p in fixes.get_paths()
    )
    assert spans == [(10.5, 100.0), (100.0, 250.0)]
    ax = fig.axes[0]
    assert ax.get_xlim()[1] == pytest.approx(262.0 * 1.01)


def test_timed_out_window_is_drawn_hollow() -> None:
    fig = led_timeline_figure(mini_camera())
    [scatter] = by_gid(fig, "pattern-none")
    assert tuple(scatter.get_facecolors()[0][:3]) == (1.0, 1.0, 1.0)
    assert "window ran out (provisional)" in [t.get_text() for t in fig.legends[0].get_texts()]


# --- the battery pulse ------------------------------------------------------------------------------------
def test_pulse_is_rebuilt_from_the_recorded_levels_and_the_configured_pulse() -> None:
    shape = reconstruct_pulse(BATTERY, BatteryConfig(pulse_s=0.2))
    assert shape.t_s == (-0.05, 0.0, 0.0, 0.2, 0.2, 0.25)
    assert shape.voltage_v == (3.43, 3.43, 3.154, 3.154, 3.43, 3.43)
    assert shape.current_a == (0.06, 0.06, 0.986, 0.986, 0.06, 0.06)
    assert shape.delta_v == pytest.approx(0.276)
    assert shape.delta_i_a == pytest.approx(0.926)


def test_pulse_plot_shows_the_numbers_and_the_verdict() -> None:
    fig = battery_pulse_figure(fixed_camera())
    assert fig is not None
    [title] = by_gid(fig, "pulse-resistance")
    assert title.get_text() == "R = ΔV / ΔI = 0.2981 Ω (limit ≤ 1 Ω: pass)"
    shown = texts(fig)
    assert "ΔV = 276 mV" in shown and "ΔI = 926 mA" in shown
    [voltage] = by_gid(fig, "pulse-voltage")
    assert list(voltage.get_xdata()) == pytest.approx([-50, 0, 0, 100, 100, 150])
    assert list(voltage.get_ydata()) == [3.43, 3.43, 3.154, 3.154, 3.43, 3.43]
    [loaded_limit] = by_gid(fig, "limit-loaded_v")
    assert list(loaded_limit.get_ydata()) == [2.6, 2.6]
    [note] = by_gid(fig, "pulse-note")
    assert "median of 3 pulses (0.2975 Ω, 0.2981 Ω, 0.2991 Ω)" in note.get_text()
    assert "not a sampled waveform" in note.get_text()


def test_failing_pack_says_fail_against_its_limit() -> None:
    fig = battery_pulse_figure(failing_battery_camera())
    [title] = by_gid(fig, "pulse-resistance")
    assert title.get_text().endswith("(limit ≤ 1 Ω: FAIL)")
    assert "ΔV = 1335 mV" in texts(fig)


def test_no_pulse_plot_without_battery_figures() -> None:
    assert battery_pulse_figure(mini_camera()) is None


def test_battery_rows_take_the_limits_the_run_recorded() -> None:
    rows = {r.name: r for r in battery_figures(failing_battery_camera())}
    assert (rows["loaded_v"].value, rows["loaded_v"].limit_text, rows["loaded_v"].passed) == (
        1.518,
        "≥ 2.6 V",
        False,
    )
    assert rows["internal_resistance_ohm"].passed is False
    assert rows["open_circuit_v"].passed is False
    assert rows["load_a"].passed is None and rows["load_a"].limit_text == ""
    record = fixed_camera()
    record.steps = []  # no battery step: the configured limits stand in
    rows = {r.name: r for r in battery_figures(record, BatteryConfig(min_loaded_v=3.2, min_open_circuit_v=3.4))}
    assert (rows["loaded_v"].limit_text, rows["loaded_v"].passed) == ("≥ 3.2 V", False)


# --- the page ---------------------------------------------------------------------------------------------
class _Cells(HTMLParser):
    """Collects the text of every table row, by table class, and the element with a given id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.ids: dict[str, str] = {}
        self._id_stack: list[tuple[str, str, int]] = []
        self._depth = 0
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        self.tags.append((tag, attrs_d))
        self._depth += 1
        if "id" in attrs_d and tag not in ("g", "path", "clippath", "defs", "use"):
            self._id_stack.append((attrs_d["id"], "", self._depth))
        if tag == "table":
            self._table = attrs_d.get("class", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if self._id_stack and self._id_stack[-1][2] == self._depth:
            ident, text, _ = self._id_stack.pop()
            self.ids[ident] = text.strip()
        self._depth -= 1
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        self._id_stack = [(i, t + data, d) for i, t, d in self._id_stack]


def parse(page: str) -> _Cells:
    parser = _Cells()
    parser.feed(page)
    return parser


def test_sheet_leads_with_serial_and_disposition_in_large_type() -> None:
    page = render_camera_report(fixed_camera())
    cells = parse(page)
    assert cells.ids["serial"] == "G8T1-0042"
    assert cells.ids["disposition"] == "fixed"
    [style] = [a["style"] for t, a in cells.tags if a.get("id") == "disposition"]
    assert "#00838f" in style
    assert ".disposition {" in page and "font-size: 3.2em" in page
    assert "Fixed by <b>restart_camera</b>." in page
    assert "bench time 4 min 22 s" in page


def test_sheet_lists_the_steps_with_durations_outcomes_and_limits() -> None:
    rows = parse(render_camera_report(fixed_camera())).tables["steps"]
    assert rows[0] == ["#", "step", "at", "took", "outcome", "measurements", "notes"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["power_cycle_router"][2:5] == ["11 s", "1 min 30 s", "not_verified (did not cure it)"]
    assert by_name["restart_camera"][2:5] == ["1 min 40 s", "2 min 30 s", "verified (cured it)"]
    assert by_name["power_cycle_router"][5] == "router_off_s = 35 s (≥ 30) pass"
    assert "internal_resistance_ohm = 0.2981 ohm (≤ 1) pass" in by_name["battery"][5]
    assert by_name["observe"][5] == "router_reachable = yes"


def test_sheet_battery_table_against_limits() -> None:
    rows = parse(render_camera_report(failing_battery_camera())).tables["battery"]
    table = {r[0]: r[1:] for r in rows[1:]}
    assert table["voltage under load"] == ["1.518 V", "≥ 2.6 V", "FAIL"]
    assert table["internal resistance ΔV/ΔI"] == ["3.0000 Ω", "≤ 1 Ω", "FAIL"]
    assert table["current under load"] == ["0.461 A", "", "-"]
    page = render_camera_report(fixed_camera())
    table = {r[0]: r[1:] for r in parse(page).tables["battery"][1:]}
    assert table["internal resistance ΔV/ΔI"] == ["0.2981 Ω", "≤ 1 Ω", "pass"]
    assert "3 times: 0.2975 Ω, <b>0.2981 Ω</b>, 0.2991 Ω. The internal resistance above is their median" in page


def test_sheet_event_list_matches_the_marks() -> None:
    rows = parse(render_camera_report(fixed_camera())).tables["events"]
    assert ["11 s", "fix", "fix power_cycle_router (did not cure it, 1 min 30 s)"] in rows
    assert ["4 min", "pattern", "LED classified none (during restart_camera)"] in rows


def test_sheet_is_self_contained() -> None:
    page = render_camera_report(fixed_camera())
    assert page.count("<svg") == 2
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert 'id="fix-0-power_cycle_router"' in page  # the marks are named in the SVG itself
    assert "power_cycle_router" in page.split('<figure id="led-timeline">')[1].split("</svg>")[0]
    # the two plots never share an internal id
    ids = re.findall(r'<clipPath id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) > 0


def test_sheet_of_a_mini_and_of_an_unfinished_record() -> None:
    page = render_camera_report(mini_camera())
    assert "No battery test: the Mini is USB-powered." in page and page.count("<svg") == 1
    record = CameraRecord(serial="X-<1>", model="outdoor", started_at="2026-11-25T09:00:00", started_s=0.0)
    page = render_camera_report(record)
    cells = parse(page)
    assert cells.ids["disposition"] == "unfinished"
    assert cells.ids["serial"] == "X-<1>"  # escaped in the page, read back as text
    assert "No step was recorded." in page and "No battery figures were recorded" in page


def test_aborted_camera_shows_why() -> None:
    record = mini_camera()
    record.disposition = Disposition.ABORTED
    record.notes = ["rig fault: INA219 not available"]
    page = render_camera_report(record)
    assert parse(page).ids["disposition"] == "aborted"
    assert '<p class="why">rig fault: INA219 not available</p>' in page


def test_write_puts_the_sheet_beside_the_record_under_its_stem(tmp_path) -> None:
    record = fixed_camera()
    path = write_camera_report(record, tmp_path / "records")
    assert path == tmp_path / "records" / f"{record_stem(record)}.html"
    assert path.name == "G8T1-0042_20261125T090000.html"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert parse(path.read_text(encoding="utf-8")).ids["disposition"] == "fixed"


def test_window_that_ran_out_names_what_was_seen_not_a_pattern() -> None:
    """Issue 15 item 6: a network_lost camera's window that closed after one flash is not 'motion,
    provisionally'; a steady light is 'lit steadily'. The words come from the classifier's own evidence."""
    from rig.led.classifier import PatternClassifier

    record = CameraRecord(serial="X-1", model="outdoor", started_at="", started_s=0.0)
    observations = []
    for edges, end_s in (([(1.0, 1), (1.15, 0)], 3.0), ([(4.0, 1)], 24.0)):
        clf = PatternClassifier(start_s=0.0 if end_s == 3.0 else 3.0)
        for edge in edges:
            clf.feed(edge)
        d = clf.finish(end_s)
        assert not d.committed
        observations.append({"pattern": d.pattern.value, "decided_at_s": end_s, "timed_out": True,
                             "evidence": d.evidence})
    step = step_from_dict({"name": "restart_camera", "started_s": 0.0, "evidence": {"observations": observations}})
    record.steps = [step]
    texts_ = [e.text for e in events(record) if e.kind == "pattern"]
    assert texts_ == [
        "LED window ran out: one quick flash, no second in 2.0 s (motion or network_lost), not decided "
        "(during restart_camera)",
        "LED window ran out: lit steadily for 20.0 s (from 1.0 s), not decided (during restart_camera)",
    ]
    assert not any("provisionally" in t for t in texts_)
