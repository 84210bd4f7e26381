"""The stop request itself: a handler that only records and wakes, and clocks whose sleep it ends at once."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import pytest

from firmware_sim.clock import VirtualClock
from rig.core.clock import MonotonicClock
from rig.core.stop import StopFlag, StopRequested, stop_on_signals


@pytest.fixture
def stop() -> Iterator[StopFlag]:
    flag = StopFlag()
    with stop_on_signals(flag, (signal.SIGALRM,)):
        yield flag
    signal.setitimer(signal.ITIMER_REAL, 0)
    flag.close()


def alarm_in(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, seconds)


@pytest.mark.parametrize("make_clock", [MonotonicClock, lambda stop: VirtualClock(speed=1.0, stop=stop)],
                         ids=["monotonic", "virtual-paced"])
def test_a_signal_ends_the_sleep_in_progress_at_once(stop: StopFlag, make_clock) -> None:
    clock = make_clock(stop)
    if isinstance(clock, VirtualClock):
        clock.schedule(30.0, lambda: None)   # something to pace towards
    alarm_in(0.05)
    started = time.monotonic()
    with pytest.raises(StopRequested) as caught:
        clock.sleep(30.0)
    assert time.monotonic() - started < 2.0
    assert caught.value.signum == signal.SIGALRM


def test_after_the_first_stop_the_wind_down_still_waits_until_a_second_signal(stop: StopFlag) -> None:
    clock = MonotonicClock(stop)
    stop.request(signal.SIGINT)
    with pytest.raises(StopRequested):
        clock.sleep(0)
    started = time.monotonic()
    clock.sleep(0.05)   # a relay frame's settle time in the safe state: waited, not raised again
    assert time.monotonic() - started >= 0.045
    alarm_in(0.05)
    started = time.monotonic()
    clock.sleep(30.0)   # the second signal: woken, and urgent from now on
    assert time.monotonic() - started < 2.0 and stop.urgent
    started = time.monotonic()
    clock.sleep(30.0)
    assert time.monotonic() - started < 0.5


def test_a_signal_just_before_a_wait_still_ends_it(stop: StopFlag) -> None:
    stop.request(signal.SIGTERM)   # landed between the last check and the wait
    started = time.monotonic()
    stop.wait(30.0)
    assert time.monotonic() - started < 0.5


def test_the_handler_never_raises_even_with_its_pipe_full(stop: StopFlag) -> None:
    for _ in range(100_000):   # far more than a pipe holds
        stop.request(signal.SIGHUP)
    assert stop.requested and stop.exit_status == 128 + signal.SIGHUP


def test_no_exception_escapes_a_handler_that_lands_in_a_finaliser(stop: StopFlag, capfd) -> None:
    """The old handlers raised: inside a finaliser Python printed "Exception ignored" and went on."""

    class Finalised:
        def __del__(self) -> None:
            signal.raise_signal(signal.SIGALRM)

    Finalised()
    assert stop.requested
    assert "Exception ignored" not in capfd.readouterr().err
