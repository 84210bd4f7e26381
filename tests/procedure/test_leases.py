"""Leases on the shared bench: a power cycle asked for by two slots runs once, after the running
observations end; new observations wait behind it; every slot on the bench learns of it."""

from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.turns import TurnTaking
from rig.procedure.leases import BenchLeases


def bench() -> tuple[TurnTaking, BenchLeases]:
    turns = TurnTaking(VirtualClock())
    return turns, BenchLeases(turns, poll_s=0.25)


def test_two_requests_for_the_same_cycle_run_it_once_for_both() -> None:
    turns, leases = bench()
    runs: list[float] = []

    def cycle() -> str:
        runs.append(turns.now())
        turns.sleep(35.0)
        return "router off 35 s"

    def slot(n: int, delay_s: float):
        def task():
            leases.occupy(n)
            turns.sleep(delay_s)
            return leases.exclusive("power_cycle_router", n, cycle)

        return task

    results = turns.run([slot(1, 1.0), slot(2, 1.5)])
    assert len(runs) == 1
    event_1, event_2 = (r.value for r in results)
    assert event_1 is event_2
    assert event_1.requested_by == (1, 2)
    assert event_1.finished_s - event_1.started_s == pytest.approx(35.0)
    assert leases.events == [event_1]


def test_a_cycle_waits_for_running_observations_and_new_ones_wait_for_it() -> None:
    turns, leases = bench()
    timeline: list[tuple[str, float]] = []

    def observer_slot():
        leases.occupy(1)
        with leases.network(1):
            timeline.append(("observe 1 start", turns.now()))
            turns.sleep(20.0)
            timeline.append(("observe 1 end", turns.now()))

    def requester_slot():
        leases.occupy(2)
        turns.sleep(5.0)
        event = leases.exclusive("power_cycle_router", 2, lambda: (turns.sleep(35.0), "ok")[1])
        timeline.append(("cycle", event.started_s))
        timeline.append(("cycle end", event.finished_s))

    def late_observer_slot():
        leases.occupy(3)
        turns.sleep(10.0)  # the cycle is pending by now
        with leases.network(3):
            timeline.append(("observe 3 start", turns.now()))

    turns.run([observer_slot, requester_slot, late_observer_slot])
    at = dict(timeline)
    assert at["cycle"] >= at["observe 1 end"] == pytest.approx(20.0)
    assert at["observe 3 start"] >= at["cycle end"] == pytest.approx(at["cycle"] + 35.0)


def test_every_slot_on_the_bench_is_touched_and_learns_of_the_event() -> None:
    _turns, leases = bench()
    marks = {slot: leases.mark() for slot in (1, 2, 3)}
    for slot in (1, 2):
        leases.occupy(slot)
    leases.vacate(2)
    leases.occupy(3)
    event = leases.exclusive("power_cycle_sync_module", 1, lambda: "sync module off 65 s")
    assert event.touched == (1, 3)
    assert leases.events_since(marks[3], slot=3) == [event]
    assert leases.events_since(marks[2], slot=2) == []
    assert leases.events_since(leases.mark()) == []


def test_a_failed_cycle_is_raised_in_every_slot_that_asked() -> None:
    turns, leases = bench()

    def cycle() -> str:
        turns.sleep(1.0)
        raise OSError("relay board unplugged")

    def slot(n: int):
        return lambda: leases.exclusive("power_cycle_router", n, cycle)

    results = turns.run([slot(1), slot(2)])
    assert [type(r.error) for r in results] == [OSError, OSError]
    assert leases.events[0].ok is False and "relay board unplugged" in leases.events[0].detail


def test_asking_for_a_cycle_while_holding_the_bench_is_a_programming_error() -> None:
    _turns, leases = bench()
    with leases.network(1), pytest.raises(RuntimeError, match="holding the bench shared"):
        leases.exclusive("power_cycle_router", 1, lambda: "")


def test_a_together_action_waits_for_every_slot_on_the_bench_and_lets_them_observe_meanwhile() -> None:
    """A sequence's router step: the slot that asks first waits for the other (still observing, which it may
    start while the request is pending: the other must reach the step), then the router switches once."""
    turns, leases = bench()
    runs: list[float] = []
    seen: dict[str, float] = {}

    def switch() -> str:
        runs.append(turns.now())
        return "router off"

    def early():
        leases.occupy(1)
        turns.sleep(1.0)
        return leases.exclusive("router off", 1, switch, together=True)

    def late():
        leases.occupy(2)
        turns.sleep(5.0)   # the early slot's request is pending by now
        with leases.network(2):
            seen["observe start"] = turns.now()
            turns.sleep(30.0)
        return leases.exclusive("router off", 2, switch, together=True)

    def leaving():
        leases.occupy(3)
        turns.sleep(10.0)
        leases.vacate(3)   # a slot whose camera left is not waited for

    results = turns.run([early, late, leaving])
    assert seen["observe start"] == pytest.approx(5.0)
    assert runs == [pytest.approx(35.0)]
    assert results[0].value is results[1].value
    assert results[0].value.requested_by == (1, 2)
