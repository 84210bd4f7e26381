"""Shared fixtures: a virtual clock and a gpiozero mock factory living in it."""

from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from rig.config import RigConfig, load_config


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def factory(clock: VirtualClock) -> VirtualMockFactory:
    return VirtualMockFactory(clock)


@pytest.fixture
def config() -> RigConfig:
    return load_config()
