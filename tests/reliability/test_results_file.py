"""The results file from the outside: appended under one header, a foreign file left untouched, an unusable
path refused before any camera is tested."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability_support import DATA, HEADER_LINE, read_results

from firmware_sim.scenario import load_scenario
from rig.cli import cli

SCENARIO = DATA / "kill-results.toml"
SERIALS = [camera.serial for camera in load_scenario(SCENARIO).cameras]


def rig_test(tmp_path: Path, csv_path: Path):
    return CliRunner().invoke(cli, ["test", "--sim", str(SCENARIO), "--csv", str(csv_path), "--no-sheets",
                                    "--sim-log", str(tmp_path / "sim.csv")])


def test_runs_append_under_one_header(tmp_path: Path) -> None:
    csv_path = tmp_path / "r.csv"
    for _ in range(2):
        assert rig_test(tmp_path, csv_path).exit_code == 0
    assert [row["serial"] for row in read_results(csv_path)] == SERIALS * 2


def test_a_file_whose_last_row_lost_its_line_end_still_gets_whole_rows(tmp_path: Path) -> None:
    """A results file saved by a spreadsheet (or cut by a power failure) may not end with a line break; the
    next row must not be glued onto its last line."""
    csv_path = tmp_path / "r.csv"
    assert rig_test(tmp_path, csv_path).exit_code == 0
    csv_path.write_bytes(csv_path.read_bytes().rstrip(b"\n"))
    assert rig_test(tmp_path, csv_path).exit_code == 0
    assert [row["serial"] for row in read_results(csv_path)] == SERIALS * 2


@pytest.mark.parametrize(
    "content",
    [
        b"a,b\n1,2\n",
        (HEADER_LINE + ",extra\n").encode(),
        HEADER_LINE.replace("notes", "note").encode() + b"\n",
        b"\xff\xfe binary junk",
    ],
    ids=["foreign", "extra-column", "renamed-column", "binary"],
)
def test_a_file_with_another_header_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    csv_path = tmp_path / "r.csv"
    csv_path.write_bytes(content)
    before = csv_path.stat()
    result = rig_test(tmp_path, csv_path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"rig: {csv_path}: "), lines
    assert csv_path.read_bytes() == content
    assert csv_path.stat().st_mtime_ns == before.st_mtime_ns
    assert not (tmp_path / "sim.csv").exists(), "the bench was built although the results file was refused"


@pytest.mark.parametrize("where", ["folder", "under-a-file", "missing-folder"])
def test_an_unusable_path_fails_before_any_camera(tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("x")
    csv_path = {
        "folder": tmp_path,
        "under-a-file": tmp_path / "a-file" / "r.csv",
        "missing-folder": tmp_path / "nowhere" / "r.csv",
    }[where]
    result = rig_test(tmp_path, csv_path)
    assert result.exit_code == 2
    if where == "folder":  # click's own check of the option, with its usage hint
        assert f"Invalid value for '--csv': File '{csv_path}' is a directory" in result.stderr
    else:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"rig: {csv_path}: "), lines
    assert not (tmp_path / "sim.csv").exists()
    assert not (tmp_path / "records").exists()
