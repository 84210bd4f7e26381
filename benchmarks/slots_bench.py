"""Benchmark: cameras per hour of bench time at 1, 2, 4 and 8 slots on the same mix (firmware_sim.mix).

Each run is the rig's scheduler (``run_slots``) on the simulated bench, in virtual time, with the technician's
swap time between two cameras of a slot. Every camera's disposition is compared with its single-slot run: they
must be identical, save the cameras that brought a bench fault (``router_down``, ``sync_module_glitch``), which
with several slots end with their own camera faults' disposition (here: ``pass``). Beside it, an oracle floor:
a single-slot ladder that reads each camera's fault from the scenario (the benchmark may peek, the rig may
not), its bench time divided by the number of slots (perfect sharing), and the ratio rig/oracle.

    python benchmarks/slots_bench.py [--cameras 36] [--seed 7] [--swap 20]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import replace

from firmware_sim.faults import FAULT_TABLE
from firmware_sim.mix import make_scenario
from firmware_sim.scenario import Scenario
from rig.core.config import load_config
from rig.core.events import SilentListener
from rig.procedure.controller import LadderPolicy
from rig.procedure.slots import run_slots
from rig.sim import build_sim_bench

BENCH_FAULTS = ("router_down", "sync_module_glitch")
SLOT_COUNTS = (1, 2, 4, 8)


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



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=36)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--swap", type=float, default=20.0, help="the technician's swap time, s")
    args = parser.parse_args()
    scenario = replace(make_scenario(args.cameras, args.seed), swap_s=args.swap)
    specs = {spec.serial: spec for spec in scenario.cameras}
    oracle = _Oracle()
    _, oracle_s, _ = run(scenario, 1, LadderPolicy(plan=oracle.plan, name="oracle"),
                         watch=lambda bench: _OracleLoader(bench, oracle))
    print(f"scenario: {len(scenario.cameras)} cameras, seed {args.seed}, swap {args.swap:g} s; "
          f"mix {dict(Counter(f for s in scenario.cameras for f in s.faults or ('none',)))}")
    print(f"{'slots':>5}{'bench time':>12}{'cameras/h':>11}{'vs 1 slot':>10}{'oracle floor':>14}{'rig/oracle':>11}"
          f"{'wall':>8}  dispositions differing from 1 slot (bench-fault bringers excepted)")
    single = None
    single_s = 0.0
    for slots in SLOT_COUNTS:
        records, bench_s, wall_s = run(scenario, slots)
        if single is None:
            single, single_s = records, bench_s
        differing = []
        for one, many in zip(single, records, strict=True):
            spec = specs[one.serial]
            want = "pass" if slots > 1 and set(spec.faults) & set(BENCH_FAULTS) else one.disposition.value
            if many.disposition.value != want:
                differing.append(f"{one.serial} {spec.faults}: {many.disposition.value} (want {want})")
        floor_s = oracle_s / slots
        print(f"{slots:>5}{bench_s / 60:>10.1f} m{len(records) / (bench_s / 3600):>11.1f}{single_s / bench_s:>9.2f}x"
              f"{floor_s / 60:>12.1f} m{bench_s / floor_s:>11.2f}{wall_s:>7.1f}s  {len(differing)}")
        for line in differing[:8]:
            print(f"        {line}")
    print("goal: 4 slots in at most a third of the single-slot bench time (a quarter plus the swap time)")


if __name__ == "__main__":
    main()
