"""``rig report`` from the outside: what the technician types, what the terminal and the page say."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner
from test_report_results_file import HEADER, row, write
from test_report_summary import three_days

from rig.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_report_is_listed_in_help() -> None:
    result = invoke("--help")
    assert "report" in result.output


def test_clean_file_summary_exit_zero(tmp_path) -> None:
    path = write(
        tmp_path / "r.csv",
        HEADER,
        row("A-1"),
        row("A-2", "fixed", fixes="restart_camera", fixed_by="restart_camera", duration="130.0"),
    )
    result = invoke("report", str(path))
    assert result.exit_code == 0, result.output
    assert "Batch: 2 cameras, 2026-11-25" in result.output
    assert "yield: 100 %" in result.output
    assert "median bench time: 1 min 15 s" in result.output
    assert result.stderr == ""


def test_bad_rows_on_stderr_with_file_and_line_the_rest_summarised(tmp_path) -> None:
    path = three_days(tmp_path)
    result = invoke("report", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"rig: {path}:10: unknown disposition 'wobbly' for D3-2 "
        "(expected pass, fixed, fail, escalate, aborted); "
        "row skipped\n"
    )
    assert "Batch: 10 cameras, 2026-11-23 to 2026-11-25" in result.stdout
    assert "slowest camera: D2-3 20 min (escalate)" in result.stdout


def test_page_with_plots(tmp_path) -> None:
    path = three_days(tmp_path)
    out = tmp_path / "report.html"
    result = invoke("report", str(path), "-o", str(out))
    assert result.exit_code == 1  # the bad row is still reported
    assert f"report: {out}" in result.stdout
    page = out.read_text(encoding="utf-8")
    for ident in ("yield-per-day", "fixes", "bench-time"):
        assert f'<figure id="{ident}" class="narrow"><svg' in page
    assert '<div class="n">10</div><div class="l">cameras</div>' in page
    assert '<div class="n">78%</div><div class="l">yield</div>' in page


def test_nothing_readable_is_one_line_and_exit_2(tmp_path) -> None:
    result = invoke("report", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"rig: {tmp_path / 'nope.csv'}: cannot read: No such file or directory",
        f"rig: nothing to summarise in {tmp_path / 'nope.csv'}",
    ]


def test_page_that_cannot_be_written_is_one_line(tmp_path) -> None:
    path = write(tmp_path / "r.csv", HEADER, row("A-1"))
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = invoke("report", str(path), "-o", str(blocker / "report.html"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"rig: {blocker / 'report.html'}: cannot write")
    assert "Traceback" not in result.output


def test_runs_as_a_process(tmp_path) -> None:
    path = write(tmp_path / "r.csv", HEADER, row("A-1"), row("A-2", "bogus"))
    done = subprocess.run(
        [sys.executable, "-m", "rig", "report", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert f"{path}:3: unknown disposition 'bogus'" in done.stderr
    assert "Batch: 1 camera," in done.stdout
