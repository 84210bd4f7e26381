"""Where the serial of the camera on the fixture comes from: ``--serial``, a barcode scanner, or the simulator.

A USB barcode scanner is a keyboard: it types the serial and Enter. One line per camera; an empty line or
end of input ends the batch. A mistyped or garbled scan is refused with the line it came from, and the
technician simply scans again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, TextIO

from rig.core.models import model_names

MODELS = model_names()   # the registry's models (rig.core.models), for --model
SERIAL_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,30}[A-Z0-9]$")


class SerialError(ValueError):
    """A serial number that cannot be right; the message names where it came from."""


def validate_serial(raw: str, where: str = "serial") -> str:
    """Normalise (strip, upper-case) and check a serial: 4-32 letters, digits and inner dashes."""
    serial = raw.strip().upper()
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
    ) -> None:
        self.stream = stream
        self.model = model
        self.on_error = on_error
        self.prompt = prompt
        self.name = name

    def _readline(self) -> str | None:
        """One line, decoded on its own: a garbled byte spoils that line only (a text stream decodes a whole
        chunk at once and would lose the good lines around it). ``None`` for a line that is not UTF-8."""
        raw = getattr(self.stream, "buffer", None)
        if raw is None:
            return self.stream.readline()
        data = raw.readline()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def __iter__(self) -> Iterator[CameraId]:
        line_number = 0
        while True:
            if self.prompt is not None:
                self.prompt()
            line = self._readline()
            line_number += 1
            if line is None:
                self.on_error(SerialError(f"{self.name} line {line_number}: not text (not UTF-8)"))
                continue
            if not line or not line.strip():
                return
            try:
                yield CameraId(validate_serial(line, f"{self.name} line {line_number}"), self.model)
            except SerialError as exc:
                self.on_error(exc)
