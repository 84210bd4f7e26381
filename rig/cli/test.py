"""``rig test``: the bench's main job, on the fixture or (``--sim``) on the simulated bench."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.console import Console

from rig.cli import RigError
from rig.cli.common import (
    config_option,
    load_config_or_fail,
    refuse_unless,
    refuse_with,
    safe_line,
    sim_slots_option,
    summary_console,
)
from rig.core.config import ConfigError
from rig.core.lock import FixtureBusy, fixture_lock, results_lock
from rig.core.stop import INTERRUPTED_PREFIX, StopFlag, StopRequested, stop_on_signals
from rig.output.results import ResultsCsv, ResultsError, check_results_path
from rig.output.writers import OUTPUT_NAMES, BatchOutputs, OutputFailed
from rig.procedure.batch import BatchStopped, run_batch
from rig.procedure.controller import ProcedureController
from rig.procedure.slots import run_slots
from rig.ui.progress import RichProgress, SlotsProgress, summary_table
from rig.ui.scanner import MODELS, CameraId, FixedCamera, ScannerInput, SerialError

EXIT_BATCH_STOPPED = 3   # a rig fault stopped the batch
EXIT_OUTPUT_FAILED = 4   # a result could not be written (full disk, file size limit, unwritable folder)

_BATCH_OUTPUT_OPTIONS = [
    click.option("--csv", "csv_path", default="results.csv", show_default=True, type=click.Path(dir_okay=False),
                 help="Results CSV: one row per camera, appended."),
    click.option("--records", "records_dir", type=click.Path(file_okay=False), default=None,
                 help="Folder for each camera's JSON record and LED trace [default: 'records' beside the CSV]."),
    click.option("--trace-format", type=click.Choice(["csv", "vcd"]), default="csv", show_default=True),
    click.option("--sheets/--no-sheets", default=True, show_default=True,
                 help="Write each camera's HTML report sheet beside its record."),
    click.option("--output", "output_names", multiple=True, type=click.Choice(OUTPUT_NAMES),
                 help="What to write for each camera (repeat; default: all). The CSV row is always written."),
]


def batch_output_options(command):
    """``--csv --records --trace-format --sheets --output``: what a batch writes, the same for every command
    that runs one (``rig test``, ``rig station``)."""
    for option in reversed(_BATCH_OUTPUT_OPTIONS):
        command = option(command)
    return command


@click.command()
@click.option("--sim", is_flag=True, help="Run on the simulated bench (SCENARIO, or the built-in one).")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False))
@batch_output_options
@click.option("--serial", help="Serial of the one camera to test (otherwise scanned from stdin, one per line).")
@click.option("--model", type=click.Choice(MODELS), default=MODELS[0], show_default=True,
              help="Model of the cameras scanned on this run.")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True), default=None,
              help="--sim: pace virtual time at this many times real time.")
@sim_slots_option("--sim: camera slots tested at once [default: the scenario's [bench] slots].")
@click.option("--sim-log", type=click.Path(dir_okay=False), default=None,
              help="--sim: append every outlet and actuator change to this CSV (t_s,device,state).")
@click.option("--soak", type=click.IntRange(min=1, max=10_000), default=None,
              help="After a camera passes or is fixed: this many camera power cycles (the built-in camera soak); "
                   "one that fails to come back makes it fail.")
@click.option("--lock", "lock_path", type=click.Path(dir_okay=False), default=None,
              help="Fixture lock file [default: bench.lock_file from the config; none with --sim]. "
                   "Every run also locks its results file.")
@config_option
def test(sim, scenario, csv_path, records_dir, trace_format, sheets, output_names, serial, model, speed, slots,
         sim_log, soak, lock_path, config_path) -> None:
    """Test cameras one after another: observe, battery, motion, fix ladder, verdict, one CSV row each."""
    ctx = click.get_current_context()
    refuse_unless(ctx, sim, "--sim", "scenario", "speed", "slots", "sim_log")
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
        with stop_on_signals(stop), opened_batch(csv_path, lock_path, records_dir, trace_format, sheets,
                                                 output_names, config, stop, scenario if sim else False) as opened:
            outputs, scenario_obj = opened
            run = _run(config, sim, scenario_obj, outputs, console, serial, model, speed, sim_log, stop,
                       _soak_sequence(soak), slots)
    except FixtureBusy as exc:
        raise RigError(str(exc)) from None
    finally:
        stop.close()
    finish_batch(run, outputs, csv_path, stop)


@contextlib.contextmanager
def opened_batch(csv_path, lock_path, records_dir, trace_format, sheets, output_names, config, stop,
                 scenario) -> Iterator[tuple[BatchOutputs, object]]:
    """The results file and the per-camera outputs of a batch, under its locks; with the scenario (``False``
    for the fixture, None for the built-in one) loaded once the results file exists."""
    with contextlib.ExitStack() as held:
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
        scenario_obj = None if scenario is False else load_scenario_or_fail(scenario)
        yield BatchOutputs(
            results,
            Path(records_dir) if records_dir else Path(csv_path).parent / "records",
            trace_format,
            sheets=sheets,
            battery_config=config.battery,
            stop=stop,
            outputs=output_names or OUTPUT_NAMES,
        ), scenario_obj


@dataclass
class RunEnd:
    """How a batch ended, for the closing lines and the exit status."""

    records: list = field(default_factory=list)
    stopped: str | None = None        # a rig fault stopped the batch (exit 3)
    output_error: str | None = None   # a result could not be written (exit 4)
    unsafe: list[str] = field(default_factory=list)   # what could not be put back in the safe state


@dataclass
class OpenBench:
    """A bench ready for a batch, and how to put it back in the safe state however the batch ends."""

    controller: ProcedureController | None
    cameras: Iterable[CameraId]
    close: Callable[[], list[str]]   # returns what could not be made safe
    # Several slots: runs the whole batch instead (rig.procedure.slots.run_slots), filling the records list.
    run: Callable[[BatchOutputs, list], object] | None = None


def run_on_bench(outputs: BatchOutputs, stop: StopFlag, open_bench: Callable[[], OpenBench]) -> RunEnd:
    """The batch path of ``rig test`` and ``rig station``: one row per camera through ``outputs``, then the
    one safe state, reached through the fixture however the batch ended."""
    end = RunEnd()
    bench: OpenBench | None = None
    try:
        stop.check()   # a signal while the files were being opened: no bench is built
        bench = open_bench()
        if bench.run is not None:
            bench.run(outputs, end.records)
        else:
            assert bench.controller is not None
            run_batch(bench.controller, bench.cameras, outputs, end.records)
    except BatchStopped as exc:
        end.stopped = str(exc)
    except OutputFailed as exc:
        end.output_error = str(exc)
    except StopRequested:
        pass   # reported by finish_batch, from the stop flag
    finally:
        if bench is not None:
            end.unsafe = bench.close()
    return end


def open_sim_bench(config, scenario_obj, speed, sim_log, stop, slots=None):
    """The simulated bench (``slots``: override the scenario's), or one line saying why not."""
    from rig.sim import ScenarioError, build_sim_bench

    try:
        return build_sim_bench(config, scenario_obj, speed=speed, sim_log=sim_log, stop=stop, slots=slots)
    except (ScenarioError, ConfigError) as exc:
        raise RigError(str(exc)) from None
    except OSError as exc:
        raise RigError(f"{exc.filename or sim_log}: cannot write the sim log: {exc.strerror or exc}") from None


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


def _run(config, sim, scenario_obj, outputs, console, serial, model, speed, sim_log, stop, soak=None,
         slots=None) -> RunEnd:
    def open_bench() -> OpenBench:
        bench = None
        if sim:
            bench = open_sim_bench(config, scenario_obj, speed, sim_log, stop, slots)
            fixture, operator, cameras, close = bench.fixture, bench.operator, bench.cameras, bench.close
            total = len(bench.scenario.cameras)
        else:
            fixture, operator, cameras, total = _real_bench(config, console, serial, model, stop)
            close = fixture.close
        progress: RichProgress | SlotsProgress = (SlotsProgress(console, len(fixture.slots), total=total)
                                                  if fixture.slots else RichProgress(console, total=total))

        def close_all() -> list[str]:
            progress.close()
            return close()

        try:
            if isinstance(progress, SlotsProgress):
                several = progress
                sim_keys = ({"runner": bench.run_slots, "loader": bench.loader, "swap_s": bench.scenario.swap_s}
                            if bench is not None else {})
                queue = bench.slot_cameras if bench is not None else cameras
                return OpenBench(None, queue, close_all, run=lambda outputs, records: run_slots(
                    fixture, queue, several.listener, operator, outputs, stop, records=records, soak=soak,
                    **sim_keys))
            return OpenBench(ProcedureController(fixture, operator, progress, soak=soak), cameras, close_all)
        except BaseException:
            close_all()
            raise

    return run_on_bench(outputs, stop, open_bench)


def finish_batch(end: RunEnd, outputs: BatchOutputs, csv_path: str, stop: StopFlag) -> None:
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


def _interrupted_line(end: RunEnd, csv_path: str, stop: StopFlag) -> str:
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


def load_scenario_or_fail(scenario):
    from rig.sim import ScenarioError, load_sim_scenario

    try:
        return load_sim_scenario(scenario)
    except ScenarioError as exc:
        raise RigError(str(exc)) from None


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
