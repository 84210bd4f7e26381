"""``rig station`` as a process: the contract's /api/slots from a live --sim run, rows on disk and outlets on
after a stop (Ctrl-C, SIGTERM, the page's Stop), the PIN beyond loopback, the report page."""

from __future__ import annotations

import json
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from rig.cli import cli
from tests.reliability.reliability_support import SimLog, assert_safe_state, read_results, start_rig

SLOT_KEYS = {"slot", "serial", "model", "state", "step", "pattern", "disposition"}
URL_LINE = re.compile(r"station: (http://\S+)")


def wait_url(stderr: Path, proc, timeout_s: float = 20.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = URL_LINE.search(stderr.read_text(encoding="utf-8", errors="replace"))
        if found:
            return found.group(1)
        assert proc.poll() is None, stderr.read_text()
        time.sleep(0.05)
    raise AssertionError("the station never printed its address")


def get_json(url: str, data: dict | None = None, headers: dict | None = None):
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, body, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def start_station(tmp_path: Path, *extra: str):
    stderr = tmp_path / "stderr.txt"
    proc = start_rig(["station", "--sim", "--port", "0", "--csv", tmp_path / "r.csv", "--no-sheets",
                      "--sim-log", tmp_path / "sim.csv", *extra], stderr, tmp_path)
    return proc, wait_url(stderr, proc), stderr


def wait_first_row(tmp_path: Path, proc, base: str) -> list[dict]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        cameras = get_json(base + "api/cameras")
        if cameras:
            return cameras
        assert proc.poll() is None
        time.sleep(0.1)
    raise AssertionError("no camera finished")


@pytest.mark.parametrize("how", ["sigint", "sigterm", "page"])
def test_stopping_leaves_outlets_on_and_every_finished_row_on_disk(tmp_path: Path, how: str) -> None:
    proc, base, stderr = start_station(tmp_path, "--speed", "60")
    try:
        slots = get_json(base + "api/slots")
        assert len(slots) == 1 and slots[0].keys() >= SLOT_KEYS
        assert slots[0]["state"] in ("empty", "testing", "waiting_operator", "done")
        finished = wait_first_row(tmp_path, proc, base)
        assert finished[0].keys() >= {"serial", "slot", "disposition", "fixed_by"}
        if how == "page":
            get_json(base + "api/stop", {})
        else:
            proc.send_signal(signal.SIGINT if how == "sigint" else signal.SIGTERM)
        returncode = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = stderr.read_text()
    assert returncode == (130 if how == "sigint" else 143), err
    assert "every outlet is on" in err
    rows = read_results(tmp_path / "r.csv")
    finished_serials = [c["serial"] for c in finished]
    assert [r["serial"] for r in rows][: len(finished_serials)] == finished_serials
    assert_safe_state(SimLog.read(tmp_path / "sim.csv"))


def test_the_page_stays_up_after_the_batch_until_a_signal_which_then_is_an_ordinary_end(tmp_path: Path) -> None:
    scenario = tmp_path / "one.toml"
    scenario.write_text('[[camera]]\nserial = "ONE-0001"\nmodel = "mini"\nfaults = []\n')
    proc, base, stderr = start_station(tmp_path, str(scenario), "--speed", "500")
    try:
        deadline = time.monotonic() + 30
        while "batch over" not in stderr.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the page must stay up after the batch"
        assert get_json(base + "api/cameras")[0]["serial"] == "ONE-0001"
        report = urllib.request.urlopen(base + "report", timeout=20).read().decode()
        assert "Bench report: 1 camera" in report and "ONE-0001" in report
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0, stderr.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert [r["serial"] for r in read_results(tmp_path / "r.csv")] == ["ONE-0001"]


def test_exit_when_done_writes_the_same_rows_as_rig_test(tmp_path: Path) -> None:
    scenario = tmp_path / "two.toml"
    scenario.write_text('[[camera]]\nserial = "TW-0001"\nmodel = "mini"\nfaults = []\n'
                        '[[camera]]\nserial = "TW-0002"\nmodel = "mini"\nfaults = ["camera_glitch"]\n')
    runner = CliRunner()
    station = runner.invoke(cli, ["station", "--sim", str(scenario), "--port", "0", "--speed", "100000",
                                  "--exit-when-done", "--no-sheets", "--csv", str(tmp_path / "s.csv")])
    assert station.exit_code == 0, station.output
    test = runner.invoke(cli, ["test", "--sim", str(scenario), "--no-sheets", "--csv", str(tmp_path / "t.csv")])
    assert test.exit_code == 0, test.output
    keep = ("serial", "model", "disposition", "fixed_by", "fixes_tried", "initial_pattern")
    station_rows = [{k: r[k] for k in keep if k in r} for r in read_results(tmp_path / "s.csv")]
    test_rows = [{k: r[k] for k in keep if k in r} for r in read_results(tmp_path / "t.csv")]
    assert station_rows == test_rows and [r["disposition"] for r in station_rows] == ["pass", "fixed"]


def test_serving_beyond_loopback_prints_a_pin_and_acting_needs_it(tmp_path: Path) -> None:
    proc, base, stderr = start_station(tmp_path, "--host", "0.0.0.0", "--speed", "5")
    try:
        pin = re.search(r"PIN (\d{6})", stderr.read_text()).group(1)
        port = base.rsplit(":", 1)[1].strip("/")
        local = f"http://127.0.0.1:{port}/"
        assert get_json(local + "api/config")["pin_required"] is True
        with pytest.raises(urllib.error.HTTPError) as refused:
            get_json(local + "api/stop", {})
        assert refused.value.code == 401
        assert get_json(local + "api/stop", {}, {"X-Station-Pin": pin}) == {"ok": True}
        assert proc.wait(timeout=10) == 143
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert_safe_state(SimLog.read(tmp_path / "sim.csv"))


@pytest.mark.parametrize(("args", "message"), [
    (["--pin", "12ab"], "--pin '12ab': give 4 to 12 digits"),
    (["--hands", "page"], "--hands needs --sim"),
    (["--slots", "4"], "--slots needs --sim"),
    (["--sim", "--slots", "0"], "--slots"),
])
def test_bad_options_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["station", "--port", "0", "--csv", str(tmp_path / "r.csv"), *args])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
