"""Each fault of docs/DESIGN.md: its symptom seen only through the hardware, cured only by its own fix done
properly; the wrong fix, or the right one done too briefly, leaves it in place."""

from __future__ import annotations

import itertools

import pytest

from firmware_sim.desk import Desk, build_desk, single_camera
from firmware_sim.led_timing import DEFAULT_TIMING as T
from rig.procedure.operator import OperatorTask

SETTLE_S = 30.0
RECONNECT_TIMEOUT_S = 150.0   # the reference config's reconnect_timeout_s: the rig waits this long
STIMULUS_S = 0.5


def mounted(model: str = "outdoor", faults: tuple[str, ...] = (), seed: int = 0, **scenario_keys) -> Desk:
    desk = build_desk(single_camera(model, faults, **scenario_keys), seed=seed)
    desk.world.mount(0)
    desk.clock.sleep(SETTLE_S)
    return desk


def flashing_network_lost(desk: Desk, window_s: float = 15.0) -> bool:
    """What the LED says over the next ``window_s``: quick flashes about every 3 s?"""
    start = desk.clock.now()
    desk.clock.sleep(window_s)
    pulses = desk.led.pulses(start)
    if len(pulses) < window_s / T.network_lost_period_s - 1:
        return False
    return all(off - on <= T.flash_max_s for on, off in pulses) and all(
        abs(b[0] - a[0] - T.network_lost_period_s) <= 0.3 for a, b in itertools.pairwise(pulses)
    )


def dark(desk: Desk, window_s: float = 20.0) -> bool:
    start = desk.clock.now()
    desk.clock.sleep(window_s)
    return desk.led.edges(start) == [] and not desk.led.lit


def comes_online(desk: Desk, timeout_s: float = RECONNECT_TIMEOUT_S) -> float | None:
    """Seconds until the LED stays dark for 20 s with the bench network up, as the rig verifies; None if not."""
    start = desk.clock.now()
    while desk.clock.now() - start < timeout_s:
        window = desk.clock.now()
        if dark(desk) and desk.world.network_probe.check().ok:
            return window - start
    return None


def answers_motion(desk: Desk) -> bool:
    actuator = getattr(desk.actuators, desk.world.spec.profile.motion_actuator)
    start = desk.clock.now()
    actuator.pulse(STIMULUS_S)
    desk.clock.sleep(30)
    return any(off - on >= T.clip_min_s for on, off in desk.led.pulses(start))   # the recording light


def restart(desk: Desk, off_s: float, *, camera: bool = True, sync_module: bool = True) -> None:
    """The article's restart: camera (battery lead / USB) and, for a Sync Module camera, the Sync Module."""
    outlets = [o for o, wanted in ((desk.outlets.camera, camera), (desk.outlets.sync_module, sync_module))
               if wanted]
    for outlet in outlets:
        outlet.off()
    desk.clock.sleep(off_s)
    for outlet in outlets:
        outlet.on()


def hold_reset_then_change_wifi(desk: Desk, hold_s: float):
    desk.actuators.reset_button.hold(hold_s)
    return desk.world.operator.request(OperatorTask.CHANGE_WIFI, desk.world.spec.serial, "Change WiFi", 600)


def delete_then_readd(desk: Desk, wait_s: float):
    serial = desk.world.spec.serial
    deleted = desk.world.operator.request(OperatorTask.DELETE_CAMERA, serial, "Delete", 600)
    desk.clock.sleep(wait_s)
    return deleted, desk.world.operator.request(OperatorTask.READD_CAMERA, serial, "Add", 600)


# ---- healthy ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["outdoor", "mini"])
def test_healthy_camera_is_dark_answers_motion_and_the_network_is_up(model):
    desk = mounted(model)
    assert dark(desk)
    status = desk.world.network_probe.check()
    assert status.router_ok and status.internet_ok
    assert answers_motion(desk)


# ---- router_down ----------------------------------------------------------------------------------------------
def test_router_down_symptom_led_and_probe():
    desk = mounted("outdoor", ("router_down",))
    assert flashing_network_lost(desk)
    t0 = desk.clock.now()
    status = desk.world.network_probe.check()
    assert status.router_ok and not status.internet_ok       # the router answers on the LAN, nothing beyond
    assert "1.1.1.1:53" in status.detail
    assert desk.clock.now() - t0 == pytest.approx(desk.config.network.timeout_s)   # a TCP timeout's worth
    assert not answers_motion(desk)


def test_router_power_cycle_of_30_s_cures_and_everything_reconnects_in_1_to_2_minutes():
    desk = mounted("outdoor", ("router_down",))
    desk.outlets.router.off()
    desk.clock.sleep(5)
    status = desk.world.network_probe.check()
    assert not status.router_ok and not status.internet_ok   # router off: not even the LAN answers
    desk.clock.sleep(30)
    desk.outlets.router.on()
    desk.clock.sleep(20)
    assert not desk.world.network_probe.check().router_ok   # still booting
    online_after = comes_online(desk)
    assert online_after is not None
    assert 20 + online_after <= 120
    assert answers_motion(desk)


@pytest.mark.parametrize("off_s", [5.0, 20.0, 29.0])
def test_router_power_cycle_shorter_than_30_s_does_not_cure(off_s):
    desk = mounted("outdoor", ("router_down",))
    desk.outlets.router.cycle(off_s)
    assert comes_online(desk, 200) is None
    assert not desk.world.network_probe.check().internet_ok
    assert flashing_network_lost(desk)


def test_router_down_is_not_cured_by_restarting_the_camera():
    desk = mounted("mini", ("router_down",))
    restart(desk, 90, sync_module=False)
    assert comes_online(desk) is None


# ---- camera_glitch ------------------------------------------------------------------------------------------
def test_camera_glitch_symptom_network_fine_camera_offline():
    desk = mounted("mini", ("camera_glitch",))
    assert flashing_network_lost(desk)
    assert desk.world.network_probe.check().ok


@pytest.mark.parametrize("off_s,cured", [(10.0, False), (45.0, False), (59.0, False), (60.0, True), (90.0, True)])
def test_mini_camera_glitch_needs_a_minute_unplugged(off_s, cured):
    desk = mounted("mini", ("camera_glitch",))
    restart(desk, off_s, sync_module=False)
    assert (comes_online(desk) is not None) is cured
    assert answers_motion(desk) is cured


def test_outdoor_camera_glitch_needs_batteries_out_and_the_sync_module_unplugged_together():
    desk = mounted("outdoor", ("camera_glitch",))
    restart(desk, 75, sync_module=False)           # batteries only
    assert comes_online(desk) is None
    restart(desk, 75, camera=False)                # Sync Module only
    assert comes_online(desk) is None
    desk.outlets.sync_module.off()                 # both, but one after the other: no overlap
    desk.clock.sleep(75)
    desk.outlets.sync_module.on()
    restart(desk, 75, sync_module=False)
    assert comes_online(desk) is None
    restart(desk, 75)                              # the article's restart
    assert comes_online(desk) is not None
    assert answers_motion(desk)


def test_camera_glitch_is_not_cured_by_a_router_power_cycle():
    desk = mounted("mini", ("camera_glitch",))
    desk.outlets.router.cycle(40)
    assert comes_online(desk, 200) is None


# ---- sync_module_glitch ---------------------------------------------------------------------------------------
def test_sync_module_glitch_symptom():
    desk = mounted("outdoor", ("sync_module_glitch",))
    assert flashing_network_lost(desk)
    assert desk.world.network_probe.check().ok


@pytest.mark.parametrize(
    "off_s,camera,sync_module,cured",
    [(75.0, False, True, False), (75.0, True, False, False), (30.0, True, True, False), (75.0, True, True, True)],
)
def test_sync_module_glitch_needs_the_sync_module_off_a_minute_with_the_camera(off_s, camera, sync_module, cured):
    desk = mounted("outdoor", ("sync_module_glitch",))
    restart(desk, off_s, camera=camera, sync_module=sync_module)
    assert (comes_online(desk) is not None) is cured


# ---- wifi_credentials_lost ------------------------------------------------------------------------------------
def test_wifi_credentials_lost_survives_restarts():
    desk = mounted("mini", ("wifi_credentials_lost",))
    assert flashing_network_lost(desk)
    restart(desk, 90, sync_module=False)
    assert comes_online(desk) is None
    desk.outlets.router.cycle(40)
    assert comes_online(desk, 200) is None


@pytest.mark.parametrize("model", ["mini", "outdoor"])
def test_long_reset_hold_and_change_wifi_cure(model):
    desk = mounted(model, ("wifi_credentials_lost",))
    reply = hold_reset_then_change_wifi(desk, 12.0)
    assert reply.done, reply.note
    assert comes_online(desk) is not None
    assert answers_motion(desk)


def test_short_reset_press_does_nothing_and_the_app_finds_no_camera():
    desk = mounted("mini", ("wifi_credentials_lost",))
    reply = hold_reset_then_change_wifi(desk, 3.0)
    assert not reply.done
    assert "setup mode" in reply.note
    assert comes_online(desk) is None


def test_reset_hold_without_the_app_step_leaves_the_camera_offline():
    desk = mounted("mini", ("wifi_credentials_lost",))
    desk.actuators.reset_button.hold(12.0)
    assert flashing_network_lost(desk)          # setup mode flashes like network_lost
    assert comes_online(desk) is None


def test_change_wifi_alone_without_the_reset_does_nothing():
    desk = mounted("mini", ("wifi_credentials_lost",))
    reply = desk.world.operator.request(OperatorTask.CHANGE_WIFI, "CAM-0001", "Change WiFi", 600)
    assert not reply.done
    assert comes_online(desk) is None


def test_reset_and_change_wifi_on_a_healthy_camera_keeps_it_working():
    desk = mounted("mini")
    assert hold_reset_then_change_wifi(desk, 12.0).done
    assert comes_online(desk) is not None


# ---- registration_lost ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["mini", "outdoor"])
def test_registration_lost_cured_by_delete_wait_readd(model):
    desk = mounted(model, ("registration_lost",))
    assert flashing_network_lost(desk)
    assert desk.world.network_probe.check().ok
    deleted, readded = delete_then_readd(desk, 200)
    assert deleted.done and readded.done, (deleted, readded)
    assert comes_online(desk) is not None


def test_readd_too_soon_is_refused_and_the_camera_stays_offline_until_a_proper_wait():
    desk = mounted("mini", ("registration_lost",))
    deleted, readded = delete_then_readd(desk, 60)
    assert deleted.done and not readded.done
    assert "could not be added" in readded.note
    assert comes_online(desk) is None
    desk.clock.sleep(180)
    again = desk.world.operator.request(OperatorTask.READD_CAMERA, "CAM-0001", "Add", 600)
    assert again.done
    assert comes_online(desk) is not None


def test_readd_without_delete_and_restarts_do_not_cure_registration_lost():
    desk = mounted("mini", ("registration_lost",))
    reply = desk.world.operator.request(OperatorTask.READD_CAMERA, "CAM-0001", "Add", 600)
    assert not reply.done and "already on the account" in reply.note
    restart(desk, 90, sync_module=False)
    assert hold_reset_then_change_wifi(desk, 12.0).done
    assert comes_online(desk) is None


# ---- battery_failing ----------------------------------------------------------------------------------------
def motion_pulses(desk: Desk) -> int:
    start = desk.clock.now()
    desk.actuators.motion_stimulus.pulse(STIMULUS_S)
    desk.clock.sleep(40)
    return len(desk.led.pulses(start))


def test_battery_failing_shows_the_burst_until_the_reference_pack_is_switched_in():
    desk = mounted("outdoor", ("battery_failing",))
    assert dark(desk)                            # online and idle: the pack is fine at idle current
    assert motion_pulses(desk) in (7, 8)         # flash + recording + 5-6 burst flashes
    restart(desk, 90)                            # the wrong fix: the pack is still the same pack
    assert comes_online(desk) is not None
    assert motion_pulses(desk) in (7, 8)
    desk.actuators.battery_changeover.use_reference_pack()
    desk.clock.sleep(5)
    assert dark(desk)                            # the changeover does not upset the camera
    assert motion_pulses(desk) == 2
    desk.actuators.battery_changeover.use_camera_pack()
    assert motion_pulses(desk) in (7, 8)         # physics, not a flag: its own pack still fails


# ---- pir_dead ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["outdoor", "mini"])
def test_pir_dead_ignores_motion_but_is_otherwise_healthy(model):
    desk = mounted(model, ("pir_dead",))
    assert dark(desk)
    assert desk.world.network_probe.check().ok
    assert not answers_motion(desk)
    restart(desk, 90)
    desk.clock.sleep(60)
    assert not answers_motion(desk)


# ---- radio_dead --------------------------------------------------------------------------------------------
def test_radio_dead_stays_offline_whatever_is_done():
    desk = mounted("outdoor", ("radio_dead",))
    assert flashing_network_lost(desk)
    desk.outlets.router.cycle(40)
    assert comes_online(desk, 200) is None
    restart(desk, 90)
    assert comes_online(desk) is None
    assert hold_reset_then_change_wifi(desk, 12.0).done
    assert comes_online(desk) is None
    deleted, readded = delete_then_readd(desk, 200)
    assert deleted.done and readded.done
    assert comes_online(desk) is None
    assert flashing_network_lost(desk)


# ---- faults belong to the mounted camera -------------------------------------------------------------------
def test_the_next_camera_does_not_inherit_the_last_ones_faults():
    from firmware_sim.scenario import parse_scenario

    scenario = parse_scenario(
        '[[camera]]\nserial = "A"\nmodel = "outdoor"\nfaults = ["router_down", "sync_module_glitch"]\n'
        '[[camera]]\nserial = "B"\nmodel = "outdoor"\nfaults = []\n'
    )
    desk = build_desk(scenario)
    desk.world.mount(0)
    desk.clock.sleep(SETTLE_S)
    assert flashing_network_lost(desk)
    assert not desk.world.network_probe.check().internet_ok
    desk.world.mount(1)
    desk.clock.sleep(SETTLE_S)
    assert dark(desk)
    assert desk.world.network_probe.check().ok


def test_mount_index_out_of_range_is_a_clear_error():
    desk = build_desk(single_camera())
    with pytest.raises(IndexError, match="no camera 3"):
        desk.world.mount(3)
