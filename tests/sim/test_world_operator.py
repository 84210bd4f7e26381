"""The scripted technician: takes its time on the virtual clock, declines what the scenario says, times out,
and reports what the app showed (the world decides whether a step worked)."""

from __future__ import annotations

import pytest

from firmware_sim.desk import build_desk, single_camera
from firmware_sim.operator import SimulatedOperator
from rig.procedure.operator import Operator, OperatorReply, OperatorTask


def test_it_is_an_operator_for_the_rig():
    desk = build_desk(single_camera())
    assert isinstance(desk.world.operator, Operator)


def test_the_world_keeps_running_while_the_operator_works():
    desk = build_desk(single_camera("mini", ("camera_glitch",), operator_delay_s=40.0))
    desk.world.mount(0)
    desk.clock.sleep(20)
    start = desk.clock.now()
    reply = desk.world.operator.request(OperatorTask.DELETE_CAMERA, "CAM-0001", "Delete it", timeout_s=600)
    assert reply == OperatorReply(True, "")
    assert desk.clock.now() - start == pytest.approx(40.0)
    assert len(desk.led.pulses(start)) >= 12     # the LED kept flashing in the meantime


def test_declined_tasks_are_declined_and_the_others_done():
    desk = build_desk(single_camera("mini", operator_delay_s=5.0,
                                    operator_declines=frozenset({"readd_camera"})))
    desk.world.mount(0)
    desk.clock.sleep(20)
    assert desk.world.operator.request(OperatorTask.DELETE_CAMERA, "CAM-0001", "", 600).done
    desk.clock.sleep(200)
    reply = desk.world.operator.request(OperatorTask.READD_CAMERA, "CAM-0001", "", 600)
    assert not reply.done and "declined" in reply.note


def test_an_operator_slower_than_the_timeout_answers_nothing_at_the_timeout():
    desk = build_desk(single_camera("mini", operator_delay_s=700.0))
    desk.world.mount(0)
    start = desk.clock.now()
    reply = desk.world.operator.request(OperatorTask.DELETE_CAMERA, "CAM-0001", "", timeout_s=600)
    assert not reply.done and "600" in reply.note
    assert desk.clock.now() - start == pytest.approx(600)
    # Nothing was done in the app: the camera is still registered and online.
    assert desk.world.operator.request(OperatorTask.READD_CAMERA, "CAM-0001", "", 1000).note.endswith(
        "(delete it first)")


def test_wrong_serial_or_empty_fixture_is_reported_not_done():
    desk = build_desk(single_camera("mini", operator_delay_s=1.0))
    reply = desk.world.operator.request(OperatorTask.CHANGE_WIFI, "CAM-0001", "", 60)
    assert not reply.done and "empty" in reply.note
    desk.world.mount(0)
    reply = desk.world.operator.request(OperatorTask.DELETE_CAMERA, "OTHER-1", "", 60)
    assert not reply.done and "OTHER-1" in reply.note and "CAM-0001" in reply.note


def test_requests_are_logged_with_their_times():
    calls = []
    clock_desk = build_desk(single_camera())
    operator = SimulatedOperator(clock_desk.clock, lambda task, serial: calls.append((task, serial)) or None, 3.0)
    operator.request(OperatorTask.CHANGE_WIFI, "S-1", "", 10)
    assert calls == [(OperatorTask.CHANGE_WIFI, "S-1")]
    (entry,) = operator.requests
    assert entry.answered_at_s - entry.asked_at_s == pytest.approx(3.0)
    assert entry.reply.done
