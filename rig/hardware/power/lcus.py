"""The LCUS-1/2/4/8 USB relay board (CH340, 9600 baud), spoken to through pyserial.

Switching is a 4-byte frame ``A0 ch state (A0+ch+state)&0xFF``. The CH340 boards handle one command at a time:
frames written back to back get lost, so published drivers pause between them (10-200 ms; Brasme's LCUS-4
driver, ``ch340_relay.py``, sleeps 100 ms after each frame "as the CH340 only can handle one command at a
time"). We keep :data:`FRAME_GAP_S` = 100 ms between any two writes, on the rig's clock. The LCUS-4/8 boards
answer a status query (one byte ``FF``) with a line per channel, ``CH1: ON`` / ``CH1: OFF``; the LCUS-1 and
many clones never answer. After each switch the board is asked: a board that answers confirms the channel, a
board that never answered is said to be mute once (switches unconfirmed), and a board that used to answer
and stopped is an :class:`OutletError`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from typing import ClassVar

import serial
from pydantic import Field, StrictBool

from rig.core.clock import Clock
from rig.hardware.power.base import Backend, BackendSettings, BuildContext, Outlet, OutletError, one_line

log = logging.getLogger(__name__)

LCUS_HEADER = 0xA0
LCUS_BAUD = 9600
LCUS_MAX_CHANNEL = 8
STATUS_QUERY = b"\xff"
READ_BACK_TIMEOUT_S = 0.5    # per answer line after the gap: a line (10 bytes at 9600 baud) takes 10 ms, the
                             # rest is slack for a loaded host; only a board that does not answer waits it out
WRITE_TIMEOUT_S = 1.0    # a board that stops draining its input must not hang the rig
FRAME_GAP_S = 0.1        # between two writes, and the board's time to answer a status query
BOARD_HINT = "check the relay board's USB cable and [relays] serial_port"
_STATUS_LINE = re.compile(rb"CH(\d):\s*(ON|OFF)", re.IGNORECASE)
_UNSTABLE_PORT = re.compile(r"^/dev/tty(USB|ACM)\d+$")


def port_warning(port_path: str) -> str:
    """A warning when the board's port is a kernel name that can change between boots, else ""."""
    if _UNSTABLE_PORT.match(port_path):
        return (f"{port_path} can name another USB serial device after a reboot: use its /dev/serial/by-id/... "
                "path (ls -l /dev/serial/by-id)")
    return ""


class LcusRelayBoard:
    """One board on one serial port, shared by the outlets on its channels.

    A board that stopped listening is noticed when a write fails (unplugged: the tty is gone) or times out
    (nobody drains it), or when a board that answered its status query stops answering. Each becomes an
    :class:`OutletError` naming the port. A board opened by path is reopened on the next ``set`` after a
    failure, so a re-plugged board (same path) recovers without restarting the rig.
    """

    def __init__(
        self,
        port: serial.Serial,
        reopen: Callable[[], serial.Serial] | None = None,
        clock: Clock | None = None,
        gap_s: float = FRAME_GAP_S,
    ) -> None:
        self.port: serial.Serial | None = port
        self.port_path = str(port.port)
        self._reopen = reopen
        self.clock = clock          # paces frames; without one (a bare board in a test) frames go back to back
        self.gap_s = gap_s
        self.answers: bool | None = None   # None until the first status query
        self._last_write_s: float | None = None

    @staticmethod
    def frame(channel: int, state: int | bool) -> bytes:
        """The frame that switches ``channel`` (1-8) to ``state`` (1 = energised, 0 = released)."""
        if not 1 <= channel <= LCUS_MAX_CHANNEL:
            raise ValueError(f"relay channel must be 1-{LCUS_MAX_CHANNEL} (got {channel})")
        bit = 1 if state else 0
        return bytes((LCUS_HEADER, channel, bit, (LCUS_HEADER + channel + bit) & 0xFF))

    @classmethod
    def open(cls, port_path: str, baud: int = LCUS_BAUD) -> LcusRelayBoard:
        """Open the board's serial port; a missing or busy port is an :class:`OutletError`."""

        def opener() -> serial.Serial:
            try:
                return serial.Serial(port_path, baud, timeout=0.5, write_timeout=WRITE_TIMEOUT_S)
            except (serial.SerialException, OSError, ValueError) as exc:
                raise OutletError(
                    f"relay board on {port_path} cannot be opened: {one_line(exc)}: {BOARD_HINT}"
                ) from exc

        return cls(opener(), reopen=opener)

    def set(self, channel: int, energised: bool) -> None:
        """Energise or release one relay."""
        self._write(self.frame(channel, energised))

    def query(self, channel: int) -> bool | None:
        """Ask the board (``FF``) whether ``channel`` is energised; None when the board does not answer (or
        there is no clock to give it its time). Raises :class:`OutletError` when a board that answered goes
        quiet. The answer lists the channels in order, so reading stops at the line for ``channel``."""
        if self.clock is None or self.answers is False:
            return None
        port = self._port()
        try:
            port.reset_input_buffer()   # a previous answer's remaining lines
        except (serial.SerialException, OSError) as exc:
            self._drop_port()
            raise OutletError(f"relay board on {self.port_path} not answering: {one_line(exc)}: {BOARD_HINT}") from exc
        self._write(STATUS_QUERY)
        self.clock.sleep(self.gap_s)
        state = self._read_status(port, channel)
        if state is not None:
            self.answers = True
            return state
        if self.answers:
            raise OutletError(f"relay board on {self.port_path} stopped answering its status query: {BOARD_HINT}")
        self.answers = False
        log.warning("relay board on %s does not answer its status query: switches are not confirmed",
                    self.port_path)
        return None

    def _read_status(self, port: serial.Serial, channel: int) -> bool | None:
        """Lines until ``CHn: ON|OFF`` for ``channel``; each waits at most READ_BACK_TIMEOUT_S (serial I/O)."""
        saved = port.timeout
        try:
            port.timeout = READ_BACK_TIMEOUT_S
            for _ in range(LCUS_MAX_CHANNEL):
                line = port.readline()
                if not line:
                    return None
                match = _STATUS_LINE.search(line)
                if match and int(match.group(1)) == channel:
                    return match.group(2).upper() == b"ON"
            return None
        except (serial.SerialException, OSError) as exc:
            self._drop_port()
            raise OutletError(f"relay board on {self.port_path} not answering: {one_line(exc)}: {BOARD_HINT}") from exc
        finally:
            with contextlib.suppress(serial.SerialException, OSError, ValueError):
                port.timeout = saved

    def _write(self, data: bytes) -> None:
        if self.clock is not None and self._last_write_s is not None:
            wait_s = self._last_write_s + self.gap_s - self.clock.now()
            if wait_s > 0:
                self.clock.sleep(wait_s)
        port = self._port()
        try:
            written = port.write(data)
        except (serial.SerialException, OSError) as exc:
            self._drop_port()
            raise OutletError(
                f"relay board on {self.port_path} not answering: {one_line(exc)}: {BOARD_HINT}"
            ) from exc
        if self.clock is not None:
            self._last_write_s = self.clock.now()
        if written is not None and written != len(data):
            self._drop_port()
            raise OutletError(
                f"relay board on {self.port_path} not answering: wrote {written} of {len(data)} bytes: {BOARD_HINT}"
            )

    def _port(self) -> serial.Serial:
        if self.port is not None and self.port.is_open:
            return self.port
        if self._reopen is None:
            raise OutletError(f"relay board on {self.port_path} not answering: port is closed: {BOARD_HINT}")
        self.port = self._reopen()
        return self.port

    def _drop_port(self) -> None:
        """Forget a port that failed, so the next ``set`` starts from a fresh open (when we can reopen)."""
        if self._reopen is None or self.port is None:
            return
        with contextlib.suppress(serial.SerialException, OSError):
            self.port.close()
        self.port = None

    def close(self) -> None:
        if self.port is not None:
            try:
                self.port.close()
            except (serial.SerialException, OSError) as exc:
                log.warning("relay board on %s: close failed: %s", self.port_path, exc)
        self.port = None
        self._reopen = None


class LcusSettings(BackendSettings):
    SECTION_DEFAULTS: ClassVar[dict[str, tuple[str, str]]] = {
        "port": ("relays", "serial_port"), "baud": ("relays", "baud")}

    channel: int = Field(ge=1, le=LCUS_MAX_CHANNEL)
    port: str = Field(min_length=1, max_length=4096, pattern=r"^[^\x00]*$")
    baud: int = Field(LCUS_BAUD, gt=0, le=4_000_000)
    normally_on: StrictBool = True

    def fail_safe(self) -> bool:
        return self.normally_on

    def fail_safe_problem(self) -> str:
        return "normally_on = false: a dead rig (or an unplugged board) leaves this outlet off"

    def claims(self) -> dict[str, tuple[object, str]]:
        return {"channel": (("lcus", self.port, self.channel), f"relay channel {self.channel}")}

    def warnings(self) -> list[str]:
        return [w for w in (port_warning(self.port),) if w]

    def where(self) -> str:
        return f"channel {self.channel} on {self.port}"


class LcusChannel:
    """One channel of an :class:`LcusRelayBoard`.

    Not switched at construction (the board may be absent: that is the bank's first ``all_on`` to report);
    ``assumed_on`` is how a released relay leaves the load: powered on ``normally_on`` wiring.
    """

    def __init__(self, name: str, board: LcusRelayBoard, channel: int, normally_on: bool) -> None:
        LcusRelayBoard.frame(channel, 0)  # validates the channel now, not at the first switch
        self.name = name
        self.board = board
        self.channel = channel
        self.normally_on = normally_on
        self.assumed_on = normally_on
        self.where = f"channel {channel} on {board.port_path}"

    def power_set(self, on: bool) -> None:
        try:
            self.board.set(self.channel, on != self.normally_on)
        except OutletError as exc:
            raise OutletError(f"outlet {self.name}: {exc}") from exc

    def power_get(self) -> bool | None:
        try:
            energised = self.board.query(self.channel)
        except OutletError as exc:
            raise OutletError(f"outlet {self.name}: {exc}") from exc
        return None if energised is None else energised != self.normally_on

    def unconfirmed_reason(self) -> str:
        return "the board does not answer its status query (an LCUS-1 or a mute clone)" if \
            self.board.answers is False else ""

    def close(self) -> None:
        """The board is the bank's to close (several outlets share it)."""


def build(name: str, settings: LcusSettings, ctx: BuildContext) -> LcusChannel:
    opener: Callable[[str, int], LcusRelayBoard] = ctx.overrides.get("lcus", LcusRelayBoard.open)
    board: LcusRelayBoard = ctx.share(("lcus", settings.port), lambda: opener(settings.port, settings.baud),
                                      LcusRelayBoard.close)
    if board.clock is None:
        board.clock = ctx.clock
    return LcusChannel(name, board, settings.channel, settings.normally_on)


BACKEND = Backend("lcus", LcusSettings, build)


class SerialRelayOutlet(Outlet):
    """An outlet on one channel of a board, built directly (tests, tools) rather than from a config."""

    def __init__(self, name: str, board: LcusRelayBoard, channel: int, normally_on: bool, clock: Clock) -> None:
        super().__init__(name, LcusChannel(name, board, channel, normally_on), clock)
