"""The photodiode keeps every raw edge with its exact (virtual) time, in the configured polarity."""

from __future__ import annotations

import itertools
import threading

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from rig.hardware.photodiode import Photodiode
from rig.led.edge import Edge


def _drive(clock: VirtualClock, pin, schedule: list[tuple[float, bool]]) -> None:
    for at, level in schedule:
        clock.schedule(at, pin.drive_high if level else pin.drive_low)


def test_active_low_front_end_reports_lit_on_low(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    pd = Photodiode(17, clock, active_high=False, pull_up=True, pin_factory=factory)
    assert not pd.lit  # pulled up, LED dark
    pin = factory.input_pin(17)
    _drive(clock, pin, [(1.0, False), (1.15, True)])
    clock.sleep(1.1)
    assert pd.lit
    clock.sleep(1.0)
    assert pd.edges_since(0) == [Edge(1.0, 1), Edge(1.15, 0)]


def test_active_high_without_pull(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    pd = Photodiode(18, clock, active_high=True, pull_up=None, pin_factory=factory)
    pin = factory.input_pin(18)
    _drive(clock, pin, [(0.5, True), (0.62, False)])
    clock.sleep(1)
    assert pd.edges_since(0) == [Edge(0.5, 1), Edge(0.62, 0)]


def test_every_edge_of_a_1ms_burst_is_kept_unfiltered(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    pin = factory.input_pin(17)
    times = [2.0 + 0.001 * k for k in range(20)]
    _drive(clock, pin, [(t, k % 2 == 0) for k, t in enumerate(times)])
    clock.sleep(3)
    edges = pd.edges_since(0)
    assert [e.t_s for e in edges] == pytest.approx(times, abs=1e-12)
    assert [e.level for e in edges] == [int(k % 2 == 0) for k in range(20)]


def test_marks_hand_out_only_later_edges(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    pin = factory.input_pin(17)
    _drive(clock, pin, [(1.0, True), (1.1, False)])
    clock.sleep(2)
    mark = pd.mark()
    assert pd.edges_since(mark) == []
    _drive(clock, pin, [(3.0, True)])
    clock.sleep(2)
    assert pd.edges_since(mark) == [Edge(3.0, 1)]


def test_clock_origin_differs_from_tick_origin(factory: VirtualMockFactory) -> None:
    """Edge times are on the rig clock even when the backend's ticks count from elsewhere."""
    tick_clock = factory._clock  # the factory's ticks

    class OffsetClock:
        def now(self) -> float:
            return tick_clock.now() + 1000.0

        def sleep(self, s: float) -> None:
            tick_clock.sleep(s)

    rig_clock = OffsetClock()
    pd = Photodiode(17, rig_clock, active_high=True, pull_up=False, pin_factory=factory)
    pin = factory.input_pin(17)
    tick_clock.schedule(2.5, pin.drive_high)
    rig_clock.sleep(3)
    assert pd.edges_since(0) == [Edge(1002.5, 1)]


def test_buffer_is_thread_safe(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    """lgpio calls back on its own thread: concurrent edges and reads never lose or corrupt an edge."""
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    stop = threading.Event()
    reads: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            reads.append(len(pd.edges_since(0)))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for k in range(2000):
            pd._on_edge(k * 0.001, k % 2 == 0)
    finally:
        stop.set()
        thread.join()
    edges = pd.edges_since(0)
    assert len(edges) == 2000
    assert all(b.t_s > a.t_s for a, b in itertools.pairwise(edges))
    assert reads == sorted(reads)


def test_a_full_buffer_counts_what_it_loses(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    """Past the budget edges are counted, never silently lost; discarding what was read makes room again."""
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory, capacity=10)
    pin = factory.input_pin(17)
    _drive(clock, pin, [(1.0 + 0.01 * k, k % 2 == 0) for k in range(15)])
    clock.sleep(2)
    assert len(pd.edges_since(0)) == 10 and pd.overflowed == 5
    assert pd.edges_since(0)[-1] == Edge(1.09, 0)
    mark = pd.mark()
    pd.discard_before(mark)
    assert pd.edges_since(0) == [] and pd.mark() == mark == 10
    _drive(clock, pin, [(3.0, False)])            # the pin was left high by the 15th edge
    clock.sleep(2)
    assert pd.edges_since(mark) == [Edge(3.0, 0)] and pd.overflowed == 5


def test_the_buffer_is_compact(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    """9 bytes an edge (a double and a byte), not a Python object per edge."""
    import tracemalloc

    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    tracemalloc.start()
    try:
        for k in range(100_000):
            pd._on_edge(k * 0.001, k % 2 == 0)
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size < 100_000 * 12, size


def test_glitch_filter_only_on_lgpio(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    """The kernel glitch filter is lgpio's; on any other backend nothing is set (a mock or RPi.GPIO would do it in
    Python, costing what it should save)."""
    from rig.hardware.photodiode import GLITCH_FILTER_US, apply_glitch_filter

    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    assert pd.kernel_glitch_filter is False
    assert factory.input_pin(17).bounce is None
    assert apply_glitch_filter(pd._device, GLITCH_FILTER_US) is False
    assert 0 < GLITCH_FILTER_US < 40      # below a 5 kHz PWM-driven LED's shortest lit time (40 us at 20 %)
