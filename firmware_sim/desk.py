"""A simulated desk in one call: the world plus the rig's own hardware classes acting on it.

For the simulator's tests, the trace tool and the benchmark (a thin layer on ``firmware_sim/bench.py``, the
one bench builder): everything is driven as the rig drives it
(``rig.hardware`` outlets and actuators on the mock pins, the real INA219 driver through ``PowerMeter``) and
everything is read where the rig reads it (edges on the photodiode's pin, registers, the network probe).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from firmware_sim.battery import BatterySpec
from firmware_sim.bench import SimHardware, build_sim_hardware
from firmware_sim.clock import VirtualClock
from firmware_sim.ina219 import FakeI2CBus, Ina219Emulator
from firmware_sim.pins import VirtualMockFactory, VirtualMockPin
from firmware_sim.scenario import Scenario, parse_scenario
from firmware_sim.wiring import BenchWiring
from firmware_sim.world import BenchWorld
from rig.core.config import RigConfig, load_config
from rig.hardware.actuators import Actuators
from rig.hardware.outlets import OutletBank
from rig.hardware.power_meter import PowerMeter


class LedProbe:
    """LED edges read off the photodiode's mock pin (``pin.states``), as absolute virtual times.

    gpiozero keeps each change as (time since the previous change, level); the pin also knows the absolute
    time of its latest change, so the absolute times are rebuilt backwards from there.
    """

    def __init__(self, pin: VirtualMockPin, active_high: bool) -> None:
        self.pin = pin
        self.active_high = active_high

    @property
    def lit(self) -> bool:
        return bool(self.pin.state) == self.active_high

    def edges(self, since_s: float = float("-inf"), until_s: float = float("inf")) -> list[tuple[float, bool]]:
        """Every change after ``since_s`` (and up to ``until_s``) as (t_s, lit)."""
        states = self.pin.states
        t = self.pin._last_change
        out: list[tuple[float, bool]] = []
        for delta, level in reversed(states[1:]):
            if t <= since_s:
                break
            if t <= until_s:
                out.append((t, bool(level) == self.active_high))
            t -= delta
        out.reverse()
        return out

    def pulses(self, since_s: float = float("-inf"), until_s: float = float("inf")) -> list[tuple[float, float]]:
        """Complete lit pulses as (on_s, off_s) within the window."""
        result: list[tuple[float, float]] = []
        on_s: float | None = None
        for t, lit in self.edges(since_s, until_s):
            if lit:
                on_s = t
            elif on_s is not None:
                result.append((on_s, t))
                on_s = None
        return result


@dataclass
class Desk:
    config: RigConfig
    clock: VirtualClock
    factory: VirtualMockFactory
    wiring: BenchWiring
    ina219: Ina219Emulator
    i2c_bus: FakeI2CBus
    world: BenchWorld
    outlets: OutletBank
    actuators: Actuators
    led: LedProbe
    _meter: PowerMeter | None = field(default=None, repr=False)
    _hardware: SimHardware | None = field(default=None, repr=False)

    @property
    def power_meter(self) -> PowerMeter:
        """The rig's INA219 reader on the emulated bus (built on first use, as the rig builds it)."""
        if self._meter is None:
            self._meter = PowerMeter.from_config(self.config.power_meter, self.i2c_bus, self.clock)
        return self._meter

    def close(self) -> None:
        self.outlets.close()
        self.actuators.close()
        if self._hardware is not None:
            self._hardware.close()
        else:
            self.wiring.close()


def build_desk(scenario: Scenario, seed: int = 0, config: RigConfig | None = None,
               clock: VirtualClock | None = None) -> Desk:
    """A desk wired as ``config`` (the reference fixture by default), every outlet on, on the one bench builder."""
    config = config or load_config()
    hw = build_sim_hardware(config, scenario, clock=clock, seed=seed)
    outlets = OutletBank.from_config(config, hw.clock, pin_factory=hw.factory, overrides=hw.power_overrides)
    outlets.all_on()
    actuators = Actuators.from_config(config, hw.clock, pin_factory=hw.factory)
    pd = config.photodiode
    led = LedProbe(hw.factory.input_pin(pd.pin), pd.active_high)
    return Desk(config, hw.clock, hw.factory, hw.wiring, hw.ina219, hw.i2c_bus, hw.world, outlets, actuators, led,
                _hardware=hw)


def single_camera(
    model: str = "outdoor",
    faults: tuple[str, ...] = (),
    battery: BatterySpec | None = None,
    serial: str = "CAM-0001",
    **scenario_keys: object,
) -> Scenario:
    """A one-camera scenario (validated like a file), for tests and the trace tool."""
    lines = ["[[camera]]", f'serial = "{serial}"', f'model = "{model}"',
             "faults = [" + ", ".join(f'"{f}"' for f in faults) + "]"]
    if battery is not None:
        lines += ["[camera.battery]", f"open_circuit_v = {battery.open_circuit_v!r}",
                  f"internal_resistance_ohm = {battery.internal_resistance_ohm!r}"]
    scenario = parse_scenario("\n".join(lines), f"<{serial}>")
    return replace(scenario, **scenario_keys) if scenario_keys else scenario
