"""Make the README's report images from a simulated multi-day batch (and time the per-camera sheets).

    .venv/bin/python docs/images/make_report_images.py [--days 4] [--per-day 12] [--out /tmp/rig-report-demo]

Each day is a seeded random mix of returned cameras run through the real controller on the simulated bench,
appended to one results CSV with its records and sheets, as on a real desk. Then the batch page is written
and the plots are saved as PNG under docs/images/. With Chromium installed, the batch page and one camera
sheet are also screenshotted (``chromium --headless``); without it those two images are skipped.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

from firmware_sim.scenario import parse_scenario
from rig.core.config import load_config
from rig.core.records import CameraRecord
from rig.output.results import ResultsCsv, record_stem
from rig.procedure.batch import BatchOutputs, run_batch
from rig.procedure.controller import BenchController
from rig.report.batch_page import write_batch_page
from rig.report.batch_plots import bench_time_figure, fixes_figure, yield_per_day_figure
from rig.report.camera import write_camera_report
from rig.report.camera_plots import battery_pulse_figure, led_timeline_figure
from rig.report.render import figure_png
from rig.report.results_file import read_results
from rig.report.summary import summarise
from rig.sim import build_sim_bench

IMAGES = Path(__file__).resolve().parent
# What comes back to a repair desk, roughly: most cameras are fine or cured by a restart.
FAULT_WEIGHTS = {
    "": 34,
    "router_down": 8,
    "camera_glitch": 14,
    "sync_module_glitch": 6,
    "wifi_credentials_lost": 8,
    "registration_lost": 5,
    "battery_failing": 10,
    "pir_dead": 4,
    "radio_dead": 3,
}
OUTDOOR_ONLY = {"sync_module_glitch", "battery_failing"}


def day_scenario(rng: random.Random, day: int, cameras: int) -> str:
    lines = [f"seed = {1000 + day}"]
    for n in range(1, cameras + 1):
        fault = rng.choices(list(FAULT_WEIGHTS), weights=list(FAULT_WEIGHTS.values()))[0]
        model = "outdoor" if fault in OUTDOOR_ONLY or rng.random() < 0.7 else "mini"
        prefix = "G8T1" if model == "outdoor" else "MINI"
        faults = f'"{fault}"' if fault else ""
        lines += [
            "[[camera]]",
            f'serial = "{prefix}-{day:02d}{n:02d}"',
            f'model = "{model}"',
            f"faults = [{faults}]",
        ]
        if model == "outdoor" and fault != "battery_failing":
            lines += [
                "[camera.battery]",
                f"open_circuit_v = {rng.uniform(3.42, 3.62):.2f}",
                f"internal_resistance_ohm = {rng.uniform(0.18, 0.42):.2f}",
            ]
    return "\n".join(lines) + "\n"


def run_day(folder: Path, scenario_text: str, start: datetime) -> tuple[list[CameraRecord], list[float]]:
    bench = build_sim_bench(load_config(), parse_scenario(scenario_text, f"day {start.date()}"))
    controller = BenchController(bench.fixture, bench.operator, wall_clock=lambda: start)
    outputs = BatchOutputs(ResultsCsv(folder / "results.csv"), folder / "records")
    try:
        records = run_batch(controller, bench.cameras, outputs)
    finally:
        bench.close()
    sheet_times = []
    for record in records:
        began = time.perf_counter()
        write_camera_report(record, folder / "records")
        sheet_times.append(time.perf_counter() - began)
    return records, sheet_times


def screenshot(page: Path, png: Path, height_px: int) -> bool:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print(f"no chromium: {png.name} not made")
        return False
    subprocess.run(
        [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size=1400,{height_px}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--per-day", type=int, default=12)
    parser.add_argument("--out", type=Path, default=Path("/tmp/rig-report-demo"))
    parser.add_argument("--no-images", action="store_true", help="only run the batch and time the sheets")
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    rng = random.Random(7)
    records: list[CameraRecord] = []
    sheet_times: list[float] = []
    for day in range(args.days):
        start = datetime(2026, 11, 23, 8, 30) + timedelta(days=day)
        day_records, times = run_day(args.out, day_scenario(rng, day + 1, args.per_day), start)
        records += day_records
        sheet_times += times
    print(
        f"{len(records)} cameras; sheet time per camera: "
        f"median {statistics.median(sheet_times) * 1000:.0f} ms, "
        f"max {max(sheet_times) * 1000:.0f} ms, total {sum(sheet_times):.1f} s"
    )
    summary = summarise(read_results([args.out / "results.csv"]))
    page = write_batch_page(summary, args.out / "report.html")
    print(f"batch page: {page}")
    if args.no_images:
        return

    # The sheet shown in the README: a camera the first fix did not cure and a later one did.
    shown = next(r for r in records if r.fixed_by and len(r.fixes_tried) >= 2 and r.battery is not None)
    failing = next(r for r in records if r.battery is not None and not r.battery.passed)
    outputs = {
        "camera-led-timeline.png": led_timeline_figure(shown),
        "camera-battery-pulse.png": battery_pulse_figure(failing),
        "batch-yield-per-day.png": yield_per_day_figure(summary),
        "batch-fixes.png": fixes_figure(summary),
        "batch-bench-time.png": bench_time_figure(summary),
    }
    for name, fig in outputs.items():
        (IMAGES / name).write_bytes(figure_png(fig, dpi=100))
        print(f"wrote {IMAGES / name}")
    sheet = args.out / "records" / f"{record_stem(shown)}.html"
    screenshot(sheet, IMAGES / "camera-sheet.png", 1500)
    screenshot(page, IMAGES / "batch-page.png", 1900)


if __name__ == "__main__":
    main()
