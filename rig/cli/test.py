"""``rig test``: the bench's main job, on the fixture or (``--sim``) on the simulated bench."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.console import Console

from rig.cli import RigError
from rig.cli.common import (
    build_sim_bench_or_fail,
    close_bench,
    config_option,
    load_config_or_fail,
    load_scenario_or_fail,
    refuse_unless,
    refuse_with,
    safe_line,
    summary_console,
)
from rig.core.lock import FixtureBusy, fixture_lock, results_lock
from rig.core.stop import INTERRUPTED_PREFIX, StopFlag, StopRequested, stop_on_signals
from rig.output.results import ResultsCsv, ResultsError, check_results_path
from rig.output.writers import OUTPUT_NAMES, BatchOutputs, OutputFailed
from rig.procedure.batch import BatchStopped, run_batch
from rig.procedure.controller import ProcedureController
from rig.ui.progress import RichProgress, summary_table
from rig.ui.scanner import MODELS, FixedCamera, ScannerInput, SerialError

EXIT_BATCH_STOPPED = 3   # a rig fault stopped the batch
EXIT_OUTPUT_FAILED = 4   # a result could not be written (full disk, file size limit, unwritable folder)


@click.command()
@click.option("--sim", is_flag=True, help="Run on the simulated bench (SCENARIO, or the built-in one).")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False))
@click.option("--csv", "csv_path", default="results.csv", show_default=True, type=click.Path(dir_okay=False),
              help="Results CSV: one row per camera, appended.")
@click.option("--records", "records_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for each camera's JSON record and LED trace [default: 'records' beside the CSV].")
@click.option("--trace-format", type=click.Choice(["csv", "vcd"]), default="csv", show_default=True)
@click.option("--sheets/--no-sheets", default=True, show_default=True,
              help="Write each camera's HTML report sheet beside its record.")
@click.option("--output", "output_names", multiple=True, type=click.Choice(OUTPUT_NAMES),
              help="What to write for each camera (repeat; default: all). The CSV row is always written.")
@click.option("--serial", help="Serial of the one camera to test (otherwise scanned from stdin, one per line).")
@click.option("--model", type=click.Choice(MODELS), default=MODELS[0], show_default=True,
              help="Model of the cameras scanned on this run.")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True), default=None,
              help="--sim: pace virtual time at this many times real time.")
@click.option("--sim-log", type=click.Path(dir_okay=False), default=None,
              help="--sim: append every outlet and actuator change to this CSV (t_s,device,state).")
@click.option("--soak", type=click.IntRange(min=1, max=10_000), default=None,
              help="After a camera passes or is fixed: this many camera power cycles (the built-in camera soak); "
                   "one that fails to come back makes it fail.")
@click.option("--lock", "lock_path", type=click.Path(dir_okay=False), default=None,
              help="Fixture lock file [default: bench.lock_file from the config; none with --sim]. "
                   "Every run also locks its results file.")
@config_option
def test(sim, scenario, csv_path, records_dir, trace_format, sheets, output_names, serial, model, speed, sim_log,
         soak, lock_path, config_path) -> None:
    """Test cameras one after another: observe, battery, motion, fix ladder, verdict, one CSV row each."""
    ctx = click.get_current_context()
    refuse_unless(ctx, sim, "--sim", "scenario", "speed", "sim_log")
    refuse_with(ctx, sim, "--sim", "serial", "model", why="the scenario names the cameras and their models")
    config = load_config_or_fail(config_path)
    try:
        check_results_path(csv_path)   # read-only: nothing is written before the locks are held
    except ResultsError as exc:
        raise RigError(str(exc)) from None
    if lock_path is None and not sim:
        lock_path = config.bench.lock_file
    console = Console(stderr=True)
    stop = StopFlag()
    try:
        with stop_on_signals(stop), contextlib.ExitStack() as held:
            held.enter_context(results_lock(csv_path))   # every run: two writers would interleave rows
            if lock_path:
                held.enter_context(fixture_lock(lock_path))
            try:
                results = ResultsCsv(csv_path)
            except ResultsError as exc:
                raise RigError(str(exc)) from None
            for notice in results.notices:
                click.echo(f"rig: {notice}", err=True)
            # After the results file exists: a refused scenario leaves a valid, empty results file (header
            # only) for the tools that read it, and nothing else.
            scenario_obj = load_scenario_or_fail(scenario) if sim else None
            outputs = BatchOutputs(
                results,
                Path(records_dir) if records_dir else Path(csv_path).parent / "records",
                trace_format,
                sheets=sheets,
                battery_config=config.battery,
                stop=stop,
                outputs=output_names or OUTPUT_NAMES,
            )
            run = _run(config, sim, scenario_obj, outputs, console, serial, model, speed, sim_log, stop,
                       _soak_sequence(soak))
    except FixtureBusy as exc:
        raise RigError(str(exc)) from None
    finally:
        stop.close()
    _finish(run, outputs, csv_path, stop)


@dataclass
class _RunEnd:
    """How a batch ended, for the closing lines and the exit status."""

    records: list = field(default_factory=list)
    stopped: str | None = None        # a rig fault stopped the batch (exit 3)
    output_error: str | None = None   # a result could not be written (exit 4)
    unsafe: list[str] = field(default_factory=list)   # what could not be put back in the safe state


def _soak_sequence(cycles: int | None):
    """``--soak N``: the built-in camera soak, N cycles (None without the option)."""
    if cycles is None:
        return None
    from dataclasses import replace

    from rig.core.config import OUTLET_NAMES
    from rig.led.patterns import Pattern
    from rig.procedure.sequence_file import load_sequence

    soak = load_sequence("camera-soak", OUTLET_NAMES, tuple(p.value for p in Pattern))
    return replace(soak, repeat=cycles)


def _run(config, sim, scenario_obj, outputs, console, serial, model, speed, sim_log, stop, soak=None) -> _RunEnd:
    end = _RunEnd()
    bench = fixture = None
    progress = None
    try:
        stop.check()   # a signal while the files were being opened: no bench is built
        if sim:
            bench = build_sim_bench_or_fail(config, scenario_obj, stop, speed, sim_log)
            fixture, operator, cameras = bench.fixture, bench.operator, bench.cameras
            total = len(bench.scenario.cameras)
        else:
            fixture, operator, cameras, total = _real_bench(config, console, serial, model, stop)
        progress = RichProgress(console, total=total)
        controller = ProcedureController(fixture, operator, progress, soak=soak)
        run_batch(controller, cameras, outputs, end.records)
    except BatchStopped as exc:
        end.stopped = str(exc)
    except OutputFailed as exc:
        end.output_error = str(exc)
    except StopRequested:
        pass   # reported by _finish, from the stop flag
    finally:
        if progress is not None:
            progress.close()
        end.unsafe = close_bench(bench, fixture)
    return end


def _finish(end: _RunEnd, outputs: BatchOutputs, csv_path: str, stop: StopFlag) -> None:
    """The closing lines, then the exit status: 128+N for a signal, 4 output failed, 3 rig fault, else 0."""
    out = summary_console()
    if end.records:
        out.print(summary_table(end.records))
    written = "records and sheets" if outputs.sheets else "records"
    click.echo(f"results: {csv_path}  {written}: {outputs.records_dir}" if outputs.writes_records
               else f"results: {csv_path}")
    for problem in outputs.problems:
        click.echo(f"rig: {problem}", err=True)
    safe = safe_line(end.unsafe)
    if stop.requested:
        click.echo(f"rig: {_interrupted_line(end, csv_path, stop)}; {safe}", err=True)
        sys.exit(stop.exit_status)
    if end.unsafe and safe not in (end.stopped or ""):
        click.echo(safe, err=True)   # its own line: the stop line below stays the batch's one reason
    if end.output_error:
        click.echo(f"rig: {end.output_error}; the batch stopped, {safe}", err=True)
        sys.exit(EXIT_OUTPUT_FAILED)
    if end.stopped:
        click.echo(f"rig: {end.stopped}", err=True)
        sys.exit(EXIT_BATCH_STOPPED)
    if end.unsafe:
        sys.exit(EXIT_BATCH_STOPPED)


def _interrupted_line(end: _RunEnd, csv_path: str, stop: StopFlag) -> str:
    """What was interrupted and what was written: the technician must know which camera to test again."""
    last = end.records[-1] if end.records else None
    if last is not None and any(note.startswith(INTERRUPTED_PREFIX) for note in last.notes):
        what = f"during camera {last.serial} (its row is written as aborted: test it again)"
    elif last is not None:
        what = f"after camera {last.serial}, before the next one"
    else:
        what = "before the first camera"
    rows = len(end.records) - (1 if end.output_error else 0)
    return (f"interrupted by {stop.describe()} {what}; {rows} row{'s' if rows != 1 else ''} written to "
            f"{csv_path} this run")


def _real_bench(config, console: Console, serial: str | None, model: str, stop: StopFlag):
    from rig.cli.common import build_real_fixture
    from rig.core.clock import MonotonicClock
    from rig.ui.terminal_operator import TerminalOperator

    try:
        cameras = FixedCamera(serial, model) if serial else None
    except SerialError as exc:
        raise RigError(str(exc)) from None
    clock = MonotonicClock(stop)
    fixture = build_real_fixture(config, clock)
    if cameras is None:
        cameras = ScannerInput(
            sys.stdin,
            model,
            on_error=lambda exc: console.print(f"[red]{exc}[/red]: scan again"),
            prompt=lambda: console.print("Scan the next camera's serial (empty line to finish): ", end=""),
            stop=stop,
        ).ask_on_repeat(
            lambda serial, line: console.print(
                f"{serial} was already tested in this batch (scan {line}). Test it again? [y/N] ", end="")
        )
    return fixture, TerminalOperator(clock, console), cameras, None
