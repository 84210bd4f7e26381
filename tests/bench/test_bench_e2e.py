"""End to end on the simulator: every fault in DESIGN.md reaches its disposition through the real controller.

Only the scenario decides the camera; the controller sees pins, registers, the probe and the operator. The
assertions are the fault table's outcomes, the ladder's order and the article's timings (read back from the
simulated wiring's own history, not from the rig).
"""

from __future__ import annotations

import ast
import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from firmware_sim.battery import BatterySpec
from firmware_sim.desk import single_camera
from firmware_sim.scenario import Scenario
from rig.core.config import load_config
from rig.core.records import CameraRecord, Disposition
from rig.output.results import ResultsCsv
from rig.procedure.batch import BatchOutputs, run_batch
from rig.procedure.calibration import calibrate, save_calibration
from rig.procedure.controller import BenchController
from rig.sim import SimulatedBench, build_sim_bench

HEALTHY = BatterySpec(3.5, 0.25)
FAILING = BatterySpec(2.9, 3.0)


def run_one(
    scenario: Scenario, tmp_path: Path, config=None, sheets: bool = False, load_path_open: bool = False
) -> tuple[CameraRecord, SimulatedBench]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    bench = build_sim_bench(config or load_config(), scenario)
    bench.world.load_path_open = load_path_open
    controller = BenchController(bench.fixture, bench.operator)
    outputs = BatchOutputs(ResultsCsv(tmp_path / "results.csv"), tmp_path / "records", sheets=sheets)
    try:
        [record] = run_batch(controller, bench.cameras, outputs)
    finally:
        bench.close()
    return record, bench


# (model, faults, battery, disposition, fixed_by, fixes_tried)
FAULT_TABLE = [
    ("outdoor", (), HEALTHY, "pass", "", []),
    ("mini", (), None, "pass", "", []),
    ("outdoor", ("router_down",), HEALTHY, "fixed", "power_cycle_router", ["power_cycle_router"]),
    ("mini", ("router_down",), None, "fixed", "power_cycle_router", ["power_cycle_router"]),
    ("outdoor", ("camera_glitch",), HEALTHY, "fixed", "restart_camera", ["restart_camera"]),
    ("mini", ("camera_glitch",), None, "fixed", "restart_camera", ["restart_camera"]),
    ("outdoor", ("sync_module_glitch",), HEALTHY, "fixed", "restart_camera", ["restart_camera"]),
    ("outdoor", ("wifi_credentials_lost",), HEALTHY, "fixed", "reset_wifi", ["restart_camera", "reset_wifi"]),
    ("mini", ("wifi_credentials_lost",), None, "fixed", "reset_wifi", ["restart_camera", "reset_wifi"]),
    (
        "outdoor",
        ("registration_lost",),
        HEALTHY,
        "fixed",
        "readd_camera",
        ["restart_camera", "reset_wifi", "readd_camera"],
    ),
    ("mini", ("registration_lost",), None, "fixed", "readd_camera", ["restart_camera", "reset_wifi", "readd_camera"]),
    ("outdoor", ("battery_failing",), FAILING, "fixed", "replace_batteries", ["replace_batteries"]),
    ("outdoor", ("pir_dead",), HEALTHY, "fail", "", []),
    (
        "outdoor",
        ("radio_dead",),
        HEALTHY,
        "escalate",
        "",
        ["restart_camera", "reset_wifi", "readd_camera", "contact_support"],
    ),
    (
        "mini",
        ("radio_dead",),
        None,
        "escalate",
        "",
        ["restart_camera", "reset_wifi", "readd_camera", "contact_support"],
    ),
]


@pytest.mark.parametrize(
    ("model", "faults", "battery", "disposition", "fixed_by", "fixes_tried"),
    FAULT_TABLE,
    ids=[f"{m}-{'+'.join(f) or 'healthy'}" for m, f, *_ in FAULT_TABLE],
)
def test_every_fault_reaches_its_disposition(
    tmp_path, model, faults, battery, disposition, fixed_by, fixes_tried
) -> None:
    record, _ = run_one(single_camera(model, faults, battery, serial="E2E-0001"), tmp_path)
    assert record.disposition == Disposition(disposition), record.notes
    assert record.fixed_by == fixed_by
    assert record.fixes_tried == fixes_tried
    row = next(csv.DictReader((tmp_path / "results.csv").open(newline="")))
    assert (row["disposition"], row["fixed_by"], row["fixes_tried"]) == (disposition, fixed_by, ";".join(fixes_tried))


def test_symptoms_recorded_as_seen(tmp_path) -> None:
    offline, _ = run_one(single_camera("mini", ("camera_glitch",), serial="E2E-0002"), tmp_path / "a")
    assert offline.initial_pattern == "network_lost"
    assert offline.network_ok_at_start is True
    router, _ = run_one(single_camera("mini", ("router_down",), serial="E2E-0003"), tmp_path / "b")
    assert router.initial_pattern == "network_lost"
    assert router.network_ok_at_start is False
    healthy, _ = run_one(single_camera("mini", (), serial="E2E-0004"), tmp_path / "c")
    assert healthy.initial_pattern == "none"


def calibrated_config(tmp_path: Path):
    """The reference config with the fixture calibrated on the simulator, as `rig calibrate --sim` does."""
    config = load_config()
    path = tmp_path / "fixture-calibration.toml"
    config = config.model_copy(update={"battery": config.battery.model_copy(update={"calibration_file": str(path)})})
    bench = build_sim_bench(config)
    bench.world.fit_calibration_cell(0.0)
    try:
        result = calibrate(bench.fixture.power_meter, bench.fixture.actuators.load_switch, bench.clock,
                           config.battery, known_ohm=0.0)
    finally:
        bench.close()
    save_calibration(path, result, "test")
    return config


@pytest.mark.parametrize("pack", [BatterySpec(3.6, 0.15), BatterySpec(3.3, 0.45), BatterySpec(2.9, 3.0)])
def test_internal_resistance_within_2_percent_after_calibration_with_100_ms_pulses(tmp_path, pack) -> None:
    faults = ("battery_failing",) if pack.internal_resistance_ohm > 1 else ()
    scenario = single_camera("outdoor", faults, pack, serial="E2E-0005")
    raw, bench = run_one(scenario, tmp_path / "raw")
    fixture_ohm = bench.world.fixture_ohm
    assert 0.03 <= fixture_ohm <= 0.08
    # Uncalibrated, the slope holds the fixture's fuse, springs and leads too.
    assert raw.battery.internal_resistance_ohm == pytest.approx(pack.internal_resistance_ohm + fixture_ohm, rel=0.02)
    record, bench = run_one(scenario, tmp_path / "cal", config=calibrated_config(tmp_path))
    assert record.battery is not None
    assert record.battery.internal_resistance_ohm == pytest.approx(pack.internal_resistance_ohm, rel=0.02)
    assert record.battery.open_circuit_v == pytest.approx(pack.open_circuit_v, abs=0.03)
    assert record.battery.passed is (pack.internal_resistance_ohm <= 1.0)
    # Every load pulse lasted 100 ms +- 5 ms on the emulator's clock.
    changes = bench.wiring.changes("load_switch")
    ons = [c.t_s for c in changes if c.state]
    offs = [c.t_s for c in changes if not c.state and c.t_s > ons[0]]
    assert ons and len(ons) == len(offs)
    for on_s, off_s in zip(ons, offs, strict=True):
        assert off_s - on_s == pytest.approx(0.100, abs=0.005)


def test_router_power_cycle_keeps_it_off_at_least_30s(tmp_path) -> None:
    _record, bench = run_one(single_camera("outdoor", ("router_down",), HEALTHY, serial="E2E-0006"), tmp_path)
    changes = bench.wiring.changes("router")
    offs = [c for c in changes if not c.state]
    assert len(offs) == 1
    back_on = next(c for c in changes if c.state and c.t_s > offs[0].t_s)
    assert back_on.t_s - offs[0].t_s >= 30.0
    # ...and never touched the camera or the Sync Module: the bench probe said the network was down.
    assert not [c for c in bench.wiring.changes("camera") if not c.state]
    assert not [c for c in bench.wiring.changes("sync_module") if not c.state]


def test_restart_of_a_battery_camera_cuts_camera_and_sync_module_together(tmp_path) -> None:
    _record, bench = run_one(single_camera("outdoor", ("sync_module_glitch",), HEALTHY, serial="E2E-0007"), tmp_path)
    [cam_off] = [c for c in bench.wiring.changes("camera") if not c.state]
    [sync_off] = [c for c in bench.wiring.changes("sync_module") if not c.state]
    cam_on = next(c for c in bench.wiring.changes("camera") if c.state and c.t_s > cam_off.t_s)
    assert 60.0 <= cam_on.t_s - cam_off.t_s <= 120.0
    assert abs(cam_off.t_s - sync_off.t_s) < 1.0
    assert not [c for c in bench.wiring.changes("router") if not c.state]


def test_healthy_camera_touches_no_outlet(tmp_path) -> None:
    record, bench = run_one(single_camera("outdoor", (), HEALTHY, serial="E2E-0008"), tmp_path)
    assert record.disposition is Disposition.PASS
    for outlet in ("router", "sync_module", "camera"):
        assert all(c.state for c in bench.wiring.changes(outlet)), outlet


def test_fix_is_verified_early_not_after_a_blind_wait(tmp_path) -> None:
    record, _ = run_one(single_camera("mini", ("camera_glitch",), serial="E2E-0009"), tmp_path)
    restart = next(s for s in record.steps if s.name == "restart_camera")
    online = next(m for m in restart.measurements if m.name == "online_after_s")
    timings = load_config().timings
    assert restart.duration_s < timings.camera_off_s + timings.reconnect_timeout_s
    assert online.value < timings.reconnect_timeout_s


def test_operator_who_declines_sends_the_camera_up_the_ladder(tmp_path) -> None:
    scenario = replace(
        single_camera("outdoor", ("wifi_credentials_lost",), HEALTHY, serial="E2E-0010"),
        operator_declines=frozenset({"change_wifi"}),
    )
    record, _ = run_one(scenario, tmp_path)
    assert record.disposition is Disposition.ESCALATE
    reset = next(s for s in record.steps if s.name == "reset_wifi")
    assert reset.outcome == "declined"
    assert record.fixes_tried[-1] == "contact_support"


def test_outputs_written_per_camera(tmp_path) -> None:
    _record, _ = run_one(single_camera("outdoor", ("camera_glitch",), HEALTHY, serial="E2E-0011"), tmp_path)
    [json_path] = (tmp_path / "records").glob("*.json")
    data = json.loads(json_path.read_text())
    assert data["serial"] == "E2E-0011"
    assert [s["name"] for s in data["steps"]][:2] == ["observe", "battery"]
    assert any(s["name"] == "restart_camera" and s["outcome"] == "verified" for s in data["steps"])
    [trace_path] = (tmp_path / "records").glob("*.csv")
    lines = trace_path.read_text().splitlines()
    assert lines[0] == "t_s,level"
    assert len(lines) > 10  # the offline flashes were captured


def test_the_rig_never_imports_the_simulator() -> None:
    """rig/ learns about the camera only through hardware interfaces: only rig/sim.py may import firmware_sim."""
    root = Path(__file__).resolve().parents[2] / "rig"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "sim.py" and path.parent == root:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] == "firmware_sim" for n in names):
                offenders.append(str(path.relative_to(root)))
    assert offenders == [], offenders


def test_naive_policy_tries_the_articles_order_and_still_finds_the_cure(tmp_path) -> None:
    """The benchmark's baseline must be a fair one: same controller, article order, same verdicts."""
    from rig.procedure.controller import LadderPolicy
    from rig.procedure.ladder import naive_ladder

    bench = build_sim_bench(load_config(), single_camera("outdoor", ("battery_failing",), FAILING, serial="E2E-0012"))
    naive = LadderPolicy(plan=lambda d: naive_ladder(d.model), verify_early=False, name="naive")
    controller = BenchController(bench.fixture, bench.operator, policy=naive)
    outputs = BatchOutputs(ResultsCsv(tmp_path / "results.csv"), tmp_path / "records", sheets=False)
    try:
        [record] = run_batch(controller, bench.cameras, outputs)
    finally:
        bench.close()
    assert record.disposition is Disposition.FIXED
    assert record.fixed_by == "replace_batteries"
    assert record.fixes_tried == ["power_cycle_router", "restart_camera", "reset_wifi", "readd_camera",
                                  "replace_batteries"]


def test_two_faults_each_get_their_own_cure(tmp_path) -> None:
    """Router down AND failing batteries: the router cycle cures the network, then the batteries are replaced
    for the burst; a reference pack tried in vain for the network is taken back."""
    record, bench = run_one(
        single_camera("outdoor", ("router_down", "battery_failing"), FAILING, serial="E2E-0013"), tmp_path
    )
    assert record.disposition is Disposition.FIXED
    assert record.fixed_by == "replace_batteries"
    assert record.fixes_tried == ["replace_batteries", "power_cycle_router", "replace_batteries"]
    assert "power_cycle_router cured the camera's first symptom" in record.notes
    # The vain first swap was taken back before the router cycle: the changeover went on, off, on again.
    assert [c.state for c in bench.wiring.changes("battery_changeover")][-4:-1] == [True, False, True]
