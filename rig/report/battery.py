"""The battery figures of one camera against their limits, and the load pulse reconstructed from them.

The rig does not sample the pulse: it takes one averaged reading before the load switch closes (background)
and one after it settles (loaded), three pulses, and keeps the median pulse's readings in the record. The
pulse plot is therefore drawn from those two levels and the configured pulse timing, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from rig.core.config import BatteryConfig
from rig.core.records import BatteryFigures, CameraRecord

MARGIN_S = 0.05  # time shown either side of the pulse


@dataclass(frozen=True)
class BatteryRow:
    """One battery figure on the sheet: value, limit and verdict (``passed`` None when it has no limit)."""

    name: str
    label: str
    value: float
    unit: str
    low: float | None
    high: float | None

    @property
    def passed(self) -> bool | None:
        if self.low is None and self.high is None:
            return None
        return (self.low is None or self.value >= self.low) and (self.high is None or self.value <= self.high)

    @property
    def limit_text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g} {self.unit}"
        if self.low is not None:
            return f"≥ {self.low:g} {self.unit}"
        if self.high is not None:
            return f"≤ {self.high:g} {self.unit}"
        return ""


LABELS = {
    "open_circuit_v": ("open-circuit voltage (extrapolated to 0 A)", "V"),
    "loaded_v": ("voltage under load", "V"),
    "background_v": ("voltage at background draw", "V"),
    "load_a": ("current under load", "A"),
    "background_a": ("background current (camera idle)", "A"),
    "internal_resistance_ohm": ("internal resistance ΔV/ΔI", "Ω"),
}


def recorded_limits(record: CameraRecord) -> dict[str, tuple[float | None, float | None]]:
    """The limits the battery step judged against, as it recorded them (the config of that run)."""
    limits: dict[str, tuple[float | None, float | None]] = {}
    for step in record.steps:
        if step.name != "battery":
            continue
        for m in step.measurements:
            if m.low is not None or m.high is not None:
                limits[m.name] = (m.low, m.high)
    return limits


def battery_figures(record: CameraRecord, cfg: BatteryConfig | None = None) -> list[BatteryRow]:
    """The sheet's battery table. Limits come from the record's battery step; when it recorded none, from
    ``cfg`` (the built-in defaults if not given)."""
    figures = record.battery
    if figures is None:
        return []
    cfg = cfg or BatteryConfig()
    fallback = {
        "open_circuit_v": (cfg.min_open_circuit_v, None),
        "loaded_v": (cfg.min_loaded_v, None),
        "internal_resistance_ohm": (None, cfg.max_internal_resistance_ohm),
    }
    limits = recorded_limits(record) or fallback
    out = []
    for name, (label, unit) in LABELS.items():
        low, high = limits.get(name, (None, None))
        out.append(BatteryRow(name, label, float(getattr(figures, name)), unit, low, high))
    return out


@dataclass(frozen=True)
class PulseShape:
    """The reconstructed pulse: step-shaped voltage and current over time (seconds, pulse starts at 0)."""

    t_s: tuple[float, ...]
    voltage_v: tuple[float, ...]
    current_a: tuple[float, ...]
    pulse_s: float
    settle_s: float
    delta_v: float
    delta_i_a: float
    resistance_ohm: float


def reconstruct_pulse(figures: BatteryFigures, cfg: BatteryConfig | None = None) -> PulseShape:
    """Background level, the loaded level for the pulse, background again; the levels are the record's."""
    cfg = cfg or BatteryConfig()
    pulse_s = cfg.pulse_s
    bg_v, bg_a = figures.background_v, figures.background_a
    on_v, on_a = figures.loaded_v, figures.load_a
    t = (-MARGIN_S, 0.0, 0.0, pulse_s, pulse_s, pulse_s + MARGIN_S)
    return PulseShape(
        t_s=t,
        voltage_v=(bg_v, bg_v, on_v, on_v, bg_v, bg_v),
        current_a=(bg_a, bg_a, on_a, on_a, bg_a, bg_a),
        pulse_s=pulse_s,
        settle_s=min(cfg.settle_s, pulse_s),
        delta_v=bg_v - on_v,
        delta_i_a=on_a - bg_a,
        resistance_ohm=figures.internal_resistance_ohm,
    )


def ohm_text(ohm: float) -> str:
    """Resistance as the sheet shows it, to the 0.1 mΩ the record keeps: the headline R (the median pulse's)
    then reads exactly as that pulse does in the per-pulse list and on the plot."""
    return f"{ohm:.4f} Ω"


def fixture_resistance(record: CameraRecord) -> float:
    """The fixture's own series resistance the battery step subtracted from each pulse (``rig calibrate``)."""
    for step in record.steps:
        if step.name == "battery":
            value = step.evidence.get("fixture_ohm", 0.0)
            return float(value) if isinstance(value, int | float) else 0.0
    return 0.0


def pulse_resistances(record: CameraRecord) -> list[float]:
    """Each pulse's R as the battery step recorded it (the figures are the median pulse's)."""
    for step in record.steps:
        if step.name == "battery":
            values = step.evidence.get("pulses_ohm", [])
            if isinstance(values, list):
                return [float(v) for v in values if isinstance(v, int | float)]
    return []
