"""``rig station``: the bench run from a browser. The bench keeps the main thread (and the signals); the page
is served by uvicorn in a thread (rig.ui.station.server). Results go through the same batch path and outputs
as ``rig test``, so a station's CSV is a ``rig test`` CSV."""

from __future__ import annotations

import ipaddress
import secrets
import signal
import sys
from pathlib import Path

import click

from rig.cli import RigError
from rig.cli.common import config_option, load_config_or_fail, refuse_unless, refuse_with, sim_slots_option
from rig.cli.test import OpenBench, batch_output_options, finish_batch, open_sim_bench, opened_batch, run_on_bench
from rig.core.colors import DISPOSITION_COLORS
from rig.core.lock import FixtureBusy
from rig.core.stop import StopFlag, stop_on_signals
from rig.output.results import ResultsError, check_results_path
from rig.procedure.controller import ProcedureController
from rig.procedure.slots import run_slots, run_threads
from rig.ui.scanner import MODELS, CameraId, SerialError, validate_serial
from rig.ui.station.board import LED_STRIP_S, StationBoard
from rig.ui.station.led import PhotodiodeLedSource
from rig.ui.station.listener import BoardListener
from rig.ui.station.page_operator import PageOperator, ShownOperator
from rig.ui.station.scans import ScannedCameras
from rig.ui.station.server import StationServer, create_app

SIM_SPEED = 20.0   # a --sim station paces virtual time so a person can watch it
PAGE_STOP_SIGNAL = signal.SIGTERM   # the page's Stop button ends the batch as a SIGTERM would
SLOT = 1           # the one slot of a fixture without slots


@click.command()
@click.option("--sim", is_flag=True, help="Run on the simulated bench (SCENARIO, or the built-in one).")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve the page on; anything but loopback needs a PIN to act.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any free port.")
@click.option("--pin", default=None, help="PIN for answering, scanning and stopping from the page "
              "[default: none on loopback, a new one printed otherwise].")
@click.option("--hands", type=click.Choice(["sim", "page"]), default="sim", show_default=True,
              help="--sim: who loads the cameras and answers the prompts, the simulated technician or the page "
                   "(scan a scenario serial to load that camera).")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True), default=None,
              help=f"--sim: pace virtual time at this many times real time [default: {SIM_SPEED:g}].")
@sim_slots_option("--sim: camera slots tested at once, a tile each [default: the scenario's [bench] slots].")
@batch_output_options
@click.option("--model", type=click.Choice(MODELS), default=MODELS[0], show_default=True,
              help="Model of the cameras scanned on the page (the fixture).")
@click.option("--sim-log", type=click.Path(dir_okay=False), default=None,
              help="--sim: append every outlet and actuator change to this CSV (t_s,device,state).")
@click.option("--lock", "lock_path", type=click.Path(dir_okay=False), default=None,
              help="Fixture lock file [default: bench.lock_file from the config; none with --sim].")
@click.option("--exit-when-done", is_flag=True,
              help="End once the batch is over (for scripts); otherwise the page stays up until Ctrl-C or SIGTERM.")
@config_option
def station(sim, scenario, host, port, pin, hands, speed, slots, csv_path, records_dir, trace_format, sheets,
            output_names, model, sim_log, lock_path, exit_when_done, config_path) -> None:
    """Run the bench and serve the operator's page: a tile per slot, prompts answered on the page, a scan field."""
    ctx = click.get_current_context()
    refuse_unless(ctx, sim, "--sim", "scenario", "speed", "slots", "sim_log", "hands")
    refuse_with(ctx, sim, "--sim", "model", why="the scenario names the cameras and their models")
    config = load_config_or_fail(config_path)
    try:
        check_results_path(csv_path)
    except ResultsError as exc:
        raise RigError(str(exc)) from None
    pin = _pin(host, pin)
    if lock_path is None and not sim:
        lock_path = config.bench.lock_file
    speed = speed or (SIM_SPEED if sim else None)
    stop = StopFlag()
    idle_stop = False
    try:
        with stop_on_signals(stop), opened_batch(csv_path, lock_path, records_dir, trace_format, sheets,
                                                 output_names, config, stop, scenario if sim else False) as opened:
            outputs, scenario_obj = opened
            served: list[tuple[StationServer, StationBoard]] = []
            page = _PageSetup(host, port, pin, csv_path, outputs.records_dir, stop, served, exit_when_done)

            def open_bench() -> OpenBench:
                if sim:
                    return page.sim_bench(open_sim_bench(config, scenario_obj, speed, sim_log, stop, slots),
                                          hands)
                return page.real_bench(config, model)

            try:
                run = run_on_bench(outputs, stop, open_bench)
                if served:
                    served[0][1].end_batch()
                    if not exit_when_done and not stop.requested:
                        click.echo("station: batch over; the page stays up until Ctrl-C or SIGTERM", err=True)
                        while not stop.requested:
                            stop.wait(3600.0)
                        idle_stop = True
            finally:
                for server, _board in served:
                    server.stop()
    except FixtureBusy as exc:
        raise RigError(str(exc)) from None
    finally:
        stop.close()
    # A signal once the batch was over is the ordinary way to close the page, not an interrupted batch.
    ended = StopFlag() if idle_stop else stop
    try:
        finish_batch(run, outputs, csv_path, ended)
    finally:
        if idle_stop:
            ended.close()


def _pin(host: str, pin: str | None) -> str | None:
    """Beyond this machine, acting needs a PIN: the one given, else a new one printed for the operator."""
    if pin is not None:
        pin = pin.strip()
        if not pin.isdigit() or not 4 <= len(pin) <= 12:
            raise RigError(f"--pin {pin!r}: give 4 to 12 digits")
        return pin
    if _loopback(host):
        return None
    pin = f"{secrets.randbelow(1_000_000):06d}"
    click.echo(f"station: PIN {pin} (needed on the page to answer, scan and stop; watching needs none)", err=True)
    return pin


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _PageSetup:
    """The page over a bench: the board on the bench's clock, its server, and the listener, operator and
    camera source that put the bench on the page."""

    def __init__(self, host, port, pin, csv_path, records_dir: Path, stop: StopFlag, served: list,
                 exit_when_done: bool) -> None:
        self.host, self.port, self.pin = host, port, pin
        self.csv_path, self.records_dir = csv_path, records_dir
        self.stop = stop
        self.served = served
        self.exit_when_done = exit_when_done

    def _serve(self, fixture, close) -> StationBoard:
        board = StationBoard(fixture.clock, slots=max(1, len(fixture.slots)))
        for tile in board.tiles:
            photodiode = fixture.slot_fixture(tile.slot).photodiode
            board.led_sources[tile.slot] = PhotodiodeLedSource(photodiode, fixture.clock, LED_STRIP_S)
        board.on_stop = lambda: self.stop.request(PAGE_STOP_SIGNAL)
        app = create_app(board, pin=self.pin, disposition_colours=DISPOSITION_COLORS,
                         report_page=lambda: _report_page(self.csv_path, self.records_dir))
        server = StationServer(app, self.host, self.port)
        try:
            server.start()
        except OSError as exc:
            close()
            raise RigError(str(exc)) from None
        self.served.append((server, board))
        click.echo(f"station: {server.url}", err=True)
        return board

    def sim_bench(self, bench, hands: str) -> OpenBench:
        board = self._serve(bench.fixture, bench.close)
        several = bool(bench.fixture.slots)
        loader = bench.loader
        if hands == "page":
            serials = {camera.serial for camera in bench.scenario.cameras}
            tested: set[str] = set()
            scanned: list[int] = []   # with several slots: the scenario index of each camera queued, in order

            def mount(serial: str) -> CameraId | None:
                index = next((n for n, spec in enumerate(bench.scenario.cameras) if spec.serial == serial), None)
                if index is None:
                    return None
                tested.add(serial)
                if several:
                    scanned.append(index)   # loaded by the slot that takes it (run_slots' loader)
                    return CameraId(serial, bench.scenario.cameras[index].model)
                return bench.mount_serial(serial)

            operator = PageOperator(board, bench.fixture.clock, board.slot_holding, app=bench.app)
            cameras = ScannedCameras(board, bench.fixture.clock, mount,
                                     done=lambda: self.exit_when_done and tested >= serials)
            loader = _ScannedLoader(loader, scanned)
        else:
            operator = ShownOperator(board, board.slot_holding, bench.operator)
            cameras = bench.slot_cameras if several else bench.cameras
        if several:
            return _slots_bench(bench.fixture, cameras, board, operator, self.stop, bench.close,
                                runner=bench.run_slots, loader=loader, swap_s=bench.scenario.swap_s)
        return OpenBench(ProcedureController(bench.fixture, operator, BoardListener(board, SLOT)), cameras,
                         bench.close)

    def real_bench(self, config, model: str) -> OpenBench:
        from rig.cli.common import build_real_fixture
        from rig.core.clock import MonotonicClock

        clock = MonotonicClock(self.stop)
        fixture = build_real_fixture(config, clock)
        board = self._serve(fixture, fixture.close)

        def mount(serial: str) -> CameraId | None:
            try:
                return CameraId(validate_serial(serial, "scanned serial"), model)
            except SerialError as exc:
                board.tell(str(exc))
                return None

        operator = PageOperator(board, clock, board.slot_holding)
        cameras = ScannedCameras(board, clock, mount)
        if fixture.slots:
            return _slots_bench(fixture, cameras, board, operator, self.stop, fixture.close, runner=run_threads)
        return OpenBench(ProcedureController(fixture, operator, BoardListener(board, SLOT)), cameras, fixture.close)


def _slots_bench(fixture, cameras, board: StationBoard, operator, stop: StopFlag, close, **run_keys) -> OpenBench:
    """Several slots: the one scheduler (rig.procedure.slots) with a tile per slot, each slot's events on its
    own tile; the operator names the slot of each prompt from the tile holding its camera."""
    return OpenBench(None, cameras, close, run=lambda outputs, records: run_slots(
        fixture, cameras, lambda slot: BoardListener(board, slot), operator, outputs, stop, records=records,
        **run_keys))


class _ScannedLoader:
    """The simulated technician's hands for scanned cameras: queue position ``index`` is the ``index``-th
    serial scanned, whichever scenario camera that is."""

    def __init__(self, loader, scanned: list[int]) -> None:
        self.loader = loader
        self.scanned = scanned

    def load(self, slot: int, index: int) -> None:
        self.loader.load(slot, self.scanned[index])

    def unload(self, slot: int) -> None:
        self.loader.unload(slot)


def _report_page(csv_path: str, records_dir: Path) -> str:
    """``rig report``'s page of this station's results file, as it stands now."""
    from rig.report import html
    from rig.report.batch_page import render_batch_page
    from rig.report.results_file import read_results
    from rig.report.summary import summarise

    summary = summarise(read_results([csv_path]), records_dir if records_dir.is_dir() else None)
    if not summary.rows:
        return html.page("Bench report", f"<h1>Bench report</h1><p>No camera finished yet in "
                                         f"{html.esc(csv_path)}.</p>")
    return render_batch_page(summary, None, records_dir if records_dir.is_dir() else None)


if __name__ == "__main__":  # pragma: no cover
    station(sys.argv[1:])
