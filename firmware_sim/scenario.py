"""Scenario files: which cameras go on the fixture, in which order, with which faults (docs/DESIGN.md format).

Validation happens here, once, before anything is simulated, and every problem becomes one line naming the
file, the camera and the key, e.g. ``bad.toml: camera 1 (EX-BAD): faults: unknown fault 'x' (known: ...)``.
Beyond the contract's keys a scenario may set ``seed``, an ``[operator]`` table (``delay_s``, ``declines``)
and ``[[rig_fault]]`` tables: faults of the rig's own hardware (``kind``, ``at_camera``, ``count``), applied by
:mod:`firmware_sim.injected_faults`, e.g. ``bad.toml: rig_fault 2 (i2c_intermittent): count: must be ...``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from firmware_sim.battery import (
    ASSUMED_CAMERA_ELECTRICAL,
    FAILING_PACK,
    BatterySpec,
    sags_below_alarm,
    terminal_v,
)
from firmware_sim.faults import DEFAULT_FLAKY_RATE, FAULT_TABLE, FAULTS
from firmware_sim.led_optics import LedOptics, parse_led_optics
from rig.core.config import MAX_SLOTS
from rig.core.models import MODELS, CameraModel
from rig.core.textfile import parse_toml, printable, read_text_file
from rig.output.columns import FORMULA_STARTS
from rig.procedure.operator import OperatorTask

__all__ = [
    "FAULTS",
    "RIG_FAULT_KINDS",
    "BatterySpec",
    "CameraSpec",
    "RigFaultSpec",
    "Scenario",
    "ScenarioError",
    "default_scenario",
    "load_scenario",
    "parse_scenario",
]

DEFAULT_OPERATOR_DELAY_S = 45.0   # a technician reading the prompt and tapping through the app
MAX_OPEN_CIRCUIT_V = 4.0          # 2 x AA lithium: about 3.6 V fresh; above this the number is a typo
MAX_INTERNAL_RESISTANCE_OHM = 20.0
MAX_OPERATOR_DELAY_S = 3600.0     # a technician answers within the hour, or the prompt times out first
MAX_SEED = 2**63 - 1
MAX_SERIAL_CHARS = 64

DEFAULT_SWAP_S = 20.0
MAX_SWAP_S = 3600.0
_BENCH_KEYS = ("slots", "swap_s", "sync_module_light")
_TOP_KEYS = ("camera", "seed", "operator", "rig_fault", "bench")   # [bench]: the slots (docs/DESIGN.md)
_CAMERA_KEYS = ("serial", "model", "faults", "battery", "led", "flaky_rate")
_BATTERY_KEYS = ("open_circuit_v", "internal_resistance_ohm")
_OPERATOR_KEYS = ("delay_s", "declines")
_OPERATOR_TASKS = tuple(task.value for task in OperatorTask)
_RIG_FAULT_KEYS = ("kind", "at_camera", "count")

RIG_FAULT_KINDS = (
    "ina219_absent",         # the power meter does not answer on the I2C bus
    "i2c_intermittent",      # the next ``count`` I2C transactions fail (a loose cable): transient
    "relay_unplugged",       # the USB relay board's cable pulled: its port is gone
    "relay_silent",          # the relay board hangs: it stops draining its input, writes time out
    "photodiode_saturated",  # ambient light floods the photodiode: it reads lit whatever the LED does
    "probe_timeout",         # the bench's own network probe times out while the network is fine
)
RIG_FAULTS_NEEDING_RELAY_BOARD = ("relay_unplugged", "relay_silent")
DEFAULT_I2C_FAILURES = 3     # a few failed transactions: the rig's retries must ride them out
MAX_I2C_FAILURES = 1_000_000


class ScenarioError(ValueError):
    """A scenario problem, already phrased as one line: ``FILE: camera N (SERIAL): KEY: problem``."""


@dataclass(frozen=True)
class CameraSpec:
    serial: str
    model: str                     # a registered model (rig.core.models)
    faults: tuple[str, ...] = ()
    battery: BatterySpec | None = None
    led: LedOptics | None = None        # [camera.led]: a PWM-driven LED, ambient flicker (firmware_sim.led_optics)
    flaky_rate: float = DEFAULT_FLAKY_RATE   # flaky_reconnect: chance that a power-up ends offline

    @property
    def profile(self) -> CameraModel:
        return MODELS[self.model]

    @property
    def uses_battery(self) -> bool:
        return self.profile.has_battery

    def has(self, fault: str) -> bool:
        return fault in self.faults


@dataclass(frozen=True)
class RigFaultSpec:
    """A fault of the rig's own hardware, starting when camera ``at_camera`` (1-based) is mounted.

    Unlike a camera's faults it stays when that camera leaves: the fixture is still broken."""

    kind: str
    at_camera: int = 1
    count: int = DEFAULT_I2C_FAILURES   # i2c_intermittent only: how many transactions fail

    def __post_init__(self) -> None:
        if self.kind not in RIG_FAULT_KINDS:
            raise ValueError(f"unknown rig fault {self.kind!r} (known: {', '.join(RIG_FAULT_KINDS)})")


@dataclass(frozen=True)
class Scenario:
    cameras: tuple[CameraSpec, ...]
    seed: int = 0
    operator_delay_s: float = DEFAULT_OPERATOR_DELAY_S
    operator_declines: frozenset[str] = frozenset()
    source: str = "<scenario>"
    rig_faults: tuple[RigFaultSpec, ...] = ()
    slots: int = 1            # [bench] slots: simulated camera slots (docs/DESIGN.md)
    swap_s: float = DEFAULT_SWAP_S   # [bench] swap_s: the technician's time to unload one camera and load the next
    sync_module_light: bool = True   # [bench] sync_module_light: the sensor on the Sync Module's green LED is fitted


def _known(names: tuple[str, ...]) -> str:
    return ", ".join(names)


_shown = printable


def _number(value: Any) -> float | None:
    """A finite TOML int or float as a float; None for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class _Reader:
    """Validates one parsed file; ``fail`` raises with the file and the camera already in the message."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, key: str, problem: str) -> None:
        prefix = f"{_shown(self.source)}: {_shown(where)}: " if where else f"{_shown(self.source)}: "
        raise ScenarioError(f"{prefix}{_shown(key)}: {_shown(problem)}")

    def scenario(self, data: dict[str, Any]) -> Scenario:
        for key in data:
            if key not in _TOP_KEYS:
                self.fail("", key, f"unknown key (known: {_known(_TOP_KEYS)})")
        seed = data.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            self.fail("", "seed", f"must be an integer from 0 to 2**63-1 (got {seed!r})")
        delay_s, declines = self.operator(data.get("operator", {}))
        raw_cameras = data.get("camera")
        if raw_cameras is None:
            self.fail("", "camera", "no [[camera]] tables: a scenario needs at least one camera")
        if not isinstance(raw_cameras, list) or not all(isinstance(c, dict) for c in raw_cameras):
            self.fail("", "camera", "must be an array of tables ([[camera]])")
        if not raw_cameras:
            self.fail("", "camera", "no [[camera]] tables: a scenario needs at least one camera")
        cameras: list[CameraSpec] = []
        first_seen: dict[str, int] = {}
        for number, raw in enumerate(raw_cameras, start=1):
            camera = self.camera(number, raw)
            if camera.serial in first_seen:
                self.fail(f"camera {number} ({camera.serial})", "serial",
                          f"duplicate: camera {first_seen[camera.serial]} has the same serial")
            first_seen[camera.serial] = number
            cameras.append(camera)
        rig_faults = self.rig_faults(data.get("rig_fault", []), len(cameras))
        slots, swap_s, light = self.bench(data.get("bench", {}))
        return Scenario(tuple(cameras), seed, delay_s, declines, self.source, rig_faults, slots, swap_s, light)

    def bench(self, raw: Any) -> tuple[int, float, bool]:
        if not isinstance(raw, dict):
            self.fail("", "bench", "must be a table ([bench])")
        for key in raw:
            if key not in _BENCH_KEYS:
                self.fail("bench", key, f"unknown key (known: {_known(_BENCH_KEYS)})")
        slots = raw.get("slots", 1)
        if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= MAX_SLOTS:
            self.fail("bench", "slots", f"must be an integer from 1 to {MAX_SLOTS} (got {slots!r})")
        swap_s = _number(raw.get("swap_s", DEFAULT_SWAP_S))
        if swap_s is None or not 0 <= swap_s <= MAX_SWAP_S:
            self.fail("bench", "swap_s", f"must be seconds from 0 to {MAX_SWAP_S:g} (got {raw.get('swap_s')!r})")
        light = raw.get("sync_module_light", True)
        if not isinstance(light, bool):
            self.fail("bench", "sync_module_light", f"must be true or false (got {light!r})")
        return slots, swap_s, light

    def rig_faults(self, raw: Any, camera_count: int) -> tuple[RigFaultSpec, ...]:
        if not isinstance(raw, list) or not all(isinstance(f, dict) for f in raw):
            self.fail("", "rig_fault", "must be an array of tables ([[rig_fault]])")
        faults: list[RigFaultSpec] = []
        first_seen: dict[tuple[str, int], int] = {}
        for number, table in enumerate(raw, start=1):
            fault = self.rig_fault(number, table, camera_count)
            key = (fault.kind, fault.at_camera)
            if key in first_seen:
                self.fail(f"rig_fault {number} ({fault.kind})", "kind",
                          f"duplicate: rig_fault {first_seen[key]} starts the same fault at camera {fault.at_camera}")
            first_seen[key] = number
            faults.append(fault)
        return tuple(faults)

    def rig_fault(self, number: int, raw: dict[str, Any], camera_count: int) -> RigFaultSpec:
        kind = raw.get("kind")
        where = f"rig_fault {number}" + (f" ({kind})" if isinstance(kind, str) and kind in RIG_FAULT_KINDS else "")
        for key in raw:
            if key not in _RIG_FAULT_KEYS:
                self.fail(where, key, f"unknown key (known: {_known(_RIG_FAULT_KEYS)})")
        if "kind" not in raw:
            self.fail(where, "kind", f"missing (one of: {_known(RIG_FAULT_KINDS)})")
        if not isinstance(kind, str) or kind not in RIG_FAULT_KINDS:
            self.fail(where, "kind", f"unknown rig fault {kind!r} (known: {_known(RIG_FAULT_KINDS)})")
        at_camera = raw.get("at_camera", 1)
        if isinstance(at_camera, bool) or not isinstance(at_camera, int) or not 1 <= at_camera <= camera_count:
            self.fail(where, "at_camera", f"must be a camera number from 1 to {camera_count} (got {at_camera!r})")
        if "count" in raw and kind != "i2c_intermittent":
            self.fail(where, "count", "only i2c_intermittent takes a count of failing transactions")
        count = raw.get("count", DEFAULT_I2C_FAILURES)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_I2C_FAILURES:
            self.fail(where, "count", f"must be a whole number of transactions from 1 to {MAX_I2C_FAILURES} "
                                      f"(got {count!r})")
        return RigFaultSpec(kind, at_camera, count)

    def operator(self, raw: Any) -> tuple[float, frozenset[str]]:
        if not isinstance(raw, dict):
            self.fail("", "operator", "must be a table ([operator])")
        for key in raw:
            if key not in _OPERATOR_KEYS:
                self.fail("", f"operator.{key}", f"unknown key (known: {_known(_OPERATOR_KEYS)})")
        delay_s = _number(raw.get("delay_s", DEFAULT_OPERATOR_DELAY_S))
        if delay_s is None or not 0 <= delay_s <= MAX_OPERATOR_DELAY_S:
            self.fail("", "operator.delay_s", f"must be a number of seconds >= 0 and at most "
                                              f"{MAX_OPERATOR_DELAY_S:g} (got {raw['delay_s']!r})")
        declines = raw.get("declines", [])
        if not isinstance(declines, list) or not all(isinstance(d, str) for d in declines):
            self.fail("", "operator.declines", f"must be a list of task names (got {declines!r})")
        for task in declines:
            if task not in _OPERATOR_TASKS:
                self.fail("", "operator.declines", f"unknown task {task!r} (known: {_known(_OPERATOR_TASKS)})")
        return delay_s, frozenset(declines)

    def camera(self, number: int, raw: dict[str, Any]) -> CameraSpec:
        serial = raw.get("serial")
        where = f"camera {number}" + (f" ({serial})" if isinstance(serial, str) and serial.strip() else "")
        if "serial" not in raw:
            self.fail(where, "serial", "missing (every camera needs its serial)")
        if not isinstance(serial, str) or not serial.strip():
            self.fail(where, "serial", f"must be a non-empty string (got {serial!r})")
        if serial != serial.strip() or any(ch in serial for ch in ",\n\r\"") or not serial.isprintable():
            self.fail(where, "serial", f"must not contain commas, quotes, line breaks or edge spaces ({serial!r})")
        if len(serial) > MAX_SERIAL_CHARS:
            self.fail(where, "serial", f"longer than {MAX_SERIAL_CHARS} characters ({len(serial)})")
        if serial.startswith(FORMULA_STARTS):
            self.fail(where, "serial", f"must not start with = + - or @ (a spreadsheet would run it): {serial!r}")
        for key in raw:
            if key not in _CAMERA_KEYS:
                self.fail(where, key, f"unknown key (known: {_known(_CAMERA_KEYS)})")
        if "model" not in raw:
            self.fail(where, "model", f"missing (one of: {_known(MODELS)})")
        model = raw["model"]
        if model not in MODELS:
            self.fail(where, "model", f"unknown model {model!r} (known: {_known(MODELS)})")
        if "faults" not in raw:
            self.fail(where, "faults", "missing (use faults = [] for a healthy camera)")
        faults = raw["faults"]
        if not isinstance(faults, list) or not all(isinstance(f, str) for f in faults):
            self.fail(where, "faults", f"must be a list of fault names (got {faults!r})")
        for fault in faults:
            if fault not in FAULT_TABLE:
                self.fail(where, "faults", f"unknown fault {fault!r} (known: {_known(FAULTS)})")
            if not FAULT_TABLE[fault].possible_on(model):
                self.fail(where, "faults", f"{fault!r} is not possible on a {model} camera")
        for fault in faults:
            if faults.count(fault) > 1:
                self.fail(where, "faults", f"{fault!r} is listed twice")
        battery = self.battery(where, model, raw.get("battery"))
        self.check_battery_matches_faults(where, faults, battery)
        led = None
        if "led" in raw:
            led = parse_led_optics(raw["led"], lambda key, problem: self.fail(where, key, problem))
        return CameraSpec(serial, model, tuple(faults), battery, led, self.flaky_rate(where, raw, faults))

    def flaky_rate(self, where: str, raw: dict[str, Any], faults: list[str]) -> float:
        if "flaky_rate" not in raw:
            return DEFAULT_FLAKY_RATE
        if "flaky_reconnect" not in faults:
            self.fail(where, "flaky_rate", "only a camera with the 'flaky_reconnect' fault takes a flaky_rate")
        rate = _number(raw["flaky_rate"])
        if rate is None or not 0 <= rate <= 1:
            self.fail(where, "flaky_rate", f"must be a probability from 0 to 1 (got {raw['flaky_rate']!r})")
        return rate

    def battery(self, where: str, model: str, raw: Any) -> BatterySpec | None:
        if raw is None:
            return None
        if not MODELS[model].has_battery:
            self.fail(where, "battery", f"a {model} runs on USB power and has no battery")
        if not isinstance(raw, dict):
            self.fail(where, "battery", "must be a table ([camera.battery])")
        for key in raw:
            if key not in _BATTERY_KEYS:
                self.fail(where, f"battery.{key}", f"unknown key (known: {_known(_BATTERY_KEYS)})")
        values: dict[str, float] = {}
        limits = {"open_circuit_v": MAX_OPEN_CIRCUIT_V, "internal_resistance_ohm": MAX_INTERNAL_RESISTANCE_OHM}
        for key, limit in limits.items():
            if key not in raw:
                self.fail(where, f"battery.{key}", "missing")
            value = _number(raw[key])
            if value is None or not 0 < value <= limit:
                self.fail(where, f"battery.{key}", f"must be a number above 0 and at most {limit:g} "
                                                   f"(got {raw[key]!r})")
            values[key] = value
        return BatterySpec(values["open_circuit_v"], values["internal_resistance_ohm"])

    def check_battery_matches_faults(self, where: str, faults: list[str], battery: BatterySpec | None) -> None:
        """A pack's behaviour follows from physics, so it must agree with what the faults promise."""
        if battery is None:
            return
        alarm = ASSUMED_CAMERA_ELECTRICAL
        sag_v = terminal_v(battery, alarm.recording_a)
        failing = sags_below_alarm(battery)
        if "battery_failing" in faults and not failing:
            self.fail(where, "battery", f"'battery_failing' needs a pack that sags below the camera's "
                                        f"{alarm.low_battery_v:g} V alarm while recording; this one stays at "
                                        f"{sag_v:.2f} V (try {FAILING_PACK.open_circuit_v:g} V, "
                                        f"{FAILING_PACK.internal_resistance_ohm:g} ohm)")
        if "battery_failing" not in faults and failing:
            self.fail(where, "battery", f"this pack sags to {sag_v:.2f} V while recording, below the camera's "
                                        f"{alarm.low_battery_v:g} V alarm: add 'battery_failing' to faults "
                                        f"or give a healthier pack")


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate a scenario's TOML text; raise :class:`ScenarioError` (one line) on any problem."""
    return _Reader(source).scenario(parse_toml(text, source, ScenarioError))


def load_scenario(path: str | Path) -> Scenario:
    return parse_scenario(read_text_file(path, "scenario", ScenarioError), str(path))


def default_scenario() -> Scenario:
    """The built-in bench: a dozen cameras with a realistic mix of faults (``scenarios/default.toml``)."""
    text = resources.files("firmware_sim").joinpath("scenarios/default.toml").read_text(encoding="utf-8")
    return parse_scenario(text, "default scenario")
