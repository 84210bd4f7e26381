"""``rig cycle``: an automated power-cycle sequence, repeated, on the fixture's camera or (``--sim``) on each
camera of a scenario; one durable CSV row per step per cycle (docs/DESIGN.md, "Sequences")."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field

import click
from rich.console import Console

from rig.cli import RigError
from rig.cli.common import (
    close_bench,
    config_option,
    load_config_or_fail,
    refuse_unless,
    refuse_with,
    safe_line,
    sim_slots_option,
    summary_console,
)
from rig.cli.test import load_scenario_or_fail, open_sim_bench
from rig.core.config import OUTLET_NAMES
from rig.core.lock import FixtureBusy, fixture_lock, results_lock
from rig.core.stop import StopFlag, StopRequested, stop_on_signals
from rig.led.patterns import Pattern
from rig.output.results import DurableCsv, ResultsError, check_results_path
from rig.procedure.controller import local_now
from rig.procedure.cycle import CYCLE_COLUMNS, CameraCycles, CycleAborted, CycleRow, CycleRunner
from rig.procedure.cycle_slots import run_cycle_slots
from rig.procedure.sequence_file import Sequence, SequenceError, builtin_sequences, load_sequence, parse_sequence
from rig.ui.progress import CycleProgress, cycle_summary
from rig.ui.scanner import MODELS, FixedCamera, SerialError

EXIT_CYCLE_FAILED = 1   # some cycle failed
EXIT_RIG_FAULT = 3      # a rig fault (or an unwritable CSV) stopped the run
PATTERNS = tuple(p.value for p in Pattern)
CSV_WHAT = "cycle CSV"


@click.command()
@click.argument("sequence", required=False)
@click.argument("scenario", required=False, type=click.Path(dir_okay=False))
@click.option("--sim", is_flag=True, help="Run on the simulated bench: each camera of SCENARIO (or the built-in one).")
@click.option("--csv", "csv_path", default="cycles.csv", show_default=True, type=click.Path(dir_okay=False),
              help="Cycle CSV: one row per step per cycle, appended.")
@click.option("--list", "list_only", is_flag=True, help="List the built-in sequences and exit.")
@click.option("--serial", help="Serial of the camera in the fixture.")
@click.option("--model", type=click.Choice(MODELS), default=MODELS[0], show_default=True,
              help="Model of the camera in the fixture.")
@click.option("--sim-log", type=click.Path(dir_okay=False), default=None,
              help="--sim: append every outlet and actuator change to this CSV (t_s,device,state).")
@sim_slots_option("--sim: camera slots run at once [default: the scenario's [bench] slots].")
@click.option("--lock", "lock_path", type=click.Path(dir_okay=False), default=None,
              help="Fixture lock file [default: bench.lock_file from the config; none with --sim].")
@config_option
def cycle(sequence, scenario, sim, csv_path, list_only, serial, model, sim_log, slots, lock_path, config_path) -> None:
    """Run SEQUENCE (a TOML file, or a built-in by name: see --list), repeated, and log every step."""
    if list_only:
        _list()
        return
    ctx = click.get_current_context()
    if sequence is None:
        raise RigError("name a sequence file or a built-in sequence (rig cycle --list shows them)")
    refuse_unless(ctx, sim, "--sim", "scenario", "sim_log", "slots")
    refuse_with(ctx, sim, "--sim", "serial", "model", why="the scenario names the cameras and their models")
    if not sim and not serial:
        raise RigError("--serial names the camera in the fixture (or add --sim)")
    config = load_config_or_fail(config_path)
    try:
        seq = load_sequence(sequence, OUTLET_NAMES, PATTERNS)
        check_results_path(csv_path, (CYCLE_COLUMNS,), CSV_WHAT)
        cameras = None if sim else FixedCamera(serial, model)
    except (SequenceError, ResultsError, SerialError) as exc:
        raise RigError(str(exc)) from None
    if lock_path is None and not sim:
        lock_path = config.bench.lock_file
    stop = StopFlag()
    try:
        with stop_on_signals(stop), contextlib.ExitStack() as held:
            held.enter_context(results_lock(csv_path))
            if lock_path:
                held.enter_context(fixture_lock(lock_path))
            try:
                out = DurableCsv(csv_path, CYCLE_COLUMNS, what=CSV_WHAT)
            except ResultsError as exc:
                raise RigError(str(exc)) from None
            for notice in out.notices:
                click.echo(f"rig: {notice}", err=True)
            scenario_obj = load_scenario_or_fail(scenario) if sim else None
            end = _run(config, seq, scenario_obj, cameras, out, stop, sim_log, slots)
    except FixtureBusy as exc:
        raise RigError(str(exc)) from None
    finally:
        stop.close()
    _finish(end, seq, csv_path, stop)


@dataclass
class _RunEnd:
    results: list[CameraCycles] = field(default_factory=list)
    fault: str = ""                                   # a rig fault stopped the run (exit 3)
    unsafe: list[str] = field(default_factory=list)   # what could not be put back in the safe state


def _run(config, seq: Sequence, scenario_obj, cameras, out: DurableCsv, stop: StopFlag, sim_log,
         slots=None) -> _RunEnd:
    end = _RunEnd()
    bench = fixture = progress = None

    def write(row: CycleRow) -> None:
        out.append_row(row.to_row(), f"the row of {row.serial} cycle {row.cycle} step {row.step}")

    try:
        stop.check()
        if scenario_obj is not None:
            bench = open_sim_bench(config, scenario_obj, None, sim_log, stop, slots)
            fixture, operator, cameras, total = bench.fixture, bench.operator, bench.cameras, len(scenario_obj.cameras)
        else:
            console = Console(stderr=True)
            fixture, operator, total = *_real_bench(config, stop, console), 1
        progress = CycleProgress(Console(stderr=True), total=total)
        if bench is not None and len(fixture.slots) > 1:
            # Several slots: each runs the sequence on its camera at once; bench steps are taken together.
            run_cycle_slots(fixture, bench.slot_cameras, operator, progress, seq, write, local_now, end.results,
                            stop, runner=bench.run_slots, loader=bench.loader)
        else:
            runner = CycleRunner(fixture, operator, progress, seq, write, local_now)
            for index, camera in enumerate(cameras):
                end.results.append(runner.run_camera(index, camera.serial, camera.model))
    except CycleAborted as exc:
        if exc.result not in end.results:
            end.results.append(exc.result)
        end.fault = str(exc)
    except ResultsError as exc:
        end.fault = str(exc)
    except StopRequested:
        pass   # reported by _finish, from the stop flag
    finally:
        if progress is not None:
            progress.close()
        end.unsafe = close_bench(bench, fixture)
    return end


def _finish(end: _RunEnd, seq: Sequence, csv_path: str, stop: StopFlag) -> None:
    """The summary, then the exit status: 128+N for a signal, 3 rig fault, 1 a failed cycle, else 0."""
    out = summary_console()
    if end.results:
        table, lines = cycle_summary(end.results)
        out.print(table)
        for line in lines:
            click.echo(line)
    click.echo(f"{seq.name}: cycle rows in {csv_path}")
    safe = safe_line(end.unsafe)
    if stop.requested:
        click.echo(f"rig: cycle interrupted by {stop.describe()}; the rows of the finished steps are in "
                   f"{csv_path}; {safe}", err=True)
        sys.exit(stop.exit_status)
    if end.fault or end.unsafe:
        click.echo(f"rig: {end.fault or 'the run ended'}; {safe}", err=True)
        sys.exit(EXIT_RIG_FAULT)
    if any(result.failed for result in end.results):
        sys.exit(EXIT_CYCLE_FAILED)


def _list() -> None:
    """Each built-in: the name to run it by, its title, repeat and steps."""
    for name, text in builtin_sequences().items():
        seq = parse_sequence(text, name, OUTLET_NAMES, PATTERNS)
        steps = "; ".join(step.action + (f" ({'/'.join(sorted(step.only))} cycle only)" if step.only else "")
                          for step in seq.steps)
        click.echo(f"{name}: {seq.name}, repeat {seq.repeat}{', stop on fail' if seq.stop_on_fail else ''}")
        click.echo(f"    {steps}")


def _real_bench(config, stop: StopFlag, console: Console):
    from rig.cli.common import build_real_fixture
    from rig.core.clock import MonotonicClock
    from rig.ui.terminal_operator import TerminalOperator

    clock = MonotonicClock(stop)
    return build_real_fixture(config, clock), TerminalOperator(clock, console)
