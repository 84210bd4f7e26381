"""Durable outputs of a bench run: the results CSV (one row per camera), the JSON record, the LED trace.

The CSV is the contract other tools read (docs/DESIGN.md). A row is written whole, flushed and fsynced the moment
its camera finishes, so a crash or a pulled plug loses at most the camera on the fixture. An existing file is
appended to only when its header is ours (or the contract's columns alone, as older versions wrote);
otherwise it is refused untouched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

from rig.core.records import CameraRecord
from rig.led.trace import Edge, Trace, write_trace_csv, write_trace_vcd
from rig.output.columns import CONTRACT_COLUMNS, RESULT_COLUMNS, result_row


class ResultsError(RuntimeError):
    """The results file cannot be used; one line naming the file and the problem."""


class ResultsCsv:
    """The results CSV, opened (and checked) before the first camera is tested."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.columns = RESULT_COLUMNS   # an older file keeps its own (shorter) column set
        self._check_usable()

    def _check_usable(self) -> None:
        """Refuse a file we must not append to, and prove we can write, before any camera is tested."""
        path = self.path
        if path.is_dir():
            raise ResultsError(f"{path}: is a folder, not a results file")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise ResultsError(f"{path}: folder {parent} does not exist")
        if path.exists() and path.stat().st_size > 0:
            try:
                with path.open(newline="", encoding="utf-8") as f:
                    header = next(csv.reader(f), [])
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                raise ResultsError(f"{path}: cannot read the existing results file: {exc}") from None
            if tuple(header) not in (RESULT_COLUMNS, CONTRACT_COLUMNS):
                shown = ",".join(header)
                shown = shown if len(shown) <= 60 else shown[:60] + "..."
                raise ResultsError(
                    f"{path}: existing file has a different header ({shown}); refusing to append: "
                    "name another --csv file"
                )
            self.columns = tuple(header)
            # A last row without its line end (a spreadsheet's save, a cut-off write) would glue our first row
            # to it: end that line first. This also proves now that the file opens for appending.
            with path.open("rb") as f:
                f.seek(-1, os.SEEK_END)
                ends_with_newline = f.read(1) == b"\n"
            self._write(b"" if ends_with_newline else b"\n")
        else:
            header = io.StringIO()
            csv.writer(header, lineterminator="\n").writerow(RESULT_COLUMNS)
            self._write(header.getvalue().encode("utf-8"))

    def _write(self, data: bytes) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ResultsError(f"{self.path}: cannot write: {exc.strerror or exc}") from None
        try:
            if data:
                # One write of the whole row on an O_APPEND descriptor: a kill between rows leaves whole rows.
                os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def append(self, record: CameraRecord) -> None:
        """Write the camera's row whole, then flush and fsync before returning."""
        buffer = io.StringIO()
        csv.DictWriter(buffer, fieldnames=self.columns, lineterminator="\n", extrasaction="ignore").writerow(
            result_row(record)
        )
        self._write(buffer.getvalue().encode("utf-8"))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def record_stem(record: CameraRecord) -> str:
    stamp = record.started_at.replace(":", "").replace("-", "")[:15]
    return f"{_UNSAFE.sub('_', record.serial)}_{stamp}"


def write_json_record(record: CameraRecord, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record_stem(record)}.json"
    tmp = path.with_suffix(".json.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(record.to_dict(), f, indent=2, default=str, allow_nan=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
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
