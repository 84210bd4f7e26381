"""Benchmark: cameras per hour of bench time at 1, 2, 4 and 8 slots on the same mix (firmware_sim.mix).

Each run is the rig's scheduler (``run_slots``) on the simulated bench, in virtual time, with the technician's
swap time between two cameras of a slot. Every camera's disposition (and cure) is compared with its single-slot
run: they must be identical, save the cameras that brought a bench fault (``router_down``,
``sync_module_glitch``), which with several slots end with their own camera faults' disposition (here: ``pass``,
nothing tried). Beside it, an oracle floor: a single-slot ladder that reads each camera's fault from the scenario
(the benchmark may peek, the rig may not), its bench time divided by the number of slots (perfect sharing); and
a queue floor: the single-slot times of the rig's own cameras, queued in file order into the first free slot
with the swap time and no interference between slots (what the contract's queue allows at best).

Three benches, each over several seeds (one scenario per seed, the same for every slot count):
- ``desk``: the mix with bench faults at a fifth of their weight (about 3 in 100 cameras bring one);
- ``stress``: the mix as listed (17 in 100 cameras bring a router outage or a stuck Sync Module);
- ``stress, no light``: the same without the sensor on the Sync Module's green LED (the cameras tell).

    python benchmarks/slots_bench.py [--cameras 36] [--seeds 1-10] [--swap 20]
"""

from __future__ import annotations

import argparse
import heapq
import statistics
import time
from collections import Counter
from dataclasses import dataclass, replace

from firmware_sim.faults import FAULT_TABLE
from firmware_sim.mix import BENCH_FAULTS, make_scenario
from firmware_sim.scenario import Scenario
from rig.core.config import load_config
from rig.core.events import SilentListener
from rig.procedure.controller import LadderPolicy
from rig.procedure.slots import run_slots
from rig.sim import build_sim_bench

SLOT_COUNTS = (1, 2, 4, 8)
GOAL = 1 / 3   # 4 slots: at most a third of the single-slot bench time


class _Discard:
    """Outputs that keep nothing: the benchmark measures bench time, not disk."""

    stop = None

    def write(self, record) -> None:
        pass


def run(scenario: Scenario, slots: int, policy: LadderPolicy | None = None, watch=None):
    """(records in file order, bench time in s, wall time in s) for one run."""
    bench = build_sim_bench(load_config(), scenario, slots=slots)
    loader = watch(bench) if watch else bench.loader
    start_s = bench.clock.now()
    wall0 = time.perf_counter()
    try:
        records = run_slots(bench.fixture, bench.slot_cameras, lambda _slot: SilentListener(), bench.operator,
                            _Discard(), runner=bench.run_slots, loader=loader,  # type: ignore[arg-type]
                            swap_s=scenario.swap_s, policy=policy)
        bench_s = bench.clock.now() - start_s
    finally:
        bench.close()
    order = {spec.serial: n for n, spec in enumerate(scenario.cameras)}
    return sorted(records, key=lambda r: order[r.serial]), bench_s, time.perf_counter() - wall0


class _OracleLoader:
    """The simulated technician's hands, telling the oracle ladder which camera is on the (one) slot."""

    def __init__(self, bench, oracle: _Oracle) -> None:
        self.inner, self.bench, self.oracle = bench.loader, bench, oracle

    def load(self, slot: int, index: int) -> None:
        self.oracle.faults = self.bench.scenario.cameras[index].faults
        self.inner.load(slot, index)

    def unload(self, slot: int) -> None:
        self.inner.unload(slot)


class _Oracle:
    """A ladder that knows the camera's faults: their cures, then escalation."""

    faults: tuple[str, ...] = ()

    def plan(self, _diagnosis) -> list[str]:
        cures = [FAULT_TABLE[f].fix for f in self.faults if FAULT_TABLE[f].fix]
        return [*cures, "contact_support"] if cures else ["contact_support"]


def oracle_s(scenario: Scenario) -> float:
    oracle = _Oracle()
    _, bench_s, _ = run(scenario, 1, LadderPolicy(plan=oracle.plan, name="oracle"),
                        watch=lambda bench: _OracleLoader(bench, oracle))
    return bench_s


def queue_floor_s(single, slots: int, swap_s: float) -> float:
    """The contract's queue with no interference: each camera takes its single-slot time, cameras go in file
    order into the first free slot after the swap time. No scheduler that keeps the queue can beat it."""
    free = [(0.0, slot) for slot in range(slots)]
    used: set[int] = set()
    end_s = 0.0
    for record in single:
        at_s, slot = heapq.heappop(free)
        start_s = at_s + (swap_s if slot in used else 0.0)
        used.add(slot)
        done_s = start_s + record.finished_s - record.started_s
        heapq.heappush(free, (done_s, slot))
        end_s = max(end_s, done_s)
    return end_s


def differing(scenario: Scenario, single, records) -> list[str]:
    """Cameras whose disposition or cure differs from the single-slot run (bench-fault bringers: pass)."""
    specs = {spec.serial: spec for spec in scenario.cameras}
    out = []
    for one, many in zip(single, records, strict=True):
        faults = specs[one.serial].faults
        want = ("pass", "", []) if BENCH_FAULTS & set(faults) else (one.disposition.value, one.fixed_by, None)
        got = (many.disposition.value, many.fixed_by, many.fixes_tried if want[2] is not None else None)
        if got != want:
            out.append(f"{one.serial} {faults}: {got[0]} {got[1]} (want {want[0]} {want[1]})")
    return out


@dataclass
class Row:
    ratios: list[float]
    per_hour: list[float]
    differing: list[str]
    floor_ratio: list[float]
    queue_ratio: list[float]
    wall_s: float = 0.0


def measure(scenarios: list[Scenario]) -> dict[int, Row]:
    rows = {slots: Row([], [], [], [], []) for slots in SLOT_COUNTS}
    for scenario in scenarios:
        single, single_s, _ = run(scenario, 1)
        floor_s = oracle_s(scenario)
        for slots in SLOT_COUNTS:
            records, bench_s, wall_s = (single, single_s, 0.0) if slots == 1 else run(scenario, slots)
            row = rows[slots]
            row.ratios.append(bench_s / single_s)
            row.per_hour.append(len(records) / (bench_s / 3600))
            if slots > 1:
                row.differing += [f"seed {scenario.seed}: {d}" for d in differing(scenario, single, records)]
            row.floor_ratio.append(bench_s / (floor_s / slots))
            row.queue_ratio.append(queue_floor_s(single, slots, scenario.swap_s) / single_s)
            row.wall_s += wall_s
    return rows


def seeds_arg(text: str) -> list[int]:
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(s) for s in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=36)
    parser.add_argument("--seeds", type=seeds_arg, default=list(range(1, 11)), help="e.g. 1-10 or 3,7")
    parser.add_argument("--swap", type=float, default=20.0, help="the technician's swap time, s")
    args = parser.parse_args()
    benches = {
        "desk": dict(bench_faults=0.2, light=True),
        "stress": dict(bench_faults=1.0, light=True),
        "stress, no light": dict(bench_faults=1.0, light=False),
    }
    print(f"{args.cameras} cameras per scenario, seeds {args.seeds[0]}-{args.seeds[-1]} ({len(args.seeds)}), "
          f"swap {args.swap:g} s; times are bench (virtual) time")
    for name, how in benches.items():
        scenarios = [replace(make_scenario(args.cameras, seed, how["bench_faults"]), swap_s=args.swap,
                             sync_module_light=how["light"]) for seed in args.seeds]
        mix = Counter(f for s in scenarios for spec in s.cameras for f in spec.faults or ("none",))
        bringers = sum(1 for s in scenarios for spec in s.cameras if BENCH_FAULTS & set(spec.faults))
        total = sum(len(s.cameras) for s in scenarios)
        print(f"\n{name}: {bringers} of {total} cameras bring a bench fault; mix {dict(mix)}")
        print(f"{'slots':>5}{'vs 1 slot (mean, max)':>24}{'queue floor':>13}{'cameras/h':>11}{'rig/oracle floor':>18}"
              f"{'wall':>8}  dispositions differing from 1 slot")
        rows = measure(scenarios)
        for slots, row in rows.items():
            print(f"{slots:>5}{statistics.mean(row.ratios):>15.3f}{max(row.ratios):>8.3f}"
                  f"{statistics.mean(row.queue_ratio):>13.3f}"
                  f"{statistics.mean(row.per_hour):>11.1f}{statistics.mean(row.floor_ratio):>17.2f}"
                  f"{row.wall_s:>7.1f}s  {len(row.differing)}")
            for line in row.differing[:6]:
                print(f"        {line}")
        four = rows[4].ratios
        print(f"  4 slots: {sum(r <= GOAL for r in four)} of {len(four)} seeds within a third of the single-slot "
              f"time (mean {statistics.mean(four):.3f}; goal <= {GOAL:.3f}, a quarter plus the swap time ideally)")


if __name__ == "__main__":
    main()
