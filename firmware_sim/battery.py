"""The battery pack as a circuit: an open-circuit voltage behind an internal resistance.

A tired lithium pack still reads a healthy open-circuit voltage; what gives it away is the sag under load
(domain notes). So the pack is modelled as ``OCV`` in series with ``R_int``, and everything the bench sees
(the camera's low-battery detector, the INA219) is computed from the current actually drawn.

The camera's current draws are NOT published anywhere: :data:`ASSUMED_CAMERA_ELECTRICAL` holds every
assumed number in one place so nobody mistakes them for measurements.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BatterySpec:
    """A pack as a scenario gives it: open-circuit voltage and internal resistance."""

    open_circuit_v: float
    internal_resistance_ohm: float


@dataclass(frozen=True)
class CameraElectrical:
    """ASSUMPTIONS, not measurements: what a battery camera draws and where its low-battery alarm trips.

    Blink publishes none of these. Orders of magnitude only: a 2 x AA camera idles in the tens of mA and
    draws a few hundred mA while its radio and video encoder run.
    """

    booting_a: float = 0.12        # processor and sensor start-up
    idle_a: float = 0.015          # online, PIR armed, radio asleep between heartbeats
    searching_a: float = 0.06      # offline: radio scanning between connection attempts
    wifi_a: float = 0.20           # a WiFi burst: connection attempt or heartbeat
    recording_a: float = 0.30      # encoding and uploading a clip
    low_battery_v: float = 2.5     # the firmware's alarm: pack terminal voltage while recording below this
    brownout_v: float = 2.0        # below this the regulator drops out and the camera resets (a failing pack
                                   # under the 3.3 ohm load pulse: about 1.5 V)


ASSUMED_CAMERA_ELECTRICAL = CameraElectrical()

HEALTHY_PACK = BatterySpec(open_circuit_v=3.5, internal_resistance_ohm=0.25)
"""The pack a camera gets when its scenario gives none (2 x L91 in good shape)."""

FAILING_PACK = BatterySpec(open_circuit_v=2.9, internal_resistance_ohm=3.0)
"""The pack a ``battery_failing`` camera gets when its scenario gives none."""

REFERENCE_PACK = BatterySpec(open_circuit_v=3.55, internal_resistance_ohm=0.2)
"""The known-good pack behind the changeover relay."""

FIXTURE_SERIES_OHM = 0.055
"""ASSUMED: what lies between a pack and the INA219's VIN+ (a 2 A polyfuse ~20 mOhm, the holder's springs and
contacts 2 x ~10 mOhm, the leads ~15 mOhm; 30-80 mOhm on a real fixture). The rig measures the pack plus this;
``rig calibrate`` finds it once so the battery test can subtract it. It is slot 1's; see :func:`fixture_series_ohm`."""

SLOT_FIXTURE_SERIES_OHM = (FIXTURE_SERIES_OHM, 0.072, 0.063, 0.078, 0.058, 0.069, 0.075, 0.061)
"""ASSUMED: slots 1..8 of a fixture of several slots, each with its own holder, fuse and leads (a slot farther
from its INA219 has longer leads): the same 30-80 mOhm, never twice the same, so a battery test that subtracts
another slot's calibration is seen to be off (slot 2's is 17 mOhm above slot 1's)."""


def fixture_series_ohm(slot: int) -> float:
    """The fixture resistance of slot ``slot`` (1-based) of the simulated bench."""
    return SLOT_FIXTURE_SERIES_OHM[slot - 1]


def terminal_v(pack: BatterySpec, current_a: float) -> float:
    """Terminal voltage while ``current_a`` flows out of the pack (never below zero)."""
    return max(0.0, pack.open_circuit_v - pack.internal_resistance_ohm * current_a)


def sags_below_alarm(pack: BatterySpec, electrical: CameraElectrical = ASSUMED_CAMERA_ELECTRICAL) -> bool:
    """Would a camera recording on this pack (and nothing else drawing) see its low-battery alarm?"""
    return terminal_v(pack, electrical.recording_a) < electrical.low_battery_v


@dataclass(frozen=True)
class OperatingPoint:
    """One solution of the bench circuit: the pack's terminal voltage and the current leaving it."""

    terminal_v: float
    current_a: float


def solve_circuit(
    pack: BatterySpec,
    constant_current_a: float,
    load_ohm: float | None = None,
    series_ohm: float = 0.0,
) -> OperatingPoint:
    """The pack feeding a constant-current sink (the camera) and, optionally, a resistor (the load pulse).

    ``series_ohm`` sits between the pack and both loads (the INA219's shunt), so the resistor sees the pack
    voltage minus that drop. With ``R = R_int + series_ohm`` and node voltage ``V``:
    ``V = (OCV - R * I_cam) / (1 + R / R_load)``, and the pack delivers ``I_cam + V / R_load``.
    """
    r_series = pack.internal_resistance_ohm + series_ohm
    if load_ohm is None:
        current_a = constant_current_a
    else:
        node_v = (pack.open_circuit_v - r_series * constant_current_a) / (1.0 + r_series / load_ohm)
        current_a = constant_current_a + max(0.0, node_v) / load_ohm
    return OperatingPoint(terminal_v(pack, current_a), current_a)
