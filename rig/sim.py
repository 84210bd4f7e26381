"""The one place the rig meets ``firmware_sim``: building a simulated bench for ``--sim``.

Everything the controller gets from here is a hardware interface (a pin factory, an I2C bus, a serial port,
a smart plug's address, a network probe, an operator, a camera source); the world behind them stays out of
the controller's reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firmware_sim.bench import SimHardware, build_sim_hardware
from firmware_sim.clock import VirtualClock
from firmware_sim.ina219 import FakeI2CBus, Ina219Emulator
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from firmware_sim.scenario import Scenario, ScenarioError, default_scenario, load_scenario
from firmware_sim.turns import TurnTaking
from firmware_sim.wiring import BenchWiring
from firmware_sim.world import BenchWorld
from rig.core.config import RigConfig, with_reference_slots
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


class SimulatedLoader:
    """The simulated technician's hands with several slots: scenario camera ``index`` into ``slot``."""

    def __init__(self, hardware: SimHardware) -> None:
        self.hardware = hardware

    def load(self, slot: int, index: int) -> None:
        self.hardware.slots[slot - 1].world.mount(index)

    def unload(self, slot: int) -> None:
        self.hardware.slots[slot - 1].world.unmount()


@dataclass
class SimulatedBench:
    hardware: SimHardware
    fixture: Fixture
    turns: TurnTaking | None = None   # several slots: their threads take turns in virtual time

    @property
    def slots(self) -> int:
        return len(self.hardware.slots)

    @property
    def slot_cameras(self) -> list[CameraId]:
        """The scenario's cameras in file order, for the slots' queue (loaded by :attr:`loader`)."""
        return [CameraId(spec.serial, spec.model) for spec in self.scenario.cameras]

    @property
    def loader(self) -> SimulatedLoader:
        return SimulatedLoader(self.hardware)

    def run_slots(self, tasks: Any) -> Any:
        """``rig.procedure.slots``' runner: deterministic turns in virtual time."""
        return (self.turns or TurnTaking(self.clock)).run(tasks)

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

    def fit_calibration_cells(self, internal_resistance_ohm: float) -> None:
        """``rig calibrate --sim``: the technician's calibration cell in every slot's holder, no cameras."""
        for slot in self.hardware.slots:
            slot.world.fit_calibration_cell(internal_resistance_ohm)

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
    slots: int | None = None,
) -> SimulatedBench:
    """A complete simulated bench wired like ``config`` describes, running ``scenario`` (default built in),
    with ``slots`` camera slots (default: the scenario's ``[bench] slots``; extra ones on reference pins)."""
    if scenario is None:
        scenario = default_scenario()
    elif not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    config = slotted(config, slots or scenario.slots)
    hw = build_sim_hardware(config, scenario, clock=VirtualClock(speed=speed, stop=stop), sim_log=sim_log)
    turns = TurnTaking(hw.clock) if config.slot_count > 1 else None
    if turns is not None:
        hw.world.take_turns(turns)   # the technician's and the probe's waits pass in the asking slot's turn
    try:
        fixture = build_fixture(config, turns or hw.clock, pin_factory=hw.factory, i2c_bus=hw.i2c_bus,
                                network=hw.world.network_probe, power_overrides=hw.power_overrides)
    except BaseException:
        hw.close()
        raise
    return SimulatedBench(hw, fixture, turns)


def slotted(config: RigConfig, slots: int) -> RigConfig:
    """``config`` with exactly ``slots`` slots: its own first, then reference ones (``ConfigError`` when none
    fit)."""
    if slots < config.slot_count:
        kept = {n: c for n, c in config.slots.items() if n <= slots}
        return config.model_copy(update={"slots": kept, "bench": config.bench.model_copy(update={"slots": None})})
    return with_reference_slots(config, slots)


def simulated_technician(bench: SimulatedBench, slot: int = 1):
    """``rig check --sim``'s confirmations: a technician who looks at the simulated bench's wiring (``slot``'s
    harness for a slot's own parts; slot 1's holds the bench's router and Sync Module outlets too)."""
    wiring = bench.hardware.slots[slot - 1].wiring

    def confirm(device: str, _question: str, expected_on: bool) -> bool:
        bench.clock.sleep(0.2)  # the technician takes a moment to look (and the relay board its frame)
        return wiring.state(device) == expected_on

    return confirm
