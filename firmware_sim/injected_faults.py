"""Faults of the rig's own hardware, injected into the simulated bench from a scenario's ``[[rig_fault]]``.

A camera's faults (:mod:`firmware_sim.faults`) leave with the camera; these belong to the fixture. Each one
starts when camera ``at_camera`` is mounted and stays for the rest of the run, the way a loose cable stays
loose, except ``i2c_intermittent``, which is spent after ``count`` failed transactions. They act only through
the emulators, so the rig meets them exactly as it would on a desk:

==================== ==================================================================================
kind                 what the emulators do
==================== ==================================================================================
ina219_absent        the INA219 is detached from the fake I2C bus: every transaction NACKs (EREMOTEIO).
                     At camera 1 it is absent from power-up, so the rig's fixture starts without a meter.
i2c_intermittent     the next ``count`` I2C transactions fail with EREMOTEIO, then the bus is fine again
relay_unplugged      the USB relay board's pty disappears: writes fail with EIO, reopening fails
relay_silent         the relay board stops draining its input and its input queue is full: every write
                     times out (the rig's write timeout, in real time)
photodiode_saturated ambient light floods the photodiode: it reads lit whatever the LED does
probe_timeout        the bench's network probe times out on every hop (``network.timeout_s`` of virtual
                     time each) while the world's network is fine
==================== ==================================================================================

The relay faults need the serial relay backend (``relays.backend = "serial"``): with GPIO relays there is
no board to unplug, and the injector says so in one line when it is built.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from firmware_sim.ina219 import FakeI2CBus
from firmware_sim.network import SimNetworkProbe
from firmware_sim.relay_board import RelayBoardEmulator
from firmware_sim.scenario import RIG_FAULTS_NEEDING_RELAY_BOARD, RigFaultSpec, ScenarioError

if TYPE_CHECKING:
    from firmware_sim.world import BenchWorld

log = logging.getLogger(__name__)

FILL_CHUNK = b"\x00" * 1024   # not frames: what piles up in a hung board is never applied anyway
FILL_LIMIT_BYTES = 1 << 22    # a pty takes far less; a bound so a changed kernel cannot spin us forever
FULL_QUIET_S = 0.1            # no room for this long (real time): the pty's queue is full for good
FILL_MAX_S = 2.0
I2C_FAULTS = ("ina219_absent", "i2c_intermittent")


class RigFaultInjector:
    """Applies a scenario's rig faults to one simulated bench, at power-up and as cameras are mounted.

    ``applied`` lists the faults started so far, in order (for tests and the simulator's own log)."""

    def __init__(
        self,
        faults: Iterable[RigFaultSpec],
        world: BenchWorld,
        network_probe: SimNetworkProbe,
        *,
        i2c_bus: FakeI2CBus | None = None,
        ina219_address: int = 0x40,
        relay_board: RelayBoardEmulator | None = None,
        source: str = "<scenario>",
    ) -> None:
        self.faults = tuple(faults)
        self.world = world
        self.network_probe = network_probe
        self.i2c_bus = i2c_bus
        self.ina219_address = ina219_address
        self.relay_board = relay_board
        self.applied: list[RigFaultSpec] = []
        for number, fault in enumerate(self.faults, start=1):
            where = f"{source}: rig_fault {number} ({fault.kind})"
            if fault.kind in RIG_FAULTS_NEEDING_RELAY_BOARD and relay_board is None:
                raise ScenarioError(
                    f"{where}: kind: needs the USB relay board: give a config with relays.backend = \"serial\""
                )
            if fault.kind in I2C_FAULTS and i2c_bus is None:
                raise ScenarioError(f"{where}: kind: needs the simulated I2C bus, and this bench has none")

    def power_up(self) -> None:
        """Before the rig starts: a power meter absent from the first camera on was never there."""
        for fault in self.faults:
            if fault.kind == "ina219_absent" and fault.at_camera == 1:
                self._apply(fault)

    def camera_mounted(self, index: int) -> None:
        """Camera ``index`` (0-based, file order) is on the fixture: start the faults due at it."""
        for fault in self.faults:
            if fault.at_camera == index + 1 and fault not in self.applied:
                self._apply(fault)

    def _apply(self, fault: RigFaultSpec) -> None:
        kind = fault.kind
        if kind == "ina219_absent":
            assert self.i2c_bus is not None
            self.i2c_bus.detach(self.ina219_address)
        elif kind == "i2c_intermittent":
            assert self.i2c_bus is not None
            self.i2c_bus.fail_next(fault.count, errno.EREMOTEIO)
        elif kind == "relay_unplugged":
            assert self.relay_board is not None
            self.relay_board.unplug()
        elif kind == "relay_silent":
            assert self.relay_board is not None
            hang_relay_board(self.relay_board)
        elif kind == "photodiode_saturated":
            self.world.flood_photodiode(True)
        elif kind == "probe_timeout":
            self.network_probe.timing_out = True
        else:  # the scenario validator only lets known kinds through
            raise AssertionError(f"unknown rig fault {kind!r}")
        self.applied.append(fault)
        log.info("rig fault started: %s (camera %d)", kind, fault.at_camera)


def hang_relay_board(board: RelayBoardEmulator) -> None:
    """A board that stops listening: it drains nothing from now on, and its input queue is already full.

    A hung board's USB buffers fill in a few frames; a pty's queue holds thousands, which a run would never
    write. So the queue is filled here, through the port path as any other writer would, and the rig's very
    next write waits for room until its write timeout. The kernel moves pty input between its buffers in a
    worker, so room can reappear just after a write was refused: fill until none has appeared for a while."""
    board.stalled = True
    if not board.plugged:
        return
    fd = os.open(board.port_path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        written = 0
        deadline = time.monotonic() + FILL_MAX_S
        while written < FILL_LIMIT_BYTES and time.monotonic() < deadline:
            for chunk in (FILL_CHUNK, FILL_CHUNK[:1]):  # big writes, then the last bytes of room one by one
                with contextlib.suppress(BlockingIOError):
                    while written < FILL_LIMIT_BYTES:
                        written += os.write(fd, chunk)
            _, writable, _ = select.select([], [fd], [], FULL_QUIET_S)
            if not writable:
                break
    finally:
        os.close(fd)
