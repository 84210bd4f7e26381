"""A tile's LED strip from the slot's real photodiode (gpiozero mock pin in virtual time): the last 30 s of
edges with the level at the window's start, read by the web thread while the bench thread adds edges."""

from __future__ import annotations

import threading

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from rig.hardware.photodiode import Photodiode
from rig.ui.station.board import LED_STRIP_S, StationBoard
from rig.ui.station.led import PhotodiodeLedSource


def blink(clock: VirtualClock, pin, start_s: float, period_s: float, lit_s: float, count: int) -> None:
    for n in range(count):
        at = start_s + n * period_s
        clock.schedule(at, pin.drive_high)
        clock.schedule(at + lit_s, pin.drive_low)


def test_the_strip_holds_the_last_window_and_the_level_at_its_start(clock: VirtualClock,
                                                                      factory: VirtualMockFactory) -> None:
    pd = Photodiode(17, clock, active_high=True, pull_up=None, pin_factory=factory)
    source = PhotodiodeLedSource(pd, clock, LED_STRIP_S)
    pin = factory.input_pin(17)
    blink(clock, pin, 1.0, 3.0, 0.2, 20)            # a blink every 3 s from t=1 to t=58
    clock.schedule(70.0, pin.drive_high)             # then lit from t=70 on
    clock.sleep(60.0)
    initial, edges = source(30.0)
    assert initial == 0
    assert [round(60.0 - ago, 3) for ago, _ in edges][:2] == [31.0, 31.2]
    assert len(edges) == 20 and all(ago <= 30.0 for ago, _ in edges)
    assert [level for _, level in edges[:4]] == [1, 0, 1, 0]
    clock.sleep(45.0)                                # t=105: only the switch-on at 70 is in the window
    initial, edges = source(30.0)
    assert initial == 1 and edges == []
    assert source(30.0) == (1, [])                  # a second read at the same time: the same strip


def test_the_board_sends_the_strip_for_a_loaded_slot_only(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    pd = Photodiode(17, clock, active_high=True, pull_up=None, pin_factory=factory)
    board = StationBoard(clock, slots=1)
    board.led_sources[1] = PhotodiodeLedSource(pd, clock, LED_STRIP_S)
    pin = factory.input_pin(17)
    blink(clock, pin, 0.5, 1.0, 0.1, 5)
    clock.sleep(6.0)
    assert board.slots_json()[0]["led"] is None      # an empty slot shows no strip
    board.load(1, "G8T1-0001", "outdoor")
    strip = board.slots_json()[0]["led"]
    assert strip["window_s"] == LED_STRIP_S and strip["initial"] == 0
    assert [level for _, level in strip["edges"]] == [1, 0] * 5
    assert strip["edges"][0][0] == 5.5


def test_reading_while_the_bench_adds_edges_loses_none(clock: VirtualClock, factory: VirtualMockFactory) -> None:
    pd = Photodiode(17, clock, active_high=True, pull_up=None, pin_factory=factory)
    source = PhotodiodeLedSource(pd, clock, keep_s=10_000.0)
    pin = factory.input_pin(17)
    blink(clock, pin, 0.01, 0.02, 0.01, 2000)
    stop = threading.Event()
    reads: list[int] = []

    def web() -> None:
        while not stop.is_set():
            reads.append(len(source(10_000.0)[1]))

    reader = threading.Thread(target=web)
    reader.start()
    try:
        for _ in range(400):
            clock.sleep(0.1)
    finally:
        stop.set()
        reader.join(5)
    assert len(reads) > 1 and reads == sorted(reads)  # the strip only grows while nothing ages out
    assert len(source(10_000.0)[1]) == 4000
