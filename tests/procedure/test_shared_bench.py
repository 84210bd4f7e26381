"""The shared bench read from the slots' own hardware: which cameras a bench action touches, what the other slots
saw (witnesses), the bench's part cured before a camera's own fixes, and every camera ending as it does alone."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.mix import make_scenario
from firmware_sim.scenario import Scenario, parse_scenario
from firmware_sim.turns import TurnTaking
from rig.core.config import load_config
from rig.core.events import SilentListener
from rig.core.models import camera_model
from rig.hardware.sync_module_light import SyncModuleLight
from rig.led.patterns import Pattern
from rig.procedure.bench_actions import SlotBench, depends_on
from rig.procedure.controller import ProcedureController
from rig.procedure.leases import BenchLeases, BenchResource
from rig.procedure.slots import run_slots
from rig.procedure.witnesses import BenchWitnesses
from rig.sim import build_sim_bench
from tests.procedure.test_slots import camera, offs, run

OUTDOOR, MINI = camera_model("outdoor"), camera_model("mini")
BENCH_FAULTS = {"router_down", "sync_module_glitch"}


class LedLook:
    """What a look at a slot's LED classifies (the look only asks ``observe(...).pattern``)."""

    def __init__(self, clock: VirtualClock, pattern: Pattern) -> None:
        self.clock, self.pattern, self.looks = clock, pattern, 0

    def observe(self, timeout_s: float) -> SimpleNamespace:
        self.looks += 1
        self.clock.sleep(min(timeout_s, 7.0))   # the classifier's decision takes a few seconds of LED
        return SimpleNamespace(pattern=self.pattern)


def shared_bench() -> tuple[VirtualClock, BenchLeases, BenchWitnesses]:
    clock = VirtualClock()
    return clock, BenchLeases(clock), BenchWitnesses(clock)


def test_a_sync_module_cycle_touches_only_the_cameras_behind_it() -> None:
    turns = TurnTaking(VirtualClock())
    leases = BenchLeases(turns)
    leases.occupy(1, depends_on(OUTDOOR))
    leases.occupy(2, depends_on(MINI))
    leases.occupy(3, depends_on(OUTDOOR))
    [sync_module] = turns.run([lambda: leases.exclusive("power_cycle_sync_module", 1, lambda: "off 65 s",
                                                        resource=BenchResource.SYNC_MODULE)])
    [router] = turns.run([lambda: leases.exclusive("power_cycle_router", 2, lambda: "off 35 s",
                                                   resource=BenchResource.ROUTER)])
    assert sync_module.value.touched == (1, 3)    # the Mini reaches the router directly
    assert router.value.touched == (1, 2, 3)


def test_a_sighting_vouches_for_the_path_only_until_a_camera_joins_it() -> None:
    clock, leases, witnesses = shared_bench()
    one, two = SlotBench(1, leases, witnesses), SlotBench(2, leases, witnesses)
    one.camera_loaded(OUTDOOR)
    two.camera_loaded(OUTDOOR)
    clock.sleep(15.0)
    two.saw_online()
    assert one.path_witness(OUTDOOR).slot == 2
    assert two.path_witness(OUTDOOR) is None            # a camera is no witness for itself
    clock.sleep(5.0)
    SlotBench(3, leases, witnesses).camera_loaded(OUTDOOR)   # it may have left the Sync Module stuck
    assert one.path_witness(OUTDOOR) is None
    clock.sleep(5.0)
    two.saw_online()
    assert one.path_witness(OUTDOOR).seen_s == clock.now()


def test_a_mini_seen_online_says_nothing_of_the_sync_module() -> None:
    clock, leases, witnesses = shared_bench()
    one, two = SlotBench(1, leases, witnesses), SlotBench(2, leases, witnesses)
    one.camera_loaded(OUTDOOR)
    two.camera_loaded(MINI)
    clock.sleep(15.0)
    two.saw_online()
    assert one.path_witness(OUTDOOR) is None
    assert one.back_since(MINI, 0.0).slot == 2


def test_a_look_at_another_slot_s_led_finds_a_camera_online_only_where_its_slot_expects_one() -> None:
    clock, leases, witnesses = shared_bench()
    asker, dark, flashing, restarting = (SlotBench(n, leases, witnesses) for n in (1, 2, 3, 4))
    looks = {2: LedLook(clock, Pattern.NONE), 3: LedLook(clock, Pattern.NETWORK_LOST), 4: LedLook(clock, Pattern.NONE)}
    for bench in (asker, dark, flashing, restarting):
        bench.camera_loaded(OUTDOOR)
        if bench.slot in looks:
            bench.watch_led(looks[bench.slot])  # type: ignore[arg-type]
    for bench in (dark, flashing, restarting):
        bench.saw_online()
    clock.sleep(30.0)
    SlotBench(5, leases, witnesses).camera_loaded(OUTDOOR)   # the sightings no longer vouch for the path
    restarting.disturbing()                                  # its slot is restarting it: dark says nothing
    assert asker.path_witness(OUTDOOR) is None
    witness = asker.path_witness(OUTDOOR, look=True)
    assert witness is not None and witness.slot == 2 and witness.looked
    assert looks[4].looks == 0
    # The look is a sighting too: the next question needs no look.
    assert asker.path_witness(OUTDOOR).slot == 2 and looks[2].looks == 1


def test_a_look_at_cameras_all_flashing_offline_finds_no_witness() -> None:
    clock, leases, witnesses = shared_bench()
    asker, other = SlotBench(1, leases, witnesses), SlotBench(2, leases, witnesses)
    look = LedLook(clock, Pattern.NETWORK_LOST)
    asker.camera_loaded(OUTDOOR)
    other.camera_loaded(OUTDOOR)
    other.watch_led(look)  # type: ignore[arg-type]
    other.saw_online()
    clock.sleep(10.0)
    SlotBench(3, leases, witnesses).camera_loaded(OUTDOOR)
    assert asker.path_witness(OUTDOOR, look=True) is None and look.looks == 1


NO_LIGHT = "sync_module_light = false\n"   # [bench]: no sensor on the Sync Module's LED: the cameras tell


def test_an_outdoor_camera_offline_beside_one_seen_online_restarts_alone(tmp_path) -> None:
    # Several cameras dropping at once is the Sync Module's; one dropping alone is its own. No bench cycle that
    # would knock the healthy camera offline.
    records, bench, _ = run(tmp_path, camera("A-1", "outdoor") + camera("B-2", "outdoor", "camera_glitch"),
                            extra=NO_LIGHT)
    assert records["B-2"].disposition.value == "fixed" and records["B-2"].fixed_by == "restart_camera"
    assert records["A-1"].disposition.value == "pass"
    assert offs(bench, "sync_module") == 0
    restart = next(s for s in records["B-2"].steps if s.name == "restart_camera")
    assert "the Sync Module works (slot 1's camera" in restart.notes


def test_the_sync_module_s_light_tells_it_is_online_without_another_outdoor_camera(tmp_path) -> None:
    records, bench, _ = run(tmp_path, camera("A-1", "outdoor", "camera_glitch") + camera("B-2", "mini"))
    assert records["A-1"].fixed_by == "restart_camera" and offs(bench, "sync_module") == 0
    restart = next(s for s in records["A-1"].steps if s.name == "restart_camera")
    assert restart.notes == "the Sync Module's light is solid green (online): the camera restarted alone"
    # Without the sensor nothing on the bench says so: the Sync Module is cycled first, as a bench action.
    records, bench, _ = run(tmp_path / "dark", camera("A-1", "outdoor", "camera_glitch") + camera("B-2", "mini"),
                            extra=NO_LIGHT)
    assert records["A-1"].fixed_by == "restart_camera" and offs(bench, "sync_module") == 1


def test_the_sync_module_s_light_reads_solid_blinking_and_dark_as_the_sync_module_is() -> None:
    scenario = parse_scenario("[bench]\nslots = 2\n" + camera("A-1", "outdoor", "sync_module_glitch")
                              + camera("B-2", "outdoor"), "s.toml")
    bench = build_sim_bench(load_config(), scenario)
    try:
        light, clock = bench.fixture.sync_module_light, bench.clock
        assert light is not None and bench.fixture.slot_fixture(2).sync_module_light is light
        assert light.read() is SyncModuleLight.ONLINE
        bench.loader.load(1, 0)                  # the camera that leaves the Sync Module stuck
        clock.sleep(5.0)
        assert light.read() is SyncModuleLight.RECONNECTING
        assert light.read() is SyncModuleLight.RECONNECTING and clock.now() < 15.0   # a second asker reuses it
        bench.fixture.outlets["sync_module"].off()
        clock.sleep(5.0)
        assert light.read() is SyncModuleLight.DARK
    finally:
        bench.close()
    dark = build_sim_bench(load_config(), replace(scenario, sync_module_light=False))
    try:
        assert dark.fixture.sync_module_light.read() is SyncModuleLight.DARK   # not fitted: no evidence
    finally:
        dark.close()


def test_a_camera_offline_on_its_own_is_not_kept_waiting_once_the_others_are_back(tmp_path) -> None:
    records, bench, _ = run(tmp_path, camera("A-1", "outdoor", "wifi_credentials_lost")
                            + camera("B-2", "outdoor", "sync_module_glitch"), extra=NO_LIGHT)
    assert records["A-1"].fixed_by == "reset_wifi" and records["B-2"].disposition.value == "pass"
    assert offs(bench, "sync_module") == 1
    step = next(s for s in records["A-1"].steps if s.name == "power_cycle_sync_module")
    timings = load_config().timings
    assert "slot 2's camera on the same bench path was back online" in step.notes
    assert step.duration_s < timings.camera_off_s + timings.reconnect_timeout_s - 20


def probing_session(clock: VirtualClock, router_up_at_s: float, probes: list[float]) -> SimpleNamespace:
    """Just what the controller's probe asks of a session: the probe, the clock, the waits and the timings."""

    def network_ok() -> bool:
        probes.append(clock.now())
        return clock.now() >= router_up_at_s

    return SimpleNamespace(network_ok=network_ok, clock=clock, config=load_config(),
                           wait=lambda _label, seconds: clock.sleep(seconds))


def test_a_router_just_power_cycled_is_given_its_start_up_before_it_is_called_down() -> None:
    clock, leases, witnesses = shared_bench()
    leases.occupy(2, depends_on(MINI))
    leases.exclusive("power_cycle_router", 2, lambda: (clock.sleep(35.0), "off 35 s")[1],
                     resource=BenchResource.ROUTER)   # ends at 35 s; the router answers again at 90 s
    controller = ProcedureController(SimpleNamespace(clock=clock), None, bench=SlotBench(1, leases, witnesses))
    probes: list[float] = []
    assert controller._network_ok(probing_session(clock, 90.0, probes))
    assert 90.0 <= clock.now() < 100.0 and len(probes) > 2
    # A router down long after the last cycle is down now: another slot's camera brought an outage.
    clock.sleep(500.0)
    probes.clear()
    assert not controller._network_ok(probing_session(clock, 10_000.0, probes))
    assert len(probes) == 1


def test_a_router_that_stays_down_after_the_start_up_time_is_down() -> None:
    clock, leases, witnesses = shared_bench()
    leases.exclusive("power_cycle_router", 2, lambda: "off", resource=BenchResource.ROUTER)
    controller = ProcedureController(SimpleNamespace(clock=clock), None, bench=SlotBench(1, leases, witnesses))
    assert not controller._network_ok(probing_session(clock, 10_000.0, []))
    assert clock.now() == pytest.approx(load_config().timings.reconnect_timeout_s, abs=1e-6)


def run_mix(scenario: Scenario, slots: int) -> dict:
    bench = build_sim_bench(load_config(), scenario, slots=slots)

    class Discard:
        stop = None

        def write(self, record) -> None:
            pass

    try:
        records = run_slots(bench.fixture, bench.slot_cameras, lambda _slot: SilentListener(), bench.operator,
                            Discard(), runner=bench.run_slots, loader=bench.loader,  # type: ignore[arg-type]
                            swap_s=scenario.swap_s)
    finally:
        assert bench.close() == []
    return {r.serial: r for r in records}


@pytest.mark.parametrize(("slots", "seed", "light"), [(2, 4, True), (4, 7, True), (4, 9, False), (8, 6, True),
                                                     (8, 9, True)])
def test_every_camera_of_a_mixed_bench_ends_as_it_does_alone(slots: int, seed: int, light: bool) -> None:
    # Bench faults arriving during motion tests, fixes' checks and other slots' cycles: each seed once made a
    # camera's disposition (or its cure) depend on how many slots ran beside it.
    scenario = replace(make_scenario(36, seed), swap_s=20.0, sync_module_light=light)
    alone, together = run_mix(scenario, 1), run_mix(scenario, slots)
    for spec in scenario.cameras:
        one, many = alone[spec.serial], together[spec.serial]
        if BENCH_FAULTS & set(spec.faults):
            want = ("pass", "", [])
            assert (many.disposition.value, many.fixed_by, many.fixes_tried) == want, (spec, many.notes)
        else:
            assert (many.disposition.value, many.fixed_by) == (one.disposition.value, one.fixed_by), (spec, many.notes)


@pytest.mark.parametrize(("model", "faults", "disposition", "fixed_by"), [
    ("outdoor", ("sync_module_glitch", "camera_glitch"), "fixed", "restart_camera"),
    ("mini", ("router_down", "wifi_credentials_lost"), "fixed", "reset_wifi"),
    ("outdoor", ("router_down", "battery_failing"), "fixed", "replace_batteries"),
    ("outdoor", ("sync_module_glitch", "radio_dead"), "escalate", ""),
    ("outdoor", ("router_down", "pir_dead"), "fail", ""),
])
@pytest.mark.parametrize("light", [True, False])
def test_a_camera_that_brings_a_bench_fault_ends_with_its_own_fault_s_disposition(
        tmp_path, model: str, faults: tuple[str, ...], disposition: str, fixed_by: str, light: bool) -> None:
    cameras = (camera("A-1", "outdoor") + camera("B-2", model, *faults) + camera("C-3", "mini")
               + camera("D-4", "outdoor"))
    records, _, _ = run(tmp_path, cameras, extra="" if light else NO_LIGHT)
    bringer = records["B-2"]
    assert (bringer.disposition.value, bringer.fixed_by) == (disposition, fixed_by), bringer.notes
    assert not {"power_cycle_router", "power_cycle_sync_module"} & set(bringer.fixes_tried)
    assert any(note.startswith("bench event: ") for note in bringer.notes)
    assert all(r.disposition.value == "pass" for s, r in records.items() if s != "B-2")


class ScriptedLight:
    """The Sync Module's light as the sensor reads it: blinking until ``solid_at_s``, then solid green."""

    def __init__(self, clock: VirtualClock, solid_at_s: float) -> None:
        self.clock, self.solid_at_s = clock, solid_at_s

    def read(self) -> SyncModuleLight:
        return SyncModuleLight.ONLINE if self.clock.now() >= self.solid_at_s else SyncModuleLight.RECONNECTING


def test_a_sync_module_blinking_while_it_reconnects_after_the_router_is_not_taken_for_stuck() -> None:
    clock, leases, witnesses = shared_bench()
    leases.exclusive("power_cycle_router", 2, lambda: (clock.sleep(35.0), "off 35 s")[1],
                     resource=BenchResource.ROUTER)
    fixture = SimpleNamespace(clock=clock, sync_module_light=ScriptedLight(clock, 120.0))
    controller = ProcedureController(fixture, None, bench=SlotBench(1, leases, witnesses))
    assert controller._sync_module_light(probing_session(clock, 0.0, [])) is SyncModuleLight.ONLINE
    assert 120.0 <= clock.now() < 130.0
    # Long after the router's last cycle, a blinking light is a stuck Sync Module: no wait.
    fixture.sync_module_light = ScriptedLight(clock, 10_000.0)
    clock.sleep(500.0)
    before = clock.now()
    assert controller._sync_module_light(probing_session(clock, 0.0, [])) is SyncModuleLight.RECONNECTING
    assert clock.now() == before
