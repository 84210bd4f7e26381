"""The one place the rig meets ``firmware_sim``: building a simulated bench for ``--sim``.

Everything the controller gets from here is a hardware interface (a pin factory, an I2C bus, a serial port,
a network probe, an operator, a camera source); the world behind them stays out of the controller's reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from firmware_sim.clock import VirtualClock
from firmware_sim.ina219 import BENCH_BUS_NOISE_V, BENCH_SHUNT_NOISE_V, FakeI2CBus, Ina219Emulator
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from firmware_sim.scenario import Scenario, ScenarioError, default_scenario, load_scenario
from firmware_sim.wiring import BenchWiring
from firmware_sim.world import BenchWorld
from rig.core.config import RigConfig
from rig.core.stop import StopFlag
from rig.hardware.fixture import Fixture, build_fixture
from rig.hardware.outlets import LcusRelayBoard
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
    clock: VirtualClock
    factory: VirtualMockFactory
    wiring: BenchWiring
    ina219: Ina219Emulator
    i2c_bus: FakeI2CBus
    relay_board: RelayBoardEmulator | None
    world: BenchWorld
    fixture: Fixture
    scenario: Scenario

    @property
    def cameras(self) -> SimulatedCameras:
        return SimulatedCameras(self.world, self.scenario)

    @property
    def operator(self):
        return self.world.operator

    def close(self) -> list[str]:
        """Close the fixture (its safe state first), then the emulators; returns what could not be made safe."""
        failed = self.fixture.close()
        self.wiring.close()
        if self.relay_board is not None:
            self.relay_board.close()
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
    clock = VirtualClock(speed=speed, stop=stop)
    factory = VirtualMockFactory(clock)
    relay_board: RelayBoardEmulator | None = None
    serial_opener = None
    if config.relays.backend == "serial":
        # Only the pty path is swapped: the rig still opens it with real pyserial. The board takes in what
        # the rig wrote at the start of every clock advance, so relay changes land at their virtual time.
        relay_board = RelayBoardEmulator(channels=max(4, *(o.channel or 1 for o in config.outlets.values())))
        clock.before_advance(relay_board.poll)
        port_path = relay_board.port_path

        def serial_opener(_path: str, baud: int = 9600, _port: str = port_path) -> LcusRelayBoard:
            return LcusRelayBoard.open(_port, baud)

    wiring = BenchWiring(
        config, factory, clock, relay_board=relay_board, sim_log_path=str(sim_log) if sim_log else None
    )
    ina219 = Ina219Emulator(address=config.power_meter.address, shunt_ohm=config.power_meter.shunt_ohm,
                            bus_noise_v=BENCH_BUS_NOISE_V, shunt_noise_v=BENCH_SHUNT_NOISE_V)
    i2c_bus = FakeI2CBus(ina219, clock=clock, scl_hz=config.power_meter.i2c_bus_hz)
    world = BenchWorld(config, scenario, clock, factory, wiring, ina219, seed=scenario.seed, i2c_bus=i2c_bus)
    fixture = build_fixture(
        config,
        clock,
        pin_factory=factory,
        i2c_bus=i2c_bus,
        network=world.network_probe,
        serial_opener=serial_opener,
    )
    return SimulatedBench(clock, factory, wiring, ina219, i2c_bus, relay_board, world, fixture, scenario)


def simulated_technician(bench: SimulatedBench):
    """``rig check --sim``'s confirmations: a technician who looks at the simulated bench's wiring."""

    def confirm(device: str, _question: str, expected_on: bool) -> bool:
        bench.clock.sleep(0.2)  # the technician takes a moment to look (and the relay board its frame)
        return bench.wiring.state(device) == expected_on

    return confirm
