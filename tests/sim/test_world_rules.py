"""The cure rules on their own: thresholds are inclusive minimums, and a restart needs both parts together."""

from __future__ import annotations

from firmware_sim.faults import (
    READD_MIN_WAIT_S,
    RESTART_MIN_OFF_S,
    ROUTER_MIN_OFF_S,
    OffInterval,
    PowerHistory,
    readd_accepted,
    restart_cures,
    router_cycle_cures,
)
from rig.core.models import MINI, OUTDOOR


def test_router_cycle_threshold():
    assert router_cycle_cures(OffInterval(10.0, 10.0 + ROUTER_MIN_OFF_S))
    assert not router_cycle_cures(OffInterval(10.0, 10.0 + ROUTER_MIN_OFF_S - 0.01))
    assert not router_cycle_cures(None)


def test_restart_mini_needs_only_the_camera_off_a_minute():
    assert restart_cures(MINI, OffInterval(0, RESTART_MIN_OFF_S), None)
    assert not restart_cures(MINI, OffInterval(0, RESTART_MIN_OFF_S - 1), OffInterval(0, 500))


def test_restart_outdoor_needs_both_off_a_minute_and_at_the_same_time():
    long = RESTART_MIN_OFF_S + 15
    assert restart_cures(OUTDOOR, OffInterval(100, 100 + long), OffInterval(101, 101 + long))
    assert not restart_cures(OUTDOOR, OffInterval(100, 100 + long), None)
    assert not restart_cures(OUTDOOR, OffInterval(100, 100 + long), OffInterval(101, 101 + 30))
    assert not restart_cures(OUTDOOR, OffInterval(100, 100 + long), OffInterval(200, 200 + long))  # one after


def test_readd_wait():
    assert readd_accepted(50.0, 50.0 + READD_MIN_WAIT_S)
    assert not readd_accepted(50.0, 50.0 + READD_MIN_WAIT_S - 1)
    assert not readd_accepted(None, 1e6)


def test_power_history_records_completed_off_periods_only():
    history = PowerHistory(powered=False)
    assert not history.switch(False, 5.0)
    assert history.switch(True, 10.0)
    assert history.last_off is None                # off since before anyone watched: not a restart
    history.switch(False, 20.0)
    assert history.last_off is None and history.off_since_s == 20.0
    history.switch(True, 95.0)
    assert history.last_off == OffInterval(20.0, 95.0) and history.last_off.duration_s == 75.0
