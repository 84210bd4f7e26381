"""Whatever a record holds, its sheet is written: a sheet must never be what stops a batch."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_camera import parse

from rig.core.records import BatteryFigures, CameraRecord, Disposition, StepEvidence, StepRecord
from rig.procedure.fixes import fix_names
from rig.report.camera import render_camera_report
from rig.report.records import legacy_step_kind

times = st.floats(min_value=0.0, max_value=5000.0, allow_nan=False)
numbers = st.floats(allow_nan=True, allow_infinity=True, width=32)
patterns = st.sampled_from(["none", "motion", "network_lost", "low_battery", "solid", "unknown", "new_one"])
step_names = st.sampled_from(["observe", "battery", "motion", "motion_retry", "calibrate", *fix_names()])
outcomes = st.sampled_from(
    ["", "pass", "fail", "verified", "not_verified", "declined", "advisory", "escalated"]
)


@st.composite
def steps(draw) -> StepRecord:
    start = draw(times)
    name = draw(step_names)
    step = StepRecord(name, start, draw(st.none() | times), draw(outcomes), kind=legacy_step_kind(name))
    for _ in range(draw(st.integers(0, 3))):
        step.measure(
            draw(st.sampled_from(["x", "y_v"])),
            draw(numbers | st.booleans() | st.text(max_size=5)),
            "V",
            draw(st.none() | numbers),
            draw(st.none() | numbers),
        )
    step.evidence = StepEvidence.from_dict({"observations": [
        {
            "pattern": draw(patterns),
            "started_s": draw(times),
            "decided_at_s": draw(times),
            "timed_out": draw(st.booleans()),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]})
    return step


@st.composite
def records(draw) -> CameraRecord:
    record = CameraRecord(
        serial=draw(st.text(min_size=1, max_size=12)),
        model=draw(st.sampled_from(["outdoor", "mini"])),
        started_at="2026-11-25T09:00:00",
        started_s=draw(times),
    )
    record.finished_s = draw(st.none() | times.map(lambda t: t + record.started_s))
    record.steps = draw(st.lists(steps(), max_size=6))
    edges = sorted(draw(st.lists(times, max_size=40)))
    record.trace_initial_level = draw(st.integers(0, 1))
    record.trace = [(t, (record.trace_initial_level + i + 1) % 2) for i, t in enumerate(edges)]
    if draw(st.booleans()):
        record.battery = BatteryFigures(*(draw(numbers) for _ in range(6)), draw(st.booleans()))
    record.disposition = draw(st.none() | st.sampled_from(list(Disposition)))
    record.fixes_tried = draw(st.lists(st.sampled_from(fix_names()), max_size=3))
    record.notes = draw(st.lists(st.text(max_size=20), max_size=2))
    return record


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_any_record_renders_to_a_sheet_that_names_it(record: CameraRecord) -> None:
    page = render_camera_report(record)
    cells = parse(page)
    assert cells.ids["serial"] == record.serial.strip() or cells.ids["serial"] == " ".join(
        record.serial.split()
    )
    assert cells.ids["disposition"] == (record.disposition.value if record.disposition else "unfinished")
    assert page.count("<svg") >= 1
    finite = record.battery is not None and all(
        math.isfinite(v)
        for v in (
            record.battery.background_v,
            record.battery.loaded_v,
            record.battery.open_circuit_v,
            record.battery.background_a,
            record.battery.load_a,
            record.battery.internal_resistance_ohm,
        )
    )
    assert ('id="battery-pulse"' in page) == finite
