"""A row is whole on disk or not there; a damaged tail never hides the rows after it; output errors end the
batch in one line with nothing already written lost. (Issue 17 items 1, 2 and 4.)"""

from __future__ import annotations

import csv
import errno
import io
import os
import resource
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import DATA, HEADER_LINE, SimLog, assert_safe_state, progress_lines, read_results, rig_command

import rig.output.results as results_module
from rig.cli import cli
from rig.cli.test import EXIT_OUTPUT_FAILED
from rig.core.records import CameraRecord, Disposition
from rig.output.results import RESULT_COLUMNS, ResultsCsv, ResultsError, record_stem, result_row

SCENARIO = DATA / "kill-results.toml"


def record(serial: str = "DR-0001", notes: tuple[str, ...] = ("aborted, with \"quotes\" and a comma",)) -> CameraRecord:
    rec = CameraRecord(serial=serial, model="mini", started_at="2026-11-30T09:00:00", started_s=0.0)
    rec.finished_s, rec.finished_at = 42.0, "2026-11-30T09:00:42"
    rec.initial_pattern = "none"
    rec.disposition = Disposition.ABORTED
    rec.notes = list(notes)
    return rec


def row_bytes(rec: CameraRecord) -> bytes:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=RESULT_COLUMNS, lineterminator="\n").writerow(result_row(rec))
    return buffer.getvalue().encode()


class FlakyOs:
    """``os`` as the results writer sees it, with ``write`` made short (at most ``chunk`` bytes) and failing
    with ``error`` once ``budget`` bytes have gone out: a full disk, a file size limit."""

    def __init__(self, chunk: int = 1 << 20, budget: int | None = None, error: int = errno.ENOSPC,
                 full_from_row: int | None = None) -> None:
        self.chunk, self.budget, self.error = chunk, budget, error
        self.full_from_row = full_from_row   # the disk fills 10 bytes into this row (the header is row 0)
        self.rows_started = 0
        self.fsyncs: list[tuple[str, int]] = []

    def __getattr__(self, name: str):
        return getattr(os, name)

    def write(self, fd: int, data) -> int:
        if self.full_from_row is not None and self.budget is None and data[-1:] == b"\n":
            if self.rows_started == self.full_from_row:
                self.budget = 10
            self.rows_started += 1
        if self.budget is not None and self.budget <= 0:
            raise OSError(self.error, os.strerror(self.error))
        n = min(len(data), self.chunk, self.budget if self.budget is not None else len(data))
        written = os.write(fd, bytes(data[:n]))
        if self.budget is not None:
            self.budget -= written
        return written

    def fsync(self, fd: int) -> None:
        self.fsyncs.append((os.readlink(f"/proc/self/fd/{fd}"), os.fstat(fd).st_size))
        os.fsync(fd)


# -- short writes and failures inside a row ------------------------------------------------------------------


def test_short_writes_still_give_whole_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.csv"
    monkeypatch.setattr(results_module, "os", FlakyOs(chunk=7))
    results = ResultsCsv(path)
    for serial in ("DR-0001", "DR-0002"):
        results.append(record(serial))
    assert path.read_bytes() == (HEADER_LINE + "\n").encode() + row_bytes(record("DR-0001")) + row_bytes(
        record("DR-0002"))


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EFBIG, errno.EIO], ids=errno.errorcode.get)
@pytest.mark.parametrize("cut", [0, 1, 25, -1])
def test_a_row_that_cannot_be_written_whole_is_taken_back_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               error: int, cut: int) -> None:
    path = tmp_path / "r.csv"
    ResultsCsv(path).append(record("DR-0001"))
    before = path.read_bytes()
    size = len(row_bytes(record("DR-0002")))
    monkeypatch.setattr(results_module, "os", FlakyOs(chunk=9, budget=size - 1 if cut == -1 else cut, error=error))
    with pytest.raises(ResultsError) as caught:
        ResultsCsv(path).append(record("DR-0002"))
    message = str(caught.value)
    assert message.startswith(f"{path}: cannot write the row of DR-0002: {os.strerror(error)}; "), message
    assert "\n" not in message
    assert ("nothing of it was written" if cut == 0 else "the partial row was removed") in message
    assert path.read_bytes() == before   # every earlier row, and nothing of the failed one


def test_the_row_is_fsynced_once_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The durability promise: the fsync is of the results file, after the whole row is in it."""
    path = tmp_path / "r.csv"
    results = ResultsCsv(path)
    spy = FlakyOs()
    monkeypatch.setattr(results_module, "os", spy)
    results.append(record("DR-0001"))
    assert spy.fsyncs == [(str(path), path.stat().st_size)]


def test_a_real_file_size_limit_ends_the_batch_cleanly(tmp_path: Path) -> None:
    """EFBIG for real (RLIMIT_FSIZE): the row that crosses the limit is taken back out, the camera's JSON
    record is still written, the batch stops with one line and exit 4, and the bench is left powered."""
    csv_path, log_path, records = tmp_path / "r.csv", tmp_path / "sim.csv", tmp_path / "records"
    csv_path.write_text(HEADER_LINE + "\n" + "".join(row_bytes(record(f"OLD-{i:04d}")).decode()
                                                     for i in range(60)))
    limit = csv_path.stat().st_size + 300   # room for one row or so; records and logs stay smaller than this

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        rig_command("test", "--sim", SCENARIO, "--csv", csv_path, "--records", records, "--no-sheets",
                    "--sim-log", log_path),
        cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, preexec_fn=limited, timeout=60,
    )
    assert done.returncode == EXIT_OUTPUT_FAILED, done.stderr
    assert "Traceback" not in done.stderr
    rows = read_results(csv_path)
    assert len(rows) >= 60 and csv_path.stat().st_size <= limit
    announced = [serial for serial, _ in progress_lines(done.stderr)]
    assert [row["serial"] for row in rows[60:]] == announced   # announced means in the CSV, and vice versa
    stop_line = done.stderr.strip().splitlines()[-1]
    assert stop_line.startswith(f"rig: {csv_path}: cannot write the row of "), stop_line
    assert "File too large" in stop_line and "every outlet is on" in stop_line
    failed_serial = stop_line.split("cannot write the row of ")[1].split(":")[0]
    assert failed_serial not in announced
    assert list(records.glob(f"{failed_serial}_*.json")), "the failed camera's record was lost too"
    assert_safe_state(SimLog.read(log_path))


# -- damaged tails -------------------------------------------------------------------------------------------


def whole_file(serials: list[str]) -> bytes:
    return (HEADER_LINE + "\n").encode() + b"".join(row_bytes(record(s)) for s in serials)


@pytest.mark.parametrize(
    "tail",
    [b'DR-0009,mini,2026-11-30', b'DR-0009,mini,2026-11-30\n', b'DR-0009,mini,,,,,,,,,,,aborted,"cut inside the no',
     b'DR-0009,mini,,,,,,,,,,,aborted,"cut, then\na line break'],
    ids=["cut-row", "cut-row-ended", "open-quote", "open-quote-multiline"],
)
def test_a_damaged_tail_is_moved_aside_so_later_rows_are_seen(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(whole_file(["DR-0001", "DR-0002"]) + tail)
    results = ResultsCsv(path)
    for serial in ("DR-0003", "DR-0004", "DR-0005"):
        results.append(record(serial))
    assert [row["serial"] for row in read_results(path)] == ["DR-0001", "DR-0002", "DR-0003", "DR-0004", "DR-0005"]
    sidecar = tmp_path / "r.csv.damaged"
    assert sidecar.read_bytes().rstrip(b"\n") == tail.rstrip(b"\n")
    (notice,) = results.notices
    assert notice.startswith(f"{path}: its last row was cut off (") and str(sidecar) in notice
    assert "\n" not in notice


def test_a_whole_last_row_without_its_line_end_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(whole_file(["DR-0001", "DR-0002"]).rstrip(b"\n"))
    results = ResultsCsv(path)
    results.append(record("DR-0003"))
    assert [row["serial"] for row in read_results(path)] == ["DR-0001", "DR-0002", "DR-0003"]
    assert results.notices == [] and not (tmp_path / "r.csv.damaged").exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_whatever_the_cut_every_whole_row_and_every_later_row_is_read(tmp_path: Path, data) -> None:
    """Cut a results file at any byte (a pulled plug mid-write): appending after it keeps every whole row
    before the cut and every row after; nothing is thrown away (the tail is in the sidecar)."""
    serials = [f"DR-{i:04d}" for i in range(1, 5)]
    full = whole_file(serials)
    header_len = len(HEADER_LINE) + 1
    cut = data.draw(st.integers(min_value=header_len, max_value=len(full)))
    folder = Path(tmp_path) / f"cut{cut}"
    folder.mkdir(exist_ok=True)
    path = folder / "r.csv"
    path.write_bytes(full[:cut])
    (folder / "r.csv.damaged").unlink(missing_ok=True)
    ResultsCsv(path).append(record("DR-0100"))
    rows = [row["serial"] for row in read_results(path)]
    whole_before_cut = [s for s in serials if full.index(row_bytes(record(s))) + len(row_bytes(record(s))) - 1 <= cut]
    assert rows == [*whole_before_cut, "DR-0100"] or rows == [*whole_before_cut,
                                                             next(s for s in serials if s not in whole_before_cut),
                                                             "DR-0100"]
    sidecar = folder / "r.csv.damaged"
    kept = path.read_bytes()[: len(path.read_bytes()) - len(row_bytes(record("DR-0100")))]
    moved = sidecar.read_bytes() if sidecar.exists() else b""
    assert full[:cut].startswith(kept.rstrip(b"\n")) or kept.startswith(full[:cut])
    assert len(kept) + len(moved) >= cut   # nothing of the cut file was dropped


# -- output errors through the command line --------------------------------------------------------------------


def rig_test(tmp_path: Path, *args: str | Path):
    return CliRunner().invoke(cli, ["test", "--sim", str(SCENARIO), "--no-sheets", "--sim-log",
                                    str(tmp_path / "sim.csv"), *map(str, args)])


def test_a_device_as_results_file_is_one_line(tmp_path: Path) -> None:
    result = rig_test(tmp_path, "--csv", "/dev/full")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "rig: /dev/full: not a regular file (a device or a pipe cannot hold whole rows)"]


def test_a_full_disk_mid_batch_stops_it_with_every_earlier_row_and_the_record(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    csv_path = tmp_path / "r.csv"
    monkeypatch.setattr(results_module, "os", FlakyOs(full_from_row=3))   # the third camera's row
    result = rig_test(tmp_path, "--csv", csv_path)
    assert result.exit_code == EXIT_OUTPUT_FAILED, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    rows = read_results(csv_path)
    announced = [serial for serial, _ in progress_lines(result.stderr)]
    assert [row["serial"] for row in rows] == announced == load_serials()[:2]
    failed = load_serials()[2]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"rig: {csv_path}: cannot write the row of {failed}: No space left on device; "), last
    assert "every outlet is on" in last
    assert list((tmp_path / "records").glob(f"{failed}_*.json"))
    assert_safe_state(SimLog.read(tmp_path / "sim.csv"))


def load_serials() -> list[str]:
    from firmware_sim.scenario import load_scenario

    return [camera.serial for camera in load_scenario(SCENARIO).cameras]


def test_an_unwritable_records_folder_stops_the_batch_after_the_row(tmp_path: Path) -> None:
    (tmp_path / "stick").write_text("a file where the records folder's parent should be")
    not_a_folder = tmp_path / "stick" / "records"
    csv_path = tmp_path / "r.csv"
    result = rig_test(tmp_path, "--csv", csv_path, "--records", not_a_folder)
    assert result.exit_code == EXIT_OUTPUT_FAILED, result.stderr
    first = load_serials()[0]
    assert [row["serial"] for row in read_results(csv_path)] == [first]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"rig: {not_a_folder}: cannot write the record of {first}: "), last
    assert "Traceback" not in result.stderr and "every outlet is on" in last
    assert_safe_state(SimLog.read(tmp_path / "sim.csv"))


@pytest.mark.parametrize("serial", ["X" * 5000, "../../etc/passwd", ".hidden", "-rf", "a b/c\\d:e*f?"])
def test_long_or_odd_serials_give_safe_file_names(tmp_path: Path, serial: str) -> None:
    rec = record(serial)
    stem = record_stem(rec)
    assert len(stem) <= 80 and "/" not in stem and not stem.startswith((".", "-"))
    assert set(stem) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
    results_module.write_json_record(rec, tmp_path)   # and the file system takes it
    assert len(list(tmp_path.glob("*.json"))) == 1
