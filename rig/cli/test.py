"""``rig test``: the bench's main job, on the fixture or (``--sim``) on the simulated bench."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from rich.console import Console

from rig.cli import RigError
from rig.cli.common import config_option, exit_on_signals, load_config_or_fail, refuse_unless, refuse_with
from rig.core.lock import FixtureBusy, fixture_lock
from rig.output.results import ResultsCsv, ResultsError
from rig.procedure.batch import BatchOutputs, BatchStopped, run_batch
from rig.procedure.controller import BenchController
from rig.ui.progress import RichProgress, summary_table
from rig.ui.scanner import MODELS, FixedCamera, ScannerInput, SerialError

EXIT_BATCH_STOPPED = 3


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
@click.option("--serial", help="Serial of the one camera to test (otherwise scanned from stdin, one per line).")
@click.option("--model", type=click.Choice(MODELS), default="outdoor", show_default=True,
              help="Model of the cameras scanned on this run.")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True), default=None,
              help="--sim: pace virtual time at this many times real time.")
@click.option("--sim-log", type=click.Path(dir_okay=False), default=None,
              help="--sim: append every outlet and actuator change to this CSV (t_s,device,state).")
@click.option("--lock", "lock_path", type=click.Path(dir_okay=False), default=None,
              help="Fixture lock file [default: bench.lock_file from the config; none with --sim].")
@config_option
def test(sim, scenario, csv_path, records_dir, trace_format, sheets, serial, model, speed, sim_log, lock_path,
         config_path) -> None:
    """Test cameras one after another: observe, battery, motion, fix ladder, verdict, one CSV row each."""
    ctx = click.get_current_context()
    refuse_unless(ctx, sim, "--sim", "scenario", "speed", "sim_log")
    refuse_with(ctx, sim, "--sim", "serial", "model", why="the scenario names the cameras and their models")
    config = load_config_or_fail(config_path)
    try:
        # First, so an unusable results file fails before anything else is done.
        results = ResultsCsv(csv_path)
    except ResultsError as exc:
        raise RigError(str(exc)) from None
    scenario_obj = _load_scenario(scenario) if sim else None
    outputs = BatchOutputs(
        results,
        Path(records_dir) if records_dir else Path(csv_path).parent / "records",
        trace_format,
        sheets=sheets,
        battery_config=config.battery,
    )
    console = Console(stderr=True)
    if lock_path is None and not sim:
        lock_path = config.bench.lock_file
    try:
        with fixture_lock(lock_path) if lock_path else contextlib.nullcontext():
            _run(config, sim, scenario_obj, outputs, console, serial, model, speed, sim_log, csv_path)
    except FixtureBusy as exc:
        raise RigError(str(exc)) from None


def _run(config, sim, scenario_obj, outputs, console, serial, model, speed, sim_log, csv_path) -> None:
    with exit_on_signals():
        bench = None
        if sim:
            from rig.sim import ScenarioError, build_sim_bench

            try:
                bench = build_sim_bench(config, scenario_obj, speed=speed, sim_log=sim_log)
            except ScenarioError as exc:
                raise RigError(str(exc)) from None
            except OSError as exc:
                raise RigError(f"{exc.filename or sim_log}: cannot write the sim log: {exc.strerror or exc}") from None
            fixture, operator, cameras = bench.fixture, bench.operator, bench.cameras
            total = len(bench.scenario.cameras)
        else:
            fixture, operator, cameras, total = _real_bench(config, console, serial, model)
        progress = RichProgress(console, total=total)
        controller = BenchController(fixture, operator, progress)
        records: list = []
        stopped: str | None = None
        try:
            run_batch(controller, cameras, outputs, records)
        except BatchStopped as exc:
            stopped = str(exc)
        finally:
            progress.close()
            failed = fixture.safe_state()
            if bench is not None:
                bench.close()
            else:
                fixture.close()
            if failed:
                console.print(f"[red]could not switch back on: {', '.join(failed)}[/red]")
    out = Console()
    if not out.is_terminal:
        out = Console(width=160)  # a log file or a pipe: no terminal width to fit, keep rows on one line
    out.print(summary_table(records))
    written = "records and sheets" if outputs.sheets else "records"
    click.echo(f"results: {csv_path}  {written}: {outputs.records_dir}")
    for problem in outputs.problems:
        click.echo(f"rig: {problem}", err=True)
    if stopped:
        click.echo(f"rig: {stopped}", err=True)
        sys.exit(EXIT_BATCH_STOPPED)


def _load_scenario(scenario):
    from rig.sim import ScenarioError, load_sim_scenario

    try:
        return load_sim_scenario(scenario)
    except ScenarioError as exc:
        raise RigError(str(exc)) from None


def _real_bench(config, console: Console, serial: str | None, model: str):
    from rig.cli.common import build_real_fixture
    from rig.core.clock import MonotonicClock
    from rig.ui.terminal_operator import TerminalOperator

    try:
        cameras = FixedCamera(serial, model) if serial else None
    except SerialError as exc:
        raise RigError(str(exc)) from None
    clock = MonotonicClock()
    fixture = build_real_fixture(config, clock)
    if cameras is None:
        cameras = ScannerInput(
            sys.stdin,
            model,
            on_error=lambda exc: console.print(f"[red]{exc}[/red]: scan again"),
            prompt=lambda: console.print("Scan the next camera's serial (empty line to finish): ", end=""),
        )
    return fixture, TerminalOperator(clock, console), cameras, None
