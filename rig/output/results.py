"""Durable outputs of a bench run: the results CSV (one row per camera), the JSON record, the LED trace.

The CSV is the contract other tools read (docs/DESIGN.md, "Results CSV"). A row is written whole, flushed and
fsynced the moment its camera finishes, so a crash or a pulled plug loses at most the camera on the fixture. An
existing file is appended to only when its header is ours (or the contract's columns alone, as older versions
wrote: rows then keep that header); otherwise it is refused untouched.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import io
import json
import os
import re
from pathlib import Path

from rig.core.records import CameraRecord
from rig.core.textfile import printable
from rig.led.trace import Edge, Trace, write_trace_csv, write_trace_vcd
from rig.output.columns import (  # noqa: F401  (FORMULA_STARTS, spreadsheet_safe: re-exported for readers)
    FORMULA_STARTS,
    OLDER_HEADERS,
    RESULT_COLUMNS,
    result_row,
    spreadsheet_safe,
)


class ResultsError(RuntimeError):
    """The results file (or a cycle CSV) cannot be used; one line naming the file and the problem."""


def _header_bytes(columns: tuple[str, ...] = RESULT_COLUMNS) -> bytes:
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(columns)
    return header.getvalue().encode("utf-8")


def check_results_path(path: str | Path, headers: tuple[tuple[str, ...], ...] = (RESULT_COLUMNS, *OLDER_HEADERS),
                       what: str = "results file") -> Path:
    """Refuse a CSV we must not append to, reading only: nothing is created or written here, so a run refused
    later (the lock) has touched nothing. ``headers``: the headers an existing file may have."""
    path = Path(path)
    shown = printable(str(path))
    if "\0" in str(path):
        raise ResultsError(f"{shown}: the file name contains a NUL byte")
    try:
        if path.is_dir():
            raise ResultsError(f"{shown}: is a folder, not a {what}")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise ResultsError(f"{shown}: folder {printable(str(parent))} does not exist")
        if path.exists() and not path.is_file():
            raise ResultsError(f"{shown}: not a regular file (a device or a pipe cannot hold whole rows)")
        if path.exists() and path.stat().st_size > 0:
            with path.open(newline="", encoding="utf-8") as f:
                header = next(csv.reader(f), [])
        else:
            return path
    except OSError as exc:
        raise ResultsError(f"{shown}: cannot read the existing {what}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ResultsError(f"{shown}: cannot read the existing {what}: {exc}") from None
    if tuple(header) not in headers:
        found = printable(",".join(header))
        found = found if len(found) <= 60 else found[:60] + "..."
        raise ResultsError(
            f"{shown}: existing file has a different header ({found}); refusing to append: name another --csv file"
        )
    return path


def clean_length(data: bytes, width: int = len(RESULT_COLUMNS)) -> tuple[int, bool]:
    """How many leading bytes of a results file are whole rows, and whether the last of them only lacks its
    line end (a spreadsheet's save). A row is whole when its quotes are closed, it ends with a line break and
    it has every column; what follows the last whole row is a damaged tail (a cut write)."""
    # '"' and '\n' never occur inside a UTF-8 multi-byte character, so bytes are enough to follow the quotes.
    in_quotes = False
    clean = row_start = pos = 0
    while (line_end := data.find(b"\n", pos)) >= 0:
        in_quotes ^= data.count(b'"', pos, line_end) % 2 == 1
        pos = line_end + 1
        if not in_quotes:   # a row ends here
            if _field_count(data[row_start:pos]) == width:
                clean = pos
            row_start = pos
    in_quotes ^= data.count(b'"', pos) % 2 == 1
    tail = data[row_start:]
    if tail and not in_quotes and clean == row_start and _field_count(tail) == width:
        return len(data), True
    return clean, False


def _field_count(row: bytes) -> int:
    fields = next(csv.reader(io.StringIO(row.decode("utf-8", errors="replace"), newline="")), [])
    return len(fields)


class DurableCsv:
    """A CSV of whole rows, opened (and checked) before the first row: the results CSV and the cycle CSV.

    Every row is whole on disk or not there: written in a loop until every byte is out (a write may be short),
    fsynced, and on any failure the file is truncated back to where the row began. A damaged tail left by an
    earlier run is moved to ``FILE.damaged`` before appending, so that no reader loses the rows after it. Every
    field is made spreadsheet-safe. ``columns`` is the header a new file gets; ``older`` are headers an existing
    file may keep (its rows are then written under it)."""

    def __init__(self, path: str | Path, columns: tuple[str, ...], older: tuple[tuple[str, ...], ...] = (),
                 what: str = "results file") -> None:
        self.path = check_results_path(path, (columns, *older), what)
        self.shown = printable(str(self.path))
        self.what = what
        self.notices: list[str] = []   # one line each, for the technician: what was repaired on opening
        self.columns = columns
        self._older = older
        self._open()

    def _open(self) -> None:
        try:
            data = self.path.read_bytes() if self.path.exists() else b""
        except OSError as exc:
            raise ResultsError(f"{self.shown}: cannot read the existing {self.what}: {exc.strerror or exc}") from None
        if not data:
            self._write(_header_bytes(self.columns), "the header")
            return
        for older in self._older:
            if data.startswith(_header_bytes(older)):
                self.columns = older
        clean, needs_line_end = clean_length(data, len(self.columns))
        if needs_line_end:
            self._write(b"\n", "a line end")
        elif clean < len(data):
            self._move_damaged_tail(data, clean)
        else:
            self._write(b"", "")   # proves now that the file opens for appending

    def _move_damaged_tail(self, data: bytes, clean: int) -> None:
        tail = data[clean:]
        sidecar = self.path.with_name(self.path.name + ".damaged")
        try:
            fd = os.open(sidecar, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                _write_all(fd, tail if tail.endswith(b"\n") else tail + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
            os.truncate(self.path, clean)
            self._write(b"", "")
        except OSError as exc:
            raise ResultsError(
                f"{self.shown}: its last row is damaged and could not be moved to {printable(str(sidecar))}: "
                f"{exc.strerror or exc}"
            ) from None
        shown_tail = printable(tail.decode("utf-8", errors="replace").strip())
        shown_tail = shown_tail if len(shown_tail) <= 40 else shown_tail[:40] + "..."
        self.notices.append(
            f"{self.shown}: its last row was cut off ({shown_tail!r}, {len(tail)} bytes); moved to "
            f"{printable(str(sidecar))} so that every row after it can be read"
        )

    def _write(self, data: bytes, what: str) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ResultsError(f"{self.shown}: cannot write: {exc.strerror or exc}") from None
        try:
            start = os.fstat(fd).st_size
            try:
                _write_all(fd, data)
                os.fsync(fd)
            except OSError as exc:
                raise ResultsError(f"{self.shown}: cannot write {what}: {exc.strerror or exc}; "
                                   f"{self._truncate(fd, start)}") from None
        finally:
            os.close(fd)

    def _truncate(self, fd: int, start: int) -> str:
        """Take a partly written row back out, so that the file ends with whole rows; say what was done."""
        try:
            if os.fstat(fd).st_size == start:
                return "nothing of it was written; every earlier row is intact"
            os.ftruncate(fd, start)
            os.fsync(fd)
        except OSError as exc:
            return f"its partial row could not be removed ({exc.strerror or exc})"
        return "the partial row was removed; every earlier row is intact"

    def append_row(self, row: dict[str, str], what: str) -> None:
        """Write one row whole (every field spreadsheet-safe), then fsync before returning (or raise
        :class:`ResultsError`). ``what`` names the row in an error."""
        buffer = io.StringIO()
        csv.DictWriter(buffer, fieldnames=self.columns, lineterminator="\n", extrasaction="ignore").writerow(
            {name: spreadsheet_safe(str(value)) for name, value in row.items()}
        )
        self._write(buffer.getvalue().encode("utf-8"), what)


class ResultsCsv(DurableCsv):
    """The results CSV (docs/DESIGN.md, "Results CSV"): one row per camera. An existing file is appended to
    when its header is ours or an earlier version's (the contract's columns, then each column added since)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, RESULT_COLUMNS, OLDER_HEADERS)

    def append(self, record: CameraRecord) -> None:
        """Write the camera's row whole, then fsync before returning (or raise :class:`ResultsError`)."""
        self.append_row(result_row(record), f"the row of {printable(record.serial)[:40]}")


def _write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is out: a write may be short (a file size limit, a full disk)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "the system wrote nothing")
        view = view[written:]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM_SERIAL = 48   # file names stay far below the 255-byte limit of every file system


def record_stem(record: CameraRecord) -> str:
    """A safe file name stem for the camera's record files: only letters, digits, dot, dash and underscore,
    never starting with a dot or a dash, and short (a long serial is cut and given a hash of the whole)."""
    stamp = record.started_at.replace(":", "").replace("-", "")[:15]
    serial = _UNSAFE.sub("_", record.serial).lstrip(".-") or "camera"
    if len(serial) > MAX_STEM_SERIAL:
        digest = hashlib.sha1(record.serial.encode("utf-8", errors="replace")).hexdigest()[:8]
        serial = f"{serial[:MAX_STEM_SERIAL]}-{digest}"
    return f"{serial}_{_UNSAFE.sub('_', stamp)}"


def write_json_record(record: CameraRecord, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record_stem(record)}.json"
    tmp = path.with_suffix(".json.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(record.to_dict(), f, indent=2, default=str, allow_nan=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)   # no half record left behind
        raise
    return path


def write_trace(record: CameraRecord, folder: Path, fmt: str = "csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    end_s = record.duration_s or (record.trace[-1][0] if record.trace else 0.0)
    trace = Trace(
        initial_level=record.trace_initial_level,
        edges=tuple(Edge(t, level) for t, level in record.trace),
        end_s=end_s,
    )
    path = folder / f"{record_stem(record)}.{fmt}"
    if fmt == "vcd":
        write_trace_vcd(trace, path)
    else:
        write_trace_csv(trace, path)
    return path
