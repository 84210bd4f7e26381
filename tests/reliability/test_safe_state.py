"""The one safe state, tested directly: if a line of it is deleted, a test here goes red. (Issue 17 item 11.)

``Fixture.safe_state`` is reached after every camera and at every exit; ``Fixture.close`` reaches it before
letting go of the parts (whose own ``close`` switch outlets on again, a second line of defence tested apart,
so that neither hides the other)."""

from __future__ import annotations

import pytest

from rig.core.config import ACTUATOR_NAMES, OUTLET_NAMES, load_config
from rig.hardware.fixture import unsafe_note
from rig.sim import build_sim_bench


@pytest.fixture
def bench():
    bench = build_sim_bench(load_config())
    yield bench
    bench.close()


def everything_unsafe(bench) -> None:
    fixture = bench.fixture
    for name in OUTLET_NAMES:
        fixture.outlets[name].off()
    for actuator in fixture.actuators.all():
        actuator.on()
    bench.clock.sleep(0.1)
    assert not any(bench.wiring.state(name) for name in OUTLET_NAMES)
    assert all(bench.wiring.state(name) for name in ACTUATOR_NAMES)


def powered(bench) -> dict[str, bool]:
    return {name: bench.wiring.state(name) for name in OUTLET_NAMES}


def released(bench) -> dict[str, bool]:
    return {name: not bench.wiring.state(name) for name in ACTUATOR_NAMES}


def test_safe_state_switches_every_outlet_on(bench) -> None:
    everything_unsafe(bench)
    assert bench.fixture.safe_state() == []
    bench.clock.sleep(0.1)
    assert powered(bench) == dict.fromkeys(OUTLET_NAMES, True)


def test_safe_state_releases_every_actuator(bench) -> None:
    everything_unsafe(bench)
    bench.fixture.safe_state()
    bench.clock.sleep(0.1)
    assert released(bench) == dict.fromkeys(ACTUATOR_NAMES, True)


def test_safe_state_still_powers_the_outlets_when_an_actuator_fails(bench, monkeypatch) -> None:
    everything_unsafe(bench)

    def broken() -> None:
        raise RuntimeError("MOSFET gate shorted")

    monkeypatch.setattr(bench.fixture.actuators, "release_all", broken)
    failed = bench.fixture.safe_state()
    bench.clock.sleep(0.1)
    assert failed == ["actuators (MOSFET gate shorted)"]
    assert powered(bench) == dict.fromkeys(OUTLET_NAMES, True)


def test_close_reaches_the_safe_state_itself_and_says_what_failed(bench, monkeypatch) -> None:
    """Not through the parts' own close: those are stubbed out here, so only Fixture.close can do it."""
    everything_unsafe(bench)
    monkeypatch.setattr(bench.fixture.outlets, "close", lambda: None)
    monkeypatch.setattr(bench.fixture.actuators, "close", lambda: None)
    assert bench.fixture.close() == []
    bench.clock.sleep(0.1)
    assert powered(bench) == dict.fromkeys(OUTLET_NAMES, True)
    assert released(bench) == dict.fromkeys(ACTUATOR_NAMES, True)


def test_the_outlet_bank_powers_the_bench_when_closed_on_its_own(bench) -> None:
    everything_unsafe(bench)
    bench.fixture.outlets.close()
    assert powered(bench) == dict.fromkeys(OUTLET_NAMES, True)


def test_an_unreachable_safe_state_is_a_rig_fault_with_a_hint() -> None:
    note = unsafe_note(["router", "camera"])
    assert note.startswith("rig fault: could not switch back on: router, camera: ")
    assert "rig check" in note


def test_each_camera_ends_in_the_safe_state_before_its_row_is_written(monkeypatch) -> None:
    """The controller's own safe state: a camera stopped mid-fix with its outlet left off (here the fix's own
    "on" is lost, as a relay board that drops a frame would lose it) comes back powered when ``test_camera``
    returns, before the batch writes its row or closes anything."""
    import signal

    from firmware_sim.scenario import parse_scenario
    from rig.core.events import SilentListener
    from rig.core.stop import StopFlag
    from rig.procedure.controller import BenchController

    scenario = parse_scenario('[[camera]]\nserial = "SS-0001"\nmodel = "mini"\nfaults = ["camera_glitch"]\n')
    stop = StopFlag()
    bench = build_sim_bench(load_config(), scenario, stop=stop)
    try:
        def stop_while_an_outlet_is_off() -> None:
            if not all(powered(bench).values()) and not stop.requested:
                stop.request(signal.SIGTERM)
            bench.clock.call_later(1.0, stop_while_an_outlet_is_off)

        bench.clock.call_later(1.0, stop_while_an_outlet_is_off)
        outlet = bench.fixture.outlets["camera"]
        real_on, dropped = outlet.on, []

        def first_on_frame_lost() -> None:
            if not dropped:
                dropped.append(True)
                return
            real_on()

        monkeypatch.setattr(outlet, "on", first_on_frame_lost)
        (camera,) = bench.cameras
        record = BenchController(bench.fixture, bench.operator, SilentListener()).test_camera(
            0, camera.serial, camera.model)
        assert stop.requested, "no outlet was ever off: the scenario did not reach its fix"
        assert dropped, "the fix never switched its outlet back on"
        assert record.disposition.value == "aborted" and "interrupted by SIGTERM" in record.notes[-1]
        assert powered(bench) == dict.fromkeys(OUTLET_NAMES, True)
        assert released(bench) == dict.fromkeys(ACTUATOR_NAMES, True)
    finally:
        bench.close()
        stop.close()
