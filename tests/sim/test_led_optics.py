"""Per-camera LED options in the scenario ([camera.led]): a PWM-driven LED and ambient flicker, validated in one
line, emitted on the photodiode's pin, and read right by the rig."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from firmware_sim.led_optics import LedOptics
from firmware_sim.scenario import ScenarioError, parse_scenario
from rig.cli import cli
from rig.core.config import load_config
from rig.led.classifier import classify_trace
from rig.led.trace import Trace, read_trace_csv
from rig.output.results import ResultsCsv
from rig.procedure.batch import BatchOutputs, BatchStopped, run_batch
from rig.procedure.controller import ProcedureController
from rig.sim import build_sim_bench

CAMERA = '[[camera]]\nserial = "G8T1-0009"\nmodel = "outdoor"\nfaults = ["router_down"]\n'


def test_led_table_loads() -> None:
    text = CAMERA + "[camera.led]\npwm_hz = 2000\npwm_duty = 0.3\nflicker_hz = 120\nflicker_lit_s = 0.004\n"
    [camera] = parse_scenario(text, "s.toml").cameras
    assert camera.led == LedOptics(pwm_hz=2000.0, pwm_duty=0.3, flicker_hz=120.0, flicker_lit_s=0.004)
    [plain] = parse_scenario(CAMERA, "s.toml").cameras
    assert plain.led is None


@pytest.mark.parametrize(("table", "where", "what"), [
    ("pwm_hz = 50", "led.pwm_hz", "500-5000"),
    ("pwm_hz = 1000\npwm_duty = 0.1", "led.pwm_duty", "0.2-1"),
    ("pwm_duty = 0.5", "led.pwm_duty", "needs pwm_hz"),
    ("flicker_hz = 60", "led.flicker_hz", "100 or 120"),
    ("flicker_hz = 120\nflicker_lit_s = 0.005", "led.flicker_lit_s", "half the flicker period"),
    ("flicker_every_s = 5", "led.flicker_every_s", "needs flicker_hz"),
    ("pwm_hz = 'fast'", "led.pwm_hz", "must be a number"),
    ("colour = 'blue'", "led.colour", "unknown key"),
])
def test_bad_led_keys_are_one_line(table: str, where: str, what: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(CAMERA + "[camera.led]\n" + table + "\n", "s.toml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("s.toml: camera 1 (G8T1-0009): ")
    assert where in message and what in message


def test_a_pwm_driven_led_under_flicker_is_recorded_and_read_right(tmp_path) -> None:
    """The simulated camera's LED as a 1 kHz pulse train, in a room with 100 Hz flicker every few seconds: the
    photodiode sees thousands of edges, `rig record` streams them, and the whole controller still reads
    network_lost and cures it."""
    text = CAMERA + ("[camera.led]\npwm_hz = 1000\npwm_duty = 0.25\nflicker_hz = 100\nflicker_lit_s = 0.004\n"
                     "flicker_every_s = 4\n")
    scenario = tmp_path / "pwm.toml"
    scenario.write_text(text)
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(cli, ["record", "--sim", str(scenario), "--seconds", "40", "-o", str(out)])
    assert result.exit_code == 0, result.output
    trace = read_trace_csv(out)
    assert len(trace.edges) > 1000                                 # PWM trains and flicker, not clean flashes
    lit = [b.t_s - a.t_s for a, b in zip(trace.edges, trace.edges[1:], strict=False) if a.level == 1]
    assert min(lit) < 0.0003                                        # 250 us lit slivers of the PWM drive
    late = Trace.from_pairs(0, [e for e in trace.edges if e.t_s >= 10.0], trace.end_s, start_s=10.0)
    assert classify_trace(late).pattern.value == "network_lost"     # once the camera has started flashing

    bench = build_sim_bench(load_config(), parse_scenario(text, "pwm.toml"))
    try:
        outputs = BatchOutputs(ResultsCsv(tmp_path / "results.csv"), tmp_path / "records", sheets=False)
        [record] = run_batch(ProcedureController(bench.fixture, bench.operator), bench.cameras, outputs)
    finally:
        bench.close()
    assert (record.initial_pattern, record.disposition.value, record.fixed_by) == (
        "network_lost", "fixed", "power_cycle_router")


def test_lost_edges_end_the_camera_aborted_with_the_hint(tmp_path) -> None:
    """Issue 18 item 10: past the edge budget the camera ends 'aborted' (a rig fault, never a verdict) and the
    note says how many edges were lost and what to fit."""
    text = CAMERA + "[camera.led]\npwm_hz = 5000\npwm_duty = 0.2\n"
    bench = build_sim_bench(load_config(), parse_scenario(text, "pwm.toml"))
    bench.fixture.photodiode._capacity = 50          # a tiny buffer: the first PWM-driven flash overflows it
    try:
        outputs = BatchOutputs(ResultsCsv(tmp_path / "results.csv"), tmp_path / "records", sheets=False)
        with pytest.raises(BatchStopped, match="photodiode overflow") as info:   # the rig is at fault: it stops
            run_batch(ProcedureController(bench.fixture, bench.operator), bench.cameras, outputs)
    finally:
        bench.close()
    assert "edges lost" in str(info.value)
    row = next(csv.DictReader((tmp_path / "results.csv").open(newline="")))
    assert row["disposition"] == "aborted"
    assert "photodiode overflow" in row["notes"] and "RC low-pass" in row["notes"]
