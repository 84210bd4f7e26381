"""The station page in a real browser over a live server: tiles update without a reload, a prompt is answered
by clicking, a serial is scanned by typing, and the page fits a tablet and a monitor."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from rig.core.clock import MonotonicClock
from rig.procedure.operator import OperatorTask
from rig.ui.station.board import FinishedCamera, StationBoard
from rig.ui.station.listener import BoardListener
from rig.ui.station.page_operator import PageOperator
from rig.ui.station.server import StationServer, create_app
from tests.station.browser import SIZES, browser_page

COLOURS = {"pass": "#43a047", "fixed": "#29b6f6", "fail": "#e53935", "escalate": "#ab47bc", "aborted": "#fdd835"}


@pytest.fixture
def served():
    board = StationBoard(MonotonicClock(), slots=4)
    server = StationServer(create_app(board, disposition_colours=COLOURS), "127.0.0.1", 0)
    server.start()
    yield board, server.url
    server.stop()


def test_tiles_follow_the_bench_live_and_a_scan_reaches_the_station(served) -> None:
    board, url = served
    with browser_page() as page:
        page.goto(url)
        page.wait_for_selector("[data-testid=slot-4]")
        assert page.locator("[data-testid^=slot-]").count() == 4
        listener = BoardListener(board, 3)
        listener.camera_started(0, "G8T1-0003", "outdoor")
        listener.step_started("battery", "load test")
        page.wait_for_selector("[data-testid=slot-3] >> text=G8T1-0003")
        page.wait_for_selector("[data-testid=slot-3] [data-testid=step] >> text=battery: load test")
        board.finish(3, FinishedCamera("G8T1-0003", 3, "outdoor", "fixed", "replace_batteries", 59.0, ""),
                     reason="camera's own batteries failing")
        verdict = page.wait_for_selector("[data-testid=slot-3] [data-testid=disposition]")
        assert "fixed" in verdict.inner_text().lower()
        page.wait_for_selector("[data-testid=finished] >> text=G8T1-0003")
        page.fill("[data-testid=scan]", "G8T1-0099")
        page.press("[data-testid=scan]", "Enter")
        page.wait_for_selector("[data-testid=scan-result] >> text=queued")
        assert list(board.scanned) == ["G8T1-0099"]
        page.fill("[data-testid=scan]", "bad serial!")
        page.press("[data-testid=scan]", "Enter")
        page.wait_for_selector("[data-testid=scan-result].bad")
        assert list(board.scanned) == ["G8T1-0099"]


def test_a_prompt_is_answered_by_clicking_and_queued_prompts_name_their_slots(served) -> None:
    board, url = served
    operator = PageOperator(board, board.clock, slot_of={"A-1": 1, "B-2": 2}.__getitem__)
    replies: dict[str, object] = {}

    def ask(serial: str, task: OperatorTask) -> None:
        replies[serial] = operator.request(task, serial, f"do it for {serial}", 120.0)

    with browser_page() as page:
        page.goto(url)
        first = threading.Thread(target=ask, args=("A-1", OperatorTask.CHANGE_WIFI))
        first.start()
        page.wait_for_selector("[data-testid^=prompt-] >> text=Slot 1 · A-1")
        second = threading.Thread(target=ask, args=("B-2", OperatorTask.READD_CAMERA))
        second.start()
        page.wait_for_selector("[data-testid^=prompt-] >> text=Slot 2 · B-2")
        slots = page.locator("[data-testid=prompts] [data-testid=prompt-slot]").all_inner_texts()
        assert [s.split(":")[0] for s in slots] == ["Slot 1 · A-1", "Slot 2 · B-2"]
        page.locator("[data-testid=prompts] .prompt").first.locator("[data-testid=prompt-done]").click()
        first.join(10)
        assert replies["A-1"].done
        page.wait_for_selector("[data-testid=prompt-slot] >> text=Slot 1", state="detached")
        page.locator("[data-testid=prompt-cant]").click()
        second.join(10)
        assert not replies["B-2"].done and "cannot be done" in replies["B-2"].note


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_page_fits_a_tablet_and_a_monitor(served, size: str, tmp_path: Path) -> None:
    board, url = served
    for slot, serial in ((1, "G8T1-0001"), (2, "MINI-0002"), (3, "G8T1-0003")):
        board.load(slot, serial, "outdoor")
    board.finish(2, FinishedCamera("MINI-0002", 2, "mini", "escalate", "", 859.0, ""),
                 reason="no fix cured it: escalate to Blink support; tried restart_camera, reset_wifi")
    width, height = SIZES[size]
    with browser_page(width, height) as page:
        page.goto(url)
        page.wait_for_selector("[data-testid=slot-2] [data-testid=disposition]")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width}x{height}"
        clipped = page.evaluate(
            "[...document.querySelectorAll('[data-testid=serial]')]"
            ".filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)"
        )
        assert clipped == []
        tiles = page.locator("[data-testid^=slot-]")
        for index in range(4):
            box = tiles.nth(index).bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, f"slot {index + 1} below the fold"
        sizes = page.evaluate(
            "[...document.querySelectorAll('[data-testid=serial], [data-testid=disposition]')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert min(sizes) >= 22, "serials and verdicts must read from a step away"
        page.screenshot(path=str(tmp_path / f"station-{size}.png"))
        assert (tmp_path / f"station-{size}.png").stat().st_size > 10_000
