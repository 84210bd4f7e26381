"""Done when: a new fix and a new camera model are each one new module (plus their registration line), and each
runs through the simulated bench with nothing else changed."""

from __future__ import annotations

import csv
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware_sim.desk import single_camera
from rig.core import models
from rig.core.config import load_config
from rig.core.records import Disposition, StepKind
from rig.output.results import ResultsCsv
from rig.output.writers import BatchOutputs
from rig.procedure.batch import run_batch
from rig.procedure.controller import ProcedureController
from rig.procedure.fixes import fix_names, unregister_fix
from rig.procedure.ladder import Diagnosis, naive_ladder, plan_ladder
from rig.sim import build_sim_bench


def _load(name: str):
    return importlib.reload(sys.modules[name]) if name in sys.modules else importlib.import_module(name)


@pytest.fixture
def doorbell() -> Iterator[models.CameraModel]:
    module = _load("fake_model")
    try:
        yield module.DOORBELL
    finally:
        models.MODELS.pop(module.DOORBELL.name, None)


@pytest.fixture
def reseat() -> Iterator[str]:
    module = _load("fake_fix")
    try:
        yield module.ReseatCamera.name
    finally:
        unregister_fix(module.ReseatCamera.name)


def _run(scenario, tmp_path: Path):
    bench = build_sim_bench(load_config(), scenario)
    controller = ProcedureController(bench.fixture, bench.operator)
    outputs = BatchOutputs(ResultsCsv(tmp_path / "results.csv"), tmp_path / "records", sheets=False)
    try:
        [record] = run_batch(controller, bench.cameras, outputs)
    finally:
        bench.close()
    with (tmp_path / "results.csv").open(newline="") as f:
        [row] = list(csv.DictReader(f))
    return record, row, bench


def test_a_new_model_runs_healthy_through_the_simulated_bench(doorbell, tmp_path: Path) -> None:
    record, row, _ = _run(single_camera("doorbell", serial="DB-0001"), tmp_path)
    assert record.disposition is Disposition.PASS
    assert [s.kind for s in record.steps] == [StepKind.OBSERVE, StepKind.MOTION]   # USB: no battery test
    assert (row["model"], row["disposition"], row["battery_open_v"]) == ("doorbell", "pass", "")


def test_a_new_model_is_restarted_by_its_own_outlets(doorbell, tmp_path: Path) -> None:
    record, _, bench = _run(single_camera("doorbell", ("camera_glitch",), serial="DB-0002"), tmp_path)
    assert (record.disposition, record.fixed_by) == (Disposition.FIXED, "restart_camera")
    # Direct to the WiFi: the restart switched its camera outlet off and never the Sync Module's.
    camera_off = [c for c in bench.wiring.changes("camera") if not c.state]
    assert len(camera_off) == 1
    assert not [c for c in bench.wiring.changes("sync_module") if not c.state]


def test_a_new_model_is_known_to_the_scenario_and_its_faults(doorbell) -> None:
    from firmware_sim.faults import FAULT_TABLE
    from firmware_sim.scenario import ScenarioError

    assert "doorbell" in FAULT_TABLE["camera_glitch"].models
    assert "doorbell" not in FAULT_TABLE["sync_module_glitch"].models   # it has no Sync Module
    with pytest.raises(ScenarioError, match="not possible on a doorbell camera"):
        single_camera("doorbell", ("battery_failing",))


def test_a_new_fix_takes_its_place_in_both_ladders(reseat, doorbell) -> None:
    assert fix_names().index(reseat) == fix_names().index("restart_camera") - 1
    ladder = plan_ladder(Diagnosis(doorbell, offline=True, network_ok=True, battery_suspect=False))
    assert ladder[:2] == [reseat, "restart_camera"]
    assert reseat in naive_ladder(doorbell)
    assert plan_ladder(Diagnosis(doorbell, offline=False, network_ok=True, battery_suspect=True)) == [
        "contact_support"
    ]   # it treats only an offline camera


def test_a_new_fix_cures_through_the_simulated_bench(reseat, tmp_path: Path) -> None:
    record, row, _ = _run(single_camera("mini", ("camera_glitch",), serial="MINI-0101"), tmp_path)
    assert (record.disposition, record.fixed_by, record.fixes_tried) == (Disposition.FIXED, reseat, [reseat])
    [step] = [s for s in record.steps if s.name == reseat]
    assert step.kind is StepKind.FIX and step.outcome == "verified"
    assert step.measurements[0].name == "reseat_off_s"
    assert (row["fixed_by"], row["fixes_tried"]) == (reseat, reseat)


def test_without_the_fake_fix_the_article_restart_cures_it(tmp_path: Path) -> None:
    record, _, _ = _run(single_camera("mini", ("camera_glitch",), serial="MINI-0102"), tmp_path)
    assert record.fixed_by == "restart_camera" and "reseat_camera" not in fix_names()


def test_the_simulator_reads_the_models_timings(doorbell) -> None:
    import random

    from firmware_sim.camera import CameraTraits

    traits = [CameraTraits.draw(random.Random(seed), sim=doorbell.sim) for seed in range(20)]
    assert all(6.0 <= t.boot_s <= 8.0 and 3.0 <= t.connect_s <= 5.0 for t in traits)
    outdoor = CameraTraits.draw(random.Random(0), sim=models.OUTDOOR.sim)
    assert outdoor.boot_s < 6.0
