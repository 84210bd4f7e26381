"""What one outlet switch costs in wall time on each backend's emulated hardware, and a whole simulated batch
with the router and Sync Module on Kasa plugs against the same batch on the reference GPIO relays.

Run: ``python benchmarks/bench_outlets.py``. The baseline is the GPIO relay measured in the same run (a
gpiozero mock pin: no I/O at all); the LCUS board is real pyserial on a pty, the plug real python-kasa over
TCP on 127.0.0.1, both including their read-back. Virtual time is unaffected by any of it.
"""

from __future__ import annotations

import time
from pathlib import Path

from firmware_sim.scenario import default_scenario
from rig.core.config import parse_config
from rig.procedure.batch import run_batch
from rig.procedure.controller import BenchController
from rig.sim import build_sim_bench

SWITCHES = 200
PLUGS = Path(__file__).resolve().parents[1] / "tests" / "data" / "power" / "kasa-plugs.toml"
CONFIGS = {
    "gpio (baseline)": "",
    "lcus (pty)": '[relays]\nbackend = "serial"\n',
    "kasa (loopback)": PLUGS.read_text(),
}


def per_switch_ms(config_text: str) -> float:
    bench = build_sim_bench(parse_config(config_text, "bench"))
    try:
        router = bench.fixture.outlets.router
        start = time.perf_counter()
        for i in range(SWITCHES):
            router.on() if i % 2 else router.off()
        return (time.perf_counter() - start) / SWITCHES * 1000
    finally:
        bench.close()


class _Discard:
    def write(self, record) -> None:
        pass


def batch(config_text: str) -> tuple[float, list[str]]:
    """Wall seconds for the built-in scenario, and its dispositions."""
    bench = build_sim_bench(parse_config(config_text, "bench"), default_scenario())
    try:
        controller = BenchController(bench.fixture, bench.operator)
        start = time.perf_counter()
        records = run_batch(controller, bench.cameras, _Discard())  # type: ignore[arg-type]
        return time.perf_counter() - start, [r.disposition.value for r in records]
    finally:
        bench.close()


def main() -> None:
    print(f"{'backend':18} {'wall ms/switch':>15}  (router, {SWITCHES} switches, read-back included)")
    for name, text in CONFIGS.items():
        print(f"{name:18} {per_switch_ms(text):15.3f}")
    batch("")   # warm-up: imports and first-run caches would otherwise be charged to the baseline
    (relays, relay_verdicts), (plugs, plug_verdicts) = batch(""), batch(PLUGS.read_text())
    print(f"built-in scenario batch: relays {relays:.2f} s wall, router+sync on plugs {plugs:.2f} s wall "
          f"({plugs / relays:.2f}x the baseline); same dispositions: {relay_verdicts == plug_verdicts}")


if __name__ == "__main__":
    main()
