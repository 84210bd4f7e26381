"""``rig record``: capture an LED trace from the photodiode and say the pattern as soon as it is decided."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from rig.cli import RigError
from rig.cli.common import config_option, exit_if_interrupted, interruptible, load_config_or_fail, refuse_unless
from rig.led.classifier import PatternClassifier
from rig.led.trace import Trace, write_trace_csv, write_trace_vcd

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
            fixture = bench.fixture
        else:
            from rig.cli.common import build_real_fixture
            from rig.core.clock import MonotonicClock

            fixture = build_real_fixture(config, MonotonicClock(stop))
        try:
            trace = _capture(fixture, seconds, console)
        finally:
            unsafe = fixture.close()
    exit_if_interrupted(stop, "rig record", f"no trace written to {output}", unsafe)
    if out.suffix.lower() == ".vcd":
        write_trace_vcd(trace, out)
    else:
        write_trace_csv(trace, out)
    console.print(f"{len(trace.edges)} edges in {seconds:g} s written to {out}")


def _capture(fixture, seconds: float, console: Console) -> Trace:
    clock, photodiode = fixture.clock, fixture.photodiode
    start = clock.now()
    mark = photodiode.mark()
    initial = int(photodiode.lit)
    classifier = PatternClassifier(start_s=0.0, initial_level=initial)
    fed = 0
    announced = False
    while (elapsed := clock.now() - start) < seconds:
        clock.sleep(min(POLL_S, seconds - elapsed))
        edges = photodiode.edges_since(mark)
        for edge in edges[fed:]:
            classifier.feed((edge.t_s - start, int(edge.lit)))
        fed = len(edges)
        classifier.advance(clock.now() - start)
        if classifier.decision is not None and not announced:
            decision = classifier.decision
            console.print(f"pattern: [bold]{decision.pattern.value}[/bold] (decided at {decision.decided_at_s:.2f} s)")
            announced = True
    end = clock.now() - start
    if not announced:
        decision = classifier.finish(end)
        console.print(f"pattern: [bold]{decision.pattern.value}[/bold] (best guess at the end, {end:.2f} s)")
    pairs = [(e.t_s - start, int(e.lit)) for e in photodiode.edges_since(mark)]
    return Trace.from_pairs(initial, pairs, end)
