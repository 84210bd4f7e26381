"""How fast does the simulated bench run? Simulated seconds per wall second for a 100-camera scenario.

Each camera is driven roughly as the rig drives it, through the rig's own hardware classes: mount, watch the
LED in 0.5 s polls, probe the network, a dual-pulse battery test through the real INA219 driver, a motion
test, then the fix its fault needs (router power-cycle, restart, reset + Change WiFi, delete and re-add,
pack changeover) and a verification watch. Goal: >= 10,000x real time.

Baseline, measured in the same run: a bare VirtualClock firing as many no-op events as the world fired, so
the figure can be read against the scheduler's own ceiling on this machine.

    .venv/bin/python benchmarks/sim_bench.py [--cameras 100] [--seed 0]
"""

from __future__ import annotations

import argparse
import itertools
import time

from firmware_sim.clock import VirtualClock
from firmware_sim.desk import Desk, build_desk
from firmware_sim.faults import FAULTS
from firmware_sim.scenario import Scenario, parse_scenario
from rig.core.models import camera_model
from rig.procedure.operator import OperatorTask

GOAL_X = 10_000
POLL_S = 0.5


class CountingClock(VirtualClock):
    """A VirtualClock that counts the events scheduled on it (the world's workload)."""

    def __init__(self) -> None:
        super().__init__()
        self.scheduled = 0

    def schedule(self, at_s, callback):
        self.scheduled += 1
        return super().schedule(at_s, callback)


def bench_scenario(cameras: int) -> Scenario:
    kinds = [(), *((fault,) for fault in FAULTS)]
    lines: list[str] = ["[operator]", "delay_s = 30.0"]
    for index, faults in zip(range(cameras), itertools.cycle(kinds), strict=False):
        model = "mini" if index % 3 == 2 and not {"battery_failing", "sync_module_glitch"} & set(faults) else "outdoor"
        lines += ["[[camera]]", f'serial = "BENCH-{index:04d}"', f'model = "{model}"',
                  "faults = [" + ", ".join(f'"{f}"' for f in faults) + "]"]
    return parse_scenario("\n".join(lines), "<bench>")


def watch(desk: Desk, seconds: float) -> None:
    """The rig's polling loop: many short sleeps, each one a chance for the world to move."""
    end = desk.clock.now() + seconds
    while desk.clock.now() < end:
        desk.clock.sleep(min(POLL_S, end - desk.clock.now()))


def battery_test(desk: Desk) -> None:
    for _ in range(3):
        desk.power_meter.read()
        desk.actuators.load_switch.on()
        desk.clock.sleep(0.02)
        desk.power_meter.read()
        desk.clock.sleep(0.08)
        desk.actuators.load_switch.off()
        desk.clock.sleep(0.5)


def fix(desk: Desk, faults: tuple[str, ...]) -> None:
    serial = desk.world.spec.serial
    outlets, actuators, operator = desk.outlets, desk.actuators, desk.world.operator
    if "router_down" in faults:
        outlets.router.off()
        watch(desk, 35)
        outlets.router.on()
    if {"camera_glitch", "sync_module_glitch", "radio_dead"} & set(faults):
        outlets.camera.off()
        outlets.sync_module.off()
        watch(desk, 75)
        outlets.sync_module.on()
        outlets.camera.on()
    if "wifi_credentials_lost" in faults:
        actuators.reset_button.hold(12)
        operator.request(OperatorTask.CHANGE_WIFI, serial, "", 600)
    if "registration_lost" in faults:
        operator.request(OperatorTask.DELETE_CAMERA, serial, "", 600)
        watch(desk, 240)
        operator.request(OperatorTask.READD_CAMERA, serial, "", 600)
    if "battery_failing" in faults:
        actuators.battery_changeover.use_reference_pack()


def run_bench(scenario: Scenario, seed: int) -> tuple[float, float, int, int, int]:
    clock = CountingClock()
    desk = build_desk(scenario, seed=seed, clock=clock)
    edges = online = 0
    start_wall = time.perf_counter()
    for index, spec in enumerate(scenario.cameras):
        desk.world.mount(index)
        mark = clock.now()
        watch(desk, 20)
        desk.world.network_probe.check()
        if spec.uses_battery:
            battery_test(desk)
        stimulus = actuators_for(desk, spec.model)
        stimulus.pulse(0.5)
        watch(desk, 40)
        if spec.faults:
            fix(desk, spec.faults)
            watch(desk, 150)
            stimulus.pulse(0.5)
            watch(desk, 40)
        online += desk.world.camera.state == "online"   # a sanity figure only: the rig never looks here
        desk.actuators.battery_changeover.use_camera_pack()
        edges += len(desk.led.edges(mark))
    wall_s = time.perf_counter() - start_wall
    desk.close()
    return clock.now(), wall_s, clock.scheduled, edges, online


def actuators_for(desk: Desk, model: str):
    return getattr(desk.actuators, camera_model(model).motion_actuator)


def bare_scheduler(events: int) -> float:
    """Wall seconds for a bare VirtualClock to fire ``events`` no-op events spread over virtual time."""
    clock = VirtualClock()
    noop = lambda: None  # noqa: E731
    start = time.perf_counter()
    for i in range(events):
        clock.schedule(i * 0.01, noop)
    clock.advance_to(events * 0.01 + 1)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scenario = bench_scenario(args.cameras)
    simulated_s, wall_s, events, edges, online = run_bench(scenario, args.seed)
    speed = simulated_s / wall_s
    print(f"{args.cameras} cameras: {simulated_s:,.0f} simulated s in {wall_s:.2f} wall s = {speed:,.0f}x real time "
          f"(goal >= {GOAL_X:,}x: {'met' if speed >= GOAL_X else 'NOT met'})")
    print(f"  world events scheduled: {events:,}; LED edges on the photodiode pin: {edges:,}; "
          f"cameras online when done: {online}/{args.cameras} (radio_dead ones never are)")
    base_s = bare_scheduler(events)
    print(f"baseline: a bare VirtualClock fires {events:,} no-op events in {base_s:.3f} wall s "
          f"({events / base_s:,.0f} events/s); the bench run costs {wall_s / base_s:.1f}x that")


if __name__ == "__main__":
    main()
