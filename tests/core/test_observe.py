"""The LED watcher: photodiode edges into the classifier on the rig clock, robust to late edge callbacks."""

from __future__ import annotations

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from rig.hardware.photodiode import Photodiode
from rig.led.patterns import Pattern
from rig.procedure.observe import LedWatcher


def _flashes(clock: VirtualClock, pin, times: list[float], width_s: float = 0.15) -> None:
    for t in times:
        clock.schedule(t, pin.drive_high)
        clock.schedule(t + width_s, pin.drive_low)


def test_network_lost_decided_at_the_second_flash(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    _flashes(clock, factory.input_pin(17), [1.0, 4.0, 7.0, 10.0])
    observation = LedWatcher(pd, clock).observe(timeout_s=20)
    assert observation.pattern is Pattern.NETWORK_LOST
    assert not observation.timed_out
    assert 4.15 <= observation.decision.decided_at_s <= 4.4
    assert clock.now() < 4.6  # it stopped watching as soon as it knew


def test_dark_led_is_none_and_a_short_timeout_gives_a_best_guess(clock, factory) -> None:
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    watcher = LedWatcher(pd, clock)
    quick = watcher.observe(timeout_s=2)
    assert quick.timed_out and not quick.decision.committed
    full = watcher.observe(timeout_s=20)
    assert full.pattern is Pattern.NONE and not full.timed_out


def test_start_action_runs_while_listening(clock, factory) -> None:
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    pin = factory.input_pin(17)

    def stimulus() -> None:
        # The camera answers within the stimulus itself: a flash, then a recording light.
        _flashes(clock, pin, [clock.now() + 0.3])
        clock.schedule(clock.now() + 1.0, pin.drive_high)
        clock.schedule(clock.now() + 9.0, pin.drive_low)
        clock.sleep(1.0)

    observation = LedWatcher(pd, clock).observe(timeout_s=30, start_action=stimulus)
    assert observation.pattern is Pattern.MOTION
    assert observation.decision.evidence["recording_s"] >= 7.9


def test_an_edge_reaching_the_buffer_late_is_still_in_order(clock, factory) -> None:
    """lgpio delivers edges on its own thread, a little after they happened (kernel timestamp)."""
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    for t in (1.0, 4.0, 7.0):
        # Each edge is stamped at t but appended 30 ms later, as a slow callback would.
        clock.schedule(t + 0.03, lambda t=t: pd._on_edge(t, True))
        clock.schedule(t + 0.18, lambda t=t: pd._on_edge(t + 0.15, False))
    observation = LedWatcher(pd, clock, poll_s=0.01).observe(timeout_s=20)
    assert observation.pattern is Pattern.NETWORK_LOST


def test_lost_edges_end_the_observation_with_a_rig_fault(clock, factory) -> None:
    """A full photodiode buffer is a rig fault with a hint (the controller ends the camera aborted)."""
    import pytest

    from rig.procedure.rig_fault import PhotodiodeOverflow, RigFault

    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory, capacity=6)
    _flashes(clock, factory.input_pin(17), [0.5, 0.6, 0.7, 0.8], width_s=0.05)   # 8 edges within one poll
    with pytest.raises(PhotodiodeOverflow) as info:
        LedWatcher(pd, clock, poll_s=1.0).observe(timeout_s=20)
    assert isinstance(info.value, RigFault)
    assert "2 LED edges lost" in str(info.value) and "RC low-pass" in str(info.value)
