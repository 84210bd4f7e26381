"""LED edge traces: the CSV contract of docs/DESIGN.md and VCD (for PulseView / GTKWave), read and written as
streams.

A trace is what the photodiode saw: the level at the start, every level change, and when observation ended.
Reading is strict, because a trace is evidence: a bad row is an error naming the file and line, never a guess.

Everything streams through a :class:`TraceSink` (``begin`` / ``edge`` / ``end``), so a soak run of hours is read,
classified and written in bounded memory and linear time: the readers push rows as they parse them, the
writers write each edge as it comes. :class:`Trace` is the small in-memory form (one camera's record, tests).
"""

from __future__ import annotations

import io
import itertools
import math
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from vcd import VCDWriter

from rig.led.edge import Edge

CSV_HEADER = ("t_s", "level")
STDIN = "-"

__all__ = ["CSV_HEADER", "Edge", "Trace", "TraceCollector", "TraceFormatError", "TraceSink", "parse_trace_csv",
           "read_trace", "read_trace_csv", "stream_trace", "trace_to_csv_text", "write_trace_csv",
           "write_trace_vcd"]


class TraceFormatError(ValueError):
    """A trace file breaks the CSV contract. The message reads ``FILE:LINE: what is wrong``."""


class TraceSink(Protocol):
    """Where a trace reader pushes what it reads, in order: ``begin`` once, ``edge`` per level change, ``end``."""

    def begin(self, start_s: float, initial_level: int) -> None: ...

    def edge(self, edge: Edge) -> None: ...

    def end(self, end_s: float) -> None: ...


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
        return cls(initial_level, tuple(_changes(initial_level, pairs)), end_s, start_s)

    @property
    def final_level(self) -> int:
        return self.edges[-1].level if self.edges else self.initial_level

    def replay(self, sink: TraceSink) -> None:
        """Push this trace into ``sink``."""
        sink.begin(self.start_s, self.initial_level)
        for edge in self.edges:
            sink.edge(edge)
        sink.end(self.end_s)


def _changes(initial_level: int, pairs: Iterable[tuple[float, int]]) -> Iterator[Edge]:
    level = initial_level
    for t_s, new in pairs:
        if new != level:
            yield Edge(t_s, new)
            level = new


class TraceCollector:
    """A sink that keeps the whole trace in memory (small traces only)."""

    def __init__(self) -> None:
        self.start_s = 0.0
        self.initial_level = 0
        self.edges: list[Edge] = []
        self.trace: Trace | None = None

    def begin(self, start_s: float, initial_level: int) -> None:
        self.start_s, self.initial_level = start_s, initial_level

    def edge(self, edge: Edge) -> None:
        self.edges.append(edge)

    def end(self, end_s: float) -> None:
        self.trace = Trace(self.initial_level, tuple(self.edges), end_s, self.start_s)


# --- reading ---

def stream_trace_csv(lines: Iterable[str], source: str, sink: TraceSink) -> None:
    """Parse the CSV contract from ``lines`` into ``sink``, one row at a time; ``source`` names the file in
    errors. Only level changes reach the sink; the last row's time is the end."""
    rows = enumerate(lines, start=1)
    for number, raw in rows:
        line = raw.strip().lstrip("\ufeff")
        if not line or line[0] == "#":
            continue
        if tuple(field.strip() for field in line.split(",")[:2]) != CSV_HEADER:
            raise TraceFormatError(f"{source}:{number}: expected the header 't_s,level', got {line!r}")
        break
    else:
        raise TraceFormatError(f"{source}:1: missing the header 't_s,level'")
    level = -1
    last_t = -math.inf
    edge = sink.edge                           # fetched again after begin: a sink may bind it there
    make = tuple.__new__                       # Edge(t, level) without the Python-level __new__ frame
    inf = math.inf
    for number, raw in rows:
        tail = raw[-3:]                        # the common row, fast: "12.345678,1\n"
        if tail == ",1\n" or tail == ",0\n":
            try:
                t_s = float(raw[:-3])
            except ValueError:
                t_s = math.nan
            new = 1 if tail[1] == "1" else 0
        else:
            t_s, new = math.nan, -1
        if new < 0 or not last_t <= t_s < inf or t_s == -inf:
            line = raw.strip().lstrip("\ufeff")
            if not line or line[0] == "#":
                continue
            _row_error(line, source, number, last_t)   # say what is wrong (or accept an odd but valid row)
            fields = [field.strip() for field in line.split(",")]
            t_s, new = float(fields[0]), int(fields[1])
        last_t = t_s
        if new != level:
            if level < 0:
                sink.begin(t_s, new)
                edge = sink.edge
            else:
                edge(make(Edge, (t_s, new)))
            level = new
    if level < 0:
        raise TraceFormatError(f"{source}:1: no data rows after the header")
    sink.end(last_t)


def _row_error(line: str, source: str, number: int, last_t: float) -> None:
    """Raise the one-line error for a bad row; return when the row is valid after all (spaces, extra fields)."""
    fields = [field.strip() for field in line.split(",")]
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
    if t_s < last_t:
        raise TraceFormatError(f"{source}:{number}: time goes backwards ({t_s:g} s after {last_t:g} s)")


def stream_trace_vcd(text_or_path: str | Path, source: str, sink: TraceSink, *, is_text: bool = False) -> None:
    """Read a one-wire VCD (the rig's own ``led.level``, or any file with a single 1-bit signal) into ``sink``
    through vcdvcd's streaming callbacks: nothing but the current level is kept."""
    from vcdvcd import VCDVCD, StreamParserCallbacks

    state: dict[str, object] = {"id": None, "level": -1, "per_s": 1e6}

    class _Feed(StreamParserCallbacks):
        def enddefinitions(self, vcd, signals, cur_sig_vals) -> None:
            wires = [(code, sig) for code, sig in vcd.data.items() if str(sig.size) == "1"]
            named = [code for code, sig in wires if "led.level" in sig.references]
            if not named and len(wires) != 1:
                raise TraceFormatError(f"{source}:0: expected the wire led.level or a single 1-bit signal, "
                                       f"found {len(wires)} 1-bit signals")
            state["id"] = named[0] if named else wires[0][0]
            scale = vcd.timescale.get("timescale")
            state["per_s"] = float(1 / scale) if scale else 1e6   # ticks a second: exact for 1 us, 1 ns...

        def value(self, vcd, time, value, identifier_code, cur_sig_vals) -> None:
            if identifier_code != state["id"]:
                return
            if value not in ("0", "1"):
                raise TraceFormatError(f"{source}:0: led.level is {value!r} at time {time}: expected 0 or 1")
            new = int(value)
            t_s = time / state["per_s"]  # type: ignore[operator]
            if state["level"] == -1:
                if time != 0:
                    raise TraceFormatError(f"{source}:0: led.level has no value at time 0")
                sink.begin(0.0, new)
            elif new != state["level"]:
                sink.edge(Edge(t_s, new))
            state["level"] = new

    try:
        if is_text:
            vcd = VCDVCD(vcd_string=str(text_or_path), callbacks=_Feed(), store_tvs=False)
        else:
            vcd = VCDVCD(str(text_or_path), callbacks=_Feed(), store_tvs=False)
    except TraceFormatError:
        raise
    except OSError as exc:
        raise TraceFormatError(f"{source}:0: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise TraceFormatError(f"{source}:0: not a text file ({exc.reason})") from None
    except Exception as exc:   # vcdvcd raises bare exceptions on malformed input
        raise TraceFormatError(f"{source}:0: not a readable VCD file ({exc})") from None
    if state["id"] is None:
        raise TraceFormatError(f"{source}:0: not a VCD file (no $enddefinitions)")
    if state["level"] == -1:
        raise TraceFormatError(f"{source}:0: led.level never has a value")
    sink.end(vcd.endtime / state["per_s"])  # type: ignore[operator]


def stream_trace(path: str | Path, sink: TraceSink, stdin: TextIO | None = None, fmt: str | None = None) -> None:
    """Read a trace file into ``sink``: ``.vcd`` files as VCD, others as the CSV contract (``fmt`` "csv" or "vcd"
    overrides the name); ``-`` is standard input (VCD when it starts with ``$``). Every failure is a
    :class:`TraceFormatError` naming the file."""
    source = str(path)
    if source == STDIN:
        stream = stdin if stdin is not None else sys.stdin
        lines = iter(stream)
        first = list(itertools.islice(lines, 1))
        if fmt == "vcd" or (fmt is None and first and first[0].lstrip().startswith("$")):
            stream_trace_vcd("".join(itertools.chain(first, lines)), "<stdin>", sink, is_text=True)
        else:
            stream_trace_csv(itertools.chain(first, lines), "<stdin>", sink)
        return
    if fmt == "vcd" or (fmt is None and source.lower().endswith(".vcd")):
        stream_trace_vcd(path, source, sink)
        return
    try:
        with open(path, encoding="utf-8", newline="") as f:
            stream_trace_csv(f, source, sink)
    except UnicodeDecodeError as exc:
        raise TraceFormatError(f"{source}:0: not a text file ({exc.reason})") from None
    except OSError as exc:
        raise TraceFormatError(f"{source}:0: cannot read: {exc.strerror or exc}") from None


def read_trace(path: str | Path, fmt: str | None = None) -> Trace:
    """A whole (small) trace file in memory, CSV or VCD (see :func:`stream_trace`)."""
    collector = TraceCollector()
    stream_trace(path, collector, fmt=fmt)
    assert collector.trace is not None
    return collector.trace


def parse_trace_csv(lines: Iterable[str], source: str) -> Trace:
    """Parse the CSV contract from ``lines`` into a :class:`Trace`; ``source`` names the file in errors."""
    collector = TraceCollector()
    stream_trace_csv(lines, source, collector)
    assert collector.trace is not None
    return collector.trace


def read_trace_csv(path: str | Path) -> Trace:
    """Read a trace CSV file. Unreadable files raise :class:`TraceFormatError` too (``FILE:0: cannot read``)."""
    return read_trace(path, fmt="csv")


# --- writing ---

class CsvTraceWriter:
    """A sink that writes the CSV contract as it goes: level at the start, one row per edge, a last row at the
    end. ``comment`` lines (``#``) go first."""

    def __init__(self, out: TextIO, comment: str | None = None) -> None:
        self._out = out
        self._level = 0
        if comment:
            for line in comment.splitlines():
                out.write(f"# {line}\n")

    def begin(self, start_s: float, initial_level: int) -> None:
        self._level = initial_level
        self._out.write(f"{','.join(CSV_HEADER)}\n{start_s:.6f},{initial_level}\n")

    def edge(self, edge: Edge) -> None:
        self._level = edge.level
        self._out.write(f"{edge.t_s:.6f},{edge.level}\n")

    def end(self, end_s: float) -> None:
        self._out.write(f"{end_s:.6f},{self._level}\n")


class VcdTraceWriter:
    """A sink that writes a one-wire VCD (``led.level``) as it goes. VCD time is integer ticks from the trace
    start; edges that round to the same tick collapse to the last level there (a pulse shorter than a tick
    vanishes, which is what a logic analyser at that rate would show)."""

    def __init__(self, out: TextIO, timescale_us: int = 1) -> None:
        self._out = out
        self._tick_s = timescale_us * 1e-6
        self._timescale = f"{timescale_us} us"
        self._writer: VCDWriter | None = None
        self._var = None
        self._start_s = 0.0
        self._shown = 0                        # the level the VCD shows
        self._tick: int | None = None          # the tick being collected, and its last level
        self._tick_level = 0

    def _ticks(self, t_s: float) -> int:
        return max(0, round((t_s - self._start_s) / self._tick_s))

    def begin(self, start_s: float, initial_level: int) -> None:
        self._start_s = start_s
        self._writer = VCDWriter(self._out, timescale=self._timescale, comment="LED photodiode trace")
        self._var = self._writer.register_var("led", "level", "wire", size=1, init=initial_level)
        self._shown = initial_level

    def _flush_tick(self) -> None:
        if self._tick is not None and self._tick_level != self._shown:
            assert self._writer is not None
            self._writer.change(self._var, self._tick, self._tick_level)
            self._shown = self._tick_level

    def edge(self, edge: Edge) -> None:
        tick = self._ticks(edge.t_s)
        if tick != self._tick:
            self._flush_tick()
            self._tick = tick
        self._tick_level = edge.level

    def end(self, end_s: float) -> None:
        self._flush_tick()
        assert self._writer is not None
        self._writer.close(max(self._ticks(end_s), self._tick or 0))


def _write(trace: Trace, out: str | Path | TextIO, make) -> None:
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as f:
            trace.replay(make(f))
        return
    trace.replay(make(out))


def write_trace_csv(trace: Trace, out: str | Path | TextIO) -> None:
    """Write ``trace`` in the CSV contract: level at the start, one row per edge, a last row at ``end_s``."""
    _write(trace, out, CsvTraceWriter)


def write_trace_vcd(trace: Trace, out: str | Path | TextIO, timescale_us: int = 1) -> None:
    """Write ``trace`` as a one-wire VCD (``led.level``) that opens in PulseView and GTKWave."""
    _write(trace, out, lambda f: VcdTraceWriter(f, timescale_us))


def trace_to_csv_text(trace: Trace) -> str:
    buffer = io.StringIO()
    write_trace_csv(trace, buffer)
    return buffer.getvalue()
