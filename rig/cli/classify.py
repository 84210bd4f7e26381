"""``rig classify FILE...``: which LED pattern each trace shows, and when the evidence fixed it.

Each file (CSV or VCD, ``-`` for standard input) is streamed through the classifier on its own: a bad file gets
one line on stderr naming the file and line, and the others still get their answer.
Exit code 0 when every file was read, 1 when any was not.
"""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from rig.led.classifier import ClassifyingSink, Decision
from rig.led.trace import TraceFormatError, stream_trace


def _details(decision: Decision) -> str:
    """The evidence that matters for this pattern, in a few words."""
    ev = decision.evidence
    parts: list[str] = []
    if ev.get("period_s") is not None:
        parts.append(f"period {ev['period_s']:.2f} s")
    if ev.get("missed_flashes"):
        parts.append(f"{ev['missed_flashes']} missed")
    if ev.get("recording_s") is not None:
        parts.append(f"recording {ev['recording_s']:.1f} s")
    if ev.get("burst_flashes"):
        parts.append(f"burst {ev['burst_flashes']} flash(es)")
    if ev.get("burst_period_s") is not None:
        parts.append(f"at {ev['burst_period_s']:.2f} s")
    if ev.get("lit_s") is not None:
        parts.append(f"lit {ev['lit_s']:.1f} s")
    if ev.get("reason"):
        parts.append(str(ev["reason"]))
    return ", ".join(parts)


def _row(path: str, decision: Decision) -> tuple[str, str, str, str, str]:
    flashes = str(decision.evidence.get("flash_count", 0))
    if decision.committed:
        return path, decision.pattern.value, f"{decision.decided_at_s:.3f}", flashes, _details(decision)
    seen = decision.evidence.get("seen")
    if seen:   # observation ended first: say what was seen, not a pattern it may not be
        return path, "not decided", f"{decision.decided_at_s:.3f} (end)", flashes, str(seen)
    return path, decision.pattern.value, f"{decision.decided_at_s:.3f} (end)", flashes, _details(decision)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file and line.")
@click.pass_context
def classify(ctx: click.Context, files: tuple[str, ...], as_json: bool) -> None:
    """Classify LED traces (CSV t_s,level, or VCD as `rig record` writes; - reads standard input) into none,
    motion, network_lost, low_battery, solid, unknown. Each file is streamed: any length, bounded memory."""
    failed = 0
    table = Table("file", "pattern", "decided at (s)", "flashes", "evidence")
    table.columns[0].overflow = "fold"
    for path in files:
        sink = ClassifyingSink()
        try:
            stream_trace(path, sink, stdin=sys.stdin)
        except TraceFormatError as exc:
            click.echo(f"rig: {exc}", err=True)
            failed += 1
            continue
        decision = sink.decision
        assert decision is not None
        if as_json:
            seen = {"seen": decision.evidence["seen"]} if "seen" in decision.evidence else {}
            click.echo(json.dumps({"file": path, **decision.as_dict(), **seen}))
        else:
            table.add_row(*_row(path, decision))
    if not as_json and table.row_count:
        Console().print(table)
    ctx.exit(1 if failed else 0)
