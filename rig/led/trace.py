"""LED edge traces: the CSV contract of docs/DESIGN.md (read and write) and VCD export for PulseView / GTKWave.

A trace is what the photodiode saw: the level at the start, every level change, and when observation ended.
Reading is strict, because a trace is evidence: a bad row is an error naming the file and line, never a guess.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from vcd import VCDWriter

CSV_HEADER = ("t_s", "level")


class TraceFormatError(ValueError):
    """A trace file breaks the CSV contract. The message reads ``FILE:LINE: what is wrong``."""


@dataclass(frozen=True)
class Edge:
    """The LED level became ``level`` (1 = lit, 0 = dark) at ``t_s`` seconds."""

    t_s: float
    level: int


@dataclass(frozen=True)
class Trace:
    """An observation: ``initial_level`` at ``start_s``, then ``edges`` (level changes, time order) until ``end_s``."""

    initial_level: int
    edges: tuple[Edge, ...]
    end_s: float
    start_s: float = 0.0

    @classmethod
    def from_pairs(cls, initial_level: int, pairs: Iterable[tuple[float, int]], end_s: float,
                   start_s: float = 0.0) -> Trace:
        """Build a trace from ``(t_s, level)`` pairs, keeping only real level changes."""
        return cls(initial_level, _changes(initial_level, (Edge(t, lv) for t, lv in pairs)), end_s, start_s)

    @property
    def final_level(self) -> int:
        return self.edges[-1].level if self.edges else self.initial_level


def _changes(initial_level: int, edges: Iterable[Edge]) -> tuple[Edge, ...]:
    out: list[Edge] = []
    level = initial_level
    for edge in edges:
        if edge.level != level:
            out.append(edge)
            level = edge.level
    return tuple(out)


def parse_trace_csv(lines: Iterable[str], source: str) -> Trace:
    """Parse the CSV contract from ``lines``; ``source`` names the file in error messages."""
    header_seen = False
    rows: list[tuple[float, int]] = []
    last_t: float | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split(",")]
        if not header_seen:
            if tuple(fields[:2]) != CSV_HEADER:
                raise TraceFormatError(f"{source}:{number}: expected the header 't_s,level', got {line!r}")
            header_seen = True
            continue
        if len(fields) < 2:
            raise TraceFormatError(f"{source}:{number}: expected 't_s,level', got {line!r}")
        try:
            t_s = float(fields[0])
        except ValueError:
            raise TraceFormatError(f"{source}:{number}: t_s is not a number: {fields[0]!r}") from None
        if not math.isfinite(t_s):
            raise TraceFormatError(f"{source}:{number}: t_s is not a finite number: {fields[0]!r}")
        if fields[1] not in ("0", "1"):
            raise TraceFormatError(f"{source}:{number}: level must be 0 or 1, got {fields[1]!r}")
        if last_t is not None and t_s < last_t:
            raise TraceFormatError(f"{source}:{number}: time goes backwards ({t_s:g} s after {last_t:g} s)")
        last_t = t_s
        rows.append((t_s, int(fields[1])))
    if not header_seen:
        raise TraceFormatError(f"{source}:1: missing the header 't_s,level'")
    if not rows:
        raise TraceFormatError(f"{source}:1: no data rows after the header")
    start_s, initial_level = rows[0]
    return Trace.from_pairs(initial_level, rows[1:], end_s=rows[-1][0], start_s=start_s)


def read_trace_csv(path: str | Path) -> Trace:
    """Read a trace file. Unreadable files raise :class:`TraceFormatError` too (``FILE:0: cannot read``)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return parse_trace_csv(f, str(path))
    except UnicodeDecodeError as exc:
        raise TraceFormatError(f"{path}:0: not a text file ({exc.reason})") from None
    except OSError as exc:
        raise TraceFormatError(f"{path}:0: cannot read: {exc.strerror or exc}") from None


def write_trace_csv(trace: Trace, out: str | Path | TextIO) -> None:
    """Write ``trace`` in the CSV contract: level at the start, one row per edge, a last row at ``end_s``."""
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as f:
            write_trace_csv(trace, f)
        return
    out.write(",".join(CSV_HEADER) + "\n")
    out.write(f"{trace.start_s:.6f},{trace.initial_level}\n")
    for edge in trace.edges:
        out.write(f"{edge.t_s:.6f},{edge.level}\n")
    out.write(f"{trace.end_s:.6f},{trace.final_level}\n")


def trace_to_csv_text(trace: Trace) -> str:
    buffer = io.StringIO()
    write_trace_csv(trace, buffer)
    return buffer.getvalue()


def write_trace_vcd(trace: Trace, out: str | Path | TextIO, timescale_us: int = 1) -> None:
    """Write ``trace`` as a one-wire VCD (``led.level``) that opens in PulseView and GTKWave.

    VCD time is integer ticks from the trace start; edges that round to the same tick collapse to the last
    level there (a pulse shorter than a tick vanishes, which is what a logic analyser at that rate would show).
    """
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8") as f:
            write_trace_vcd(trace, f, timescale_us)
        return
    tick_s = timescale_us * 1e-6

    def ticks(t_s: float) -> int:
        return max(0, round((t_s - trace.start_s) / tick_s))

    per_tick: dict[int, int] = {}
    for edge in trace.edges:
        per_tick[ticks(edge.t_s)] = edge.level
    with VCDWriter(out, timescale=f"{timescale_us} us", comment="LED photodiode trace") as writer:
        var = writer.register_var("led", "level", "wire", size=1, init=trace.initial_level)
        level = trace.initial_level
        for tick in sorted(per_tick):
            if per_tick[tick] != level:
                level = per_tick[tick]
                writer.change(var, tick, level)
        writer.close(max(ticks(trace.end_s), max(per_tick, default=0)))
