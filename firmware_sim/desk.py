"""A simulated desk in one call: the world plus the rig's own hardware classes acting on it.

For the simulator's tests, the trace tool and the benchmark: everything is driven as the rig drives it
(``rig.hardware`` outlets and actuators on the mock pins, the real INA219 driver through ``PowerMeter``) and
everything is read where the rig reads it (edges on the photodiode's pin, registers, the network probe).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from firmware_sim.battery import BatterySpec
from firmware_sim.clock import VirtualClock
from firmware_sim.ina219 import BENCH_BUS_NOISE_V, BENCH_SHUNT_NOISE_V, FakeI2CBus, Ina219Emulator
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

    @property
    def power_meter(self) -> PowerMeter:
        """The rig's INA219 reader on the emulated bus (built on first use, as the rig builds it)."""
        if self._meter is None:
            self._meter = PowerMeter.from_config(self.config.power_meter, self.i2c_bus, self.clock)
        return self._meter

    def close(self) -> None:
        self.outlets.close()
        self.actuators.close()
        self.wiring.close()


def build_desk(scenario: Scenario, seed: int = 0, config: RigConfig | None = None,
               clock: VirtualClock | None = None) -> Desk:
    """A desk wired as ``config`` (the reference fixture by default) with GPIO relays, every outlet on."""
    config = config or load_config()
    if config.relays.backend != "gpio":
        raise ValueError("build_desk drives the outlets through GPIO relays: use relays.backend = 'gpio'")
    clock = clock or VirtualClock()
    factory = VirtualMockFactory(clock)
    wiring = BenchWiring(config, factory, clock)
    ina219 = Ina219Emulator(address=config.power_meter.address, shunt_ohm=config.power_meter.shunt_ohm,
                            bus_noise_v=BENCH_BUS_NOISE_V, shunt_noise_v=BENCH_SHUNT_NOISE_V)
    i2c_bus = FakeI2CBus(ina219, clock=clock, scl_hz=config.power_meter.i2c_bus_hz)
    world = BenchWorld(config, scenario, clock, factory, wiring, ina219, seed=seed)
    outlets = OutletBank.from_config(config, clock, pin_factory=factory)
    outlets.all_on()
    actuators = Actuators.from_config(config, clock, pin_factory=factory)
    pd = config.photodiode
    led = LedProbe(factory.input_pin(pd.pin), pd.active_high)
    return Desk(config, clock, factory, wiring, ina219, i2c_bus, world, outlets, actuators, led)


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
