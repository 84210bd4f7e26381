"""The battery load test: Energizer's dual-pulse method through the INA219 and the load switch.

Background reading (the camera's own idle draw), then the load resistor across the pack for ~100 ms, both
averaged over several conversions; internal resistance is ΔV/ΔI between the two. Voltage and current of a
reading are converted together, so a WiFi burst of the camera during a window moves both consistently and the
slope stays right. Three pulses, median result: one disturbed pulse cannot decide a verdict.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from rig.core.clock import Clock
from rig.core.config import BatteryConfig
from rig.core.records import BatteryFigures, StepRecord
from rig.core.retry import retry_transient
from rig.hardware.actuators import LoadSwitch
from rig.hardware.power_meter import PowerMeter, PowerReading
from rig.procedure.rig_fault import RigFault

PULSES = 3
PULSE_GAP_S = 0.5   # lets the pack recover between pulses


class BatteryTestError(RigFault):
    """The rig could not measure (a rig fault, not a battery verdict)."""


@dataclass(frozen=True)
class PulseResult:
    background: PowerReading
    loaded: PowerReading

    @property
    def delta_i_a(self) -> float:
        return self.loaded.current_a - self.background.current_a

    @property
    def resistance_ohm(self) -> float:
        return (self.background.load_voltage_v - self.loaded.load_voltage_v) / self.delta_i_a


def _pulse(meter: PowerMeter, load: LoadSwitch, clock: Clock, cfg: BatteryConfig) -> PulseResult:
    background = retry_transient(meter.read, clock)
    load.on()
    try:
        clock.sleep(cfg.settle_s)
        loaded = retry_transient(meter.read, clock)
        remaining = cfg.pulse_s - cfg.settle_s
        if remaining > 0:
            clock.sleep(remaining)
    finally:
        load.off()
    return PulseResult(background, loaded)


def run_battery_test(
    meter: PowerMeter, load: LoadSwitch, clock: Clock, cfg: BatteryConfig, step: StepRecord
) -> BatteryFigures:
    """Measure the pack on the fixture and judge it against the configured limits."""
    pulses: list[PulseResult] = []
    for index in range(PULSES):
        if index:
            clock.sleep(PULSE_GAP_S)
        pulse = _pulse(meter, load, clock, cfg)
        if pulse.loaded.overflow:
            raise BatteryTestError("INA219 overflowed during the load pulse: lower the load or widen the gain")
        if pulse.delta_i_a < 0.05:
            raise BatteryTestError(
                f"load pulse drew only {pulse.delta_i_a * 1000:.0f} mA more than the background: "
                "check the load switch MOSFET and the load resistor"
            )
        pulses.append(pulse)
    r_ohm = statistics.median(p.resistance_ohm for p in pulses)
    median_pulse = sorted(pulses, key=lambda p: p.resistance_ohm)[len(pulses) // 2]
    bg, loaded = median_pulse.background, median_pulse.loaded
    open_v = bg.load_voltage_v + bg.current_a * r_ohm   # extrapolated to zero current
    checks = [
        step.measure("open_circuit_v", round(open_v, 4), "V", low=cfg.min_open_circuit_v),
        step.measure("loaded_v", round(loaded.load_voltage_v, 4), "V", low=cfg.min_loaded_v),
        step.measure("load_a", round(loaded.current_a, 5), "A"),
        step.measure("background_a", round(bg.current_a, 5), "A"),
        step.measure("internal_resistance_ohm", round(r_ohm, 4), "ohm", high=cfg.max_internal_resistance_ohm),
    ]
    failed = [m.name for m in checks if m.passed is False]
    step.evidence.pulses_ohm = [round(p.resistance_ohm, 4) for p in pulses]
    return BatteryFigures(
        open_circuit_v=open_v,
        loaded_v=loaded.load_voltage_v,
        load_a=loaded.current_a,
        background_a=bg.current_a,
        background_v=bg.load_voltage_v,
        internal_resistance_ohm=r_ohm,
        passed=not failed,
        reason=("out of limits: " + ", ".join(failed)) if failed else "",
    )
