"""The whole fixture as one object: every part, built from the config on injected lower-level resources.

Like a gpiozero ``CompositeDevice`` (or a labgrid target): the controller talks to ``Fixture`` parts and never
knows whether they sit on lgpio and a real I2C bus or on the simulator's emulators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rig.core.clock import Clock
from rig.core.config import RigConfig
from rig.hardware.actuators import Actuators
from rig.hardware.network_probe import NetworkProbe, TcpNetworkProbe
from rig.hardware.photodiode import Photodiode
from rig.hardware.power.bank import OutletBank
from rig.hardware.power_meter import PowerMeter, PowerMeterError, open_i2c_bus


@dataclass
class Fixture:
    config: RigConfig
    clock: Clock
    photodiode: Photodiode
    outlets: OutletBank
    actuators: Actuators
    network: NetworkProbe
    power_meter: PowerMeter | None
    power_meter_error: str = ""   # why power_meter is None (absent chip): reported by check / the controller

    def safe_state(self) -> list[str]:
        """Every outlet on, every actuator released. Best effort: returns what could not be set."""
        failed = list(self.outlets.all_on())
        try:
            self.actuators.release_all()
        except Exception as exc:  # an actuator fault must not stop the outlets coming on
            failed.append(f"actuators ({exc})")
        return failed

    def close(self) -> None:
        self.safe_state()
        self.photodiode.close()
        self.actuators.close()
        self.outlets.close()


def build_fixture(
    config: RigConfig,
    clock: Clock,
    *,
    pin_factory: Any = None,
    i2c_bus: Any = None,
    network: NetworkProbe | None = None,
    power_overrides: dict[str, Any] | None = None,
) -> Fixture:
    """Assemble the fixture. ``None`` resources mean the real ones (gpiozero's default factory, the Pi's I2C
    bus, TCP probes, the configured serial ports and plug addresses); the simulator passes its emulators
    instead (``power_overrides``: by outlet backend name). Outlets come first and are switched on before
    anything else is touched, so a failure further down still leaves the bench powered."""
    outlets = OutletBank.from_config(config, clock, pin_factory=pin_factory, overrides=power_overrides)
    try:
        outlets.all_on()
        actuators = Actuators.from_config(config, clock, pin_factory=pin_factory)
        pd = config.photodiode
        photodiode = Photodiode(
            pd.pin, clock, active_high=pd.active_high, pull_up=pd.pull_up, pin_factory=pin_factory
        )
    except BaseException:
        outlets.close()
        raise
    if network is None:
        net = config.network
        network = TcpNetworkProbe(
            (net.router_host, net.router_port), (net.internet_host, net.internet_port), net.timeout_s
        )
    meter: PowerMeter | None = None
    meter_error = ""
    try:
        bus = i2c_bus if i2c_bus is not None else open_i2c_bus(config.power_meter.i2c_bus)
        meter = PowerMeter.from_config(config.power_meter, bus, clock)
    except PowerMeterError as exc:
        meter_error = str(exc)
    return Fixture(config, clock, photodiode, outlets, actuators, network, meter, meter_error)
