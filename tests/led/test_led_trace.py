"""The trace CSV contract (strict reading, exact writing) and the VCD export."""

from __future__ import annotations

import io

import pytest

from rig.led.trace import (
    Edge,
    Trace,
    TraceFormatError,
    parse_trace_csv,
    read_trace_csv,
    trace_to_csv_text,
    write_trace_csv,
    write_trace_vcd,
)


def parse(text: str) -> Trace:
    return parse_trace_csv(io.StringIO(text), "f.csv")


def test_reads_the_contract_example() -> None:
    trace = parse("t_s,level\n0.000000,0\n1.250000,1\n1.400000,0\n20.000000,0\n")
    assert trace.initial_level == 0
    assert trace.edges == (Edge(1.25, 1), Edge(1.4, 0))
    assert trace.start_s == 0.0 and trace.end_s == 20.0


def test_comments_blank_lines_and_repeated_levels() -> None:
    text = "# recorded on bench 2\nt_s,level\n\n0,1\n# lit at start\n0.5,1\n0.7,0\n0.7,0\n3,0\n"
    trace = parse(text)
    assert trace.initial_level == 1
    assert trace.edges == (Edge(0.7, 0),)   # repeated levels are not edges
    assert trace.end_s == 3.0


def test_ends_lit_keeps_the_last_level() -> None:
    trace = parse("t_s,level\n0,0\n1,1\n5,1\n")
    assert trace.edges == (Edge(1.0, 1),) and trace.final_level == 1 and trace.end_s == 5.0


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("0,0\n1,1\n", "f.csv:1:", "header"),
        ("# only a comment\n", "f.csv:1:", "missing the header"),
        ("t_s,level\n", "f.csv:1:", "no data rows"),
        ("t_s,level\n0,0\nabc,1\n", "f.csv:3:", "t_s is not a number"),
        ("t_s,level\n0,0\nnan,1\n", "f.csv:3:", "not a finite number"),
        ("t_s,level\n0,0\n# c\n1,2\n", "f.csv:4:", "level must be 0 or 1"),
        ("t_s,level\n0,0\n1,1.0\n", "f.csv:3:", "level must be 0 or 1"),
        ("t_s,level\n0,0\n2,1\n1.5,0\n", "f.csv:4:", "time goes backwards"),
        ("t_s,level\n0,0\n7\n", "f.csv:3:", "expected 't_s,level'"),
    ],
)
def test_bad_rows_name_file_and_line(text: str, where: str, what: str) -> None:
    with pytest.raises(TraceFormatError) as info:
        parse(text)
    message = str(info.value)
    assert message.startswith(where), message
    assert what in message
    assert "\n" not in message


def test_unreadable_file_is_a_format_error(tmp_path) -> None:
    with pytest.raises(TraceFormatError, match=r"missing\.csv:0: cannot read"):
        read_trace_csv(tmp_path / "missing.csv")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(TraceFormatError, match=r"bin\.csv:0: not a text file"):
        read_trace_csv(binary)


def test_csv_round_trip(tmp_path) -> None:
    trace = Trace.from_pairs(0, [(1.25, 1), (1.4, 0), (1.4, 0), (3.0, 1)], end_s=7.5)
    path = tmp_path / "t.csv"
    write_trace_csv(trace, path)
    assert path.read_text().splitlines() == ["t_s,level", "0.000000,0", "1.250000,1", "1.400000,0",
                                             "3.000000,1", "7.500000,1"]
    assert read_trace_csv(path) == trace
    assert parse(trace_to_csv_text(trace)) == trace


def _vcd_changes(text: str) -> tuple[str, list[tuple[int, str]]]:
    """(timescale, [(time, value)]) from a one-wire VCD."""
    timescale = text.split("$timescale")[1].split("$end")[0].strip()
    changes: list[tuple[int, str]] = []
    now = 0
    body = text.split("$enddefinitions $end")[1]
    for line in body.split():
        if line.startswith("#"):
            now = int(line[1:])
        elif line in ("0!", "1!"):
            changes.append((now, line[0]))
    return timescale, changes


def test_vcd_has_every_edge_in_microseconds(tmp_path) -> None:
    trace = Trace.from_pairs(0, [(1.25, 1), (1.4, 0), (2.000_001_2, 1)], end_s=4.0, start_s=0.0)
    path = tmp_path / "t.vcd"
    write_trace_vcd(trace, path)
    text = path.read_text()
    assert "$var wire 1 ! level $end" in text
    timescale, changes = _vcd_changes(text)
    assert timescale == "1 us"
    assert changes == [(0, "0"), (1_250_000, "1"), (1_400_000, "0"), (2_000_001, "1")]
    assert text.rstrip().endswith("#4000000")   # the observation window's end


def test_vcd_relative_to_start_and_sub_tick_pulses_vanish() -> None:
    trace = Trace.from_pairs(1, [(10.5, 0), (10.500_000_2, 1), (11.0, 0)], end_s=12.0, start_s=10.0)
    out = io.StringIO()
    write_trace_vcd(trace, out)
    _, changes = _vcd_changes(out.getvalue())
    # the 0.2 us dark blip collapses into one tick where the level ends lit: no change; the fall at 11 s stays
    assert changes == [(0, "1"), (1_000_000, "0")]
