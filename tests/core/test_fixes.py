"""Each fix on its own, with fakes: it gets only the outlets and actuators it declared, and does what the
article says with them (no simulated bench needed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rig.core.config import TimingsConfig
from rig.core.models import MINI, OUTDOOR, CameraModel
from rig.core.records import FixOutcome, StepKind, StepRecord
from rig.procedure.fixes import Fix, FixContext, get_fix, registered_fixes
from rig.procedure.operator import OperatorReply, OperatorTask


@dataclass
class Log:
    events: list[tuple] = field(default_factory=list)


class FakeOutlet:
    def __init__(self, name: str, log: Log) -> None:
        self.name, self.log = name, log

    def on(self) -> None:
        self.log.events.append((self.name, "on"))

    def off(self) -> None:
        self.log.events.append((self.name, "off"))


class FakeActuator:
    def __init__(self, name: str, log: Log) -> None:
        self.name, self.log = name, log

    def __getattr__(self, method: str):
        return lambda *args: self.log.events.append((self.name, method, *args))


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


class FakeOperator:
    def __init__(self, log: Log, refuse: OperatorTask | None = None) -> None:
        self.log, self.refuse = log, refuse

    def request(self, task, serial, instructions, timeout_s) -> OperatorReply:
        self.log.events.append(("operator", task.value, serial))
        return OperatorReply(task is not self.refuse, "busy" if task is self.refuse else "")


def context(fix: Fix, model: CameraModel, log: Log, operator: FakeOperator | None = None) -> FixContext:
    """What CameraSession.fix_context gives a fix: only what it declared."""
    clock = FakeClock()

    def wait(label: str, seconds: float) -> None:
        log.events.append(("wait", seconds))
        clock.sleep(seconds)

    return FixContext(
        serial="CAM-1",
        model=model,
        timings=TimingsConfig(),
        step=StepRecord(fix.name, 0.0, kind=StepKind.FIX),
        clock=clock,
        outlets={name: FakeOutlet(name, log) for name in fix.outlets},
        actuators={name: FakeActuator(name, log) for name in fix.actuators},
        operator=(operator or FakeOperator(log)) if fix.asks_operator else None,
        wait=wait,
        announce=lambda name, detail: None,
    )


def test_restart_switches_the_models_restart_outlets_together_then_back_on() -> None:
    fix = get_fix("restart_camera")
    log = Log()
    assert fix.act(context(fix, OUTDOOR, log)) is None
    assert log.events == [
        ("camera", "off"), ("sync_module", "off"), ("wait", 65.0), ("camera", "on"), ("sync_module", "on")
    ]
    log = Log()
    fix.act(context(fix, MINI, log))
    assert log.events == [("camera", "off"), ("wait", 65.0), ("camera", "on")]


def test_router_cycle_waits_the_articles_30_s_and_measures_it() -> None:
    fix = get_fix("power_cycle_router")
    log = Log()
    ctx = context(fix, OUTDOOR, log)
    fix.act(ctx)
    assert log.events == [("router", "off"), ("wait", 35.0), ("router", "on")]
    [m] = ctx.step.measurements
    assert (m.name, m.value, m.passed) == ("router_off_s", 35.0, True)


def test_replace_batteries_uses_the_reference_pack_and_undo_puts_the_own_pack_back() -> None:
    fix = get_fix("replace_batteries")
    log = Log()
    ctx = context(fix, OUTDOOR, log)
    fix.act(ctx)
    fix.undo(ctx)
    assert log.events == [("battery_changeover", "use_reference_pack"), ("battery_changeover", "use_camera_pack")]
    assert fix.applies_to(OUTDOOR) and not fix.applies_to(MINI)


def test_readd_unplugs_only_a_model_that_asks_for_it() -> None:
    fix = get_fix("readd_camera")
    log = Log()
    fix.act(context(fix, MINI, log))
    assert log.events == [
        ("camera", "off"), ("operator", "delete_camera", "CAM-1"), ("wait", 180.0), ("camera", "on"),
        ("operator", "readd_camera", "CAM-1"),
    ]
    log = Log()
    fix.act(context(fix, OUTDOOR, log))
    assert ("camera", "off") not in log.events


def test_a_refused_app_step_is_declined_and_noted_and_the_outlet_comes_back_on() -> None:
    fix = get_fix("readd_camera")
    log = Log()
    ctx = context(fix, MINI, log, FakeOperator(log, refuse=OperatorTask.DELETE_CAMERA))
    assert fix.act(ctx) is FixOutcome.DECLINED
    assert ctx.step.notes == "operator did not delete the camera: busy"
    assert log.events[-1] == ("camera", "on")


def test_reset_wifi_holds_the_button_then_asks_the_operator() -> None:
    fix = get_fix("reset_wifi")
    log = Log()
    assert fix.act(context(fix, OUTDOOR, log)) is None
    assert log.events == [("reset_button", "hold", 12.0), ("operator", "change_wifi", "CAM-1")]


def test_advisory_and_escalation_actuate_nothing() -> None:
    log = Log()
    assert get_fix("move_closer").act(context(get_fix("move_closer"), OUTDOOR, log)) is FixOutcome.ADVISORY
    assert get_fix("contact_support").act(context(get_fix("contact_support"), OUTDOOR, log)) is FixOutcome.ESCALATED
    assert log.events == []


def test_a_fix_that_did_not_declare_the_operator_cannot_ask() -> None:
    fix = get_fix("power_cycle_router")
    ctx = context(fix, OUTDOOR, Log())
    with pytest.raises(RuntimeError, match="did not declare asks_operator"):
        ctx.ask(OperatorTask.CHANGE_WIFI, "...", "change WiFi")


def test_every_fix_declares_hardware_the_fixture_has() -> None:
    from rig.core.config import ACTUATOR_NAMES, OUTLET_NAMES

    for fix in registered_fixes():
        assert set(fix.outlets) <= set(OUTLET_NAMES), fix.name
        assert set(fix.actuators) <= set(ACTUATOR_NAMES), fix.name
    assert [f.article_order for f in registered_fixes()] == [1, 2, 3, 4, 5, 6, 7]
    assert [f.name for f in registered_fixes() if f.escalation] == ["contact_support"]


def test_the_session_hands_a_fix_only_what_it_declared(tmp_path) -> None:
    from datetime import datetime

    from firmware_sim.desk import single_camera
    from rig.core.config import load_config
    from rig.core.events import SilentListener
    from rig.core.records import CameraRecord
    from rig.procedure.session import CameraSession
    from rig.sim import build_sim_bench

    bench = build_sim_bench(load_config(), single_camera("outdoor"))
    try:
        record = CameraRecord("CAM-0001", "outdoor", "", 0.0)
        session = CameraSession(bench.fixture, bench.operator, SilentListener(), record, datetime.now())
        step = StepRecord("reset_wifi", 0.0, kind=StepKind.FIX)
        ctx = session.fix_context(get_fix("reset_wifi"), step)
        assert (set(ctx.outlets), set(ctx.actuators), ctx.operator is not None) == (set(), {"reset_button"}, True)
        ctx = session.fix_context(get_fix("restart_camera"), step)
        assert (set(ctx.outlets), set(ctx.actuators), ctx.operator) == ({"camera", "sync_module"}, set(), None)
    finally:
        bench.close()
