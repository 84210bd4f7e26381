"""``rig check``: the self-test a technician runs on a new (or suspect) fixture.

Each part gets one line: OK with what was read, or what is wrong and where to look. Outlets and actuators
are switched and a person confirms what they saw (on the simulator, a simulated technician looks at the
simulated wiring). The fixture ends in its safe state whatever happens. With several slots (docs/DESIGN.md,
"Slots") the shared bench (network probe, the Sync Module's light sensor, router and Sync Module outlets) is
checked once and every slot's own parts after it, each line naming its slot; a fault in one slot is that slot's
line, and the next slot is checked all the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from rig.hardware.fixture import Fixture
from rig.hardware.outlets import OutletError
from rig.hardware.sync_module_light import SyncModuleLight
from rig.procedure.battery_test import reference_pulse
from rig.procedure.rig_fault import RIG_FAULTS

TOGGLE_S = 1.0

Confirm = Callable[[str, str, bool], bool]
"""confirm(device, question, expected_on) -> did the person see it? (expected_on: the state to look for)"""


SLOT_OUTLETS = ("camera",)   # a slot's own outlet; the others are the shared bench's


@dataclass(frozen=True)
class CheckResult:
    part: str
    ok: bool
    detail: str
    slot: int | None = None   # the slot whose part this is; None for the shared bench (and a one-slot fixture)

    @property
    def label(self) -> str:
        """How the report names the part: ``slot 2: INA219`` for a slot's own part."""
        return self.part if self.slot is None else f"slot {self.slot}: {self.part}"


def check_power_meter(fixture: Fixture) -> CheckResult:
    """The INA219 and the load path, on the known-good reference pack (the camera's holder may be empty): a
    dead or missing reference pack, or a load pulse that draws nothing, is not OK."""
    meter = fixture.power_meter
    if meter is None:
        return CheckResult("INA219", False, fixture.power_meter_error)
    battery = fixture.config.battery
    actuators = fixture.actuators
    try:
        pulse = reference_pulse(meter, actuators.load_switch, actuators.battery_changeover, fixture.clock, battery)
    except Exception as exc:
        return CheckResult("INA219", False, f"found but reading failed: {exc}")
    pack_v = pulse.background.load_voltage_v
    seen = f"{meter.where}: reference pack {pack_v:.3f} V, load pulse {pulse.delta_i_a * 1000:.0f} mA"
    if pack_v < battery.min_open_circuit_v:
        return CheckResult(
            "INA219", False,
            f"{seen}: the reference pack is dead or missing (below {battery.min_open_circuit_v:g} V): "
            "fit a fresh one in the reference holder and check its leads to the changeover relay (K3 CH2)",
        )
    if not pulse.draws:
        return CheckResult(
            "INA219", False, f"{seen}: the load pulse draws nothing: check the load switch MOSFET and the load resistor"
        )
    return CheckResult("INA219", True, f"{seen}, slope {pulse.resistance_ohm:.3f} ohm (pack and fixture)")


def check_photodiode(fixture: Fixture) -> CheckResult:
    pd = fixture.config.photodiode
    if fixture.photodiode.lit:
        return CheckResult(
            "photodiode",
            False,
            f"GPIO{pd.pin} reads LIT with no LED: ambient light in the shroud or comparator threshold too low "
            "(turn the trimmer until the indicator goes out), or wrong active_high in the config",
        )
    return CheckResult("photodiode", True, f"GPIO{pd.pin} resting level: dark")


def check_outlets(fixture: Fixture, confirm: Confirm, names: tuple[str, ...] | None = None) -> list[CheckResult]:
    """Each outlet (``names``: those of them; default every one) switched off and on, seen by a person; the
    hardware's own read-back is checked on the way (``Outlet`` raises when a plug or board reports another
    state), and a plug says who it is."""
    results = []
    for name in names if names is not None else fixture.outlets:
        outlet = fixture.outlets[name]
        cfg = fixture.config.outlets[name]  # type: ignore[index]
        where = cfg.settings.where()
        notes = "".join(f"; warning: {w}" for w in cfg.settings.warnings())
        if not cfg.settings.fail_safe():
            notes += f"; not fail-safe (acknowledged): {cfg.settings.fail_safe_problem()}"
        try:
            about = outlet.describe()
            if about:
                where += f" {about}"
            outlet.off()
            seen_off = confirm(name, f"Is the {name} outlet OFF now?", False)
            fixture.clock.sleep(TOGGLE_S)
            outlet.on()
            seen_on = confirm(name, f"Is the {name} outlet back ON?", True)
        except OutletError as exc:
            results.append(CheckResult(f"outlet {name}", False, str(exc)))
            continue
        finally:
            with contextlib.suppress(OutletError):
                outlet.on()
        if outlet.unconfirmed_reason():
            notes = f"; not read back: {outlet.unconfirmed_reason()}{notes}"
        if seen_off and seen_on:
            results.append(CheckResult(f"outlet {name}", True, f"{where}: switched off and on"
                            f"{', read back on' if outlet.confirmed else ''}{notes}"))
        else:
            results.append(
                CheckResult(
                    f"outlet {name}",
                    False,
                    f"{where}: not seen switching {'off' if not seen_off else 'on'}: check the relay's input "
                    f"wire and its active_low/normally_on setting (or what the plug powers){notes}",
                )
            )
    return results


def check_actuators(fixture: Fixture, confirm: Confirm) -> list[CheckResult]:
    results = []
    for actuator in fixture.actuators.all():
        name, where = actuator.name, actuator.where
        try:
            try:
                actuator.on()
                seen = confirm(name, f"Is the {name.replace('_', ' ')} active?", True)
            finally:
                actuator.off()
        except (*RIG_FAULTS, OSError) as exc:   # an expander line's I2C write: this actuator's line, not the run
            results.append(CheckResult(name, False, f"{where}: cannot be switched: {exc}"))
            continue
        released = confirm(name, f"Is the {name.replace('_', ' ')} released?", False)
        ok = seen and released
        detail = f"{where}: switched and released" if ok else (
            f"{where}: not seen {'switching' if not seen else 'releasing'}: check the driver (MOSFET or relay) "
            "and active_high"
        )
        results.append(CheckResult(name, ok, detail))
    return results


def check_network(fixture: Fixture) -> CheckResult:
    status = fixture.network.check()
    net = fixture.config.network
    if status.ok:
        return CheckResult("network", True, f"router {net.router_host} and {net.internet_host} reachable")
    return CheckResult("network", False, status.detail or "bench network down")


SYNC_MODULE_LIGHT_SAYS = {
    SyncModuleLight.ONLINE: "solid green: online",
    SyncModuleLight.RECONNECTING: "blinking green: reconnecting (dropped offline, or stuck)",
    SyncModuleLight.DARK: "dark: starting, off, or no sensor fitted: no evidence (the rig goes by the cameras)",
}


def check_sync_module_light(fixture: Fixture) -> CheckResult:
    """What the bench's sensor on the Sync Module's green LED reads. Evidence, not a necessity (docs/DESIGN.md,
    "Bench faults"): a dark light is OK with its note, only a sensor that could not be opened is not OK."""
    pin = f"GPIO{fixture.config.sync_module_led.pin}"
    sensor = fixture.sync_module_light
    if sensor is None:
        return CheckResult("Sync Module light", False, f"{fixture.sync_module_light_error}: if a serial console "
                           "holds the pin, turn it off (hardware/BUILD.md, the Sync Module light sensor)")
    return CheckResult("Sync Module light", True, f"{pin}: {SYNC_MODULE_LIGHT_SAYS[sensor.read()]}")


def run_check(fixture: Fixture, confirm: Confirm, for_slot: Callable[[int], Confirm] | None = None
              ) -> list[CheckResult]:
    """Every part's line. ``for_slot(n)``: who confirms slot ``n``'s own parts (default ``confirm``); each
    question names the slot."""
    try:
        if fixture.slots:
            return _check_slots(fixture, confirm, for_slot or (lambda _slot: confirm))
        # The network first: switching the router outlet reboots the router for a minute.
        return [
            check_power_meter(fixture),
            check_photodiode(fixture),
            check_network(fixture),
            *check_outlets(fixture, confirm),
            *check_actuators(fixture, confirm),
        ]
    finally:
        fixture.safe_state()


def _check_slots(fixture: Fixture, confirm: Confirm, for_slot: Callable[[int], Confirm]) -> list[CheckResult]:
    """The shared bench once (the network and the Sync Module's light before their outlets are switched: a
    Sync Module just switched on is still starting), then each slot's own parts."""
    bench = [name for name in fixture.outlets if name not in SLOT_OUTLETS]
    results = [check_network(fixture), check_sync_module_light(fixture),
               *check_outlets(fixture, confirm, tuple(bench))]
    for view in fixture.slots:
        asked = _naming_slot(for_slot(view.slot), view.slot)
        own = [
            check_power_meter(view),
            check_photodiode(view),
            *check_outlets(view, asked, SLOT_OUTLETS),
            *check_actuators(view, asked),
        ]
        results += [replace(r, slot=view.slot) for r in own]
    return results


def _naming_slot(confirm: Confirm, slot: int) -> Confirm:
    """The person is asked about slot ``slot``'s part by the slot's name (``device`` stays the part's)."""
    return lambda device, question, expected_on: confirm(device, f"slot {slot}: {question}", expected_on)
