"""No result ever lost: ``rig test --sim`` killed with SIGKILL (nothing runs after it) at random moments.

Several lanes of runs go side by side, each lane appending to its own results file run after run, as a
technician restarting a crashed rig would. After every kill the file must parse with its exact header once,
hold only whole rows, and contain every camera the rig announced as finished on stderr (the rig announces a
camera only once its row is on disk, so at most one row more than announced may appear: the camera whose row
was written just before the kill). A kill is aimed at a random camera (the rig's stderr says which one is
on the fixture) and lands at a random moment of it, so the spread does not depend on how loaded the machine is.
"""

from __future__ import annotations

import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from reliability_support import DATA, HEADER_LINE, progress_lines, read_results, start_rig

from firmware_sim.scenario import load_scenario

SCENARIO = DATA / "kill-results.toml"
SERIALS = [camera.serial for camera in load_scenario(SCENARIO).cameras]
SPEED = 400.0             # a healthy camera (about 30 s of bench time) in about 75 ms
LANES = 4
RUNS_PER_LANE = 4
CAMERA_WALL_S = 0.08      # one healthy camera at SPEED
START_TIMEOUT_S = 20.0
EXIT_TIMEOUT_S = 20.0


@dataclass
class KilledRun:
    rows_before: list[dict[str, str]]
    rows_after: list[dict[str, str]]
    announced: list[tuple[str, str]]
    stderr: str


def results_so_far(path: Path) -> list[dict[str, str]]:
    """The rows of a lane's file; a file the kill left empty (created, header not yet written) has none."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    return read_results(path)


def wait_for_cameras(stderr_path: Path, count: int, proc) -> None:
    """Until the rig has announced ``count`` finished cameras (or has ended)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        if len(progress_lines(stderr_path.read_text(encoding="utf-8", errors="replace"))) >= count:
            return
        time.sleep(0.002)


def run_lane(lane_dir: Path, seed: int) -> list[KilledRun]:
    rng = random.Random(seed)
    lane_dir.mkdir()
    csv_path = lane_dir / "results.csv"
    runs = []
    for run in range(RUNS_PER_LANE):
        before = results_so_far(csv_path)
        stderr_path = lane_dir / f"stderr{run}.txt"
        proc = start_rig(["test", "--sim", SCENARIO, "--speed", str(SPEED), "--csv", csv_path, "--no-sheets"],
                         stderr_path, lane_dir)
        try:
            # Somewhere in camera k+1 (k random), wherever it is: observing, testing, writing its row.
            wait_for_cameras(stderr_path, rng.randrange(len(SERIALS)), proc)
            time.sleep(rng.uniform(0.0, CAMERA_WALL_S))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=EXIT_TIMEOUT_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        stderr = stderr_path.read_text(encoding="utf-8", errors="replace")
        runs.append(KilledRun(before, results_so_far(csv_path), progress_lines(stderr), stderr))
    return runs


def test_sigkill_at_random_moments_never_loses_or_tears_a_row(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=LANES) as pool:
        lanes = list(pool.map(lambda lane: run_lane(tmp_path / f"lane{lane}", 1000 + lane), range(LANES)))

    runs = [run for lane in lanes for run in lane]
    for run in runs:
        assert "Traceback" not in run.stderr, run.stderr
        # What was there before the run is still there, unchanged (appending never rewrites).
        assert run.rows_after[: len(run.rows_before)] == run.rows_before
        new = run.rows_after[len(run.rows_before):]
        new_serials = [row["serial"] for row in new]
        # Cameras are tested in file order, one row each.
        assert new_serials == SERIALS[: len(new_serials)]
        announced = [serial for serial, _ in run.announced]
        assert announced == SERIALS[: len(announced)]
        # Every camera announced is in the file; at most one more (row written, announcement not yet).
        assert new_serials[: len(announced)] == announced, (new_serials, announced)
        assert len(new_serials) - len(announced) in (0, 1)
        for row, (_, disposition) in zip(new, run.announced, strict=False):
            assert row["disposition"] == disposition == "pass"
    mid_run = sum(1 for run in runs if 0 < len(run.announced) < len(SERIALS))
    assert mid_run >= len(runs) // 3, f"only {mid_run} of {len(runs)} kills landed between cameras"
    assert any(not run.announced for run in runs), "no kill landed before the first camera finished"

    # A whole run after the killed ones appends every camera under the one header.
    csv_path = tmp_path / "lane0" / "results.csv"
    before = results_so_far(csv_path)
    assert before, "the killed runs of lane 0 wrote nothing: appending is not tested"
    proc = start_rig(["test", "--sim", SCENARIO, "--csv", csv_path, "--no-sheets"], tmp_path / "whole.txt", tmp_path)
    assert proc.wait(timeout=EXIT_TIMEOUT_S) == 0, (tmp_path / "whole.txt").read_text()
    after = read_results(csv_path)
    assert after[: len(before)] == before
    assert [row["serial"] for row in after[len(before):]] == SERIALS
    assert csv_path.read_text(encoding="utf-8").count(HEADER_LINE) == 1
