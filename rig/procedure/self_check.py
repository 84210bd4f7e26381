"""``rig check``: the self-test a technician runs on a new (or suspect) fixture.

Each part gets one line: OK with what was read, or what is wrong and where to look. Outlets and actuators
are switched and a person confirms what they saw (on the simulator, a simulated technician looks at the
simulated wiring). The fixture ends in its safe state whatever happens.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from rig.hardware.fixture import Fixture
from rig.hardware.outlets import OutletError
from rig.procedure.battery_test import reference_pulse

TOGGLE_S = 1.0

Confirm = Callable[[str, str, bool], bool]
"""confirm(device, question, expected_on) -> did the person see it? (expected_on: the state to look for)"""


@dataclass(frozen=True)
class CheckResult:
    part: str
    ok: bool
    detail: str


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


def check_outlets(fixture: Fixture, confirm: Confirm) -> list[CheckResult]:
    """Each outlet switched off and on, seen by a person; the hardware's own read-back is checked on the way
    (``Outlet`` raises when a plug or board reports another state), and a plug says who it is."""
    results = []
    for name in fixture.outlets:
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
        name = actuator.name
        pin = fixture.config.actuators[name].pin  # type: ignore[index]
        try:
            actuator.on()
            seen = confirm(name, f"Is the {name.replace('_', ' ')} active?", True)
        finally:
            actuator.off()
        released = confirm(name, f"Is the {name.replace('_', ' ')} released?", False)
        ok = seen and released
        detail = f"GPIO{pin}: switched and released" if ok else (
            f"GPIO{pin}: not seen {'switching' if not seen else 'releasing'}: check the driver (MOSFET or relay) "
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


def run_check(fixture: Fixture, confirm: Confirm) -> list[CheckResult]:
    try:
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
