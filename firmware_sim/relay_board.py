"""An LCUS USB relay board (CH340, 9600 baud) emulated on a pseudo-terminal.

The rig opens the pty's slave path with real pyserial, exactly as it opens ``/dev/ttyUSB0`` on a desk, and
writes 4-byte frames ``A0 ch state (A0+ch+state)&0xFF``. The emulator reads the master side, applies good
frames, and counts and logs bad ones without applying them (a real board ignores what it cannot parse).
Frames are never answered. The status query, one byte ``FF``, is answered as an LCUS-4 answers it, one line
per channel (``CH1: OFF\r\n``...; Brasme's ``ch340_relay.py`` reads the same); ``answers_status=False`` is
the LCUS-1 and the clones that stay mute.

Two ways to drive it: ``poll()`` reads whatever is pending without blocking, for the in-process simulator,
which must see a switch at the virtual instant the rig wrote it; ``start()`` runs a reader thread, for the
stand-alone ``python -m firmware_sim relay-board``. On Linux a read of the master flushes the pty's pending
input work first, so bytes the rig's ``write()`` returned from are always visible to the next ``poll()``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pty
import select
import signal
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click
import serial

if TYPE_CHECKING:
    from rig.hardware.outlets import LcusRelayBoard

log = logging.getLogger(__name__)

HEADER = 0xA0
STATUS_QUERY = 0xFF
FRAME_LEN = 4
MAX_CHANNELS = 8
READ_CHUNK = 4096
THREAD_POLL_S = 0.05   # how often the reader thread wakes to notice stop()

ChangeListener = Callable[[int, bool], None]
"""Called with (channel, energised) whenever a relay changes state."""


@dataclass(frozen=True)
class RejectedFrame:
    data: bytes
    reason: str


def frame_checksum(channel: int, state: int) -> int:
    return (HEADER + channel + state) & 0xFF


class RelayBoardEmulator:
    """An LCUS-4 (channels 1-4; up to 8 for the LCUS-8) on a pty, all relays released at power-up."""

    def __init__(
        self, channels: int = 4, on_change: ChangeListener | None = None, log_rejects: bool = True,
        answers_status: bool = True,
    ) -> None:
        if not 1 <= channels <= MAX_CHANNELS:
            raise ValueError(f"an LCUS board has 1-{MAX_CHANNELS} channels (got {channels})")
        self.channels = channels
        self.states: dict[int, bool] = dict.fromkeys(range(1, channels + 1), False)
        self.frames: list[bytes] = []            # every header-aligned frame received, good or bad, byte-exact
        self.rejected: list[RejectedFrame] = []  # frames (and stray bytes) not applied, with the reason
        self.bytes_received = 0
        self.answers_status = answers_status
        self.queries = 0                         # status queries received (answered or not)
        self.log_rejects = log_rejects   # off when the owner reports ``rejected`` itself (the CLI)
        self._listeners: list[ChangeListener] = [on_change] if on_change else []
        self._buffer = bytearray()
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._master, self._slave = pty.openpty()
        # Raw mode: a fresh pty echoes and rewrites CR/LF, which would mangle binary frames.
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.port_path: str = os.ttyname(self._slave)
        self.plugged = True
        self.stalled = False   # a hung board: bytes pile up unread until the rig's writes time out

    @property
    def bad_frames(self) -> int:
        return len(self.rejected)

    def subscribe(self, listener: ChangeListener) -> None:
        """Hear every relay change (besides ``on_change``): how the bench wiring learns of switches."""
        self._listeners.append(listener)

    # -- reading -------------------------------------------------------------------------------------------

    def poll(self, timeout_s: float = 0.0) -> int:
        """Read and apply everything pending; with ``timeout_s`` wait that long for the first byte.

        Returns the number of bytes read (0 once unplugged, or while ``stalled``)."""
        if timeout_s > 0:
            # Wait outside the lock: a synchronous poll() must never queue behind the reader thread's wait.
            try:
                ready, _, _ = select.select([self._master], [], [], timeout_s)
            except (OSError, ValueError):  # unplugged meanwhile: the fd is gone
                return 0
            if not ready:
                return 0
        with self._lock:
            if not self.plugged or self.stalled:
                return 0
            total = 0
            while True:
                try:
                    chunk = os.read(self._master, READ_CHUNK)
                except BlockingIOError:
                    break
                except OSError:  # EIO: nothing open on the slave side; cannot happen while we hold it
                    break
                if not chunk:
                    break
                total += len(chunk)
                self._buffer.extend(chunk)
            if total:
                self.bytes_received += total
                self._parse()
            return total

    def _parse(self) -> None:
        buf = self._buffer
        while buf:
            if buf[0] == STATUS_QUERY:
                del buf[0]
                self.queries += 1
                if self.answers_status:
                    self._answer_status()
                continue
            if buf[0] != HEADER:
                junk_end = min((i for i in (buf.find(HEADER), buf.find(STATUS_QUERY)) if i >= 0), default=-1)
                junk_end = len(buf) if junk_end < 0 else junk_end
                self._reject(bytes(buf[:junk_end]), "no A0 header (stray bytes skipped)")
                del buf[:junk_end]
                continue
            if len(buf) < FRAME_LEN:
                return  # the rest of this frame is still on its way
            frame = bytes(buf[:FRAME_LEN])
            del buf[:FRAME_LEN]
            self.frames.append(frame)
            self._apply(frame)

    def _answer_status(self) -> None:
        reply = "".join(f"CH{ch}: {'ON' if on else 'OFF'}\r\n" for ch, on in self.states.items()).encode()
        with contextlib.suppress(OSError):
            os.write(self._master, reply)

    def _apply(self, frame: bytes) -> None:
        _, channel, state, checksum = frame
        if not 1 <= channel <= self.channels:
            self._reject(frame, f"channel {channel} out of range 1-{self.channels}")
        elif state not in (0, 1):
            self._reject(frame, f"state byte {state:#04x} is neither 00 nor 01")
        elif checksum != frame_checksum(channel, state):
            self._reject(frame, f"checksum {checksum:#04x}, expected {frame_checksum(channel, state):#04x}")
        else:
            energised = state == 1
            if self.states[channel] != energised:
                self.states[channel] = energised
                for listener in list(self._listeners):
                    listener(channel, energised)

    def _reject(self, data: bytes, reason: str) -> None:
        self.rejected.append(RejectedFrame(data, reason))
        if self.log_rejects:
            log.warning("relay board %s: bad frame %s: %s", self.port_path, data.hex(" "), reason)

    # -- background reader ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Read in a daemon thread until ``close``/``unplug``: for a board that runs beside a real-time rig.

        Not for the in-process simulator: the thread would fire listeners from its own thread, at whatever
        virtual instant the main thread has reached. There, call ``poll()`` (e.g. before each clock advance)
        or hand the rig ``rig_opener()``, and the switch lands at the instant the rig wrote it."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="relay-board", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set() and self.plugged:
            if self.stalled:
                self._stop.wait(THREAD_POLL_S)
            else:
                self.poll(THREAD_POLL_S)

    def _stop_thread(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            self._stop.set()
            thread.join()

    # -- the rig's side, for the in-process simulator -------------------------------------------------------

    def open_client(self, baud: int = 9600, write_timeout_s: float = 1.0) -> serial.Serial:
        """A real pyserial port on this board's pty whose every ``write`` is followed by a ``poll()`` in the
        same thread: the in-process simulator sees a switch at the virtual instant the rig made it."""
        return _PolledSerial(self, self.port_path, baud, timeout=0.5, write_timeout=write_timeout_s)

    def rig_opener(self) -> Callable[[str, int], LcusRelayBoard]:
        """An ``OutletBank.from_config(serial_port_opener=...)`` that opens this board (the configured path is
        the desk's ``/dev/ttyUSB0``; the simulator's board lives on its pty)."""
        from rig.hardware.outlets import LcusRelayBoard, OutletError

        def opener(_port_path: str, baud: int) -> LcusRelayBoard:
            def open_port() -> serial.Serial:
                try:
                    return self.open_client(baud)
                except (serial.SerialException, OSError) as exc:
                    raise OutletError(f"relay board on {self.port_path} cannot be opened: {exc}") from exc

            return LcusRelayBoard(open_port(), reopen=open_port)

        return opener

    # -- failure injection and teardown ---------------------------------------------------------------------

    def unplug(self) -> None:
        """Pull the USB cable: the pty disappears and the rig's next write fails with EIO."""
        self._stop_thread()
        with self._lock:
            if not self.plugged:
                return
            self.plugged = False
            for fd in (self._master, self._slave):
                with contextlib.suppress(OSError):
                    os.close(fd)
        log.info("relay board %s unplugged", self.port_path)

    def close(self) -> None:
        self.unplug()

    def __enter__(self) -> RelayBoardEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _PolledSerial(serial.Serial):
    """Real pyserial; after each write the emulator reads the bytes just written (see ``open_client``)."""

    def __init__(self, emulator: RelayBoardEmulator, *args: Any, **kwargs: Any) -> None:
        self._emulator = emulator
        super().__init__(*args, **kwargs)

    def write(self, data: Any) -> int | None:
        written = super().write(data)
        self._emulator.poll()
        return written


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--channels", type=click.IntRange(1, MAX_CHANNELS), default=4, show_default=True,
              help="relay channels on the board (LCUS-1/2/4/8)")
def main(channels: int) -> None:
    """Emulate an LCUS USB relay board on a pty.

    Prints the pty path on the first line (open it with pyserial at 9600 baud), then one line per relay
    change, e.g. "t=12.345 ch2 on" (seconds since start). Bad frames are reported on stderr. Runs until
    interrupted (Ctrl-C or SIGTERM).
    """
    started = time.monotonic()

    def report(channel: int, energised: bool) -> None:
        click.echo(f"t={time.monotonic() - started:.3f} ch{channel} {'on' if energised else 'off'}")
        _flush_stdout()

    board = RelayBoardEmulator(channels, on_change=report, log_rejects=False)
    seen_rejects = 0
    signal.signal(signal.SIGTERM, _exit_on_signal)
    click.echo(board.port_path)
    _flush_stdout()
    try:
        while True:
            board.poll(THREAD_POLL_S * 4)
            while seen_rejects < len(board.rejected):
                bad = board.rejected[seen_rejects]
                seen_rejects += 1
                click.echo(
                    f"t={time.monotonic() - started:.3f} bad frame {bad.data.hex(' ')}: {bad.reason}", err=True
                )
    except KeyboardInterrupt:
        pass
    finally:
        board.close()


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _flush_stdout() -> None:
    click.get_text_stream("stdout").flush()
