"""Benchmark: the battery load pulse on the emulated INA219 at the Pi's 100 kHz I2C, the rig against the baseline.

The baseline is how the rig read before (every sample: shunt, bus, OVF, current with its calibration re-write,
power with another, i.e. 7 transactions; the loaded reading runs to its sample count whatever the clock says;
the fixture's series resistance left in). The rig now reads shunt and bus only, stops the loaded reading at the
pulse deadline and subtracts the fixture resistance `rig calibrate` found. Both run here, on the same simulated
packs, in virtual time: pulse length on the emulator's clock, time per sample, and R against the emulated pack.

    python benchmarks/bench_load_pulse.py [--samples 16]
"""

from __future__ import annotations

import argparse
import statistics

from firmware_sim.battery import BatterySpec
from firmware_sim.desk import Desk, build_desk, single_camera
from rig.core.config import RigConfig, load_config
from rig.core.records import StepRecord
from rig.procedure.battery_test import run_battery_test
from rig.procedure.calibration import calibrate

PACKS = [BatterySpec(3.6, 0.12), BatterySpec(3.5, 0.22), BatterySpec(3.3, 0.45), BatterySpec(3.1, 0.9)]


def mounted(pack: BatterySpec, config: RigConfig) -> Desk:
    desk = build_desk(single_camera("outdoor", (), pack), config=config)
    desk.world.mount(0)
    desk.clock.sleep(30.0)
    _ = desk.power_meter  # set-up traffic spent before anything is timed
    return desk


def baseline_sample(desk: Desk) -> tuple[float, float]:
    """One sample as the rig took it before: every register the driver offers, power last."""
    ina = desk.power_meter._ina
    shunt_v, bus_v = ina.shunt_voltage, ina.bus_voltage
    _ = ina.overflow, ina.current, ina.power
    return bus_v + shunt_v, shunt_v / desk.config.power_meter.shunt_ohm


def baseline_reading(desk: Desk, samples: int) -> tuple[float, float]:
    taken = [baseline_sample(desk) for _ in range(samples)]
    return statistics.fmean(v for v, _ in taken), statistics.fmean(i for _, i in taken)


def baseline_pulse(desk: Desk, samples: int) -> tuple[float, float]:
    """(R, pulse seconds) the old way: background, load on, settle, a full loaded reading, then the rest."""
    cfg = desk.config.battery
    v0, i0 = baseline_reading(desk, samples)
    load = desk.actuators.load_switch
    load.on()
    on_s = desk.clock.now()
    desk.clock.sleep(cfg.settle_s)
    v1, i1 = baseline_reading(desk, samples)
    desk.clock.sleep(max(0.0, cfg.pulse_s - cfg.settle_s))
    load.off()
    return (v0 - v1) / (i1 - i0), desk.clock.now() - on_s


def fixture_calibration(config: RigConfig) -> float:
    desk = build_desk(single_camera("outdoor", ()), config=config)
    desk.world.fit_calibration_cell(0.0)
    return calibrate(desk.power_meter, desk.actuators.load_switch, desk.clock, config.battery, 0.0).fixture_ohm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=16)
    args = parser.parse_args()
    base = load_config()
    config = base.model_copy(update={"power_meter": base.power_meter.model_copy(update={"samples": args.samples})})
    fixture_ohm = fixture_calibration(config)
    print(f"I2C at {config.power_meter.i2c_bus_hz / 1000:g} kHz, {args.samples} samples a reading; "
          f"rig calibrate found {fixture_ohm * 1000:.1f} mOhm of fixture")
    print(f"{'pack':>14} | {'baseline: pulse':>15} {'R':>7} {'err':>6} | {'rig: pulse':>10} {'R':>7} {'err':>6}")
    base_errors, rig_errors, base_pulses, rig_pulses = [], [], [], []
    for pack in PACKS:
        desk = mounted(pack, config)
        r_base, pulse_base = baseline_pulse(desk, args.samples)
        desk.clock.sleep(0.5)
        step = StepRecord("battery", desk.clock.now())
        figures = run_battery_test(desk.power_meter, desk.actuators.load_switch, desk.actuators.battery_changeover,
                                   desk.clock, config.battery, step, fixture_ohm)
        pulse_rig = statistics.median(step.evidence["pulse_ms"]) / 1000
        true_ohm = pack.internal_resistance_ohm
        err_base = r_base / true_ohm - 1
        err_rig = figures.internal_resistance_ohm / true_ohm - 1
        base_errors.append(abs(err_base))
        rig_errors.append(abs(err_rig))
        base_pulses.append(pulse_base)
        rig_pulses.append(pulse_rig)
        print(f"{pack.open_circuit_v:4.1f} V {true_ohm:5.2f} Ω | {pulse_base * 1000:12.1f} ms {r_base:7.3f} "
              f"{err_base:+6.1%} | {pulse_rig * 1000:7.1f} ms {figures.internal_resistance_ohm:7.3f} {err_rig:+6.1%}")
    per_sample_base = 7 * desk.i2c_bus.transaction_s(48)
    per_sample_rig = 2 * desk.i2c_bus.transaction_s(48)
    print(f"time per sample: baseline {per_sample_base * 1000:.2f} ms (7 transactions), "
          f"rig {per_sample_rig * 1000:.2f} ms (2)")
    print(f"pulse length: baseline {max(base_pulses) * 1000:.0f} ms at the most, rig {max(rig_pulses) * 1000:.1f} ms "
          f"(target {config.battery.pulse_s * 1000:.0f} ± 5 ms)")
    print(f"|R error|: baseline worst {max(base_errors):.1%}, rig worst {max(rig_errors):.1%} (target 2 %)")


if __name__ == "__main__":
    main()
