"""``python -m firmware_sim trace``: the simulated camera's LED as a docs/DESIGN.md trace CSV, which the rig's
own reader accepts and its classifier recognises."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest
from click.testing import CliRunner

from firmware_sim.__main__ import cli
from firmware_sim.led_timing import DEFAULT_TIMING as T
from rig.led.classifier import classify_trace
from rig.led.trace import Trace, read_trace, read_trace_csv


def run(*args: str):
    return CliRunner().invoke(cli, ["trace", *args])


def pulses(trace: Trace) -> list[tuple[float, float]]:
    out, on_s = [], 0.0 if trace.initial_level else None
    for edge in trace.edges:
        if edge.level:
            on_s = edge.t_s
        elif on_s is not None:
            out.append((on_s, edge.t_s))
            on_s = None
    return out


def write(tmp_path, *args: str) -> Trace:
    path = tmp_path / "t.csv"
    result = run(*args, "-o", str(path))
    assert result.exit_code == 0, result.output
    return read_trace_csv(path)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "pattern,seconds,model",
    [("none", 20, "outdoor"), ("network_lost", 20, "mini"), ("network_lost", 20, "outdoor"),
     ("motion", 20, "outdoor"), ("motion", 20, "mini"), ("low_battery", 20, "outdoor"), ("solid", 70, "outdoor")],
)
def test_each_pattern_is_recognised_by_the_rigs_classifier(tmp_path, pattern, seconds, model, seed):
    trace = write(tmp_path, "--pattern", pattern, "--seconds", str(seconds), "--seed", str(seed),
                  "--model", model)
    assert trace.start_s == 0.0 and trace.end_s == pytest.approx(seconds)
    assert classify_trace(trace).pattern.value == pattern


def test_network_lost_timing_in_the_file(tmp_path):
    trace = write(tmp_path, "--pattern", "network_lost", "--seconds", "30")
    flashes = pulses(trace)
    assert len(flashes) >= 9
    assert all(T.flash_min_s <= off - on <= T.flash_max_s for on, off in flashes)
    assert all(abs(b[0] - a[0] - 3.0) <= 0.3 for a, b in itertools.pairwise(flashes))


def test_the_same_seed_gives_the_same_file_and_another_seed_another(tmp_path):
    def text(seed: str) -> str:
        result = run("--pattern", "low_battery", "--seconds", "20", "--seed", seed)
        assert result.exit_code == 0
        return result.output

    assert text("4") == text("4")
    assert text("4") != text("5")


def test_stdout_by_default_with_a_comment_header():
    result = run("--pattern", "none", "--seconds", "8")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("# firmware_sim trace: pattern=none")
    assert lines[1:] == ["t_s,level", "0.000000,0", "8.000000,0"]


@pytest.mark.parametrize(
    "args,message",
    [
        (("--pattern", "blinky"), "Invalid value for '--pattern'"),
        (("--pattern", "none", "--seconds", "0"), "Invalid value for '--seconds'"),
        (("--pattern", "low_battery", "--model", "mini"), "a mini runs on USB power"),
        (("--seconds", "5",), "Missing option '--pattern'"),
    ],
)
def test_bad_arguments_are_one_clear_error(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_unwritable_output_is_a_clear_error(tmp_path):
    result = run("--pattern", "none", "--seconds", "5", "-o", str(tmp_path / "missing" / "t.csv"))
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_runs_as_a_module(tmp_path):
    out = tmp_path / "nl.csv"
    subprocess.run([sys.executable, "-m", "firmware_sim", "trace", "--pattern", "network_lost", "--seconds", "20",
                    "-o", str(out)], check=True, timeout=60)
    assert classify_trace(read_trace_csv(out)).pattern.value == "network_lost"


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("pattern,seconds", [("none", 25), ("network_lost", 25), ("motion", 25),
                                             ("low_battery", 25), ("solid", 70)])
def test_harsh_sensor_noise_is_added_and_the_pattern_still_recognised(tmp_path, pattern, seconds, seed):
    clean = write(tmp_path, "--pattern", pattern, "--seconds", str(seconds), "--seed", str(seed))
    harsh = write(tmp_path, "--pattern", pattern, "--seconds", str(seconds), "--seed", str(seed), "--noise", "harsh")
    assert all(off - on >= T.noise_max_s for on, off in pulses(clean))   # the camera itself never glitches
    assert harsh.edges != clean.edges
    assert harsh.initial_level == clean.initial_level and harsh.end_s == clean.end_s
    assert classify_trace(harsh).pattern.value == pattern


def test_noise_profiles_do_what_they_say(tmp_path):
    clean = write(tmp_path, "--pattern", "network_lost", "--seconds", "60")
    glitchy = write(tmp_path, "--pattern", "network_lost", "--seconds", "60", "--noise", "glitches")
    slivers = [p for p in pulses(glitchy) if p[1] - p[0] < T.noise_max_s]
    assert len(slivers) >= 60                       # ~3 comparator glitches per second
    assert len(pulses(glitchy)) - len(slivers) == len(pulses(clean))


def test_unknown_noise_profile_lists_the_known_ones():
    result = run("--pattern", "none", "--noise", "awful")
    assert result.exit_code == 2
    assert "'awful' is not one of" in result.output and "'harsh'" in result.output


def test_vcd_extension_writes_vcd_that_reads_back_as_the_csv(tmp_path):
    """Issue 15 item 7: -o t.vcd writes VCD (not CSV in a .vcd file), with the same edges as the CSV."""
    vcd, csv = tmp_path / "t.vcd", tmp_path / "t.csv"
    for out in (vcd, csv):
        result = run("--pattern", "network_lost", "--seconds", "20", "--seed", "3", "-o", str(out))
        assert result.exit_code == 0, result.output
    assert vcd.read_text().startswith("$") and "$enddefinitions" in vcd.read_text()
    assert read_trace(vcd) == read_trace_csv(csv)


def test_csv_comment_lines_are_marked_and_pandas_is_told(tmp_path):
    path = tmp_path / "t.csv"
    assert run("--pattern", "none", "--seconds", "5", "-o", str(path)).exit_code == 0
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# firmware_sim trace:") and lines[1] == "t_s,level"
    assert "comment='#'" in run("--help").output


def test_full_noise_has_every_phenomenon_and_still_reads_right(tmp_path):
    clean = write(tmp_path, "--pattern", "motion", "--seconds", "25", "--seed", "1")
    full = write(tmp_path, "--pattern", "motion", "--seconds", "25", "--seed", "1", "--noise", "full")
    assert len(full.edges) > len(clean.edges)
    assert classify_trace(full).pattern.value == "motion"
