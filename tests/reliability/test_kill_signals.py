"""Outlets always back on: ``rig test --sim`` killed by SIGINT, SIGTERM or SIGHUP at random moments.

Each run is a real process, paced at ``SPEED`` times real time so a signal can land in the middle of a fix
(router off for 35 s of bench time is about 0.1 s of wall time here). Half of the kills are aimed: they wait
until the simulator's log shows the first, second or third outlet switched off (a different fix each), then a
random few milliseconds more; the rest land at a random moment of the run. Whatever the moment, the
simulator's log must end with every outlet on and every actuator released, and stderr must hold no traceback.
"""

from __future__ import annotations

import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_support import DATA, SimLog, assert_safe_state, start_rig

SCENARIO = DATA / "kill-signals.toml"
SPEED = 300.0            # about 460 s of bench time in about 1.5 s
RUN_WALL_S = 1.5         # how long the whole scenario takes at SPEED, once started
RUNS_PER_SIGNAL = 4
START_TIMEOUT_S = 20.0   # generous: a loaded CI machine may take a while to start Python
EXIT_TIMEOUT_S = 20.0
POLL_S = 0.003
KILL_SLOTS = 4           # slots of the several-slot runs (every slot's outlets on after the signal)


@dataclass
class KillOutcome:
    alive_at_kill: bool
    landed_mid_fix: bool
    returncode: int
    stderr: str
    log: SimLog
    log_at_kill: SimLog


def _wait_for(condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL_S)
    return False


def kill_once(workdir: Path, sig: signal.Signals, aim_at_off: int, delay_s: float,
              extra: tuple[str, ...] = ()) -> KillOutcome:
    """One run, signalled ``delay_s`` after its ``aim_at_off``-th outlet switch-off (0: after the start)."""
    workdir.mkdir()
    log_path = workdir / "sim.csv"
    proc = start_rig(
        ["test", "--sim", SCENARIO, "--speed", str(SPEED), "--sim-log", log_path, "--csv", workdir / "r.csv",
         "--no-sheets", *extra],
        workdir / "stderr.txt",
        workdir,
    )
    try:
        # The log's first lines appear once the bench is built (signal handlers are in place by then).
        assert _wait_for(lambda: len(SimLog.read(log_path).changes) > 0, START_TIMEOUT_S), "rig never started"
        if aim_at_off:
            _wait_for(lambda: SimLog.read(log_path).outlet_offs() >= aim_at_off, RUN_WALL_S * 2)
        time.sleep(delay_s)
        log_at_kill = SimLog.read(log_path)
        alive = proc.poll() is None
        proc.send_signal(sig)
        returncode = proc.wait(timeout=EXIT_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return KillOutcome(
        alive_at_kill=alive,
        landed_mid_fix=alive and log_at_kill.anything_off(),
        returncode=returncode,
        stderr=(workdir / "stderr.txt").read_text(encoding="utf-8", errors="replace"),
        log=SimLog.read(log_path),
        log_at_kill=log_at_kill,
    )


# What the process returns: SIGINT is Ctrl-C (click prints "Aborted!", exit 1); SIGTERM and SIGHUP unwind
# like it and exit 128 + signal. A signal that arrives after the fixture is released (the summary is being
# printed) may end the process the default way, by the signal itself (negative return code here).
EXPECTED_RETURN = {
    signal.SIGINT: {128 + signal.SIGINT},
    signal.SIGTERM: {128 + signal.SIGTERM},
    signal.SIGHUP: {128 + signal.SIGHUP},
}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_every_outlet_is_on_after_a_signal_at_a_random_moment(tmp_path: Path, sig: signal.Signals) -> None:
    kill_runs(tmp_path, sig)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_every_outlet_of_every_slot_is_on_after_a_signal(tmp_path: Path, sig: signal.Signals) -> None:
    outcomes = kill_runs(tmp_path, sig, ("--slots", str(KILL_SLOTS)))
    for outcome in outcomes:
        assert len(outcome.log.slots()) == KILL_SLOTS, outcome.log.slots()   # every slot's harness was logged


def kill_runs(tmp_path: Path, sig: signal.Signals, extra: tuple[str, ...] = ()) -> list[KillOutcome]:
    rng = random.Random(f"kill-signals:{sig.name}:{' '.join(extra)}")
    plans = []
    for run in range(RUNS_PER_SIGNAL):
        aim_at_off = rng.randint(1, 3) if run % 2 == 0 else 0
        delay_s = rng.uniform(0.0, 0.03) if aim_at_off else rng.uniform(0.0, RUN_WALL_S)
        plans.append((tmp_path / f"run{run}", aim_at_off, delay_s))
    # The runs mostly sleep (pacing), so they can share the machine without disturbing each other's timing.
    with ThreadPoolExecutor(max_workers=RUNS_PER_SIGNAL) as pool:
        outcomes = list(pool.map(lambda plan: kill_once(plan[0], sig, plan[1], plan[2], extra), plans))

    for outcome in outcomes:
        assert "Traceback" not in outcome.stderr, outcome.stderr
        assert outcome.log.changes, "the simulator logged nothing"
        assert_safe_state(outcome.log)
        if outcome.alive_at_kill:
            allowed = EXPECTED_RETURN[sig] | {-sig}
            assert outcome.returncode in allowed, (outcome.returncode, outcome.stderr)
        if outcome.landed_mid_fix:
            # The restoration itself is in the log: something that was off at the kill came back on after it.
            assert len(outcome.log.changes) > len(outcome.log_at_kill.changes)
    assert sum(o.alive_at_kill for o in outcomes) >= RUNS_PER_SIGNAL - 1, "most kills came after the run"
    landed = sum(o.landed_mid_fix for o in outcomes)
    assert landed >= 2, f"only {landed} kill(s) landed while something was off: the test proved too little"
    return outcomes
