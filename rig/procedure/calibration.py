"""The fixture's own series resistance (fuse, holder springs, leads: 30-80 mOhm), found once by ``rig calibrate``.

Between a pack and the INA219's VIN+ the fixture adds resistance the dual-pulse slope cannot tell from the
pack's own: a 0.22 ohm pack reads 0.27-0.33 ohm. Calibration runs the same load pulses on a calibration cell of
known internal resistance in the camera's holder: a stiff bench supply (set to 3.3 V) clipped to a dummy cell
(``known_ohm`` 0, the default), or a pack whose resistance a 4-wire tester measured. What the slope shows beyond
the known part is the fixture's, stored in a small TOML file that ``[battery] calibration_file`` names; the
battery test subtracts it.

Each slot of a fixture of several slots (docs/DESIGN.md, "Slots") has its own holder, fuse, leads and INA219, so
its own value. The file, as ``rig calibrate`` writes it::

    fixture_ohm = 0.05500          # one slot: the top-level keys, as before slots existed
    measured_ohm = ...

    [slots.2]                      # several slots: one table each, [slots.1] included
    fixture_ohm = 0.07200
    ...

A file with no ``[slots]`` table is every slot's (a fixture calibrated before it had several slots); in one that
has them, a slot without its table has no calibration (the top-level ``fixture_ohm``, if any, still reads as
slot 1's).
"""

from __future__ import annotations

import json
import statistics
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """A fixture of one slot: the top-level keys."""
    _write(path, f"{HEADER}{_entry(result.fixture_ohm, result.measured_ohm, result.known_ohm, when)}")


def save_slot_calibrations(path: str | Path, results: Mapping[int, Calibration], when: str,
                           keep_others: bool = False) -> None:
    """A fixture of several slots: a ``[slots.N]`` table for each slot in ``results``; with ``keep_others``
    the file's own tables for the other slots too (``rig calibrate --slot N`` recalibrates one slot)."""
    stored = _stored_slots(path) if keep_others else {}
    entries = {n: (e.get("fixture_ohm"), e.get("measured_ohm"), e.get("known_ohm"), e.get("calibrated_at"))
               for n, e in stored.items()}
    entries.update({n: (r.fixture_ohm, r.measured_ohm, r.known_ohm, when) for n, r in results.items()})
    _write(path, SLOTS_HEADER + "".join(f"\n[slots.{n}]\n{_entry(*entries[n])}" for n in sorted(entries)))


HEADER = "# Written by `rig calibrate`: the fixture's series resistance (fuse, holder springs, leads).\n"
SLOTS_HEADER = f"{HEADER}# One [slots.N] table per slot: each has its own holder, fuse, leads and INA219.\n"


def _entry(fixture: Any, measured: Any, known: Any, when: Any) -> str:
    lines = [f"{key} = {value:.5f}\n" for key, value in
             (("fixture_ohm", fixture), ("measured_ohm", measured), ("known_ohm", known))
             if isinstance(value, int | float) and not isinstance(value, bool)]
    return "".join(lines) + (f"calibrated_at = {json.dumps(when)}\n" if isinstance(when, str) else "")


def _write(path: str | Path, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")


def _stored_slots(path: str | Path) -> dict[int, dict[str, Any]]:
    """The calibrations already in the file by slot (none when there is no file): a file of one slot's
    top-level keys is slot 1's."""
    if not Path(path).exists():
        return {}
    data = _read(path)
    tables = _slot_tables(path, data)
    stored = {int(n): dict(t) for n, t in tables.items() if isinstance(t, dict)}
    if "fixture_ohm" in data and 1 not in stored:
        stored[1] = data
    return stored


def fixture_ohm(cfg: BatteryConfig, slot: int = 1) -> float:
    """Slot ``slot``'s fixture resistance to subtract: 0 when no calibration file is configured."""
    if cfg.calibration_file is None:
        return 0.0
    path = cfg.calibration_file
    if not Path(path).exists():
        raise CalibrationError(f"battery.calibration_file {path} does not exist: run `rig calibrate` once")
    data = _read(path)
    tables = _slot_tables(path, data)
    key, value = "fixture_ohm", data.get("fixture_ohm")
    if tables and (slot != 1 or str(slot) in tables or "fixture_ohm" not in data):
        table = tables.get(str(slot))
        if not isinstance(table, dict):
            raise CalibrationError(f"{path}: no calibration for slot {slot} ([slots.{slot}] missing): "
                                   f"run `rig calibrate --slot {slot}`")
        key, value = f"slots.{slot}.fixture_ohm", table.get("fixture_ohm")
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= value <= MAX_FIXTURE_OHM:
        raise CalibrationError(
            f"{path}: {key} must be a number from 0 to {MAX_FIXTURE_OHM:g} (got {value!r}): "
            "run `rig calibrate` again"
        )
    return float(value)


def _read(path: str | Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text_file(path, "calibration file", CalibrationError))
    except tomllib.TOMLDecodeError as exc:
        raise CalibrationError(f"{path}: not valid TOML ({exc}): run `rig calibrate` again") from None


def _slot_tables(path: str | Path, data: dict[str, Any]) -> dict[str, Any]:
    """The file's ``[slots.N]`` tables by number (as text); one line when ``slots`` is something else."""
    tables = data.get("slots", {})
    if not isinstance(tables, dict) or not all(str(n).isdigit() for n in tables):
        raise CalibrationError(f"{path}: slots must hold [slots.N] tables (N a slot number): run `rig calibrate` "
                               "again")
    return tables
