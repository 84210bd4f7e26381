"""Shared by the outlet-backend tests: a simulated batch through the CLI and its verdicts."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from rig.cli import cli


def verdicts(path: Path) -> list[tuple[str, str, str, str]]:
    """(serial, disposition, fixed_by, fixes_tried) per row of a results CSV."""
    with path.open(newline="") as f:
        return [(r["serial"], r["disposition"], r["fixed_by"], r["fixes_tried"]) for r in csv.DictReader(f)]


def sim_batch(tmp_path: Path, name: str, config: Path | None = None, sim_log: bool = False) -> Path:
    """``rig test --sim`` on the built-in scenario (with ``config`` if given); returns the results CSV."""
    csv_path = tmp_path / f"{name}.csv"
    args = ["test", "--sim", "--csv", str(csv_path), "--no-sheets"]
    args += ["--config", str(config)] if config else []
    args += ["--sim-log", str(tmp_path / f"{name}-sim.csv")] if sim_log else []
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return csv_path


def sim_log_states(path: Path, device: str) -> list[tuple[float, str]]:
    """(t_s, "on"/"off") of one device in a ``--sim-log`` file."""
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    return [(float(t), state) for t, dev, state in rows if dev == device]
