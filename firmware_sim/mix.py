"""A returns desk's mix of cameras, drawn for a seed: the scenario the benchmarks (and the tests that hold the
scheduler to the single-slot dispositions) run on.

The weights are an assumption (there are no published return statistics); bench faults (``router_down``,
``sync_module_glitch``) come with 17 in 100 cameras, a bench far busier with them than a real desk.
"""

from __future__ import annotations

import random

from firmware_sim.battery import BatterySpec
from firmware_sim.scenario import CameraSpec, Scenario
from rig.core.models import camera_model

# Weights per 100 cameras.
FAULT_MIX: list[tuple[str, tuple[str, ...], float]] = [
    ("outdoor", (), 22),
    ("mini", (), 10),
    ("outdoor", ("router_down",), 7),
    ("mini", ("router_down",), 3),
    ("outdoor", ("camera_glitch",), 8),
    ("mini", ("camera_glitch",), 8),
    ("outdoor", ("sync_module_glitch",), 7),
    ("outdoor", ("wifi_credentials_lost",), 5),
    ("mini", ("wifi_credentials_lost",), 4),
    ("outdoor", ("registration_lost",), 3),
    ("mini", ("registration_lost",), 2),
    ("outdoor", ("battery_failing",), 12),
    ("outdoor", ("pir_dead",), 3),
    ("outdoor", ("radio_dead",), 3),
    ("mini", ("radio_dead",), 3),
]


BENCH_FAULTS = frozenset({"router_down", "sync_module_glitch"})


def make_scenario(count: int, seed: int, bench_faults: float = 1.0) -> Scenario:
    """``count`` cameras drawn from the mix, in a scenario for ``seed``; ``bench_faults`` scales the weight of
    the cameras that bring a bench fault (0: none; 1: the mix as listed)."""
    rng = random.Random(seed)
    weights = [w * (bench_faults if BENCH_FAULTS & set(faults) else 1.0) for _, faults, w in FAULT_MIX]
    cameras = []
    for n in range(count):
        model, faults, _ = rng.choices(FAULT_MIX, weights)[0]
        battery = None
        profile = camera_model(model)
        if profile.has_battery:
            if "battery_failing" in faults:
                battery = BatterySpec(round(rng.uniform(2.8, 3.1), 2), round(rng.uniform(2.5, 4.0), 2))
            else:
                battery = BatterySpec(round(rng.uniform(3.3, 3.6), 2), round(rng.uniform(0.15, 0.4), 2))
        prefix = "G8T1" if profile.has_battery else "MINI"   # serials as the desk's scanner reads them
        cameras.append(CameraSpec(f"{prefix}-{n:04d}", model, faults, battery))
    return Scenario(tuple(cameras), seed=seed, source=f"<benchmark seed {seed}>")
