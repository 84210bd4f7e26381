"""``rig calibrate``: measure each slot's own series resistance once, for the battery test to subtract."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

import click

from rig.cli import RigError
from rig.cli.common import (
    config_option,
    exit_if_interrupted,
    interruptible,
    load_config_or_fail,
    refuse_unless,
    sim_slots_option,
)
from rig.core.config import MAX_SLOTS
from rig.procedure.rig_fault import RIG_FAULTS

if TYPE_CHECKING:
    from rig.hardware.fixture import Fixture
    from rig.procedure.calibration import Calibration

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
@click.option("--slot", type=click.IntRange(min=1, max=MAX_SLOTS), default=None,
              help="Calibrate this slot only, keeping the file's other slots [default: every slot].")
@sim_slots_option("--sim: camera slots on the simulated fixture [default: the config's [bench] slots].")
@config_option
def calibrate(sim: bool, known_ohm: float, out_path: str | None, slot: int | None, slots: int | None,
              config_path: str | None) -> None:
    """Find each slot's series resistance (fuse, holder springs, leads) with a calibration cell."""
    refuse_unless(click.get_current_context(), sim, "--sim", "slots",
                  why="a real fixture's slots are its config's [slots.N] tables")
    config = load_config_or_fail(config_path)
    path = out_path or config.battery.calibration_file
    if path is None:
        raise RigError("no file to keep the calibration in: set [battery] calibration_file in the config or pass --out")
    count = (slots or config.slot_count) if sim else config.slot_count
    if slot is not None and slot > count:
        raise RigError(f"--slot {slot}: the fixture has {count} slot{'s' if count > 1 else ''}")
    wanted = [slot] if slot is not None else list(range(1, count + 1))
    several = count > 1
    unsafe: list[str] = []
    with contextlib.ExitStack() as stack:
        if not sim:
            from rig.core.lock import FixtureBusy, fixture_lock

            try:  # the same fixture as `rig test`: never both at once
                stack.enter_context(fixture_lock(config.bench.lock_file))
            except FixtureBusy as exc:
                raise RigError(str(exc)) from None
            click.echo(CELL_HELP)
            if not several:
                click.confirm("Is the calibration cell in the holder?", default=True, abort=True)
        with interruptible() as stop:
            if sim:
                from rig.cli.test import open_sim_bench

                bench = open_sim_bench(config, None, None, None, stop, count)
                bench.fit_calibration_cells(known_ohm)
                fixture = bench.fixture
            else:
                from rig.cli.common import build_real_fixture
                from rig.core.clock import MonotonicClock

                fixture = build_real_fixture(config, MonotonicClock(stop))
            results: dict[int, Calibration] = {}
            failed: dict[int, str] = {}
            try:
                for number in wanted:
                    if several and not sim:   # one cell, moved from holder to holder
                        click.confirm(f"Is the calibration cell in slot {number}'s holder?", default=True, abort=True)
                    try:
                        results[number] = _measure(fixture.slot_fixture(number), known_ohm)
                    except RIG_FAULTS as exc:
                        failed[number] = str(exc)
            finally:
                unsafe = fixture.close()
        exit_if_interrupted(stop, "rig calibrate", f"nothing saved to {path}", unsafe)
    if not several:
        if failed:
            raise RigError(failed[1])
        _save(path, results)
        result = results[1]
        click.echo(
            f"fixture resistance {result.fixture_ohm * 1000:.1f} mOhm (the slope read "
            f"{result.measured_ohm * 1000:.1f} mOhm against a {known_ohm * 1000:g} mOhm cell); saved to {path}"
        )
        return
    if results:
        # The slots not measured now (or that failed) keep the value the file has for them.
        _save(path, results, several=True, keep_others=slot is not None or bool(failed))
    for number, result in results.items():
        click.echo(f"slot {number}: fixture resistance {result.fixture_ohm * 1000:.1f} mOhm (the slope read "
                   f"{result.measured_ohm * 1000:.1f} mOhm against a {known_ohm * 1000:g} mOhm cell)")
    if results:
        click.echo(f"saved slot{'s' if len(results) > 1 else ''} {', '.join(map(str, results))} to {path}")
    for number, why in failed.items():
        click.echo(f"rig: slot {number}: {why}", err=True)
    if failed:
        raise SystemExit(RigError.exit_code)


def _measure(view: Fixture, known_ohm: float) -> Calibration:
    """One slot's calibration on its own INA219 and load switch."""
    from rig.procedure.calibration import CalibrationError
    from rig.procedure.calibration import calibrate as measure

    if view.power_meter is None:
        raise CalibrationError(view.power_meter_error or "INA219 not available")
    return measure(view.power_meter, view.actuators.load_switch, view.clock, view.config.battery, known_ohm)


def _save(path: str, results: dict[int, Calibration], several: bool = False, keep_others: bool = False) -> None:
    from rig.procedure.calibration import CalibrationError, save_calibration, save_slot_calibrations

    when = datetime.now().astimezone().isoformat(timespec="seconds")
    try:
        if several:
            save_slot_calibrations(path, results, when, keep_others)
        else:
            save_calibration(path, results[1], when)
    except CalibrationError as exc:
        raise RigError(str(exc)) from None
    except OSError as exc:
        raise RigError(f"{path}: cannot write the calibration: {exc.strerror or exc}") from None
