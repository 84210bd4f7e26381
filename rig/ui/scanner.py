"""Where the serial of the camera on the fixture comes from: ``--serial``, a barcode scanner, or the simulator.

A USB barcode scanner is a keyboard: it types the serial and Enter. One line per camera; an empty line or
end of input ends the batch. A mistyped or garbled scan is refused with the line it came from, and the
technician simply scans again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TextIO

from rig.core.stop import StopFlag

SERIAL_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,30}[A-Z0-9]$", re.ASCII)
_ASCII_LOWER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
MODELS = ("outdoor", "mini")


class SerialError(ValueError):
    """A serial number that cannot be right; the message names where it came from."""


def validate_serial(raw: str, where: str = "serial") -> str:
    """Normalise (strip, upper-case ASCII letters only) and check a serial: 4-32 ASCII letters, digits and
    inner dashes. ``str.upper`` is not used: Unicode case mapping turns ``ß`` into ``SS`` and ``ı`` into ``I``,
    changing the serial; here a non-ASCII character is refused as it is. The first character is a letter or
    digit, so a serial can never start a spreadsheet formula (``= + - @``)."""
    serial = raw.strip(" \t\r\n").translate(_ASCII_LOWER)
    if not serial:
        raise SerialError(f"{where}: empty serial")
    if not SERIAL_PATTERN.match(serial):
        shown = raw.strip()
        shown = shown if len(shown) <= 40 else shown[:40] + "..."
        raise SerialError(
            f"{where}: {shown!r} is not a serial number (4-32 letters, digits and dashes, "
            "starting and ending with a letter or digit)"
        )
    return serial


@dataclass(frozen=True)
class CameraId:
    serial: str
    model: str


class CameraSource(Protocol):
    def __iter__(self) -> Iterator[CameraId]: ...


class FixedCamera:
    """``rig test --serial S --model M``: one camera."""

    def __init__(self, serial: str, model: str) -> None:
        self.camera = CameraId(validate_serial(serial, "--serial"), model)

    def __iter__(self) -> Iterator[CameraId]:
        yield self.camera


class ScannerInput:
    """Serials typed by a barcode scanner (or a person) on ``stream``, one camera per line."""

    def __init__(
        self,
        stream: TextIO,
        model: str,
        on_error: Callable[[SerialError], None],
        prompt: Callable[[], None] | None = None,
        name: str = "stdin",
        stop: StopFlag | None = None,
        confirm_again: Callable[[str, int], bool] | None = None,
    ) -> None:
        self.stream = stream
        self.model = model
        self.on_error = on_error
        self.prompt = prompt
        self.name = name
        self.stop = stop                    # a Ctrl-C while waiting for a scan ends the input at once
        # A serial scanned twice in one batch is usually a double scan, not a second test: ask. Without a way
        # to ask (no terminal) the repeat is refused.
        self.confirm_again = confirm_again
        self._line_number = 0

    def _readline(self) -> str | None:
        """One line, decoded on its own: a garbled byte spoils that line only (a text stream decodes a whole
        chunk at once and would lose the good lines around it). ``None`` for a line that is not UTF-8."""
        self._line_number += 1   # answers to a question count too: error messages name the real line
        raw = getattr(self.stream, "buffer", None)
        if raw is None:
            return self.stream.readline()
        data = raw.readline()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def _wait_for_input(self) -> bool:
        """Block until a line can be read; False when a stop was requested meanwhile.

        Only a terminal (the barcode scanner, a person) is waited on with ``select``: it delivers a line per
        read, so nothing sits unseen in Python's buffer. A pipe or a file is read directly: its lines are
        there already, or its end is."""
        if self.stop is None:
            return True
        if self.stop.requested:
            return False
        try:
            fd = self.stream.fileno()
            if not os.isatty(fd):
                return True
        except (AttributeError, OSError, ValueError):
            return True
        return self.stop.wait_readable(fd) and not self.stop.requested

    def __iter__(self) -> Iterator[CameraId]:
        self._line_number = 0
        seen: dict[str, int] = {}
        while True:
            if self.prompt is not None:
                self.prompt()
            if not self._wait_for_input():
                return
            line = self._readline()
            line_number = self._line_number
            where = f"{self.name} line {line_number}"
            if line is None:
                self.on_error(SerialError(f"{where}: not text (not UTF-8)"))
                continue
            if not line or not line.strip():
                if line and not line.endswith("\n"):
                    self.on_error(SerialError(f"{where}: input ended in the middle of a line; not tested"))
                return
            if not line.endswith("\n"):
                # The scanner was cut off mid-serial (end of input without Enter): a partial serial may
                # still look valid, so it is never tested.
                self.on_error(SerialError(f"{where}: input ended in the middle of a serial ({line.strip()[:40]!r}); "
                                          "not tested"))
                return
            try:
                serial = validate_serial(line, where)
            except SerialError as exc:
                self.on_error(exc)
                continue
            if serial in seen and not self._again(serial, seen[serial], where):
                continue
            seen.setdefault(serial, line_number)
            yield CameraId(serial, self.model)

    def ask_on_repeat(self, question: Callable[[str, int], None]) -> ScannerInput:
        """On a repeated serial, print ``question(serial, first_line)`` and read the answer from the same input
        (``y`` or ``yes`` tests the camera again; anything else, a scan included, does not)."""

        def confirm(serial: str, first_line: int) -> bool:
            question(serial, first_line)
            if not self._wait_for_input():
                return False
            answer = self._readline() or ""
            return answer.strip().lower() in ("y", "yes")

        self.confirm_again = confirm
        return self

    def _again(self, serial: str, first_line: int, where: str) -> bool:
        """Test a serial a second time in this batch only when the technician confirms it."""
        if self.confirm_again is not None and self.confirm_again(serial, first_line):
            return True
        self.on_error(SerialError(f"{where}: {serial} was already scanned on line {first_line} of this batch; "
                                  "not tested again"))
        return False
