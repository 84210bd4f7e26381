"""The fixture's own series resistance (fuse, holder springs, leads: 30-80 mOhm), found once by ``rig calibrate``.

Between a pack and the INA219's VIN+ the fixture adds resistance the dual-pulse slope cannot tell from the
pack's own: a 0.22 ohm pack reads 0.27-0.33 ohm. Calibration runs the same load pulses on a calibration cell of
known internal resistance in the camera's holder: a stiff bench supply (set to 3.3 V) clipped to a dummy cell
(``known_ohm`` 0, the default), or a pack whose resistance a 4-wire tester measured. What the slope shows beyond
the known part is the fixture's, stored in a small TOML file that ``[battery] calibration_file`` names; the
battery test subtracts it.
"""

from __future__ import annotations

import statistics
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rig.core.clock import Clock
from rig.core.config import BatteryConfig
from rig.core.textfile import read_text_file
from rig.hardware.actuators import LoadSwitch
from rig.hardware.power_meter import PowerMeter
from rig.procedure.battery_test import PULSE_GAP_S, PULSES, load_pulse
from rig.procedure.rig_fault import RigFault

MAX_FIXTURE_OHM = 0.5  # beyond this something is loose, not merely resistive


class CalibrationError(RigFault):
    """Calibration could not be done or read: one line saying what to do."""


@dataclass(frozen=True)
class Calibration:
    fixture_ohm: float
    measured_ohm: float  # what the slope showed: the calibration cell plus the fixture
    known_ohm: float
    pulses_ohm: tuple[float, ...]


def calibrate(meter: PowerMeter, load: LoadSwitch, clock: Clock, cfg: BatteryConfig, known_ohm: float) -> Calibration:
    """Pulse the calibration cell ``PULSES`` times; the median slope minus ``known_ohm`` is the fixture's."""
    slopes = []
    for index in range(PULSES):
        if index:
            clock.sleep(PULSE_GAP_S)
        pulse = load_pulse(meter, load, clock, cfg)
        if not pulse.draws or pulse.loaded.clipped:
            raise CalibrationError(
                f"calibration pulse drew {pulse.delta_i_a * 1000:.0f} mA at {pulse.background.load_voltage_v:.2f} V"
                f"{' (clipped)' if pulse.loaded.clipped else ''}: is the calibration cell in the holder and powered?"
            )
        slopes.append(pulse.resistance_ohm)
    measured = statistics.median(slopes)
    fixture = measured - known_ohm
    if not 0.0 <= fixture <= MAX_FIXTURE_OHM:
        raise CalibrationError(
            f"calibration measured {measured:.4f} ohm against a {known_ohm:g} ohm cell, leaving {fixture:.4f} ohm "
            f"for the fixture (expected 0 to {MAX_FIXTURE_OHM:g}): check --known-ohm and the cell's contacts"
        )
    return Calibration(fixture, measured, known_ohm, tuple(round(s, 5) for s in slopes))


def save_calibration(path: str | Path, result: Calibration, when: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(
        "# Written by `rig calibrate`: the fixture's series resistance (fuse, holder springs, leads).\n"
        f"fixture_ohm = {result.fixture_ohm:.5f}\n"
        f"measured_ohm = {result.measured_ohm:.5f}\n"
        f"known_ohm = {result.known_ohm:.5f}\n"
        f'calibrated_at = "{when}"\n',
        encoding="utf-8",
    )


def fixture_ohm(cfg: BatteryConfig) -> float:
    """The fixture resistance to subtract: 0 when no calibration file is configured."""
    if cfg.calibration_file is None:
        return 0.0
    path = cfg.calibration_file
    if not Path(path).exists():
        raise CalibrationError(f"battery.calibration_file {path} does not exist: run `rig calibrate` once")
    try:
        value = tomllib.loads(read_text_file(path, "calibration file", CalibrationError)).get("fixture_ohm")
    except tomllib.TOMLDecodeError as exc:
        raise CalibrationError(f"{path}: not valid TOML ({exc}): run `rig calibrate` again") from None
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= value <= MAX_FIXTURE_OHM:
        raise CalibrationError(
            f"{path}: fixture_ohm must be a number from 0 to {MAX_FIXTURE_OHM:g} (got {value!r}): "
            "run `rig calibrate` again"
        )
    return float(value)
