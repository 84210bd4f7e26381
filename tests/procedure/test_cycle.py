"""The cycle runner on the simulated bench: flaky cameras fail by chance at their rate, healthy ones never,
every step a row, the safe state at the end whatever happens."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from firmware_sim.scenario import parse_scenario
from rig.core.config import OUTLET_NAMES, load_config
from rig.core.events import SilentListener
from rig.led.patterns import Pattern
from rig.procedure.cycle import CameraCycles, CycleRow, CycleRunner, StepOutcome
from rig.procedure.sequence_file import parse_sequence
from rig.sim import build_sim_bench

PATTERNS = tuple(p.value for p in Pattern)
QUICK_SOAK = """
name = "quick soak"
repeat = {repeat}
[[step]]
outlet = "camera"
state = "off"
[[step]]
wait_s = 2
[[step]]
outlet = "camera"
state = "on"
[[step]]
expect = "online"
timeout_s = 60
"""


class Listener(SilentListener):
    def cycle_finished(self, result, cycle, total, ok, reason) -> None:
        pass

    def camera_done(self, result) -> None:
        pass


def run(scenario_text: str, sequence_text: str, seed: int = 0) -> tuple[list[CameraCycles], list[CycleRow], object]:
    scenario = parse_scenario(f"seed = {seed}\n" + scenario_text, "t.toml")
    sequence = parse_sequence(sequence_text, "s.toml", OUTLET_NAMES, PATTERNS)
    bench = build_sim_bench(load_config(), scenario)
    rows: list[CycleRow] = []
    try:
        runner = CycleRunner(bench.fixture, bench.operator, Listener(), sequence, rows.append,
                             lambda: datetime(2026, 1, 1, tzinfo=UTC))
        results = [runner.run_camera(i, c.serial, c.model) for i, c in enumerate(bench.cameras)]
    finally:
        bench.close()
    return results, rows, bench


def binomial_interval(n: int, p: float, confidence: float = 0.999) -> tuple[int, int]:
    """The central interval holding ``confidence`` of Binomial(n, p)."""
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    tail = (1 - confidence) / 2
    low = high = 0
    total = 0.0
    for k, mass in enumerate(pmf):
        total += mass
        if total <= tail:
            low = k + 1
    total = 0.0
    for k in range(n, -1, -1):
        total += pmf[k]
        if total <= tail:
            high = k - 1
    return low, high


def test_a_flaky_camera_fails_its_cycles_at_its_rate() -> None:
    low, high = binomial_interval(200, 0.25)
    assert 25 < low < 50 < high < 75
    scenario = '[[camera]]\nserial = "FL-0001"\nmodel = "mini"\nfaults = ["flaky_reconnect"]\n'
    [result], rows, _ = run(scenario, QUICK_SOAK.format(repeat=200), seed=7)
    assert result.cycles == 200 and result.passed + result.failed == 200
    assert low <= result.failed <= high, result.failed
    failed_expects = [r for r in rows if r.step == 4 and r.outcome is StepOutcome.TIMEOUT]
    assert len(failed_expects) == result.failed
    assert all("network_lost" in r.notes for r in failed_expects)


def test_the_flaky_draws_repeat_for_a_seed_and_change_with_it() -> None:
    scenario = ('[[camera]]\nserial = "FL-0002"\nmodel = "mini"\nfaults = ["flaky_reconnect"]\n'
                'flaky_rate = 0.5\n')
    first = [r.outcome for r in run(scenario, QUICK_SOAK.format(repeat=12), seed=1)[1]]
    again = [r.outcome for r in run(scenario, QUICK_SOAK.format(repeat=12), seed=1)[1]]
    other = [r.outcome for r in run(scenario, QUICK_SOAK.format(repeat=12), seed=2)[1]]
    assert first == again
    assert first != other


@pytest.mark.parametrize("model", ["mini", "outdoor"])
def test_healthy_cameras_never_fail_a_cycle(model: str) -> None:
    battery = "[camera.battery]\nopen_circuit_v = 3.5\ninternal_resistance_ohm = 0.25\n" if model == "outdoor" else ""
    scenario = f'[[camera]]\nserial = "OK-0001"\nmodel = "{model}"\nfaults = []\n{battery}'
    sequence = QUICK_SOAK.format(repeat=25) + '[[step]]\nstimulus = "motion"\n[[step]]\nmeasure = "battery"\n'
    [result], rows, _ = run(scenario, sequence)
    assert (result.passed, result.failed) == (25, 0)
    assert len(rows) == 25 * 6 and {r.outcome for r in rows} == {StepOutcome.OK}
    assert len(result.reconnect_s) == 25 and all(5 < s < 60 for s in result.reconnect_s)
    ohms = [r.value for r in rows if r.action == "measure battery"]
    if model == "outdoor":   # the battery test measured the pack; a Mini's step is skipped, still ok
        assert all(0.1 < v < 0.5 for v in ohms)
    else:
        assert ohms == [None] * 25 and "no batteries" in rows[-1].notes


def test_rows_count_cycles_and_steps_from_one_and_only_steps_run_in_their_cycle() -> None:
    sequence = """
repeat = 3
[[step]]
measure = "battery"
only = "first"
[[step]]
wait_s = 1
[[step]]
expect = "network"
timeout_s = 5
[[step]]
stimulus = "motion"
only = "last"
"""
    scenario = '[[camera]]\nserial = "OK-0002"\nmodel = "mini"\nfaults = []\n'
    _, rows, _ = run(scenario, sequence)
    assert [(r.cycle, r.step) for r in rows] == [(1, 1), (1, 2), (1, 3), (2, 2), (2, 3), (3, 2), (3, 3), (3, 4)]
    assert all(r.serial == "OK-0002" and r.slot == 1 for r in rows)
    expect = rows[2]
    assert expect.outcome is StepOutcome.OK and expect.value is not None and expect.value < 1.5


def test_stop_on_fail_ends_the_camera_at_its_first_failed_cycle_and_the_outlets_end_on() -> None:
    scenario = '[[camera]]\nserial = "GL-0001"\nmodel = "mini"\nfaults = ["camera_glitch"]\n'
    sequence = "stop_on_fail = true\n" + QUICK_SOAK.format(repeat=5).replace("wait_s = 2", "wait_s = 1")
    [result], rows, bench = run(scenario, sequence)
    # off 1 s: too short for the article's restart, so the stuck WiFi stays and the first cycle fails.
    assert (result.cycles, result.failed) == (1, 1)
    assert rows[-1].outcome is StepOutcome.TIMEOUT and rows[-1].value is None
    assert result.reasons == [f"cycle 1: step 4 (expect online within 60 s): timeout, {rows[-1].notes}"]
    assert all(bench.wiring.state(name) for name in OUTLET_NAMES)


def test_a_router_step_is_one_bench_action_through_the_leases() -> None:
    scenario = '[[camera]]\nserial = "RT-0001"\nmodel = "mini"\nfaults = ["router_down"]\n'
    sequence = """
[[step]]
outlet = "router"
state = "off"
[[step]]
wait_s = 35
[[step]]
outlet = "router"
state = "on"
[[step]]
expect = "online"
timeout_s = 300
"""
    scenario_obj = parse_scenario(scenario, "t.toml")
    bench = build_sim_bench(load_config(), scenario_obj)
    rows: list[CycleRow] = []
    runner = CycleRunner(bench.fixture, bench.operator, Listener(),
                         parse_sequence(sequence, "s.toml", OUTLET_NAMES, PATTERNS), rows.append,
                         lambda: datetime(2026, 1, 1, tzinfo=UTC))
    try:
        [camera] = list(bench.cameras)
        result = runner.run_camera(0, camera.serial, camera.model)
    finally:
        bench.close()
    assert [e.action for e in runner.leases.events] == ["router off", "router on"]
    assert result.passed == 1 and rows[-1].outcome is StepOutcome.OK   # the cycle cured the upstream


def test_reconnect_percentiles_are_nearest_rank() -> None:
    result = CameraCycles("X", "mini", 1)
    result.reconnect_s.extend(float(v) for v in range(1, 21))
    assert result.reconnect_stats() == (1.0, 10.0, 19.0, 20.0)
    assert CameraCycles("Y", "mini", 1).reconnect_stats() is None


def test_a_camera_run_ends_in_the_safe_state_even_when_its_sequence_ends_with_an_outlet_off() -> None:
    scenario = parse_scenario('[[camera]]\nserial = "OF-0001"\nmodel = "mini"\nfaults = []\n', "t.toml")
    sequence = parse_sequence('[[step]]\noutlet = "router"\nstate = "off"\n[[step]]\noutlet = "camera"\n'
                              'state = "off"\n', "s.toml", OUTLET_NAMES, PATTERNS)
    bench = build_sim_bench(load_config(), scenario)
    try:
        runner = CycleRunner(bench.fixture, bench.operator, Listener(), sequence, lambda row: None,
                             lambda: datetime(2026, 1, 1, tzinfo=UTC))
        [camera] = list(bench.cameras)
        runner.run_camera(0, camera.serial, camera.model)
        bench.clock.sleep(0.5)
        # Before the bench is closed: the runner itself put every outlet back on.
        assert {name: bench.wiring.state(name) for name in OUTLET_NAMES} == dict.fromkeys(OUTLET_NAMES, True)
    finally:
        bench.close()


def test_a_freshly_mounted_camera_is_let_online_before_the_first_cycle_judges_it() -> None:
    """The burn-in starts with a battery test and a motion stimulus: on a camera still booting the stimulus
    would go unanswered and a healthy camera would fail its first cycle."""
    scenario = ('[[camera]]\nserial = "BI-0001"\nmodel = "outdoor"\nfaults = []\n'
                '[camera.battery]\nopen_circuit_v = 3.5\ninternal_resistance_ohm = 0.25\n')
    sequence = 'repeat = 2\n[[step]]\nmeasure = "battery"\n[[step]]\nstimulus = "motion"\n'
    [result], rows, _ = run(scenario, sequence)
    assert (result.passed, result.failed) == (2, 0), rows
