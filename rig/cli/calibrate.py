"""``rig calibrate``: measure the fixture's own series resistance once, for the battery test to subtract."""

from __future__ import annotations

import contextlib
from datetime import datetime

import click

from rig.cli import RigError
from rig.cli.common import config_option, exit_on_signals, load_config_or_fail
from rig.procedure.rig_fault import RIG_FAULTS

CELL_HELP = (
    "Put the calibration cell in the camera's battery holder, no camera: CAL1, a dummy AA pair wired to a bench "
    "supply set to 3.3 V (--known-ohm 0), or a pack whose resistance a 4-wire tester measured (--known-ohm R)."
)


@click.command(epilog=CELL_HELP)
@click.option("--sim", is_flag=True, help="Calibrate the simulated fixture (its cell: 3.3 V behind --known-ohm).")
@click.option(
    "--known-ohm",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Internal resistance of the calibration cell in the holder.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to store the result (default: [battery] calibration_file of the config).",
)
@config_option
def calibrate(sim: bool, known_ohm: float, out_path: str | None, config_path: str | None) -> None:
    """Find the fixture's series resistance (fuse, holder springs, leads) with a calibration cell."""
    from rig.procedure.calibration import calibrate as measure
    from rig.procedure.calibration import save_calibration

    config = load_config_or_fail(config_path)
    path = out_path or config.battery.calibration_file
    if path is None:
        raise RigError("no file to keep the calibration in: set [battery] calibration_file in the config or pass --out")
    with exit_on_signals(), contextlib.ExitStack() as stack:
        if sim:
            from rig.sim import build_sim_bench

            bench = build_sim_bench(config)
            bench.world.fit_calibration_cell(known_ohm)
            fixture = bench.fixture
        else:
            from rig.cli.common import build_real_fixture
            from rig.core.clock import MonotonicClock
            from rig.core.lock import FixtureBusy, fixture_lock

            try:  # the same fixture as `rig test`: never both at once
                stack.enter_context(fixture_lock(config.bench.lock_file))
            except FixtureBusy as exc:
                raise RigError(str(exc)) from None
            click.echo(CELL_HELP)
            click.confirm("Is the calibration cell in the holder?", default=True, abort=True)
            fixture = build_real_fixture(config, MonotonicClock())
        try:
            if fixture.power_meter is None:
                raise RigError(fixture.power_meter_error or "INA219 not available")
            result = measure(fixture.power_meter, fixture.actuators.load_switch, fixture.clock, config.battery,
                             known_ohm)
        except RIG_FAULTS as exc:
            raise RigError(str(exc)) from None
        finally:
            fixture.close()
    try:
        save_calibration(path, result, datetime.now().astimezone().isoformat(timespec="seconds"))
    except OSError as exc:
        raise RigError(f"{path}: cannot write the calibration: {exc.strerror or exc}") from None
    click.echo(
        f"fixture resistance {result.fixture_ohm * 1000:.1f} mOhm (the slope read {result.measured_ohm * 1000:.1f} "
        f"mOhm against a {known_ohm * 1000:g} mOhm cell); saved to {path}"
    )
