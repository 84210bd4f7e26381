"""Turn-taking threads in virtual time: the same interleaving every run, in time order, failures kept apart."""

from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.turns import TurnTaking


def _ticker(turns: TurnTaking, name: str, period_s: float, count: int, log: list[tuple[float, str]]):
    def task() -> str:
        for _ in range(count):
            turns.sleep(period_s)
            log.append((turns.now(), name))
        return name

    return task


def test_participants_wake_in_time_order_and_time_is_shared() -> None:
    turns = TurnTaking(VirtualClock())
    log: list[tuple[float, str]] = []
    results = turns.run([_ticker(turns, "a", 3.0, 4, log), _ticker(turns, "b", 2.0, 5, log)])
    assert [r.value for r in results] == ["a", "b"]
    assert [t for t, _ in log] == sorted(t for t, _ in log)
    assert [t for t, n in log if n == "a"] == [3.0, 6.0, 9.0, 12.0]
    assert [t for t, n in log if n == "b"] == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert turns.now() == 12.0


def test_ties_go_to_the_participant_that_asked_first_and_runs_repeat_exactly() -> None:
    def one_run() -> list[tuple[float, str]]:
        turns = TurnTaking(VirtualClock())
        log: list[tuple[float, str]] = []
        turns.run([_ticker(turns, name, 1.0, 20, log) for name in "abcd"])
        return log

    first = one_run()
    assert first[:4] == [(1.0, "a"), (1.0, "b"), (1.0, "c"), (1.0, "d")]
    assert all(one_run() == first for _ in range(5))


def test_world_events_fire_at_their_virtual_time_whichever_thread_moves_the_clock() -> None:
    clock = VirtualClock()
    turns = TurnTaking(clock)
    fired: list[float] = []
    for at in (0.5, 2.5, 7.25):
        clock.schedule(at, lambda: fired.append(clock.now()))
    turns.run([_ticker(turns, "a", 2.0, 2, []), _ticker(turns, "b", 3.0, 3, [])])
    assert fired == [0.5, 2.5, 7.25]


def test_a_failing_participant_is_returned_and_the_others_run_to_their_end() -> None:
    turns = TurnTaking(VirtualClock())
    log: list[tuple[float, str]] = []

    def broken() -> None:
        turns.sleep(1.0)
        raise OSError("INA219 gone")

    results = turns.run([broken, _ticker(turns, "b", 1.0, 5, log)])
    assert isinstance(results[0].error, OSError)
    assert results[1].error is None and results[1].value == "b"
    assert [t for t, _ in log] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_wait_until_polls_through_virtual_time() -> None:
    turns = TurnTaking(VirtualClock())
    flag: list[bool] = []

    def setter() -> None:
        turns.sleep(10.0)
        flag.append(True)

    def waiter() -> float:
        turns.wait_until(lambda: bool(flag), poll_s=1.0)
        return turns.now()

    results = turns.run([waiter, setter])
    assert results[0].value == pytest.approx(10.0)


def test_outside_a_run_sleep_is_the_plain_clock() -> None:
    turns = TurnTaking(VirtualClock())
    assert turns.participant is None
    turns.sleep(4.0)
    assert turns.now() == 4.0
    seen: list[int | None] = []
    turns.run([lambda: seen.append(turns.participant), lambda: seen.append(turns.participant)])
    assert seen == [0, 1]
