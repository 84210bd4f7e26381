"""Shared fixtures: a virtual clock, a gpiozero mock factory living in it, a relay board on a pty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from rig.core.config import RigConfig, load_config


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def factory(clock: VirtualClock) -> Iterator[VirtualMockFactory]:
    f = VirtualMockFactory(clock)
    yield f
    f.reset()


@pytest.fixture
def board_emulator() -> Iterator[RelayBoardEmulator]:
    """An LCUS relay board emulator on a fresh pty."""
    emulator = RelayBoardEmulator()
    yield emulator
    emulator.close()


@pytest.fixture
def config() -> RigConfig:
    return load_config()
