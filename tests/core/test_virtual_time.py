"""Virtual clock and virtual-time mock pins: events fire in order at their times; edges carry those times."""

from __future__ import annotations

import time

import pytest
from gpiozero import OutputDevice

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from rig.core.clock import wait_until


def test_events_fire_in_time_order_with_now_at_their_time(clock: VirtualClock) -> None:
    fired: list[tuple[str, float]] = []
    for name, at in (("c", 3.0), ("a", 1.0), ("b", 2.0), ("a2", 1.0)):
        clock.schedule(at, lambda n=name: fired.append((n, clock.now())))
    clock.sleep(2.5)
    assert fired == [("a", 1.0), ("a2", 1.0), ("b", 2.0)]
    assert clock.now() == 2.5
    clock.sleep(1.0)
    assert fired[-1] == ("c", 3.0)


def test_cancelled_event_does_not_fire_and_past_events_are_clamped(clock: VirtualClock) -> None:
    fired: list[float] = []
    handle = clock.schedule(1.0, lambda: fired.append(1.0))
    handle.cancel()
    clock.sleep(2.0)
    clock.schedule(0.5, lambda: fired.append(clock.now()))  # in the past: runs at "now"
    clock.sleep(0.0)
    assert fired == [2.0]
    assert not handle.pending


def test_events_scheduled_by_events_fire_in_the_same_sleep(clock: VirtualClock) -> None:
    ticks: list[float] = []

    def tick() -> None:
        ticks.append(clock.now())
        if len(ticks) < 5:
            clock.call_later(0.5, tick)

    clock.call_later(0.5, tick)
    clock.sleep(10)
    assert ticks == [0.5, 1.0, 1.5, 2.0, 2.5]


def test_speed_paces_against_the_wall_clock() -> None:
    paced = VirtualClock(speed=100.0)
    start = time.monotonic()
    paced.sleep(5.0)  # 5 virtual seconds at 100x: about 50 ms of wall time
    elapsed = time.monotonic() - start
    assert 0.045 <= elapsed < 1.0
    with pytest.raises(ValueError):
        VirtualClock(speed=0)


def test_wait_until_polls_on_the_clock(clock: VirtualClock) -> None:
    flag = {"up": False}
    clock.schedule(7.2, lambda: flag.update(up=True))
    assert wait_until(clock, lambda: flag["up"], timeout_s=10, poll_s=0.5)
    assert clock.now() == pytest.approx(7.5)
    assert not wait_until(clock, lambda: False, timeout_s=3, poll_s=1)
    assert clock.now() == pytest.approx(10.5)


def test_mock_pin_edges_carry_virtual_ticks(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    pin = factory.input_pin(17)
    seen: list[tuple[float, bool]] = []

    class Sink:
        def changed(self, ticks: float, state: bool) -> None:
            seen.append((ticks, state))

    sink = Sink()
    pin.function = "input"
    pin.when_changed = sink.changed  # a bound method: gpiozero keeps only a weak reference
    for at, level in ((1.0, True), (1.001, False), (1.002, True), (4.25, False)):
        clock.schedule(at, pin.drive_high if level else pin.drive_low)
    clock.sleep(5)
    assert seen == [(1.0, True), (1.001, False), (1.002, True), (4.25, False)]
    assert [round(s.timestamp, 9) for s in pin.states[1:]] == [1.0, 0.001, 0.001, 3.248]


def test_output_changes_are_reported_with_the_pin(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    changes: list[tuple[float, int, bool]] = []
    factory.watch_outputs(lambda bcm, level: changes.append((clock.now(), bcm, level)))
    relay = OutputDevice(26, active_high=False, initial_value=False, pin_factory=factory)
    clock.sleep(2)
    relay.on()
    clock.sleep(1)
    relay.off()
    assert changes == [(0.0, 26, True), (2.0, 26, False), (3.0, 26, True)]
