"""Traces stream: CSV and VCD in, stdin too, any length in bounded memory; what an undecided trace showed."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

from click.testing import CliRunner

from rig.cli import cli
from rig.led.classifier import ClassifyingSink, classify_trace
from rig.led.trace import Trace, read_trace, stream_trace, write_trace_csv, write_trace_vcd

NETWORK = Trace.from_pairs(0, [(1.0, 1), (1.15, 0), (4.0, 1), (4.15, 0), (7.0, 1), (7.15, 0)], end_s=12.0)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["classify", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_classify_reads_the_vcd_the_rig_writes(tmp_path: Path) -> None:
    path = tmp_path / "t.vcd"
    write_trace_vcd(NETWORK, path)
    assert read_trace(path) == NETWORK            # through vcdvcd: the same edges, times and end
    code, out, err = run("--json", str(path))
    assert code == 0 and err == ""
    assert json.loads(out)["pattern"] == "network_lost"


def test_classify_reads_stdin_csv_and_vcd() -> None:
    text = io.StringIO()
    write_trace_csv(NETWORK, text)
    code, out, _ = run("--json", "-", stdin="# a comment first\n" + text.getvalue())
    assert code == 0 and json.loads(out) | {"file": "-"} == json.loads(out)
    assert json.loads(out)["pattern"] == "network_lost"
    vcd = io.StringIO()
    write_trace_vcd(NETWORK, vcd)
    code, out, _ = run("--json", "-", stdin=vcd.getvalue())
    assert code == 0 and json.loads(out)["pattern"] == "network_lost"


def test_bad_vcd_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vcd"
    bad.write_text("$timescale 1 us $end\n$scope module led $end\n$var wire 1 ! level $end\n$upscope $end\n"
                   "$enddefinitions $end\n#0\nx!\n#5\n")
    code, _, err = run(str(bad))
    assert code == 1 and err.count("\n") == 1 and "bad.vcd:0:" in err and "expected 0 or 1" in err
    garbage = tmp_path / "garbage.vcd"
    garbage.write_text("hello\n")
    code, _, err = run(str(garbage))
    assert code == 1 and "garbage.vcd:0:" in err and "Traceback" not in err


def test_a_steady_light_shorter_than_a_minute_is_named_not_guessed(tmp_path: Path) -> None:
    """Issue 15 item 6: 20 s of steady light is not 'motion (end, guess)': the table says what was seen."""
    path = tmp_path / "steady.csv"
    path.write_text("t_s,level\n0,0\n2.0,1\n22.0,1\n")
    code, out, _ = run(str(path))
    assert code == 0
    assert "not decided" in out and "lit steadily for 20.0 s" in out
    assert "motion" not in out and "guess" not in out
    code, out, _ = run("--json", str(path))
    assert json.loads(out)["committed"] is False and json.loads(out)["seen"].startswith("lit steadily for 20.0 s")


def _write_long_trace(path: Path, edges: int) -> None:
    """Dark with 100 Hz flicker throughout: every edge must be read, none of it is a pattern."""
    with open(path, "w") as f:
        f.write("t_s,level\n0.000000,0\n")
        for k in range(edges // 2):
            f.write(f"{k * 0.01:.6f},1\n{k * 0.01 + 0.003:.6f},0\n")
        f.write(f"{edges // 2 * 0.01:.6f},0\n")


def test_a_long_trace_streams_in_bounded_memory(tmp_path: Path) -> None:
    """Issue 18 item 8: a 200,000-edge trace is classified without holding it (the old reader kept ~240 bytes
    an edge, about 48 MB here)."""
    path = tmp_path / "long.csv"
    _write_long_trace(path, 200_000)
    sink = ClassifyingSink()
    tracemalloc.start()
    try:
        stream_trace(path, sink)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.classifier is not None and sink.classifier.now_s == 1000.0   # read to the last row
    assert sink.decision is not None and sink.decision.pattern.value == "none"
    assert peak < 2_000_000, peak


def test_classify_trace_and_the_streaming_sink_agree() -> None:
    sink = ClassifyingSink()
    NETWORK.replay(sink)
    assert sink.decision == classify_trace(NETWORK)
