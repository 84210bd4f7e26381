"""Hand-built camera records with known numbers, and a small simulated batch, for the report tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from firmware_sim.scenario import load_scenario
from rig.core.config import load_config
from rig.core.records import BatteryFigures, CameraRecord, Disposition, LedObservation, StepKind, StepRecord
from rig.led.patterns import Pattern
from rig.output.results import ResultsCsv
from rig.procedure.batch import BatchOutputs, run_batch
from rig.procedure.controller import ProcedureController

DATA = Path(__file__).resolve().parents[1] / "data"

# The battery: R = (3.430 - 3.154) / (0.986 - 0.060) = 0.276 / 0.926
BATTERY = BatteryFigures(
    open_circuit_v=3.4479,
    loaded_v=3.154,
    load_a=0.986,
    background_a=0.06,
    background_v=3.43,
    internal_resistance_ohm=0.276 / 0.926,
    passed=True,
)


def _observation(pattern: str, started_s: float, decided_s: float, timed_out: bool = False) -> LedObservation:
    return LedObservation(Pattern(pattern), started_s, decided_s, timed_out)


def _battery_step(figures: BatteryFigures, start_s: float, end_s: float) -> StepRecord:
    step = StepRecord("battery", start_s, end_s, "pass" if figures.passed else "fail", kind=StepKind.BATTERY)
    step.measure("open_circuit_v", round(figures.open_circuit_v, 4), "V", low=3.0)
    step.measure("loaded_v", round(figures.loaded_v, 4), "V", low=2.6)
    step.measure("load_a", figures.load_a, "A")
    step.measure("background_a", figures.background_a, "A")
    step.measure("internal_resistance_ohm", round(figures.internal_resistance_ohm, 4), "ohm", high=1.0)
    step.evidence.pulses_ohm = [0.2975, round(figures.internal_resistance_ohm, 4), 0.2991]
    return step


def fixed_camera() -> CameraRecord:
    """An outdoor camera offline at start: the router power cycle does not cure it, the restart does.

    Timeline (s from the camera's start): observe 0-9 (network_lost at 8.9), battery 9-10.5,
    power_cycle_router 10.5-100 (network_lost at 60 and 70), restart_camera 100-250 (dark, ``none`` at 240),
    motion 250-262 (``motion`` at 251.5). The LED flashes every 3 s until 235, then the motion flash and a
    recording light.
    """
    record = CameraRecord(
        serial="G8T1-0042", model="outdoor", started_at="2026-11-25T09:00:00", started_s=500.0
    )
    record.finished_s = 762.0
    record.finished_at = "2026-11-25T09:04:22"
    record.initial_pattern = "network_lost"
    record.network_ok_at_start = False
    record.battery = BATTERY
    observe = StepRecord("observe", 0.0, 9.0, "network_lost", kind=StepKind.OBSERVE)
    observe.evidence.observations = [_observation("network_lost", 0.0, 8.9)]
    observe.measure("router_reachable", True)
    router = StepRecord("power_cycle_router", 10.5, 100.0, "not_verified", kind=StepKind.FIX)
    router.measure("router_off_s", 35.0, "s", low=30.0)
    router.evidence.observations = [
        _observation("network_lost", 55.0, 60.0),
        _observation("network_lost", 64.0, 70.0),
    ]
    restart = StepRecord("restart_camera", 100.0, 250.0, "verified", kind=StepKind.FIX)
    restart.evidence.observations = [_observation("none", 220.0, 240.0)]
    restart.measure("online_after_s", 140.0, "s")
    motion = StepRecord("motion", 250.0, 262.0, "motion", kind=StepKind.MOTION)
    motion.evidence.observations = [_observation("motion", 250.0, 251.5)]
    record.steps = [observe, _battery_step(BATTERY, 9.0, 10.5), router, restart, motion]
    record.fixes_tried = ["power_cycle_router", "restart_camera"]
    record.fixed_by = "restart_camera"
    record.disposition = Disposition.FIXED
    edges: list[tuple[float, int]] = []
    t = 2.0
    while t < 235.0:
        edges += [(round(t, 3), 1), (round(t + 0.18, 3), 0)]
        t += 3.0
    edges += [(251.2, 1), (251.38, 0), (251.9, 1), (259.0, 0)]
    record.trace = edges
    return record


def failing_battery_camera() -> CameraRecord:
    figures = BatteryFigures(2.898, 1.518, 0.461, 0.015, 2.853, 3.0, False, "out of limits: loaded_v, ...")
    record = CameraRecord(
        serial="G8T1-0043", model="outdoor", started_at="2026-11-25T09:10:00", started_s=0.0
    )
    record.finished_s = 54.0
    record.battery = figures
    record.steps = [StepRecord("observe", 0.0, 6.0, "none", kind=StepKind.OBSERVE), _battery_step(figures, 6.0, 7.3)]
    record.disposition = Disposition.FIXED
    record.fixed_by = "replace_batteries"
    record.fixes_tried = ["replace_batteries"]
    return record


def mini_camera() -> CameraRecord:
    record = CameraRecord(serial="MINI-0007", model="mini", started_at="2026-11-26T10:00:00", started_s=0.0)
    record.finished_s = 31.0
    record.initial_pattern = "none"
    observe = StepRecord("observe", 0.0, 20.0, "none", kind=StepKind.OBSERVE)
    observe.evidence.observations = [_observation("none", 0.0, 20.0, timed_out=True)]
    record.steps = [observe, StepRecord("motion", 20.0, 31.0, "motion", kind=StepKind.MOTION)]
    record.disposition = Disposition.PASS
    return record


def run_sim_day(folder: Path, day: datetime, scenario: str = "example-scenario.toml") -> list[CameraRecord]:
    """One day's batch on the simulated bench, appended to ``folder/results.csv`` with records beside it."""
    bench = build_sim_bench_for(scenario)
    controller = ProcedureController(bench.fixture, bench.operator, wall_clock=lambda: day)
    outputs = BatchOutputs(ResultsCsv(folder / "results.csv"), folder / "records")
    try:
        return run_batch(controller, bench.cameras, outputs)
    finally:
        bench.close()


def build_sim_bench_for(scenario: str):
    from rig.sim import build_sim_bench

    return build_sim_bench(load_config(), load_scenario(DATA / scenario))
