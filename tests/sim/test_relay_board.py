"""The LCUS relay board emulator: real pyserial on its pty, good and bad frames, synchronous poll, reader
thread, unplugging, and ``python -m firmware_sim relay-board`` as a process."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest
import serial

from firmware_sim.relay_board import RelayBoardEmulator, main
from rig.hardware.outlets import LcusRelayBoard


def frame(channel: int, state: int) -> bytes:
    return bytes((0xA0, channel, state, (0xA0 + channel + state) & 0xFF))


@pytest.fixture
def board():
    changes: list[tuple[int, bool]] = []
    emulator = RelayBoardEmulator(on_change=lambda ch, on: changes.append((ch, on)))
    emulator.changes = changes  # type: ignore[attr-defined]
    yield emulator
    emulator.close()


@pytest.fixture
def port(board: RelayBoardEmulator):
    p = serial.Serial(board.port_path, 9600, timeout=0.5, write_timeout=1.0)
    yield p
    p.close()


def test_pty_path_is_a_tty_pyserial_can_open(board: RelayBoardEmulator, port: serial.Serial) -> None:
    assert board.port_path.startswith("/dev/")
    assert port.is_open
    assert board.states == {1: False, 2: False, 3: False, 4: False}  # every relay released at power-up


def test_good_frames_switch_every_channel(board: RelayBoardEmulator, port: serial.Serial) -> None:
    sent = []
    for channel in range(1, 5):
        port.write(frame(channel, 1))
        sent.append(frame(channel, 1))
        board.poll()
        assert board.states[channel] is True
    assert board.states == {1: True, 2: True, 3: True, 4: True}
    for channel in (3, 1):
        port.write(frame(channel, 0))
        sent.append(frame(channel, 0))
    board.poll()
    assert board.states == {1: False, 2: True, 3: False, 4: True}
    assert board.frames == sent  # byte-exact, in order
    assert board.changes == [(1, True), (2, True), (3, True), (4, True), (3, False), (1, False)]
    assert board.bad_frames == 0
    assert board.bytes_received == 4 * len(sent)


def test_repeated_frames_do_not_report_a_change(board: RelayBoardEmulator, port: serial.Serial) -> None:
    port.write(frame(2, 1) * 3 + frame(2, 0) * 2)
    board.poll()
    assert board.changes == [(2, True), (2, False)]
    assert len(board.frames) == 5


def test_rig_frames_arrive_byte_exact(board: RelayBoardEmulator) -> None:
    rig_board = LcusRelayBoard.open(board.port_path)
    try:
        rig_board.set(4, True)
        rig_board.set(4, False)
        board.poll()
        assert board.frames == [bytes.fromhex("A0 04 01 A5"), bytes.fromhex("A0 04 00 A4")]
    finally:
        rig_board.close()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (bytes.fromhex("A0 01 01 A3"), "checksum 0xa3, expected 0xa2"),
        (bytes.fromhex("A0 05 01 A6"), "channel 5 out of range 1-4"),
        (bytes.fromhex("A0 00 01 A1"), "channel 0 out of range"),
        (bytes.fromhex("A0 01 02 A3"), "state byte 0x02"),
        (bytes.fromhex("A1 01 01 A3"), "no A0 header"),
        (b"hello", "no A0 header"),
    ],
)
def test_bad_frames_are_counted_logged_and_not_applied(
    board: RelayBoardEmulator, port: serial.Serial, data: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    port.write(data)
    board.poll()
    assert board.bad_frames == 1
    assert reason in board.rejected[0].reason
    assert board.rejected[0].data == data
    assert board.states == {1: False, 2: False, 3: False, 4: False}
    assert board.changes == []
    assert data.hex(" ") in caplog.text
    # The board keeps listening: a good frame right after is applied.
    port.write(frame(2, 1))
    board.poll()
    assert board.states[2] is True
    assert board.frames[-1] == frame(2, 1)
    assert board.bad_frames == 1


def test_junk_before_a_frame_is_skipped_and_the_frame_kept(board: RelayBoardEmulator, port: serial.Serial) -> None:
    # (not FF: a lone FF is the LCUS-4's status query, see test_status_query_*)
    port.write(b"\x00\xfe\x13" + frame(3, 1))
    board.poll()
    assert board.states[3] is True
    assert [r.data for r in board.rejected] == [b"\x00\xfe\x13"]
    assert board.frames == [frame(3, 1)]


def test_a_frame_split_across_writes_is_applied_once_complete(
    board: RelayBoardEmulator, port: serial.Serial
) -> None:
    port.write(frame(1, 1)[:2])
    board.poll()
    assert board.states[1] is False and board.frames == []
    port.write(frame(1, 1)[2:])
    board.poll()
    assert board.states[1] is True and board.frames == [frame(1, 1)]


def test_eight_channel_board(port: serial.Serial) -> None:
    with RelayBoardEmulator(channels=8) as eight:
        p = serial.Serial(eight.port_path, 9600, write_timeout=1.0)
        p.write(frame(8, 1) + frame(5, 1))
        eight.poll()
        assert eight.states[8] and eight.states[5] and eight.bad_frames == 0
        p.close()
    with pytest.raises(ValueError, match="1-8"):
        RelayBoardEmulator(channels=9)


def test_poll_right_after_write_never_misses(board: RelayBoardEmulator, port: serial.Serial) -> None:
    """The in-process simulator relies on this: no sleep between the rig's write and the world's poll."""
    for i in range(2000):
        state = i % 2 == 0
        port.write(frame(1 + i % 4, int(state)))
        board.poll()
        assert board.states[1 + i % 4] is state, f"frame {i} not seen by the poll right after the write"
    assert board.bad_frames == 0


def test_open_client_applies_frames_inside_the_write(board: RelayBoardEmulator) -> None:
    client = board.open_client()
    rig_board = LcusRelayBoard(client)
    rig_board.set(2, True)
    assert board.states[2] is True  # no poll by the test: the write itself delivered it
    assert board.changes == [(2, True)]
    rig_board.close()


def test_rig_opener_builds_a_board_on_the_pty(board: RelayBoardEmulator) -> None:
    rig_board = board.rig_opener()("/dev/ttyUSB0", 9600)
    assert rig_board.port_path == board.port_path
    rig_board.set(3, True)
    assert board.states[3] is True
    rig_board.close()


def test_background_thread_reads_without_polling(board: RelayBoardEmulator, port: serial.Serial) -> None:
    board.start()
    port.write(frame(4, 1))
    deadline = time.monotonic() + 2.0
    while not board.states[4] and time.monotonic() < deadline:
        time.sleep(0.005)
    assert board.states[4] is True
    board.close()  # stops the thread
    assert board._thread is None


def test_sync_poll_does_not_wait_behind_the_reader_thread(board: RelayBoardEmulator) -> None:
    board.start()
    started = time.monotonic()
    for _ in range(400):
        board.poll()
    # Measured: about 1 ms for all 400 when the lock is free, about 200 ms when each poll queued behind the
    # thread's 50 ms select (every VirtualClock.sleep of a serial-relay bench pays that).
    assert time.monotonic() - started < 0.05


def test_unplug_makes_the_next_write_fail(board: RelayBoardEmulator, port: serial.Serial) -> None:
    path = board.port_path
    board.unplug()
    assert not board.plugged
    with pytest.raises(serial.SerialException, match="Input/output error"):
        port.write(frame(1, 1))
    assert not os.path.exists(path)
    assert board.poll() == 0
    board.unplug()  # idempotent


def test_stalled_board_lets_writes_time_out(board: RelayBoardEmulator) -> None:
    board.stalled = True
    slow = serial.Serial(board.port_path, 9600, write_timeout=0.02)
    with pytest.raises(serial.SerialTimeoutException):
        for _ in range(100_000):
            slow.write(frame(1, 1))
    board.stalled = False
    assert board.poll() > 0  # the backlog is still there once the board wakes up
    assert board.states[1] is True
    slow.close()


# -- the stand-alone process -------------------------------------------------------------------------------


def _readline(stream, timeout_s: float = 20.0) -> str:   # a loaded CI machine starts Python slowly
    ready, _, _ = select.select([stream], [], [], timeout_s)
    assert ready, "no line from the relay-board process in time"
    return stream.readline().decode()


def test_relay_board_process_prints_path_then_changes() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "firmware_sim", "relay-board", "--channels", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        path = _readline(proc.stdout).strip()
        assert path.startswith("/dev/")
        p = serial.Serial(path, 9600, timeout=0.5, write_timeout=1.0)
        p.write(frame(2, 1))
        line = _readline(proc.stdout).strip()
        assert re.fullmatch(r"t=\d+\.\d{3} ch2 on", line), line
        p.write(frame(2, 1))  # no change: no line
        p.write(bytes.fromhex("A0 02 00 A3"))  # bad checksum: reported on stderr, not applied
        bad = _readline(proc.stderr).strip()
        assert re.fullmatch(r"t=\d+\.\d{3} bad frame a0 02 00 a3: checksum 0xa3, expected 0xa2", bad), bad
        p.write(frame(2, 0))
        assert re.fullmatch(r"t=\d+\.\d{3} ch2 off", _readline(proc.stdout).strip())
        p.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert not os.path.exists(path)  # the pty went with the process
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_relay_board_command_rejects_a_bad_channel_count() -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--channels", "9"])
    assert result.exit_code == 2
    assert "--channels" in result.output
