"""``rig record``: capture an LED trace from the photodiode and say the pattern as soon as it is decided.

It needs the photodiode and nothing else (no outlets, no meter), and it streams: each poll's edges are written
to the file and freed from the photodiode's buffer, so a soak run of hours records in bounded memory."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from rig.cli import RigError
from rig.cli.common import (
    build_real_photodiode,
    config_option,
    exit_if_interrupted,
    interruptible,
    load_config_or_fail,
    refuse_unless,
)
from rig.hardware.photodiode import Photodiode
from rig.led.classifier import PatternClassifier
from rig.led.edge import Edge
from rig.led.trace import CsvTraceWriter, TraceSink, VcdTraceWriter
from rig.procedure.observe import check_overflow

POLL_S = 0.05


@click.command()
@click.option("--seconds", type=click.FloatRange(min=0, min_open=True), required=True, help="How long to record.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Trace file: .csv or .vcd.")
@click.option("--sim", is_flag=True, help="Record from a simulated camera instead of the fixture.")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False))
@click.option("--camera", "camera_index", type=click.IntRange(min=0), default=0, show_default=True,
              help="--sim: which camera of the scenario (0 = the first) is on the fixture.")
@config_option
def record(seconds, output, sim, scenario, camera_index, config_path) -> None:
    """Record the LED for SECONDS into a trace file, printing the pattern live as soon as it is decided."""
    refuse_unless(click.get_current_context(), sim, "--sim", "scenario", "camera_index")
    out = Path(output)
    if out.suffix.lower() not in (".csv", ".vcd"):
        raise RigError(f"{output}: the trace file must end in .csv or .vcd")
    if not out.parent.is_dir():
        raise RigError(f"{output}: folder {out.parent} does not exist")
    config = load_config_or_fail(config_path)
    console = Console()
    unsafe: list[str] = []
    count = 0
    with interruptible() as stop:
        if sim:
            from rig.sim import ScenarioError, build_sim_bench, load_sim_scenario

            try:
                bench = build_sim_bench(config, load_sim_scenario(scenario), stop=stop)
                spec = bench.world.mount(camera_index)
            except ScenarioError as exc:
                raise RigError(str(exc)) from None
            except IndexError as exc:
                raise RigError(f"--camera {camera_index}: {exc}") from None
            console.print(f"simulated camera {spec.serial} ({spec.model}, faults: {', '.join(spec.faults) or 'none'})")
            clock, photodiode, closer = bench.fixture.clock, bench.fixture.photodiode, bench.fixture.close
        else:
            from rig.core.clock import MonotonicClock

            clock = MonotonicClock(stop)
            photodiode = build_real_photodiode(config, clock)   # recording needs nothing else: no outlets

            def closer() -> list[str]:
                photodiode.close()
                return []                                      # nothing was switched: nothing to restore
        try:
            with open(out, "w", encoding="utf-8", newline="") as f:
                sink = VcdTraceWriter(f) if out.suffix.lower() == ".vcd" else CsvTraceWriter(f)
                count = _capture(clock, photodiode, seconds, console, sink)
        except OSError as exc:
            raise RigError(f"{output}: cannot write: {exc.strerror or exc}") from None
        finally:
            unsafe = closer() or []
    exit_if_interrupted(stop, "rig record", f"the trace up to the interruption is in {output}", unsafe)
    console.print(f"{count} edges in {seconds:g} s written to {out}")


def _capture(clock, photodiode: Photodiode, seconds: float, console: Console, sink: TraceSink) -> int:
    """Stream the photodiode's edges into ``sink`` and the classifier, freeing the buffer as it goes. An
    interruption (Ctrl-C) still ends the trace, at the moment it came, so the file is a valid trace."""
    start = clock.now()
    position = photodiode.mark()
    overflowed = photodiode.overflowed
    level = int(photodiode.lit)
    sink.begin(0.0, level)
    classifier = PatternClassifier(start_s=0.0, initial_level=level)
    count = 0
    end_s = seconds
    try:
        while True:
            elapsed = clock.now() - start
            edges = photodiode.edges_since(position)
            position += len(edges)
            photodiode.discard_before(position)
            check_overflow(photodiode, overflowed)
            for t_s, new in edges:
                if new == level:
                    continue
                level = new
                edge = Edge(min(t_s - start, seconds), new)
                sink.edge(edge)
                count += 1
                if classifier.decision is None and classifier.feed(edge) is not None:
                    _announce(console, classifier)
            if elapsed >= seconds:
                break
            if classifier.decision is None and classifier.advance(elapsed) is not None:
                _announce(console, classifier)
            clock.sleep(min(POLL_S, seconds - elapsed))
    except BaseException:
        end_s = min(max(clock.now() - start, 0.0), seconds)
        raise
    finally:
        sink.end(end_s)
    if classifier.decision is None:
        decision = classifier.finish(seconds)
        if decision.committed:
            _announce(console, classifier, decision)
        else:
            console.print(f"pattern: not decided in {seconds:g} s; seen: {decision.evidence.get('seen', '')} "
                          f"(best guess {decision.pattern.value})")
    return count


def _announce(console: Console, classifier: PatternClassifier, decision=None) -> None:
    decision = decision or classifier.decision
    console.print(f"pattern: [bold]{decision.pattern.value}[/bold] (decided at {decision.decided_at_s:.2f} s)")
