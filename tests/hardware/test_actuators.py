"""Actuators: released at construction on either polarity, clock-timed press/hold exact in virtual time,
release in a finally, best-effort release_all."""

from __future__ import annotations

import pytest
from gpiozero import OutputDevice

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.wiring import BenchWiring
from rig.core.config import ACTUATOR_NAMES, load_config
from rig.hardware.actuators import (
    PRESS_S,
    ActuatorError,
    Actuators,
    BatteryChangeover,
    LoadSwitch,
    ResetButton,
)


def level(factory: VirtualMockFactory, bcm: int) -> bool:
    return factory.pin(f"GPIO{bcm}").state


def test_every_actuator_is_released_at_construction(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock)
    actuators = Actuators.from_config(cfg, clock, pin_factory=factory)
    for name in ACTUATOR_NAMES:
        actuator = getattr(actuators, name)
        assert actuator.name == name
        assert not actuator.is_active
        pin = factory.pin(f"GPIO{cfg.actuators[name].pin}")
        assert pin.function == "output"
        # Released = the inactive level: high for the active-low relay HAT channels, low for the MOSFETs.
        assert pin.state is (not cfg.actuators[name].active_high)
        assert wiring.state(name) is False
    assert [a.name for a in actuators.all()] == list(ACTUATOR_NAMES)
    # The reference fixture: changeover (20) and lamp (21) on the active-low HAT, the rest active high.
    assert [level(factory, n) for n in (20, 21, 16, 12, 13)] == [True, True, False, False, False]
    actuators.close()


@pytest.mark.parametrize("active_high", [True, False])
def test_on_off_drive_the_active_level(factory: VirtualMockFactory, clock: VirtualClock, active_high: bool) -> None:
    load = LoadSwitch("load_switch", 13, active_high, clock, pin_factory=factory)
    assert level(factory, 13) is (not active_high)
    load.on()
    assert load.is_active
    assert level(factory, 13) is active_high
    load.off()
    assert not load.is_active
    assert level(factory, 13) is (not active_high)
    load.close()


def test_reset_hold_is_exact_in_virtual_time(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock)
    actuators = Actuators.from_config(cfg, clock, pin_factory=factory)
    clock.sleep(7.5)
    actuators.reset_button.hold(12.0)
    assert clock.now() == 19.5
    assert [(c.t_s, c.state) for c in wiring.changes("reset_button")] == [(0.0, False), (7.5, True), (19.5, False)]
    assert not actuators.reset_button.is_active
    # The pin's own edge record agrees: high for exactly 12 s of virtual time.
    states = factory.pin("GPIO16").states
    assert [s.state for s in states[-2:]] == [True, False]
    assert states[-1].timestamp == 12.0
    actuators.close()


def test_press_is_short_and_clock_timed(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    button = ResetButton("reset_button", 16, True, clock, pin_factory=factory)
    seen: list[tuple[float, bool]] = []
    factory.watch_outputs(lambda bcm, lvl: seen.append((clock.now(), lvl)))
    button.press()
    assert seen == [(0.0, True), (PRESS_S, False)]
    button.press(1.25)
    assert seen[2:] == [(PRESS_S, True), (PRESS_S + 1.25, False)]
    button.close()


class InterruptingClock(VirtualClock):
    def sleep(self, seconds: float) -> None:
        raise KeyboardInterrupt


def test_interrupted_hold_releases_the_button(factory: VirtualMockFactory) -> None:
    button = ResetButton("reset_button", 16, True, InterruptingClock(), pin_factory=factory)
    with pytest.raises(KeyboardInterrupt):
        button.hold(12.0)
    assert not button.is_active
    assert level(factory, 16) is False
    button.close()


def test_negative_duration_is_refused_before_pressing(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    button = ResetButton("reset_button", 16, True, clock, pin_factory=factory)
    with pytest.raises(ValueError, match="reset_button"):
        button.hold(-1)
    assert factory.pin("GPIO16").states[-1].state is False
    assert len(factory.pin("GPIO16").states) == 1  # never pressed
    button.close()


def test_battery_changeover(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    changeover = BatteryChangeover("battery_changeover", 20, False, clock, pin_factory=factory)
    assert not changeover.is_reference
    assert level(factory, 20) is True  # active-low HAT channel released
    changeover.use_reference_pack()
    assert changeover.is_reference
    assert level(factory, 20) is False
    changeover.use_camera_pack()
    assert not changeover.is_reference
    assert level(factory, 20) is True
    changeover.close()


def test_release_all_is_best_effort(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    cfg = load_config()
    wiring = BenchWiring(cfg, factory, clock)
    actuators = Actuators.from_config(cfg, clock, pin_factory=factory)
    for actuator in actuators.all():
        actuator.on()
    assert all(wiring.state(n) for n in ACTUATOR_NAMES)
    actuators.reset_button.close()  # this one can no longer be driven
    with pytest.raises(ActuatorError) as info:
        actuators.release_all()
    assert str(info.value).startswith("could not release: reset_button (")
    assert "\n" not in str(info.value)
    assert not any(wiring.state(n) for n in ACTUATOR_NAMES if n != "reset_button")
    actuators.close()  # does not raise


def test_pin_taken_is_a_clear_error_and_leaks_nothing(factory: VirtualMockFactory, clock: VirtualClock) -> None:
    cfg = load_config()
    blocker = OutputDevice(cfg.actuators["load_switch"].pin, pin_factory=factory)
    with pytest.raises(ActuatorError, match="actuator load_switch: cannot drive GPIO13"):
        Actuators.from_config(cfg, clock, pin_factory=factory)
    blocker.close()
    # The actuators built before the failure gave their pins back.
    Actuators.from_config(cfg, clock, pin_factory=factory).close()
