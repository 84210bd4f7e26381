"""One rig, one owner: a second ``rig test`` on the same fixture is refused, and a crash frees the fixture."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from click.testing import CliRunner
from reliability_support import DATA, read_results, start_rig

from rig.cli import cli

LONG_SCENARIO = DATA / "kill-signals.toml"   # about 460 s of bench time: 4.6 s at the speed below
SHORT_SCENARIO = DATA / "kill-results.toml"
SPEED = 100.0
START_TIMEOUT_S = 20.0


def rig_test(*args: str | Path):
    return CliRunner().invoke(cli, ["test", *map(str, args)])


def test_second_rig_is_refused_while_the_first_runs_and_allowed_after_it_crashed(tmp_path: Path) -> None:
    lock = tmp_path / "fixture.lock"
    first_log = tmp_path / "first-sim.csv"
    first = start_rig(["test", "--sim", LONG_SCENARIO, "--speed", str(SPEED), "--lock", lock, "--sim-log", first_log,
                       "--csv", tmp_path / "first.csv", "--no-sheets"], tmp_path / "first.txt", tmp_path)
    try:
        # The simulator's log is written once the bench is built, which is after the lock was taken.
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (first_log.exists() and first_log.stat().st_size) and time.monotonic() < deadline:
            assert first.poll() is None, (tmp_path / "first.txt").read_text()
            time.sleep(0.01)
        assert first_log.exists(), "the first rig never started"

        second = rig_test("--sim", SHORT_SCENARIO, "--lock", lock, "--sim-log", tmp_path / "second-sim.csv",
                          "--csv", tmp_path / "second.csv", "--no-sheets")
        assert first.poll() is None, "the first rig ended before the second tried: nothing was contended"
        assert second.exit_code == 2
        assert second.stderr.strip().splitlines() == [
            f"rig: another rig is already using this fixture (lock {lock} is held): wait for it or stop it"
        ]
        # Refused before touching the bench: no simulator built, no camera tested.
        assert not (tmp_path / "second-sim.csv").exists()
        assert not (tmp_path / "second.csv").exists()   # refused before any output is touched: no header
    finally:
        first.send_signal(signal.SIGKILL)  # a crash: no finally, no unlock; the kernel drops the flock
        first.wait(timeout=20)

    third = rig_test("--sim", SHORT_SCENARIO, "--lock", lock, "--csv", tmp_path / "third.csv", "--no-sheets")
    assert third.exit_code == 0, third.stderr
    assert len(read_results(tmp_path / "third.csv")) == 8


def test_the_lock_is_released_after_a_normal_run(tmp_path: Path) -> None:
    lock = tmp_path / "fixture.lock"
    for run in range(2):
        result = rig_test("--sim", SHORT_SCENARIO, "--lock", lock, "--csv", tmp_path / f"r{run}.csv", "--no-sheets")
        assert result.exit_code == 0, result.stderr


def test_an_unusable_lock_path_is_one_line_and_tests_nothing(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    lock = tmp_path / "a-file" / "fixture.lock"
    csv_path = tmp_path / "r.csv"
    result = rig_test("--sim", SHORT_SCENARIO, "--lock", lock, "--csv", csv_path, "--no-sheets")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"rig: cannot take the fixture lock {lock}: {lock.parent} is not a folder"], lines
    assert not csv_path.exists()   # refused before any output is touched


def test_a_simulated_run_locks_its_results_file_before_writing_anything(tmp_path: Path) -> None:
    """Two runs on one results file would interleave their rows: --sim included, with no --lock given."""
    from rig.core.lock import results_lock

    csv_path = tmp_path / "r.csv"
    with results_lock(csv_path):   # another run holding the file
        refused = rig_test("--sim", SHORT_SCENARIO, "--csv", csv_path, "--no-sheets")
    assert refused.exit_code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"rig: another rig run is writing {csv_path} (lock "), line
    assert not csv_path.exists()   # no header written by the refused run
    assert rig_test("--sim", SHORT_SCENARIO, "--csv", csv_path, "--no-sheets").exit_code == 0


def test_a_lock_file_that_cannot_be_created_is_not_reported_as_busy(tmp_path: Path) -> None:
    lock = tmp_path / "no-such-folder" / "fixture.lock"
    result = rig_test("--sim", SHORT_SCENARIO, "--lock", lock, "--csv", tmp_path / "r.csv", "--no-sheets")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line == f"rig: cannot take the fixture lock {lock}: folder {lock.parent} does not exist"
    assert "already using" not in line and not lock.parent.exists()   # and no folder made behind our back


def test_a_lock_file_that_filelock_cannot_open_is_not_reported_as_busy(tmp_path: Path) -> None:
    """filelock answers "timeout" when it may not open the file (permissions): the rig says why instead."""
    lock = Path("/proc/blink-rig-test.lock")   # /proc takes no new files, not even for root
    result = rig_test("--sim", SHORT_SCENARIO, "--lock", lock, "--csv", tmp_path / "r.csv", "--no-sheets")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"rig: cannot take the fixture lock {lock}: "), line
    assert "already using" not in line
