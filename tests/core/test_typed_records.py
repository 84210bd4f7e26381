"""Step records are typed (kinds, outcomes, evidence), the JSON record stays readable and stable, and older
records (no kinds, '' for nothing) are still read."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import pytest

from rig.core.models import MODELS, camera_model
from rig.core.records import (
    CameraRecord,
    FixOutcome,
    LedObservation,
    MotionOutcome,
    StepError,
    StepEvidence,
    StepKind,
    StepRecord,
    TimeBase,
    Verdict,
    json_ready,
    parse_outcome,
)
from rig.led.patterns import Pattern
from rig.output.results import write_json_record
from rig.report.records import legacy_step_kind, load_record, step_from_dict


def test_outcomes_are_the_enum_of_their_kind() -> None:
    assert parse_outcome(StepKind.OBSERVE, "network_lost") is Pattern.NETWORK_LOST
    assert parse_outcome(StepKind.BATTERY, "fail") is Verdict.FAIL
    assert parse_outcome(StepKind.MOTION, "no_response") is MotionOutcome.NO_RESPONSE
    assert parse_outcome(StepKind.FIX, "verified") is FixOutcome.VERIFIED
    assert parse_outcome(StepKind.FIX, "error") is StepError.ERROR
    assert parse_outcome(StepKind.OBSERVE, "") is None and parse_outcome(StepKind.FIX, None) is None
    # "motion" is a pattern for an observe step and an outcome for a motion step
    assert parse_outcome(StepKind.OBSERVE, "motion") is Pattern.MOTION
    assert parse_outcome(StepKind.MOTION, "motion") is MotionOutcome.MOTION
    with pytest.raises(ValueError, match="unknown outcome 'maybe' for a fix step"):
        parse_outcome(StepKind.FIX, "maybe")


def test_a_step_keeps_its_outcome_typed_even_when_given_text() -> None:
    step = StepRecord("restart_camera", 0.0, kind=StepKind.FIX)
    step.outcome = "not_verified"
    assert step.outcome is FixOutcome.NOT_VERIFIED
    with pytest.raises(ValueError):
        step.outcome = "cured, probably"


def test_a_renamed_step_keeps_its_kind() -> None:
    step = step_from_dict(StepRecord("motion_again", 1.0, 2.0, "motion", kind=StepKind.MOTION).to_dict())
    assert step.kind is StepKind.MOTION
    step = step_from_dict(StepRecord("motion_checked", 1.0, 2.0, "pass", kind=StepKind.BATTERY).to_dict())
    assert step.kind is StepKind.BATTERY and step.outcome is Verdict.PASS


def test_older_records_without_kinds_are_read_by_their_names() -> None:
    assert [legacy_step_kind(n) for n in ("observe", "battery", "motion_retry", "reset_wifi", "calibrate")] == [
        StepKind.OBSERVE, StepKind.BATTERY, StepKind.MOTION, StepKind.FIX, StepKind.OTHER
    ]
    old = {"name": "restart_camera", "started_s": 3.0, "finished_s": 9.0, "outcome": "verified", "notes": "",
           "evidence": {"observations": [{"pattern": "none", "started_s": 4.0, "decided_at_s": 8.0,
                                          "timed_out": False, "evidence": {"flash_count": 0}}]}}
    step = step_from_dict(old)
    assert (step.kind, step.outcome) == (StepKind.FIX, FixOutcome.VERIFIED)
    assert step.evidence.observations == [LedObservation(Pattern.NONE, 4.0, 8.0, False, {"flash_count": 0})]


def test_evidence_round_trips_with_the_same_json_shape() -> None:
    evidence = StepEvidence(
        observations=[LedObservation(Pattern.MOTION, 1.0, 1.5, False, {"flash_count": 1})],
        pulses_ohm=[0.29, 0.3],
        motion_after_fix=MotionOutcome.MOTION,
    )
    data = evidence.to_dict()
    assert data == {
        "observations": [{"pattern": "motion", "started_s": 1.0, "decided_at_s": 1.5, "timed_out": False,
                          "evidence": {"flash_count": 1}}],
        "pulses_ohm": [0.29, 0.3],
        "motion_after_fix": "motion",
    }
    assert StepEvidence.from_dict(json.loads(json.dumps(data))) == evidence
    assert StepEvidence().to_dict() == {}


def _record() -> CameraRecord:
    record = CameraRecord("CAM-1", "mini", "2026-11-25T09:00:00+01:00", 100.0, clock=TimeBase.SIMULATED)
    record.finished_s = 100.0 + 858.9478799999965
    step = StepRecord("observe", 0.0, 0.1 + 0.2, "none", kind=StepKind.OBSERVE)
    step.measure("x", math.nan, "V", low=1.0)
    record.steps.append(step)
    return record


def test_json_record_has_no_float_noise_and_null_for_nothing(tmp_path: Path) -> None:
    data = json.loads(write_json_record(_record(), tmp_path).read_text())
    assert data["duration_s"] == 858.94788
    assert data["steps"][0]["finished_s"] == 0.3
    assert data["steps"][0]["measurements"][0]["value"] is None      # NaN is not JSON
    assert data["fixed_by"] is None and data["finished_at"] is None and data["initial_pattern"] is None
    assert data["steps"][0]["notes"] is None
    assert data["clock"] == "simulated"
    assert "858.9478799" not in write_json_record(_record(), tmp_path).read_text()
    again = load_record(write_json_record(_record(), tmp_path))
    assert (again.fixed_by, again.finished_at, again.clock) == ("", "", TimeBase.SIMULATED)


def test_json_ready_keeps_what_a_sensor_can_tell() -> None:
    assert json_ready({"a": [3.3999368697939483, 1e-9, float("inf")], "b": "x"}) == {
        "a": [3.39993686979, 1e-9, None], "b": "x"
    }


def test_records_of_a_simulated_run_carry_an_offset_and_say_they_are_simulated(tmp_path: Path) -> None:
    from firmware_sim.desk import single_camera
    from rig.core.config import load_config
    from rig.output.columns import result_row
    from rig.procedure.controller import ProcedureController
    from rig.sim import build_sim_bench

    bench = build_sim_bench(load_config(), single_camera("mini"))
    try:
        record = ProcedureController(bench.fixture, bench.operator).test_camera(0, "CAM-0001", "mini")
    finally:
        bench.close()
    started = datetime.fromisoformat(record.started_at)
    assert started.utcoffset() is not None and datetime.fromisoformat(record.finished_at).utcoffset() is not None
    assert record.clock is TimeBase.SIMULATED and result_row(record)["clock"] == "simulated"


def test_a_real_clock_stamps_wall_time() -> None:
    from rig.core.clock import MonotonicClock

    assert MonotonicClock.virtual is False
    assert CameraRecord("X", "mini", "", 0.0).clock is TimeBase.WALL


def test_models_come_from_one_registry() -> None:
    from firmware_sim.faults import FAULT_TABLE
    from rig.ui.scanner import MODELS as SCANNER_MODELS

    assert tuple(MODELS) == SCANNER_MODELS == ("outdoor", "mini")
    assert FAULT_TABLE["sync_module_glitch"].models == ("outdoor",)
    assert FAULT_TABLE["battery_failing"].models == ("outdoor",)
    assert camera_model("mini").restart_outlets == ("camera",)
    assert camera_model("outdoor").restart_outlets == ("camera", "sync_module")
    with pytest.raises(ValueError, match="unknown camera model 'floodlight' \\(known: outdoor, mini\\)"):
        camera_model("floodlight")


def test_a_whole_record_written_by_the_previous_version_still_reads_and_renders(tmp_path: Path) -> None:
    from rig.report.camera import render_camera_report

    old = {
        "serial": "G8T1-0042", "model": "outdoor", "started_at": "2026-11-25T09:00:00",
        "finished_at": "2026-11-25T09:04:22", "duration_s": 262.0, "initial_pattern": "network_lost",
        "network_ok_at_start": True, "battery": None, "fixes_tried": ["restart_camera"],
        "fixed_by": "restart_camera", "disposition": "fixed", "notes": [],
        "steps": [
            {"name": "observe", "started_s": 0.0, "finished_s": 9.0, "duration_s": 9.0, "outcome": "network_lost",
             "measurements": [], "notes": "", "evidence": {"observations": [
                 {"pattern": "network_lost", "started_s": 0.0, "decided_at_s": 8.9, "timed_out": False,
                  "evidence": {}}]}},
            {"name": "battery", "started_s": 9.0, "finished_s": 10.5, "duration_s": 1.5, "outcome": "pass",
             "measurements": [], "notes": "", "evidence": {"pulses_ohm": [0.29, 0.3, 0.31]}},
            {"name": "restart_camera", "started_s": 10.5, "finished_s": 200.0, "duration_s": 189.5,
             "outcome": "verified", "measurements": [], "notes": "", "evidence": {}},
            {"name": "motion", "started_s": 200.0, "finished_s": 212.0, "duration_s": 12.0, "outcome": "motion",
             "measurements": [], "notes": "", "evidence": {"decision": {"pattern": "motion", "evidence": {}}}},
        ],
        "trace": {"initial_level": 0, "edges": [[2.0, 1], [2.15, 0]]},
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    record = load_record(path)
    assert [s.kind for s in record.steps] == [StepKind.OBSERVE, StepKind.BATTERY, StepKind.FIX, StepKind.MOTION]
    assert record.steps[1].evidence.pulses_ohm == [0.29, 0.3, 0.31]
    assert record.steps[3].evidence.decision is not None and record.steps[3].evidence.decision.pattern is Pattern.MOTION
    assert record.clock is TimeBase.WALL
    assert "restart_camera" in render_camera_report(record)
