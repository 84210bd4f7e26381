"""The station's API over its board: the contract's JSON, acting with and without the PIN, prompts answered
from the page reaching the waiting procedure, scans validated."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from firmware_sim.clock import VirtualClock
from rig.procedure.operator import OperatorTask
from rig.ui.station.board import FinishedCamera, PromptAnswer, SlotState, StationBoard
from rig.ui.station.listener import BoardListener
from rig.ui.station.page_operator import PageOperator
from rig.ui.station.server import PIN_HEADER, create_app

SLOT_KEYS = {"slot", "serial", "model", "state", "step", "pattern", "disposition"}
CAMERA_KEYS = {"serial", "slot", "disposition", "fixed_by"}


def client(board: StationBoard, pin: str | None = None) -> TestClient:
    return TestClient(create_app(board, pin=pin, disposition_colours={"pass": "#2e7d32"}))


def test_slots_follow_the_contract_for_every_state() -> None:
    clock = VirtualClock()
    board = StationBoard(clock, slots=3)
    listener = BoardListener(board, 2)
    listener.camera_started(0, "G8T1-0001", "outdoor")
    listener.step_started("observe", "watching the LED")
    listener.waiting("camera starting up", 7.5, 10.0)
    board.finish(3, FinishedCamera("MINI-0009", 3, "mini", "fixed", "readd_camera", 737.4, ""), reason="ok")
    slots = client(board).get("/api/slots").json()
    assert [s["slot"] for s in slots] == [1, 2, 3]
    for s in slots:
        assert s.keys() >= SLOT_KEYS
    assert [s["state"] for s in slots] == ["empty", "testing", "done"]
    assert slots[1]["serial"] == "G8T1-0001" and slots[1]["step"] == "observe"
    assert slots[1]["countdown"] == {"label": "camera starting up", "remaining_s": 7.5, "total_s": 10.0,
                                     "remaining_text": "7.5 s"}
    clock.sleep(5.0)
    assert client(board).get("/api/slots").json()[1]["countdown"]["remaining_s"] == 2.5
    assert slots[2]["disposition"] == "fixed"
    cameras = client(board).get("/api/cameras").json()
    assert cameras == [{"serial": "MINI-0009", "slot": 3, "model": "mini", "disposition": "fixed",
                        "fixed_by": "readd_camera", "duration_s": 737.4, "duration_text": "12 min 17 s",
                        "notes": None}]
    assert cameras[0].keys() >= CAMERA_KEYS


def test_cameras_are_listed_in_the_order_they_finished() -> None:
    board = StationBoard(VirtualClock(), slots=2)
    for serial, slot in (("A-1", 2), ("B-2", 1), ("C-3", 2)):
        board.load(slot, serial, "mini")
        board.finish(slot, FinishedCamera(serial, slot, "mini", "pass", "", 30.0, ""), reason="")
    assert [c["serial"] for c in client(board).get("/api/cameras").json()] == ["A-1", "B-2", "C-3"]


def test_acting_needs_the_pin_when_one_is_set_and_watching_does_not() -> None:
    board = StationBoard(VirtualClock(), slots=1)
    web = client(board, pin="4711")
    assert web.get("/api/slots").status_code == 200
    assert web.get("/api/config").json()["pin_required"] is True
    assert web.post("/api/scan", json={"serial": "G8T1-0001"}).status_code == 401
    assert web.post("/api/scan", json={"serial": "G8T1-0001"}, headers={PIN_HEADER: "0000"}).status_code == 401
    assert web.post("/api/stop").status_code == 401
    assert not board.scanned and not board.stop_requested
    assert web.post("/api/scan", json={"serial": "G8T1-0001"}, headers={PIN_HEADER: "4711"}).status_code == 200
    assert list(board.scanned) == ["G8T1-0001"]
    assert web.post("/api/stop", headers={PIN_HEADER: "4711"}).status_code == 200
    assert board.stop_requested


@pytest.mark.parametrize("body", [{"serial": "bad serial!"}, {"serial": ""}, {"serial": 12}, {}, ["x"]])
def test_a_bad_scan_is_refused_with_one_line_and_queues_nothing(body) -> None:
    board = StationBoard(VirtualClock(), slots=1)
    response = client(board).post("/api/scan", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error and "\n" not in error
    assert not board.scanned


def test_a_prompt_answered_on_the_page_reaches_the_waiting_step() -> None:
    clock = VirtualClock()
    board = StationBoard(clock, slots=2)
    board.load(2, "G8T1-0007", "outdoor")
    web = client(board)
    seen: list[dict] = []

    def operator_clicks_done() -> None:
        prompts = web.get("/api/prompts").json()
        seen.extend(prompts)
        assert web.post(f"/api/prompts/{prompts[0]['id']}", json={"answer": "done"}).json() == {"ok": True}

    clock.schedule(42.0, operator_clicks_done)
    apps: list[tuple[OperatorTask, str]] = []
    operator = PageOperator(board, clock, slot_of=lambda serial: 2, app=lambda t, s: apps.append((t, s)))
    reply = operator.request(OperatorTask.CHANGE_WIFI, "G8T1-0007", "Blink app: Change WiFi", 600.0)
    assert reply.done
    assert clock.now() == pytest.approx(42.0, abs=0.3)
    assert seen[0]["slot"] == 2 and seen[0]["serial"] == "G8T1-0007" and seen[0]["image"].endswith(".svg")
    assert seen[0]["remaining_s"] == pytest.approx(600.0 - 42.0, abs=1)
    assert apps == [(OperatorTask.CHANGE_WIFI, "G8T1-0007")]
    assert board.prompts == [] and board.tile(2).state is SlotState.TESTING
    assert web.get(f"/static/{seen[0]['image'].rsplit('/', 1)[1]}").status_code == 200


def test_cant_and_timeout_are_not_done_and_a_late_answer_is_refused() -> None:
    clock = VirtualClock()
    board = StationBoard(clock, slots=1)
    operator = PageOperator(board, clock, slot_of=lambda serial: 1)
    clock.schedule(3.0, lambda: board.answer_prompt(board.prompts[0].id, PromptAnswer.CANT, "no phone"))
    reply = operator.request(OperatorTask.DELETE_CAMERA, "X-1", "delete it", 60.0)
    assert not reply.done and "cannot be done" in reply.note and "no phone" in reply.note
    reply = operator.request(OperatorTask.READD_CAMERA, "X-1", "re-add it", 60.0)
    assert not reply.done and "no answer within 60 s" in reply.note
    assert clock.now() == pytest.approx(63.0, abs=0.3)
    assert client(board).post("/api/prompts/2", json={"answer": "done"}).status_code == 409


def test_prompts_from_several_slots_queue_in_the_order_asked() -> None:
    board = StationBoard(VirtualClock(), slots=4)
    board.post_prompt(3, "C-3", "change_wifi", "t", "i", "/static/change_wifi.svg", 600)
    board.post_prompt(1, "A-1", "delete_camera", "t", "i", "/static/delete_camera.svg", 600)
    prompts = client(board).get("/api/prompts").json()
    assert [(p["slot"], p["serial"]) for p in prompts] == [(3, "C-3"), (1, "A-1")]
    assert [t["state"] for t in client(board).get("/api/slots").json()] == [
        "waiting_operator", "empty", "waiting_operator", "empty"]


def test_the_page_and_its_assets_come_from_the_package() -> None:
    web = client(StationBoard(VirtualClock(), slots=1))
    page = web.get("/")
    assert page.status_code == 200 and "station.js" in page.text
    for asset in ("station.js", "station.css", "change_wifi.svg", "delete_camera.svg", "readd_camera.svg"):
        assert web.get(f"/static/{asset}").status_code == 200, asset
    assert "http" not in page.text.replace("http://www.w3.org", "")  # nothing fetched from the internet


def test_the_simulated_technicians_prompts_are_shown_while_it_works_and_gone_after() -> None:
    from rig.procedure.operator import OperatorReply
    from rig.ui.station.page_operator import ShownOperator

    board = StationBoard(VirtualClock(), slots=2)
    board.load(2, "MINI-0009", "mini")
    seen: list[list[dict]] = []

    class Technician:   # the person at the bench: sees the page while doing the app step
        def request(self, task, serial, instructions, timeout_s):
            assert board.slots_json()[1]["state"] == "waiting_operator"
            seen.append(board.prompts_json())
            return OperatorReply(False, "the app showed an error")

    reply = ShownOperator(board, lambda _serial: 2, Technician()).request(
        OperatorTask.READD_CAMERA, "MINI-0009", "re-add it", 600.0)
    assert not reply.done and reply.note == "the app showed an error"
    assert [(p["slot"], p["serial"], p["task"], p["remaining_text"]) for p in seen[0]] == [
        (2, "MINI-0009", "readd_camera", "10 min")]
    assert board.prompts_json() == [] and board.slots_json()[1]["state"] == "testing"
