"""Shared fixtures of the bench tests."""

from __future__ import annotations

import pytest

from rig.core.config import load_config
from rig.sim import build_sim_bench


@pytest.fixture
def make_bench():
    """Builds simulated benches and closes every one after the test (gpiozero devices are never left to GC)."""
    built = []

    def make(config=None, scenario=None, slots=None):
        bench = build_sim_bench(config or load_config(), scenario, slots=slots)
        built.append(bench)
        return bench

    yield make
    for bench in built:
        bench.close()
