"""``python -m firmware_sim trace``: an LED trace from the simulated camera, in the docs/DESIGN.md CSV format.

The trace is what the photodiode's pin saw while a simulated camera showed the pattern: ``network_lost`` (a
camera with stuck WiFi), ``none`` (a healthy camera, online), ``motion`` and ``low_battery`` (the motion
stimulus fired at about 1 s, on a healthy and on a failing pack), ``solid`` (ambient light flooding the
sensor). ``--noise`` passes the clean edges through a sensor-noise profile of ``firmware_sim.led_traces``.
"""

from __future__ import annotations

import random
import sys

import click

from firmware_sim.desk import build_desk, single_camera
from firmware_sim.led_traces import PROFILES, apply_sensor_noise
from rig.core.models import camera_model, model_names
from rig.led.trace import CsvTraceWriter, Trace, VcdTraceWriter

PATTERNS = ("none", "motion", "network_lost", "low_battery", "solid")
_FAULTS = {"network_lost": ("camera_glitch",), "low_battery": ("battery_failing",)}
SETTLE_S = 30.0   # boot and first connection attempt before observation starts


def simulate_trace(pattern: str, seconds: float, seed: int = 0, model: str = "outdoor") -> Trace:
    """Run a one-camera bench and return what the photodiode saw for ``seconds`` (times from 0)."""
    if pattern not in PATTERNS:
        raise ValueError(f"unknown pattern {pattern!r} (known: {', '.join(PATTERNS)})")
    rng = random.Random(f"trace:{pattern}:{seed}")
    desk = build_desk(single_camera(model, _FAULTS.get(pattern, ()), serial=f"TRACE-{seed}"), seed=seed)
    try:
        desk.world.mount(0)
        desk.clock.sleep(SETTLE_S + rng.uniform(0.0, 3.0))   # a random phase of whatever the LED is doing
        start = desk.clock.now()
        initial = int(desk.led.lit)
        stimulus_at = rng.uniform(0.6, 1.4)
        if pattern in ("motion", "low_battery") and stimulus_at < seconds:
            desk.clock.sleep(stimulus_at)
            stimulus = getattr(desk.actuators, camera_model(model).motion_actuator)
            stimulus.pulse(min(0.5, seconds - stimulus_at))
        elif pattern == "solid" and stimulus_at < seconds:
            desk.clock.sleep(stimulus_at)
            desk.world.flood_photodiode(True)
        desk.clock.advance_to(start + seconds)
        edges = [(t - start, int(lit)) for t, lit in desk.led.edges(start, start + seconds)]
        return Trace.from_pairs(initial, edges, end_s=seconds)
    finally:
        desk.close()


def add_noise(trace: Trace, profile: str, seed: int) -> Trace:
    """What a real photodiode comparator would report for these edges (``led_traces``' noise profiles)."""
    clean = [(edge.t_s, edge.level) for edge in trace.edges]
    noisy = apply_sensor_noise(clean, profile, random.Random(f"noise:{profile}:{seed}"), start_s=trace.start_s,
                               end_s=trace.end_s, initial_level=trace.initial_level)
    return Trace.from_pairs(trace.initial_level, noisy, end_s=trace.end_s, start_s=trace.start_s)


@click.command()
@click.option("--pattern", type=click.Choice(PATTERNS), required=True, help="What the camera shows.")
@click.option("--seconds", type=click.FloatRange(min=0, min_open=True), default=20.0, show_default=True,
              help="Length of the observation.")
@click.option("--noise", type=click.Choice(tuple(PROFILES)), default="clean", show_default=True,
              help="Sensor-noise profile applied to the camera's true edges ('full': every phenomenon of the noise "
                   "model at once, a PWM-driven LED and ambient flicker included).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same trace.")
@click.option("--model", type=click.Choice(model_names()), default=model_names()[0], show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="File to write: .vcd writes VCD, anything else the CSV contract (default: CSV on stdout).")
def main(pattern: str, seconds: float, noise: str, seed: int, model: str, output: str) -> None:
    """Write an LED trace of a simulated camera showing PATTERN (CSV t_s,level; '#' lines are comments, so
    pandas needs read_csv(..., comment='#'))."""
    if pattern == "low_battery" and not camera_model(model).has_battery:
        raise click.BadParameter(
            f"a {model} runs on USB power: low_battery needs a battery model", param_hint="--model"
        )
    trace = simulate_trace(pattern, seconds, seed, model)
    trace = add_noise(trace, noise, seed)
    about = f"firmware_sim trace: pattern={pattern} model={model} seconds={seconds:g} seed={seed} noise={noise}"
    if output == "-":
        trace.replay(CsvTraceWriter(sys.stdout, comment=about))
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as f:
            trace.replay(VcdTraceWriter(f) if output.lower().endswith(".vcd") else CsvTraceWriter(f, comment=about))
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write: {exc.strerror or exc}") from None
