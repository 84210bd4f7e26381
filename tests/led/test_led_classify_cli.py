"""``rig classify``: the contract's JSON lines, the table, and bad files that do not stop the good ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rig.cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "traces"   # the example traces, kept in the repo
EXPECTED = {"motion.csv": "motion", "network_lost.csv": "network_lost", "low_battery.csv": "low_battery",
            "none.csv": "none"}

NETWORK = "t_s,level\n0,0\n1.0,1\n1.15,0\n4.0,1\n4.15,0\n12,0\n"


@pytest.fixture
def traces(tmp_path: Path) -> Path:
    """The example traces when present, else equivalents written here."""
    if EXAMPLES.is_dir():
        for name in EXPECTED:
            shutil.copy(EXAMPLES / name, tmp_path / name)
    else:  # pragma: no cover
        (tmp_path / "network_lost.csv").write_text(NETWORK)
        (tmp_path / "none.csv").write_text("t_s,level\n0,0\n8,0\n")
        (tmp_path / "motion.csv").write_text("t_s,level\n0,0\n1.2,1\n1.35,0\n1.9,1\n11.9,0\n15,0\n")
        (tmp_path / "low_battery.csv").write_text(
            "t_s,level\n0,0\n1.2,1\n1.35,0\n1.9,1\n11.9,0\n"
            + "".join(f"{12.7 + 0.4 * i:.2f},1\n{12.85 + 0.4 * i:.2f},0\n" for i in range(6)) + "17,0\n")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["classify", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_one_object_per_file(traces: Path) -> None:
    files = sorted(str(p) for p in traces.glob("*.csv"))
    code, out, err = run("--json", *files)
    assert code == 0 and err == ""
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["file"] for o in objects] == files
    assert {Path(o["file"]).name: o["pattern"] for o in objects} == EXPECTED
    for o in objects:
        assert isinstance(o["decided_at_s"], float) and o["committed"] is True
        assert "flash_count" in o["evidence"]
    net = next(o for o in objects if o["pattern"] == "network_lost")
    assert net["decided_at_s"] < 5.0 and 2.7 <= net["evidence"]["period_s"] <= 3.3


def test_table_names_every_file_and_pattern(traces: Path) -> None:
    code, out, _ = run(*sorted(str(p) for p in traces.glob("*.csv")))
    assert code == 0
    for pattern in EXPECTED.values():
        assert pattern in out
    assert "decided at" in out and "period 3." in out


def test_bad_files_are_named_and_the_others_still_classified(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(NETWORK)
    cases = {
        "noheader.csv": ("0,0\n1,1\n", ":1:", "header"),
        "nonnumeric.csv": ("t_s,level\n0,0\n1.0,1\nx,0\n", ":4:", "not a number"),
        "backwards.csv": ("t_s,level\n0,0\n2,1\n1,0\n", ":4:", "backwards"),
        "level.csv": ("t_s,level\n0,0\n1,3\n", ":3:", "0 or 1"),
    }
    paths = []
    for name, (text, _, _) in cases.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    missing = str(tmp_path / "missing.csv")
    directory = tmp_path / "adir"
    directory.mkdir()
    code, out, err = run("--json", paths[0], str(good), *paths[1:], missing, str(directory))
    assert code == 1
    objects = [json.loads(line) for line in out.splitlines()]
    assert [(o["file"], o["pattern"]) for o in objects] == [(str(good), "network_lost")]
    lines = err.strip().splitlines()
    assert len(lines) == len(cases) + 2
    for line, (name, (_, where, what)) in zip(lines, cases.items(), strict=False):
        assert f"{name}{where}" in line and what in line
    assert "missing.csv:0: cannot read" in lines[-2] and "adir:0: cannot read" in lines[-1]
    assert "Traceback" not in err


def test_only_bad_files_exit_one_and_table_mode_too(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("t_s,level\n0,0\n1,1,\n2,x\n")
    code, out, err = run(str(bad))
    assert code == 1 and "bad.csv:4: level must be 0 or 1" in err and out == ""


def test_no_files_is_a_usage_error() -> None:
    code, _, err = run()
    assert code == 2 and "FILES" in err
