"""The battery load test: Energizer's dual-pulse method through the INA219 and the load switch.

Background reading (the camera's own idle draw), then the load resistor across the pack for ``pulse_s`` (100 ms),
both averaged over several conversions; internal resistance is ΔV/ΔI between the two. Voltage and current of a
reading are converted together, so a WiFi burst of the camera during a window moves both consistently and the
slope stays right. Three pulses, median result: one disturbed pulse cannot decide a verdict.

What else the fixture puts in the way, and how the test deals with it:

* The pulse ends at its deadline on the rig's clock, however many samples were asked: the loaded reading stops
  taking samples when the next one would end after it (I2C time counts: ~1.2 ms a sample at 100 kHz).
* Fuse, holder springs and leads sit between the pack and the INA219 (30-80 mOhm): the slope measures them too.
  ``rig calibrate`` measures them once (:mod:`rig.procedure.calibration`) and the test subtracts them.
* The camera runs from the pack under test during the pulse (the changeover relay moves the camera and the
  meter together, so the reference-pack check of the load path stays possible). On a failing pack the pulse
  sags the supply below the camera's brown-out voltage (3 ohm behind 3.3 ohm: about 1.5 V) and the camera
  resets. The test sees it in the loaded voltage, takes no further pulse (each would reset the camera again, and
  one already condemns the pack), and says so, so the controller lets the camera start again before going on.
* A pulse that draws almost nothing is either a flat or missing pack (a camera verdict: ``battery_failing``) or a
  broken load path (a rig fault). The test tells them apart on the known-good reference pack: the same pulse
  through the changeover relay. It draws: the load path works and the camera's pack is flat. It does not: rig.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rig.core.clock import Clock
from rig.core.config import BatteryConfig
from rig.core.records import BatteryFigures, StepRecord
from rig.core.retry import retry_transient
from rig.hardware.actuators import BatteryChangeover, LoadSwitch
from rig.hardware.power_meter import PowerMeter, PowerReading
from rig.procedure.rig_fault import RigFault

PULSES = 3
PULSE_GAP_S = 0.5   # lets the pack recover between pulses
MIN_PULSE_A = 0.05  # a working load path draws far more from any pack that can run a camera
MIN_MEASURABLE_A = 0.001  # 10 shunt LSB at 0.1 ohm: below it ΔV/ΔI is noise
CHANGEOVER_SETTLE_S = 0.05  # the relay's operate time and contact bounce, with margin


class BatteryTestError(RigFault):
    """The rig could not measure (a rig fault, not a battery verdict)."""


@dataclass(frozen=True)
class PulseResult:
    background: PowerReading
    loaded: PowerReading
    pulse_s: float  # how long the load was on, on the rig's clock

    @property
    def delta_i_a(self) -> float:
        return self.loaded.current_a - self.background.current_a

    @property
    def resistance_ohm(self) -> float:
        """ΔV/ΔI, the slope between the two readings (not ΔV/I_loaded: the camera's own draw is in both)."""
        return (self.background.load_voltage_v - self.loaded.load_voltage_v) / self.delta_i_a

    @property
    def draws(self) -> bool:
        return self.delta_i_a >= MIN_PULSE_A


def load_pulse(meter: PowerMeter, load: LoadSwitch, clock: Clock, cfg: BatteryConfig) -> PulseResult:
    """One background reading, then the load on for ``cfg.pulse_s`` with a reading after ``cfg.settle_s``.

    A transient I2C error ends the pulse there (the load goes off) and the whole pulse is taken again after a
    backoff: retrying a reading inside the pulse would hold the load on past its deadline.
    """
    return retry_transient(lambda: _one_pulse(meter, load, clock, cfg), clock)


def _one_pulse(meter: PowerMeter, load: LoadSwitch, clock: Clock, cfg: BatteryConfig) -> PulseResult:
    background = meter.read()
    load.on()
    on_s = clock.now()
    deadline_s = on_s + cfg.pulse_s
    try:
        clock.sleep(cfg.settle_s)
        loaded = meter.read(deadline_s=deadline_s)
        remaining_s = deadline_s - clock.now()
        if remaining_s > 0:
            clock.sleep(remaining_s)
    finally:
        load.off()
    return PulseResult(background, loaded, clock.now() - on_s)


def reference_pulse(
    meter: PowerMeter, load: LoadSwitch, changeover: BatteryChangeover, clock: Clock, cfg: BatteryConfig
) -> PulseResult:
    """One load pulse on the known-good reference pack, through the changeover relay (released again after)."""
    was_reference = changeover.is_reference
    retry_transient(changeover.use_reference_pack, clock)
    try:
        clock.sleep(CHANGEOVER_SETTLE_S)
        return load_pulse(meter, load, clock, cfg)
    finally:
        if not was_reference:
            retry_transient(changeover.use_camera_pack, clock)
            clock.sleep(CHANGEOVER_SETTLE_S)


def _no_draw(
    pulse: PulseResult, meter: PowerMeter, load: LoadSwitch, changeover: BatteryChangeover, clock: Clock,
    cfg: BatteryConfig, step: StepRecord,
) -> str:
    """The pulse drew almost nothing: a flat pack (returns the camera verdict's reason) or the rig's load path
    (raises). The reference pack decides."""
    reference = reference_pulse(meter, load, changeover, clock, cfg)
    step.measure("reference_pack_pulse_a", round(reference.delta_i_a, 4), "A")
    drew_ma = pulse.delta_i_a * 1000
    if not reference.draws:
        raise BatteryTestError(
            f"load pulse drew only {drew_ma:.0f} mA from the camera's pack and "
            f"{reference.delta_i_a * 1000:.0f} mA from the reference pack: "
            "check the load switch MOSFET and the load resistor"
        )
    return (
        f"pack flat or missing: {pulse.background.load_voltage_v:.2f} V, the load pulse drew {drew_ma:.0f} mA "
        f"(the load path drew {reference.delta_i_a * 1000:.0f} mA from the reference pack)"
    )


def run_battery_test(
    meter: PowerMeter,
    load: LoadSwitch,
    changeover: BatteryChangeover,
    clock: Clock,
    cfg: BatteryConfig,
    step: StepRecord,
    fixture_ohm: float = 0.0,
) -> BatteryFigures | None:
    """Measure the pack on the fixture and judge it against the configured limits.

    ``fixture_ohm`` (from ``rig calibrate``) is subtracted from the measured slope. When the pulse browned the
    camera out, ``step.evidence["camera_browned_out"]`` is True: the camera is restarting. A flat pack fails
    with the reason in ``step.notes``; None when it gave nothing at all to measure (an empty holder).
    """
    pulses: list[PulseResult] = []
    flat_reason = ""
    for index in range(PULSES):
        if index:
            clock.sleep(PULSE_GAP_S)
        pulse = load_pulse(meter, load, clock, cfg)
        if pulse.loaded.clipped:
            raise BatteryTestError(
                f"INA219 reading clipped at its {meter.calibration.shunt_full_scale_v * 1000:.0f} mV range "
                "during the load pulse: raise power_meter.max_expected_current_a or use a larger load resistor"
            )
        if not pulse.draws:
            flat_reason = _no_draw(pulse, meter, load, changeover, clock, cfg, step)
            pulses = [pulse]
            break
        pulses.append(pulse)
        if pulse.loaded.load_voltage_v < cfg.camera_brownout_v:
            step.evidence["camera_browned_out"] = True
            step.notes = (
                f"the pulse sagged the pack to {pulse.loaded.load_voltage_v:.2f} V, below the camera's "
                f"{cfg.camera_brownout_v:g} V brown-out: the camera restarted; no further pulses"
            )
            break
    step.evidence["pulse_ms"] = [round(p.pulse_s * 1000, 1) for p in pulses]
    step.evidence["fixture_ohm"] = round(fixture_ohm, 4)
    if flat_reason:
        step.notes = flat_reason
        step.evidence["pack_flat"] = True
        flat = pulses[0]
        if abs(flat.delta_i_a) < MIN_MEASURABLE_A:
            return None  # nothing to measure: the notes say why
        return _figures(flat, flat.resistance_ohm, fixture_ohm, passed=False, reason=flat_reason)
    step.evidence["pulses_ohm"] = [round(p.resistance_ohm - fixture_ohm, 4) for p in pulses]
    median_pulse = sorted(pulses, key=lambda p: p.resistance_ohm)[len(pulses) // 2]
    figures = _figures(median_pulse, median_pulse.resistance_ohm, fixture_ohm, passed=True, reason="")
    checks = [
        step.measure("open_circuit_v", round(figures.open_circuit_v, 4), "V", low=cfg.min_open_circuit_v),
        step.measure("loaded_v", round(figures.loaded_v, 4), "V", low=cfg.min_loaded_v),
        step.measure("load_a", round(figures.load_a, 5), "A"),
        step.measure("background_a", round(figures.background_a, 5), "A"),
        step.measure("internal_resistance_ohm", round(figures.internal_resistance_ohm, 4), "ohm",
                     high=cfg.max_internal_resistance_ohm),
    ]
    failed = [m.name for m in checks if m.passed is False]
    if not failed:
        return figures
    return replace(figures, passed=False, reason="out of limits: " + ", ".join(failed))


def _figures(pulse: PulseResult, measured_ohm: float, fixture_ohm: float, passed: bool, reason: str) -> BatteryFigures:
    """The figures of one pulse: the open-circuit voltage extrapolated to zero current along the measured
    slope (fixture included: it is in the readings too), the pack's resistance without the fixture."""
    bg, loaded = pulse.background, pulse.loaded
    return BatteryFigures(
        open_circuit_v=bg.load_voltage_v + bg.current_a * measured_ohm,
        loaded_v=loaded.load_voltage_v,
        load_a=loaded.current_a,
        background_a=bg.current_a,
        background_v=bg.load_voltage_v,
        internal_resistance_ohm=measured_ohm - fixture_ohm,
        passed=passed,
        reason=reason,
    )
