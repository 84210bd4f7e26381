"""Several cameras at once (docs/DESIGN.md, "Slots"): the scheduler on the simulated bench, end to end."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from firmware_sim.scenario import parse_scenario
from rig.core.config import load_config
from rig.core.events import SilentListener
from rig.core.records import CameraRecord
from rig.output.results import ResultsCsv
from rig.output.writers import BatchOutputs
from rig.procedure.batch import BatchStopped
from rig.procedure.slots import run_slots
from rig.sim import build_sim_bench


def camera(serial: str, model: str, *faults: str) -> str:
    return f'[[camera]]\nserial = "{serial}"\nmodel = "{model}"\nfaults = [{", ".join(repr(f) for f in faults)}]\n'


def run(tmp_path: Path, cameras: str, slots: int = 2, swap_s: float = 20, extra: str = "", seed: int = 0):
    tmp_path.mkdir(parents=True, exist_ok=True)
    scenario = parse_scenario(f"seed = {seed}\n[bench]\nslots = {slots}\nswap_s = {swap_s}\n{extra}{cameras}", "s.toml")
    bench = build_sim_bench(load_config(), scenario)
    outputs = BatchOutputs(ResultsCsv(str(tmp_path / "r.csv")), tmp_path / "records", outputs=("csv",))
    records: list[CameraRecord] = []
    error = None
    try:
        run_slots(bench.fixture, bench.slot_cameras, lambda _slot: SilentListener(), bench.operator, outputs,
                  runner=bench.run_slots, loader=bench.loader, swap_s=scenario.swap_s, records=records)
    except BatchStopped as exc:
        error = exc
    finally:
        unsafe = bench.close()
    assert unsafe == []
    return {r.serial: r for r in records}, bench, error


def offs(bench, device: str) -> int:
    return sum(1 for change in bench.wiring.changes(device)[1:] if not change.state)


def bench_notes(record: CameraRecord, action: str) -> list[str]:
    return [n for n in record.notes if n.startswith(f"bench event: {action}")]


def test_a_router_outage_is_one_bench_event_and_no_camera_s_verdict(tmp_path) -> None:
    records, bench, _ = run(tmp_path, camera("A-1", "outdoor") + camera("B-2", "mini", "router_down"))
    assert offs(bench, "router") == 1   # asked for by both slots, cycled once
    for serial in ("A-1", "B-2"):
        record = records[serial]
        assert record.disposition.value == "pass", (serial, record.notes)
        assert "power_cycle_router" not in record.fixes_tried and record.fixed_by == ""
        assert len(bench_notes(record, "power_cycle_router")) == 1
    assert {r.slot for r in records.values()} == {1, 2}
    assert "slots 1, 2" in bench_notes(records["A-1"], "power_cycle_router")[0]


def test_with_one_slot_a_router_outage_stays_the_camera_s_fix(tmp_path) -> None:
    records, bench, _ = run(tmp_path, camera("A-1", "outdoor") + camera("B-2", "mini", "router_down"), slots=1)
    assert records["B-2"].disposition.value == "fixed" and records["B-2"].fixed_by == "power_cycle_router"
    assert records["A-1"].disposition.value == "pass" and bench.turns is None


def test_a_stuck_sync_module_with_two_outdoor_cameras_is_one_bench_event(tmp_path) -> None:
    records, bench, _ = run(tmp_path, camera("A-1", "outdoor", "sync_module_glitch") + camera("B-2", "outdoor"))
    assert offs(bench, "sync_module") == 1
    for record in records.values():
        assert record.disposition.value == "pass", (record.serial, record.notes)
        assert record.fixes_tried == [] and record.fixed_by == ""
        assert len(bench_notes(record, "power_cycle_sync_module")) == 1


def test_a_camera_glitch_beside_a_stuck_sync_module_is_still_fixed_by_restart_camera(tmp_path) -> None:
    records, bench, _ = run(tmp_path, camera("A-1", "outdoor", "sync_module_glitch")
                            + camera("B-2", "outdoor", "camera_glitch"))
    assert records["B-2"].disposition.value == "fixed" and records["B-2"].fixed_by == "restart_camera"
    assert records["A-1"].disposition.value == "pass" and records["A-1"].fixed_by == ""
    assert offs(bench, "sync_module") == 1


def test_a_camera_glitch_alone_is_cured_by_the_camera_s_own_restart(tmp_path) -> None:
    records, _bench, _ = run(tmp_path, camera("A-1", "outdoor", "camera_glitch") + camera("B-2", "mini"))
    assert records["A-1"].disposition.value == "fixed" and records["A-1"].fixed_by == "restart_camera"
    assert records["B-2"].disposition.value == "pass"


def test_prompts_from_two_slots_are_answered_one_after_the_other_each_naming_its_slot(tmp_path) -> None:
    records, bench, _ = run(tmp_path, camera("A-1", "mini", "registration_lost")
                            + camera("B-2", "mini", "registration_lost"))
    assert all(r.disposition.value == "fixed" for r in records.values())
    requests = bench.operator.requests
    assert len(requests) >= 4
    for earlier, later in itertools.pairwise(requests):
        assert later.answered_at_s - later.asked_at_s >= bench.operator.delay_s - 1e-9
        assert later.answered_at_s >= earlier.answered_at_s + bench.operator.delay_s - 1e-9
    slot_of = {r.serial: r.slot for r in records.values()}
    assert all(q.instructions.startswith(f"slot {slot_of[q.serial]}: ") for q in requests)
    # The two slots really did ask at overlapping times: one waited for the technician.
    assert any(q.answered_at_s - q.asked_at_s > bench.operator.delay_s + 1 for q in requests)


def test_a_rig_fault_in_one_slot_leaves_the_others_running(tmp_path) -> None:
    cameras = "".join(camera(f"C-{n}", "outdoor") for n in range(1, 6))
    records, _bench, error = run(tmp_path, cameras, extra='[[rig_fault]]\nkind = "ina219_absent"\nat_camera = 1\n')
    assert records["C-1"].disposition.value == "aborted" and records["C-1"].slot == 1
    others = [r for r in records.values() if r.serial != "C-1"]
    assert len(others) == 4 and all(r.disposition.value == "pass" and r.slot == 2 for r in others)
    assert error is not None and "slot 1 stopped after C-1" in str(error)


def test_a_rig_fault_due_at_a_camera_in_slot_2_ends_that_slot_only(tmp_path) -> None:
    cameras = "".join(camera(f"C-{n}", "outdoor") for n in range(1, 6))
    records, _, error = run(tmp_path, cameras, extra='[[rig_fault]]\nkind = "ina219_absent"\nat_camera = 2\n')
    assert records["C-2"].disposition.value == "aborted" and records["C-2"].slot == 2
    assert "INA219" in " ".join(records["C-2"].notes) or "power meter" in " ".join(records["C-2"].notes).lower()
    others = [r for r in records.values() if r.serial != "C-2"]
    assert len(others) == 4 and all(r.disposition.value == "pass" and r.slot == 1 for r in others)
    assert error is not None and "slot 2 stopped after C-2" in str(error)


def test_the_technician_s_swap_time_passes_between_two_cameras_of_a_slot(tmp_path) -> None:
    cameras = camera("A-1", "mini") + camera("B-2", "mini") + camera("C-3", "mini")
    fast, _, _ = run(tmp_path / "fast", cameras, swap_s=0)
    slow, _, _ = run(tmp_path / "slow", cameras, swap_s=100)
    third_fast, third_slow = fast["C-3"], slow["C-3"]
    assert third_slow.started_s - third_fast.started_s == pytest.approx(100, abs=1)


def test_the_same_seed_gives_the_same_run(tmp_path) -> None:
    cameras = (camera("A-1", "outdoor", "sync_module_glitch") + camera("B-2", "mini", "router_down")
               + camera("C-3", "outdoor", "camera_glitch") + camera("D-4", "mini"))
    first, _, _ = run(tmp_path / "a", cameras)
    second, _, _ = run(tmp_path / "b", cameras)
    assert [(r.serial, r.slot, r.started_s, r.finished_s, r.notes) for r in first.values()] == [
        (r.serial, r.slot, r.started_s, r.finished_s, r.notes) for r in second.values()]


def test_rig_test_slots_overrides_the_scenario_and_writes_the_slot_column(tmp_path) -> None:
    import csv

    from click.testing import CliRunner

    from rig.cli import cli

    scenario = tmp_path / "s.toml"
    scenario.write_text("[bench]\nslots = 1\n" + "".join(camera(f"M-{n}", "mini") for n in range(1, 5)))
    result = CliRunner().invoke(cli, ["test", "--sim", str(scenario), "--slots", "4", "--csv",
                                      str(tmp_path / "r.csv"), "--no-sheets"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert sorted(r["slot"] for r in rows) == ["1", "2", "3", "4"]
    assert all(r["disposition"] == "pass" for r in rows)
    bad = CliRunner().invoke(cli, ["test", "--slots", "2", "--csv", str(tmp_path / "x.csv")])
    assert bad.exit_code != 0 and "--slots" in bad.output


def test_a_probe_timing_out_in_one_slot_s_turn_does_not_move_the_other_slot_s_time() -> None:
    # The probe's timeouts are seconds: were they slept on the world's clock inside slot 1's turn, slot 2 would
    # wake seconds late and its LED observation windows would be cut (a healthy camera ended `escalate`).
    bench = build_sim_bench(load_config(), parse_scenario(camera("A-1", "mini"), "s.toml"), slots=2)
    try:
        bench.hardware.world.router.set_upstream_fault(True)   # the internet hop times out
        start_s = bench.clock.now()
        woke: list[float] = []
        statuses = []

        def probing() -> None:
            bench.turns.sleep(0.1)
            statuses.append(bench.fixture.network.check())

        def watching() -> None:
            for _ in range(10):
                bench.turns.sleep(0.5)
                woke.append(round(bench.turns.now() - start_s, 9))

        results = bench.run_slots([probing, watching])
    finally:
        bench.close()
    assert [r.error for r in results] == [None, None]
    assert not statuses[0].internet_ok and "timed out" in statuses[0].detail
    assert woke == [0.5 * n for n in range(1, 11)]
    assert bench.clock.now() - start_s >= 0.1 + load_config().network.timeout_s   # the probe paid its timeout


# The benchmark's first sixteen cameras (seed 7), whose single-slot dispositions are known: every camera's own
# fault decides it, the bench faults' bringers pass (docs/DESIGN.md "Slots").
MIXED_BENCH = [
    ("G8T1-0000", "outdoor", "router_down"), ("G8T1-0001", "outdoor"), ("G8T1-0002", "outdoor"),
    ("G8T1-0003", "outdoor", "camera_glitch"), ("G8T1-0004", "outdoor", "camera_glitch"), ("MINI-0005", "mini"),
    ("G8T1-0006", "outdoor", "sync_module_glitch"), ("MINI-0007", "mini", "router_down"),
    ("MINI-0008", "mini", "radio_dead"), ("G8T1-0009", "outdoor"), ("G8T1-0010", "outdoor"),
    ("G8T1-0011", "outdoor", "battery_failing"), ("G8T1-0012", "outdoor", "sync_module_glitch"),
    ("G8T1-0013", "outdoor"), ("G8T1-0014", "outdoor", "wifi_credentials_lost"),
    ("G8T1-0015", "outdoor", "sync_module_glitch"),
]


def test_eight_slots_end_every_camera_as_one_slot_does_a_stuck_sync_module_during_a_fix_s_wait(tmp_path) -> None:
    # A camera loaded in another slot sticks the Sync Module while a camera_glitch camera waits out its own
    # restart: the restart cured it, the bench hid it; the bench action that cures the bench must not take the
    # fix's credit away (the camera once ended `pass` with restart_camera tried).
    cameras = "".join(camera(*spec) for spec in MIXED_BENCH)
    single, _, _ = run(tmp_path / "one", cameras, slots=1, seed=7)
    eight, _, _ = run(tmp_path / "eight", cameras, slots=8, seed=7)
    bench_faults = {"router_down", "sync_module_glitch"}
    bringers = {serial for serial, _model, *faults in MIXED_BENCH if bench_faults & set(faults)}
    want = {s: "pass" if s in bringers else r.disposition.value for s, r in single.items()}
    assert {s: r.disposition.value for s, r in eight.items()} == want
    assert [r.fixed_by for r in (eight["G8T1-0003"], eight["G8T1-0004"])] == ["restart_camera", "restart_camera"]
