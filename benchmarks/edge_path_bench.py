"""Benchmark of the LED edge path: one pin edge from gpiozero's callback into the photodiode's buffer.

What is timed is the rig's own path on a real gpiozero stack: ``MockPin.drive_high/low`` (gpiozero's mock pin,
the project's VirtualMockFactory on a virtual clock) -> gpiozero's ``_call_when_changed`` -> the device's
``_pin_changed`` hook -> ``Photodiode._on_edge`` (tick conversion, lock, append to the bounded buffer). The
baseline, measured in the same run, is the same drive on a pin that nobody watches: the difference is what
the rig adds per edge. Then the reader's side: ``edges_since`` plus the classifier's ``feed`` per edge.

    .venv/bin/python benchmarks/edge_path_bench.py [--edges N]

Budget: a PWM-driven LED at up to 5 kHz gives 10,000 edges a second per slot (40,000 for 4 slots) when the
fixture lacks the RC low-pass front end (hardware/BUILD.md). Pi 5 figure: an ESTIMATE, this host's time
multiplied by ``PI5_SLOWDOWN`` (stated below, with why), plus lgpio's own notification path, which is not
measured here (no Pi).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from rig.hardware.photodiode import Photodiode
from rig.led.classifier import PatternClassifier
from rig.led.timing import PatternTiming

PI5_SLOWDOWN = 3.0
"""CPython on a Pi 5 (Cortex-A76, 2.4 GHz) runs pure-Python code about 2.5-3.5x slower than one core of a
current x86-64 server or desktop (published pyperformance runs on both): we take 3x. A guess, not a
measurement; it is printed as one."""

SLOTS = 4
PWM_EDGES_PER_S = 10_000   # 5 kHz, two edges a period


def _drive_loop(pin, edges: int) -> float:
    high, low = pin.drive_high, pin.drive_low
    started = time.perf_counter()
    for _ in range(edges // 2):
        high()
        low()
    return time.perf_counter() - started


def per_edge_us(edges: int, watched: bool, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        clock = VirtualClock()
        factory = VirtualMockFactory(clock)
        pd = None
        if watched:
            pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory, capacity=edges + 10)
        pin = factory.input_pin(17)
        elapsed = _drive_loop(pin, edges)
        if pd is not None:
            assert len(pd.edges_since(0)) == edges and pd.overflowed == 0
            pd.close()
        factory.close()
        times.append(elapsed / edges * 1e6)
    return statistics.median(times)


def reader_us(edges: int) -> float:
    """The consumer's side per edge: fetch from the buffer, feed the classifier (a 2 kHz PWM-driven light)."""
    clock = VirtualClock()
    factory = VirtualMockFactory(clock)
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory, capacity=edges + 10)
    for k in range(edges):
        pd._on_edge(k * 0.00025, k % 2 == 0)
    clf = PatternClassifier(0.0, 0, PatternTiming(none_wait_s=1e12))
    started = time.perf_counter()
    position = 0
    while position < edges:
        batch = pd.edges_since(position)            # one poll hands over all that came
        for edge in batch:
            clf.feed(edge)
        position += len(batch)
        pd.discard_before(position)
    elapsed = time.perf_counter() - started
    factory.close()
    return elapsed / edges * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=200_000, help="edges per run (default 200,000)")
    args = parser.parse_args(argv)
    base = per_edge_us(args.edges, watched=False)
    full = per_edge_us(args.edges, watched=True)
    added = full - base
    read = reader_us(args.edges)
    need = SLOTS * PWM_EDGES_PER_S
    print(f"edge path, {args.edges:,} edges a run, median of 5 runs (this host)")
    print(f"  baseline: mock pin drive, nobody watching        {base:7.2f} us/edge")
    print(f"  pin callback -> photodiode buffer (whole path)   {full:7.2f} us/edge  "
          f"= {1e6 / full:,.0f} edges/s on one core")
    print(f"    of which the rig's own part (minus baseline)   {added:7.2f} us/edge")
    print(f"  buffer -> classifier (edges_since + feed)         {read:7.2f} us/edge  = {1e6 / read:,.0f} edges/s")
    # On the Pi the mock's drive is replaced by lgpio's notification thread (not measurable here): we take the
    # mock's own dispatch, scaled the same way, as a stand-in for it.
    pi_rig = (added + read) * PI5_SLOWDOWN
    pi_all = (full + read) * PI5_SLOWDOWN
    sustained = 1e6 / pi_all
    print(f"\nPi 5 ESTIMATE (x{PI5_SLOWDOWN:g}, see PI5_SLOWDOWN): {pi_rig:.1f} us of the rig's Python per edge "
          f"(callback + classifier); {pi_all:.1f} us with the backend's dispatch taken as the mock's: about "
          f"{sustained:,.0f} edges/s sustained on one core")
    print(f"  need: {SLOTS} slots x {PWM_EDGES_PER_S:,} edges/s (5 kHz PWM-driven LEDs, no RC filter) = {need:,}/s: "
          f"{'within' if sustained >= need else 'OVER'} the estimate ({100 * need / sustained:.0f} % of it); "
          "this host's load moves these figures by up to 3x between runs")
    print("  past it the buffer fills and the lost edges are counted (Photodiode.overflowed): the camera ends "
          "'aborted' with a hint to fit the RC low-pass, which turns each PWM burst into one pulse (2 edges)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
