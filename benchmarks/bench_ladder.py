"""Benchmark: the rig's diagnosis-ordered, verify-early ladder against the naive one, on one scenario.

The naive bench tries the article's seven fixes in the article's order for every sick camera and gives each
its longest wait (router: 30 s off then 2 min; camera: 2 min off then 2 min; re-add: 5 min) before looking
at the LED once. Both run the same controller on the same simulated cameras, in virtual time, in this run.

    python benchmarks/bench_ladder.py [--cameras 120] [--seed 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from firmware_sim.mix import make_scenario
from firmware_sim.scenario import Scenario
from rig.core.config import RigConfig, load_config
from rig.procedure.batch import run_batch
from rig.procedure.controller import LadderPolicy, ProcedureController
from rig.procedure.ladder import naive_ladder
from rig.sim import build_sim_bench


def naive_config(base: RigConfig) -> RigConfig:
    timings = base.timings.model_copy(
        update={"router_off_s": 30.0, "camera_off_s": 120.0, "readd_wait_s": 300.0, "reconnect_timeout_s": 120.0}
    )
    return base.model_copy(update={"timings": timings})


class _Discard:
    """Outputs that keep nothing: the benchmark measures bench time, not disk."""

    stop = None   # no signal handling: the benchmark runs to its end

    def write(self, record) -> None:
        pass


def run(config: RigConfig, scenario: Scenario, policy: LadderPolicy):
    bench = build_sim_bench(config, scenario)
    controller = ProcedureController(bench.fixture, bench.operator, policy=policy)
    wall0 = time.perf_counter()
    try:
        records = run_batch(controller, bench.cameras, _Discard())  # type: ignore[arg-type]
    finally:
        bench.close()
    return records, time.perf_counter() - wall0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    scenario = make_scenario(args.cameras, args.seed)
    base = load_config()
    rig_records, rig_wall = run(base, scenario, LadderPolicy())
    naive = LadderPolicy(plan=lambda d: naive_ladder(d.model), verify_early=False, name="naive")
    naive_records, naive_wall = run(naive_config(base), scenario, naive)
    rig_mean = statistics.fmean(r.duration_s or 0 for r in rig_records)
    naive_mean = statistics.fmean(r.duration_s or 0 for r in naive_records)
    print(f"scenario: {len(scenario.cameras)} cameras, seed {args.seed}")
    print(f"{'ladder':<8}{'mean bench time/camera':>26}{'wall time':>12}  dispositions")
    for name, records, mean, wall in (
        ("rig", rig_records, rig_mean, rig_wall),
        ("naive", naive_records, naive_mean, naive_wall),
    ):
        counts = Counter(r.disposition.value if r.disposition else "none" for r in records)
        print(f"{name:<8}{mean:>24.1f} s{wall:>10.2f} s  {dict(sorted(counts.items()))}")
    print(f"ratio rig/naive: {rig_mean / naive_mean:.3f}  (goal <= 0.4)")
    mismatched = [
        (a.serial, a.disposition, b.disposition)
        for a, b in zip(rig_records, naive_records, strict=True)
        if a.disposition != b.disposition
    ]
    print(f"cameras where the two ladders disagree on the disposition: {len(mismatched)}")
    for serial, a, b in mismatched[:10]:
        print(f"  {serial}: rig {a}, naive {b}")


if __name__ == "__main__":
    main()
