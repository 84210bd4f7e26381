"""The one builder of a simulated bench: clock, pins, emulators, wiring and world, wired as a config says.

``rig/sim.py`` builds the rig's :class:`Fixture` on it for ``--sim``; ``firmware_sim/desk.py`` builds the rig's
outlets and actuators on it for the simulator's own tests. Either way the rig gets hardware interfaces only: the
pin factory, the I2C bus, and ``power_overrides`` (where each outlet backend finds its emulator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from firmware_sim.battery import fixture_series_ohm
from firmware_sim.clock import VirtualClock
from firmware_sim.ina219 import BENCH_BUS_NOISE_V, BENCH_SHUNT_NOISE_V, FakeI2CBus, Ina219Emulator
from firmware_sim.outlet_sims import SimPower
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from firmware_sim.scenario import Scenario
from firmware_sim.wiring import BenchWiring
from firmware_sim.world import BenchWorld
from rig.core.config import RigConfig


@dataclass
class SlotSim:
    """One camera slot of the simulated bench: its harness (camera outlet, actuators), INA219 and world."""

    slot: int
    config: RigConfig
    wiring: BenchWiring
    ina219: Ina219Emulator
    world: BenchWorld


@dataclass
class SimHardware:
    config: RigConfig
    clock: VirtualClock
    factory: VirtualMockFactory
    power: SimPower
    wiring: BenchWiring
    ina219: Ina219Emulator
    i2c_bus: FakeI2CBus
    world: BenchWorld
    scenario: Scenario
    slots: list[SlotSim] = field(default_factory=list)   # slot 1 (the fields above) first

    @property
    def power_overrides(self) -> dict[str, Any]:
        return self.power.overrides

    @property
    def relay_board(self) -> RelayBoardEmulator | None:
        return self.wiring.relay_board

    def close(self) -> None:
        for slot in self.slots[1:]:
            slot.wiring.close()
        self.wiring.close()
        self.power.close()


def build_sim_hardware(
    config: RigConfig,
    scenario: Scenario,
    *,
    clock: VirtualClock | None = None,
    seed: int | None = None,
    sim_log: str | Path | None = None,
) -> SimHardware:
    """Everything but the rig, powered up as a bench is before the Pi boots (``seed``: the scenario's)."""
    clock = clock or VirtualClock()
    factory = VirtualMockFactory(clock)
    power = SimPower(clock)
    wiring = BenchWiring(config, factory, clock, sim_log_path=str(sim_log) if sim_log else None, power=power)
    ina219 = Ina219Emulator(address=config.power_meter.address, shunt_ohm=config.power_meter.shunt_ohm,
                            bus_noise_v=BENCH_BUS_NOISE_V, shunt_noise_v=BENCH_SHUNT_NOISE_V)
    i2c_bus = FakeI2CBus(ina219, clock=clock, scl_hz=config.power_meter.i2c_bus_hz)
    seed = scenario.seed if seed is None else seed
    world = BenchWorld(config, scenario, clock, factory, wiring, ina219, seed=seed, i2c_bus=i2c_bus)
    slots = [SlotSim(1, config, wiring, ina219, world)]
    for number in range(2, config.slot_count + 1):
        cfg = config.slot_config(number)
        slot_wiring = BenchWiring(cfg, factory, clock, power=power, outlets=("camera",), log_prefix=f"slot{number}.",
                                  sim_log_path=str(sim_log) if sim_log else None)
        slot_ina = Ina219Emulator(address=cfg.power_meter.address, shunt_ohm=cfg.power_meter.shunt_ohm,
                                  bus_noise_v=BENCH_BUS_NOISE_V, shunt_noise_v=BENCH_SHUNT_NOISE_V)
        i2c_bus.attach(slot_ina)
        slot_world = BenchWorld(cfg, scenario, clock, factory, slot_wiring, slot_ina, seed=seed,
                                i2c_bus=i2c_bus, shared_with=world,  # same seed: same camera behaviour
                                fixture_ohm=fixture_series_ohm(number))
        slots.append(SlotSim(number, cfg, slot_wiring, slot_ina, slot_world))
    # The slots' MCP23017s (their camera outlets and actuators) on the power meters' bus.
    for key, emulator in power.emulators.items():
        if isinstance(key, tuple) and key[0] == "mcp23017":
            i2c_bus.attach(emulator)
    power.overrides["mcp23017"] = i2c_bus
    return SimHardware(config, clock, factory, power, wiring, ina219, i2c_bus, world, scenario, slots)
