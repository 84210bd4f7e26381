"""The whole fixture as one object: every part, built from the config on injected lower-level resources.

Like a gpiozero ``CompositeDevice`` (or a labgrid target): the controller talks to ``Fixture`` parts and never
knows whether they sit on lgpio and a real I2C bus or on the simulator's emulators.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from rig.core.clock import Clock
from rig.core.config import RigConfig
from rig.hardware.actuators import Actuators
from rig.hardware.network_probe import NetworkProbe, TcpNetworkProbe
from rig.hardware.photodiode import Photodiode
from rig.hardware.power.bank import OutletBank
from rig.hardware.power_meter import PowerMeter, PowerMeterError, open_i2c_bus
from rig.hardware.sync_module_light import SyncModuleLightSensor


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
    slot: int = 1
    # With several slots: the bench's sensor on the Sync Module's green LED (None: one slot, or it could not
    # be opened: then sync_module_light_error says why, and the rig goes without its evidence).
    sync_module_light: SyncModuleLightSensor | None = None
    sync_module_light_error: str = ""
    # With several slots: each slot's view (its own photodiode, meter, camera outlet and actuators beside the
    # bench's shared outlets), slot 1 first; empty with one slot (the fixture is its own only slot).
    slots: list[Fixture] = field(default_factory=list)

    def slot_fixture(self, slot: int) -> Fixture:
        return self.slots[slot - 1] if self.slots else self

    def safe_state(self) -> list[str]:
        """The rig's one safe state: every outlet on, every actuator released, in every slot. Reached after
        every camera (a slot's view: that slot's own parts) and at every exit (normal end, rig fault,
        signal). Best effort: returns what could not be set."""
        failed = list(self.outlets.all_on())
        try:
            self.actuators.release_all()
        except Exception as exc:  # an actuator fault must not stop the outlets coming on
            failed.append(f"actuators ({exc})")
        for view in self.slots[1:]:
            failed += [f"slot {view.slot} {what}" for what in view.safe_state()]
        return failed

    def close(self) -> list[str]:
        """The safe state, then let go of every part. Returns what could not be put in the safe state."""
        failed = self.safe_state()
        for view in self.slots[1:]:
            view.photodiode.close()
            view.actuators.close()
            view.outlets.close()
        self.photodiode.close()
        if self.sync_module_light is not None:
            self.sync_module_light.close()
        self.actuators.close()
        self.outlets.close()
        return failed


def unsafe_note(failed: list[str]) -> str:
    """The one line for a safe state that could not be reached: a rig fault, with what to check."""
    return (
        f"rig fault: could not switch back on: {', '.join(failed)}: check the relay board (USB cable, power) "
        "and the actuator wiring, then run `rig check`"
    )


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
        actuators = Actuators.from_config(config, clock, pin_factory=pin_factory, i2c_bus=i2c_bus)
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
    meter, meter_error = _power_meter(config, clock, i2c_bus)
    fixture = Fixture(config, clock, photodiode, outlets, actuators, network, meter, meter_error)
    if config.slot_count > 1:
        fixture.sync_module_light, fixture.sync_module_light_error = _sync_module_light(config, clock, pin_factory)
        try:
            fixture.slots = _slot_views(fixture, pin_factory, i2c_bus, power_overrides)
        except BaseException:
            fixture.close()
            raise
    return fixture


def _power_meter(config: RigConfig, clock: Clock, i2c_bus: Any) -> tuple[PowerMeter | None, str]:
    """A slot's INA219, or why it is absent (reported by check and the controller, not raised here)."""
    try:
        bus = i2c_bus if i2c_bus is not None else open_i2c_bus(config.power_meter.i2c_bus)
        return PowerMeter.from_config(config.power_meter, bus, clock), ""
    except PowerMeterError as exc:
        return None, str(exc)


def _sync_module_light(config: RigConfig, clock: Clock, pin_factory: Any) -> tuple[SyncModuleLightSensor | None, str]:
    """The bench's Sync Module light sensor, or why it could not be opened (e.g. GPIO14 held by a serial
    console): it is evidence, not a necessity, so the bench goes on without it."""
    led = config.sync_module_led
    try:
        photodiode = Photodiode(led.pin, clock, active_high=led.active_high, pull_up=led.pull_up,
                                pin_factory=pin_factory)
    except Exception as exc:  # gpiozero's and lgpio's errors alike: the line says which
        return None, f"sync_module_led.pin GPIO{led.pin}: {type(exc).__name__}: {exc}"
    return SyncModuleLightSensor(photodiode, clock), ""


def _slot_views(whole: Fixture, pin_factory: Any, i2c_bus: Any, power_overrides: dict[str, Any] | None
                ) -> list[Fixture]:
    """Each slot's own parts beside the bench's router and Sync Module outlets (slot 1: the whole's parts)."""
    config, clock = whole.config, whole.clock
    shared = whole.outlets
    views = [replace(whole, outlets=shared.joined(OutletBank({"camera": shared["camera"]}, owned=("camera",))),
                     slots=[])]
    try:
        for number in range(2, config.slot_count + 1):
            cfg = config.slot_config(number)
            own = OutletBank.from_config(cfg, clock, pin_factory=pin_factory, overrides=power_overrides,
                                         names=("camera",))
            outlets = shared.joined(own)
            outlets.all_on()
            actuators = Actuators.from_config(cfg, clock, pin_factory=pin_factory, i2c_bus=i2c_bus)
            pd = cfg.photodiode
            photodiode = Photodiode(pd.pin, clock, active_high=pd.active_high, pull_up=pd.pull_up,
                                    pin_factory=pin_factory)
            meter, meter_error = _power_meter(cfg, clock, i2c_bus)
            views.append(Fixture(cfg, clock, photodiode, outlets, actuators, whole.network, meter, meter_error,
                                 slot=number, sync_module_light=whole.sync_module_light))
    except BaseException:
        for view in views[1:]:
            view.close()
        raise
    return views
