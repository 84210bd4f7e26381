"""Stop signals are never ignored: hundreds of real signals delivered to this very process mid-run.

A subprocess per signal is too slow for the repetitions a rare swallow needs (the old handlers lost about 1
signal in 50, when it landed inside a weakref callback or a finaliser), so here ``rig test --sim`` runs in
process and the simulated world itself sends the signal (``os.kill`` of this process) from inside one of its
event callbacks, at a seeded random moment of bench time: mid-observation, mid-fix with an outlet off, between
cameras. Every run must end with the signal's exit status and one line saying what was interrupted, every row
whole, the camera in progress ``aborted`` (interrupted) with its row written, and the bench safe.
"""

from __future__ import annotations

import os
import random
import signal
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability_support import DATA, SimLog, assert_safe_state, read_results

import rig.sim
from firmware_sim.clock import VirtualClock
from rig.cli import cli
from rig.core.stop import INTERRUPTED_PREFIX

SCENARIO = DATA / "signals-short.toml"
RUN_BENCH_S = 125.0       # about how long the scenario takes in bench time (signals after its end never fire)
RUNS_PER_SIGNAL = 50      # a 1-in-50 swallow goes unseen in all 150 with probability (49/50)**150, under 5 %
DOUBLE_RUNS = 20
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class Outcome:
    fired: int          # how many of the planned signals were actually sent
    exit_code: int
    stderr: str
    rows: list[dict[str, str]]
    log: SimLog
    exception: BaseException | None


def _fast_folder() -> Iterator[Path]:
    """Outputs on tmpfs where there is one: every row and log line is fsynced, and these runs are many."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(dir=base) as folder:
        yield Path(folder)


def run_with_signals(monkeypatch: pytest.MonkeyPatch, plan: list[tuple[float, int]], sheets: bool = False) -> Outcome:
    """``rig test --sim`` in this process; the world sends each ``(bench time, signal)`` of ``plan``."""
    fired: list[int] = []

    class SignallingClock(VirtualClock):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            for at_s, sig in plan:
                self.schedule(at_s, lambda sig=sig: (fired.append(sig), os.kill(os.getpid(), sig)))

    monkeypatch.setattr(rig.sim, "VirtualClock", SignallingClock)
    for folder in _fast_folder():
        csv_path, log_path = folder / "r.csv", folder / "sim.csv"
        args = ["test", "--sim", str(SCENARIO), "--csv", str(csv_path), "--sim-log", str(log_path)]
        result = CliRunner().invoke(cli, [*args, "--sheets" if sheets else "--no-sheets"])
        return Outcome(len(fired), result.exit_code, result.stderr, read_results(csv_path), SimLog.read(log_path),
                       None if isinstance(result.exception, SystemExit) else result.exception)
    raise AssertionError("unreachable")


def assert_stopped_cleanly(outcome: Outcome, sig: int) -> None:
    assert outcome.exception is None, outcome.exception
    assert "Traceback" not in outcome.stderr and "Exception ignored" not in outcome.stderr, outcome.stderr
    # Never ignored: the run did not finish as if nothing had happened.
    assert outcome.exit_code == 128 + sig, (outcome.exit_code, outcome.stderr)
    last = outcome.stderr.strip().splitlines()[-1]
    assert last.startswith(f"rig: {INTERRUPTED_PREFIX} "), outcome.stderr
    assert "every outlet is on" in last, last
    assert_safe_state(outcome.log)
    interrupted = [row for row in outcome.rows if INTERRUPTED_PREFIX in row["notes"]]
    if interrupted:
        # The camera on the fixture: the last row, aborted, never a verdict on the camera.
        assert interrupted == outcome.rows[-1:], outcome.rows
        assert interrupted[0]["disposition"] == "aborted" and interrupted[0]["fixed_by"] == ""
        assert f"during camera {interrupted[0]['serial']}" in last, last
    else:
        assert "during camera" not in last, last


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_no_signal_is_ignored_wherever_it_lands(monkeypatch: pytest.MonkeyPatch, sig: int) -> None:
    rng = random.Random(f"signals-{sig}")
    fired = 0
    for _ in range(RUNS_PER_SIGNAL):
        outcome = run_with_signals(monkeypatch, [(rng.uniform(0.0, RUN_BENCH_S), sig)])
        if outcome.fired:
            fired += 1
            assert_stopped_cleanly(outcome, sig)
        else:   # planned after the run's end: a normal run, untouched by the test's clock
            assert outcome.exit_code == 0, outcome.stderr
    assert fired >= RUNS_PER_SIGNAL * 0.8, f"only {fired} signals landed inside a run"


def test_a_second_ctrl_c_goes_straight_to_the_safe_state(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random("double")
    for _ in range(DOUBLE_RUNS):
        first = rng.uniform(0.0, RUN_BENCH_S * 0.8)
        second = first + rng.uniform(0.0, 0.5)
        outcome = run_with_signals(monkeypatch, [(first, signal.SIGINT), (second, signal.SIGINT)])
        if outcome.fired:
            assert_stopped_cleanly(outcome, signal.SIGINT)


def test_a_signal_during_a_sheet_drawing_ends_the_batch_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """matplotlib must never see the signal: the sheet being drawn is finished, no next camera is tested."""
    import rig.report.camera as camera_report

    drawn: list[int] = []   # the size of each sheet written
    original = camera_report.write_camera_report

    def drawing_interrupted(record, folder, battery_config=None):
        os.kill(os.getpid(), signal.SIGHUP)   # lands while matplotlib draws
        path = original(record, folder, battery_config)
        drawn.append(path.stat().st_size)
        return path

    monkeypatch.setattr(camera_report, "write_camera_report", drawing_interrupted)
    outcome = run_with_signals(monkeypatch, [], sheets=True)
    assert_stopped_cleanly(outcome, signal.SIGHUP)
    assert [row["serial"] for row in outcome.rows] == ["SG-0001"]
    assert outcome.rows[0]["disposition"] == "pass"
    assert len(drawn) == 1 and drawn[0] > 0
    assert "after camera SG-0001, before the next one" in outcome.stderr


def test_rig_check_says_what_was_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    fired: list[int] = []

    class SignallingClock(VirtualClock):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.schedule(0.3, lambda: (fired.append(1), os.kill(os.getpid(), signal.SIGTERM)))

    monkeypatch.setattr(rig.sim, "VirtualClock", SignallingClock)
    result = CliRunner().invoke(cli, ["check", "--sim"])
    assert fired and result.exit_code == 128 + signal.SIGTERM, result.output
    assert result.stderr.strip().splitlines() == [
        "rig: rig check interrupted by SIGTERM; nothing written; every outlet is on and every actuator released"]


def test_ctrl_c_in_a_command_without_a_fixture_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import rig.cli.classify as classify

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(classify, "stream_trace", interrupted)   # the reader classify streams through
    trace = Path(__file__).resolve().parents[1] / "data" / "reliability" / "signals-short.toml"
    result = CliRunner().invoke(cli, ["classify", str(trace)])
    assert result.exit_code == 130
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("rig: rig classify interrupted by Ctrl-C (SIGINT) before it finished"), line
    assert "Aborted!" not in result.output
