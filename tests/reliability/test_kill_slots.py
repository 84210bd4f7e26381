"""Several slots, SIGKILL at random moments: every row on disk is whole and names its slot, and the rows the
rig announced are all there (the two slots write their rows one at a time, each flushed before it is told)."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

from reliability_support import DATA, read_results, start_rig

from firmware_sim.scenario import load_scenario

SCENARIO = DATA / "kill-results.toml"
SERIALS = {camera.serial for camera in load_scenario(SCENARIO).cameras}
SPEED = 400.0
RUNS = 6
RUN_WALL_S = 0.5
EXIT_TIMEOUT_S = 20.0
SLOTS = 4


def finished_lines(stderr: str) -> list[tuple[int, str]]:
    """(slot, serial) of every "slot N [k/n] SERIAL (model): disposition" line."""
    found = []
    for line in stderr.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == "slot" and parts[1].isdigit() and parts[2].startswith("["):
            found.append((int(parts[1]), parts[3]))
    return found


def rows(path: Path) -> int:
    """Complete lines after the header, without parsing (the file may be mid-write)."""
    if not path.exists():
        return 0
    return max(0, path.read_bytes().count(b"\n") - 1)


def test_sigkill_with_four_slots_never_tears_or_loses_a_row(tmp_path: Path) -> None:
    rng = random.Random("kill-slots")
    csv_path = tmp_path / "results.csv"
    seen_mid_run = 0
    for run in range(RUNS):
        before = read_results(csv_path) if csv_path.exists() and csv_path.stat().st_size else []
        stderr_path = tmp_path / f"stderr{run}.txt"
        proc = start_rig(["test", "--sim", SCENARIO, "--slots", str(SLOTS), "--speed", str(SPEED), "--csv",
                          csv_path, "--no-sheets"], stderr_path, tmp_path)
        try:
            # After the first row of this run (or at a random moment of the start, one run in three).
            deadline = time.monotonic() + 20
            wanted = len(before) + (0 if run % 3 == 0 else 1)
            while time.monotonic() < deadline and proc.poll() is None and rows(csv_path) < wanted:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, RUN_WALL_S))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=EXIT_TIMEOUT_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        after = read_results(csv_path) if csv_path.exists() and csv_path.stat().st_size else []
        assert after[: len(before)] == before   # appending never rewrites
        new = after[len(before):]
        slots = {str(n) for n in range(1, SLOTS + 1)}
        assert all(row["serial"] in SERIALS and row["slot"] in slots and row["disposition"] for row in new)
        announced = finished_lines(stderr_path.read_text(encoding="utf-8", errors="replace"))
        on_disk = {(int(row["slot"]), row["serial"]) for row in new}
        assert set(announced) <= on_disk, (announced, on_disk)
        assert len(on_disk) - len(announced) in (0, 1)
        seen_mid_run += 0 < len(new) < len(SERIALS)
    assert seen_mid_run >= 1, "no kill landed between cameras: the test proved too little"
