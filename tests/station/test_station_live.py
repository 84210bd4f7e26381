"""A live ``rig station --sim`` in a real browser: the page's hands load cameras by typing serials into the scan
field and answer the app step by clicking; the tile reaches its disposition; the rows are on disk."""

from __future__ import annotations

import signal
from pathlib import Path

from rig.core.durations import duration_text
from tests.reliability.reliability_support import SimLog, assert_safe_state, read_results
from tests.station.browser import SIZES, browser_page
from tests.station.test_station_command import start_station

# The mini's WiFi credentials are lost: the ladder restarts it, then asks the operator to change its WiFi in the
# app (a prompt on the page); the outdoor one is healthy.
SCENARIO = """
[operator]
delay_s = 0.0
[[camera]]
serial = "PG-0001"
model = "mini"
faults = ["wifi_credentials_lost"]
[[camera]]
serial = "PG-0002"
model = "mini"
faults = []
"""


def scan(page, serial: str) -> None:
    page.fill("[data-testid=scan]", serial)
    page.press("[data-testid=scan]", "Enter")


def test_the_page_loads_cameras_by_scanning_and_answers_the_app_step(tmp_path: Path) -> None:
    scenario = tmp_path / "page.toml"
    scenario.write_text(SCENARIO)
    proc, base, stderr = start_station(tmp_path, str(scenario), "--hands", "page", "--speed", "40",
                                       "--exit-when-done")
    try:
        with browser_page(*SIZES["tablet"]) as page:
            page.goto(base)
            page.wait_for_selector("[data-testid=slot-1] >> text=free: scan the next camera")
            scan(page, "NOPE-0009")
            page.wait_for_selector("[data-testid=notice] >> text=NOPE-0009: no such camera on this bench")
            scan(page, "PG-0001")
            page.wait_for_selector("[data-testid=slot-1] [data-testid=serial] >> text=PG-0001")
            page.wait_for_selector("[data-testid=slot-1] [data-testid=led-strip] polyline")
            prompt = page.wait_for_selector("[data-testid^=prompt-] >> text=Slot 1 · PG-0001", timeout=60_000)
            assert "Change WiFi" in page.locator("[data-testid=prompts] h2").first.inner_text()
            left = page.locator("[data-testid=prompt-left]").first.inner_text()
            assert left.endswith(" left") and ("min" in left or " s " in left + " "), left
            page.screenshot(path=str(tmp_path / "prompt-tablet.png"))
            page.set_viewport_size({"width": SIZES["monitor"][0], "height": SIZES["monitor"][1]})
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            page.screenshot(path=str(tmp_path / "prompt-monitor.png"))
            page.locator("[data-testid=prompt-done]").first.click()
            prompt.wait_for_element_state("hidden")
            verdict = page.wait_for_selector("[data-testid=slot-1] [data-testid=disposition]", timeout=60_000)
            assert verdict.inner_text().lower().startswith("fixed")
            assert "WiFi" not in page.locator("[data-testid=prompts]").inner_text()
            scan(page, "PG-0002")
            page.wait_for_selector("[data-testid=finished] >> text=PG-0002", timeout=60_000)
            times = page.locator("[data-testid=finished] [data-testid=bench-time]").all_inner_texts()
        assert proc.wait(timeout=30) == 0, stderr.read_text()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=10)
    rows = read_results(tmp_path / "r.csv")
    assert [(r["serial"], r["disposition"]) for r in rows] == [("PG-0001", "fixed"), ("PG-0002", "pass")]
    assert rows[0]["fixed_by"] == "reset_wifi"
    # The page's bench times are the one formatter's strings (newest first), not a copy of it in the page.
    assert times == [duration_text(float(r["duration_s"])) for r in reversed(rows)]
    assert_safe_state(SimLog.read(tmp_path / "sim.csv"))
