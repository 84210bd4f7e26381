"""The one place the rig meets ``firmware_sim``: building a simulated bench for ``--sim``.

Everything the controller gets from here is a hardware interface (a pin factory, an I2C bus, a serial port,
a smart plug's address, a network probe, an operator, a camera source); the world behind them stays out of
the controller's reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from firmware_sim.bench import SimHardware, build_sim_hardware
from firmware_sim.clock import VirtualClock
from firmware_sim.ina219 import FakeI2CBus, Ina219Emulator
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from firmware_sim.scenario import Scenario, ScenarioError, default_scenario, load_scenario
from firmware_sim.wiring import BenchWiring
from firmware_sim.world import BenchWorld
from rig.core.config import RigConfig
from rig.core.stop import StopFlag
from rig.hardware.fixture import Fixture, build_fixture
from rig.ui.scanner import CameraId

__all__ = ["ScenarioError", "SimulatedBench", "build_sim_bench", "load_sim_scenario", "simulated_technician"]


def load_sim_scenario(path: str | Path | None) -> Scenario:
    """A scenario file, or the built-in default bench; :class:`ScenarioError` says what is wrong in one line."""
    return load_scenario(path) if path else default_scenario()


class SimulatedCameras:
    """The simulator's stand-in for the barcode scanner: mounts each scenario camera in turn."""

    def __init__(self, world: BenchWorld, scenario: Scenario) -> None:
        self.world = world
        self.scenario = scenario

    def __iter__(self) -> Iterator[CameraId]:
        for index, spec in enumerate(self.scenario.cameras):
            self.world.mount(index)
            yield CameraId(spec.serial, spec.model)


@dataclass
class SimulatedBench:
    hardware: SimHardware
    fixture: Fixture

    @property
    def clock(self) -> VirtualClock:
        return self.hardware.clock

    @property
    def factory(self) -> VirtualMockFactory:
        return self.hardware.factory

    @property
    def wiring(self) -> BenchWiring:
        return self.hardware.wiring

    @property
    def ina219(self) -> Ina219Emulator:
        return self.hardware.ina219

    @property
    def i2c_bus(self) -> FakeI2CBus:
        return self.hardware.i2c_bus

    @property
    def relay_board(self) -> RelayBoardEmulator | None:
        return self.hardware.relay_board

    @property
    def world(self) -> BenchWorld:
        return self.hardware.world

    @property
    def scenario(self) -> Scenario:
        return self.hardware.scenario

    @property
    def cameras(self) -> SimulatedCameras:
        return SimulatedCameras(self.world, self.scenario)

    @property
    def operator(self):
        return self.world.operator

    def app(self, task, serial: str) -> str | None:
        """The simulated Blink app, for prompts a person answers on the station page: None when the step worked."""
        return self.world.app_step(task, serial)

    def mount_serial(self, serial: str) -> CameraId | None:
        """The technician's hands for a scanned serial: that scenario camera onto the fixture; None when the
        scenario has no camera with that serial."""
        for index, spec in enumerate(self.scenario.cameras):
            if spec.serial == serial:
                self.world.mount(index)
                return CameraId(spec.serial, spec.model)
        return None

    def close(self) -> list[str]:
        """Close the fixture (its safe state first), then the emulators; returns what could not be made safe."""
        failed = self.fixture.close()
        self.hardware.close()
        return failed


def build_sim_bench(
    config: RigConfig,
    scenario: Scenario | str | Path | None = None,
    *,
    speed: float | None = None,
    sim_log: str | Path | None = None,
    stop: StopFlag | None = None,
) -> SimulatedBench:
    """A complete simulated bench wired like ``config`` describes, running ``scenario`` (default built in)."""
    if scenario is None:
        scenario = default_scenario()
    elif not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    hw = build_sim_hardware(config, scenario, clock=VirtualClock(speed=speed, stop=stop), sim_log=sim_log)
    try:
        fixture = build_fixture(config, hw.clock, pin_factory=hw.factory, i2c_bus=hw.i2c_bus,
                                network=hw.world.network_probe, power_overrides=hw.power_overrides)
    except BaseException:
        hw.close()
        raise
    return SimulatedBench(hw, fixture)


def simulated_technician(bench: SimulatedBench):
    """``rig check --sim``'s confirmations: a technician who looks at the simulated bench's wiring."""

    def confirm(device: str, _question: str, expected_on: bool) -> bool:
        bench.clock.sleep(0.2)  # the technician takes a moment to look (and the relay board its frame)
        return bench.wiring.state(device) == expected_on

    return confirm
