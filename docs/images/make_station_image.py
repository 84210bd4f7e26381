"""The README's screenshot of the station page, from a real ``rig station --sim`` run in Debian's chromium.

    .venv/bin/python docs/images/make_station_image.py   # writes docs/images/station.png (1920x1080)

The built-in scenario on 4 slots: it waits until a few cameras have finished, every slot holds a camera and the
simulated technician is on an app step (a prompt on the page), so the picture shows tiles mid-test, a prompt
naming its slot, verdicts and the finished list.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SIZE = (1920, 1080)
SLOTS = 4


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("no chromium on this machine (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        err = Path(tmp) / "stderr.txt"
        with err.open("wb") as sink:
            proc = subprocess.Popen([sys.executable, "-m", "rig", "station", "--sim", "--port", "0", "--speed", "15",
                                     "--slots", str(SLOTS), "--no-sheets", "--csv", str(Path(tmp) / "r.csv")],
                                    stderr=sink, cwd=tmp)
        try:
            url = _wait(lambda: re.search(r"station: (http://\S+)", err.read_text()), 30).group(1)
            _wait(lambda: len(_get(url + "api/cameras")) >= 3 and _get(url + "api/prompts")
                  and all(tile["serial"] for tile in _get(url + "api/slots")), 240)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": SIZE[0], "height": SIZE[1]})
                page.goto(url)
                page.wait_for_selector("[data-testid=finished] tbody tr")
                page.wait_for_selector("[data-testid^=prompt-]")
                page.screenshot(path=str(HERE / "station.png"))
                browser.close()
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
    print(f"wrote {HERE / 'station.png'}")


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _wait(condition, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise SystemExit("the station never reached the state to photograph")


if __name__ == "__main__":
    main()
