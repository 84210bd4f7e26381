"""A live ``rig station --sim --slots 4`` in a real browser: four tiles, each slot's camera progressing to its
disposition on its own tile, a prompt naming its slot, and /api/slots with four entries per the contract. The
page's hands with several slots: scanned serials go to whichever slot is free."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.reliability.reliability_support import SimLog, assert_safe_state, read_results
from tests.station.browser import SIZES, browser_page
from tests.station.test_station_command import SLOT_KEYS, get_json, start_station
from tests.station.test_station_live import scan

# Six cameras over four slots: slots take the next camera when free. The third one's WiFi credentials are
# lost, so the ladder asks the operator for the app (a prompt naming that camera's slot).
SCENARIO = """
[bench]
slots = 4
swap_s = 5.0
[operator]
delay_s = 20.0
{cameras}
"""
CAMERA = """[[camera]]
serial = "{serial}"
model = "mini"
faults = {faults}
"""
SERIALS = [f"MS-000{n}" for n in range(1, 7)]
PROMPTED = "MS-0003"


def scenario_file(tmp_path: Path, slots_line: str = "slots = 4") -> Path:
    cameras = "".join(CAMERA.format(serial=s, faults='["wifi_credentials_lost"]' if s == PROMPTED else "[]")
                      for s in SERIALS)
    path = tmp_path / "slots.toml"
    path.write_text(SCENARIO.format(cameras=cameras).replace("slots = 4", slots_line))
    return path


def stop(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_four_slots_progress_on_their_own_tiles_to_their_dispositions(tmp_path: Path) -> None:
    proc, base, stderr = start_station(tmp_path, str(scenario_file(tmp_path)), "--speed", "10")
    try:
        with browser_page(*SIZES["monitor"]) as page:
            page.goto(base)
            for slot in range(1, 5):
                page.wait_for_selector(f"[data-testid=slot-{slot}] [data-testid=serial]")
            slots = get_json(base + "api/slots")
            assert [s["slot"] for s in slots] == [1, 2, 3, 4]
            assert all(set(s) >= SLOT_KEYS for s in slots)
            busy = {s["serial"] for s in slots if s["serial"]}
            assert len(busy) >= 2 and busy <= set(SERIALS), slots   # several cameras at once
            prompt = page.wait_for_selector(f"[data-testid^=prompt-] >> text={PROMPTED}", timeout=60_000)
            held = next(s["slot"] for s in get_json(base + "api/slots") if s["serial"] == PROMPTED)
            assert f"Slot {held} · {PROMPTED}" in prompt.inner_text()
            assert f"slot {held}:" not in prompt.inner_text()   # named once, in its headline
            page.screenshot(path=str(tmp_path / "slots-monitor.png"))
            page.set_viewport_size({"width": SIZES["tablet"][0], "height": SIZES["tablet"][1]})
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            page.screenshot(path=str(tmp_path / "slots-tablet.png"))
            for serial in SERIALS:
                page.wait_for_selector(f"[data-testid=finished] >> text={serial}", timeout=90_000)
            page.wait_for_selector("#summary >> text=finished 6", timeout=30_000)
            final = get_json(base + "api/slots")
        stop(proc)   # the batch is over: a signal now is the ordinary way to close the page
        assert proc.returncode == 0, stderr.read_text()
    finally:
        stop(proc)
    rows = read_results(tmp_path / "r.csv")
    assert sorted(r["serial"] for r in rows) == SERIALS
    assert {r["slot"] for r in rows} == {"1", "2", "3", "4"}
    by_serial = {r["serial"]: r for r in rows}
    assert by_serial[PROMPTED]["disposition"] == "fixed"
    assert all(by_serial[s]["disposition"] == "pass" for s in SERIALS if s != PROMPTED)
    # Each tile ends on the last camera its slot tested, with that camera's disposition.
    last = {}
    for row in rows:
        last[int(row["slot"])] = row
    assert {(s["slot"], s["serial"], s["disposition"]) for s in final} == {
        (slot, row["serial"], row["disposition"]) for slot, row in last.items()}
    assert_safe_state(SimLog.read(tmp_path / "sim.csv"))


def test_with_several_slots_the_page_scans_into_the_free_slots(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, "slots = 2")
    proc, base, _stderr = start_station(tmp_path, str(path), "--hands", "page", "--speed", "40")
    try:
        with browser_page(*SIZES["tablet"]) as page:
            page.goto(base)
            page.wait_for_selector("[data-testid=slot-2] >> text=free: scan the next camera")
            scan(page, "MS-0001")
            scan(page, "MS-0002")
            page.wait_for_selector("[data-testid=slot-1] [data-testid=serial] >> text=MS-0001")
            page.wait_for_selector("[data-testid=slot-2] [data-testid=serial] >> text=MS-0002")
            page.wait_for_selector("[data-testid=finished] >> text=MS-0002", timeout=60_000)
            page.wait_for_selector("[data-testid=finished] >> text=MS-0001", timeout=60_000)
    finally:
        stop(proc)
    rows = read_results(tmp_path / "r.csv")
    assert sorted((r["serial"], r["slot"], r["disposition"]) for r in rows) == [
        ("MS-0001", "1", "pass"), ("MS-0002", "2", "pass")]
    assert_safe_state(SimLog.read(tmp_path / "sim.csv"))
