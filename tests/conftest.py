"""Shared fixtures: a virtual clock, a gpiozero mock factory living in it, a relay board on a pty."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def wiring_copy(tmp_path: Path) -> Path:
    """A scratch copy of wiring/ to break on purpose (the wiring cross-check tests)."""
    copy = tmp_path / "wiring"
    shutil.copytree(Path(__file__).resolve().parents[1] / "wiring", copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return copy
