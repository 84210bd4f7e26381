"""Cross-check the fixture's wiring against the rig's configuration: one source of truth, enforced.

The rig's configuration (``rig/defaults/fixture.toml``) decides the pins, the I2C bus and address, the relay
channels and the polarities. The WireViz harnesses in this folder and ``pinmap.csv`` are what a technician
builds from. :func:`check` compares the three and returns every disagreement as one line naming the config
key and the file; ``python wiring/crosscheck.py [CONFIG]`` prints them and exits 1. :func:`stale_renders`
tells whether the committed SVG and BOM files still show what the YAML says. Only PyYAML is needed: no
Graphviz, so both run in CI.

Conventions the harness files follow (and this module reads):
- the Pi's header is connector ``J8``, pins numbered as on the board;
- a pin label ends with its polarity in brackets, ``"CH1 IN (active low)"``, ``"OUT (active low, pull-up)"``;
- ``pinmap.csv`` endpoints are ``DESIGNATOR:LABEL`` with the label's bracketed part left off;
- the relay board's contacts are labelled ``CHn NO`` / ``CHn COM`` / ``CHn NC``; the LCUS board is ``U1``;
  the load resistor is ``RL`` and its type states its value in Ω;
- the shunt and load values match within 5 %, so a config holding calibrated values still matches the parts.
"""

from __future__ import annotations

import csv
import html
import math
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

WIRING_DIR = Path(__file__).resolve().parent
SIGNAL_FILE = "harness.yml"
POWER_FILE = "power.yml"
SERIAL_FILE = "serial_relays.yml"
SLOTS_FILE = "harness-4slot.yml"   # the 4-slot reference: checked against its own config by slots_check.py
HARNESS_FILES = (SIGNAL_FILE, POWER_FILE, SERIAL_FILE, SLOTS_FILE)
PINMAP_FILE = "pinmap.csv"
PINMAP_COLUMNS = (
    "header_pin", "bcm", "signal", "config_key", "active", "pull", "to",
    "serial_channel", "serial_to", "contact", "notes",
)

PI_HEADER = "J8"
SERIAL_BOARD = "U1"
LOAD_RESISTOR = "RL"

# The Raspberry Pi 40-pin header (every model since the B+): header pin -> BCM GPIO, and the power pins.
HEADER_BCM = {
    3: 2, 5: 3, 7: 4, 8: 14, 10: 15, 11: 17, 12: 18, 13: 27, 15: 22, 16: 23, 18: 24, 19: 10, 21: 9, 22: 25,
    23: 11, 24: 8, 26: 7, 27: 0, 28: 1, 29: 5, 31: 6, 32: 12, 33: 13, 35: 19, 36: 16, 37: 26, 38: 20, 40: 21,
}
HEADER_POWER = {
    1: "3V3", 17: "3V3", 2: "5V", 4: "5V",
    6: "GND", 9: "GND", 14: "GND", 20: "GND", 25: "GND", 30: "GND", 34: "GND", 39: "GND",
}
I2C_BUS_PINS = {1: (2, 3), 0: (0, 1)}   # (SDA, SCL) BCM numbers of each I2C bus on the header

VALUE_TOLERANCE = 0.05   # a calibrated shunt or load value still matches the drawn part (5 % parts)

NORMALLY_ON_CONTACTS = ("NC", "normally-ON outlet")
NORMALLY_OFF_CONTACTS = ("NO", "normally-OFF outlet")


def header_label(header_pin: int) -> str:
    """What the Pi has on ``header_pin``: ``GPIO17``, ``3V3``, ``5V`` or ``GND``."""
    if header_pin in HEADER_BCM:
        return f"GPIO{HEADER_BCM[header_pin]}"
    return HEADER_POWER.get(header_pin, "?")


def label_stem(label: str) -> str:
    """``"CH1 IN (active low)"`` -> ``"CH1 IN"``."""
    return label.split(" (", 1)[0].strip()


def label_flags(label: str) -> frozenset[str]:
    """``"OUT (active low, pull-up)"`` -> ``{"active low", "pull-up"}``."""
    match = re.search(r"\(([^()]*)\)\s*$", label)
    return frozenset(part.strip() for part in match.group(1).split(",")) if match else frozenset()


# ----------------------------------------------------------------------------------------------- harness model


@dataclass(frozen=True)
class Pin:
    designator: str
    number: int | str
    label: str

    @property
    def stem(self) -> str:
        return label_stem(self.label)

    @property
    def endpoint(self) -> str:
        return f"{self.designator}:{self.stem}"


@dataclass
class Connector:
    designator: str
    pins: list[Pin]
    text: str          # type, subtype and notes: where values such as "0x40" or "3.3 Ω" are stated
    mpn: str

    def find(self, ref: Any) -> Pin | None:
        """A pin by number (as WireViz numbers it) or by label or label stem."""
        for pin in self.pins:
            if pin.number == ref:
                return pin
        if isinstance(ref, str):
            for pin in self.pins:
                if ref in (pin.label, pin.stem):
                    return pin
        return None


@dataclass(frozen=True)
class Wire:
    a: Pin
    b: Pin
    cable: str
    number: int


@dataclass
class Harness:
    """One WireViz file, read for its meaning: connectors, pins and the wires between them."""

    name: str
    connectors: dict[str, Connector] = field(default_factory=dict)
    cables: dict[str, dict[str, Any]] = field(default_factory=dict)
    wires: list[Wire] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def pin(self, endpoint: str) -> Pin | None:
        designator, _, stem = endpoint.partition(":")
        connector = self.connectors.get(designator)
        return connector.find(stem) if connector else None

    def links(self, pin: Pin) -> set[str]:
        """Endpoints wired to ``pin`` (one wire away)."""
        found = set()
        for wire in self.wires:
            if wire.a == pin:
                found.add(wire.b.endpoint)
            if wire.b == pin:
                found.add(wire.a.endpoint)
        return found

    def is_connected(self, pin: Pin | None) -> bool:
        return pin is not None and bool(self.links(pin))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _parse_connector(designator: str, spec: dict[str, Any]) -> Connector:
    labels = [str(label) for label in spec.get("pinlabels") or []]
    numbers = list(spec.get("pins") or [])
    if not numbers:
        count = spec.get("pincount") or len(labels)
        numbers = list(range(1, count + 1))
    pins = [
        Pin(designator, number, labels[index] if index < len(labels) else "")
        for index, number in enumerate(numbers)
    ]
    text = " ".join(_text(spec.get(key)) for key in ("type", "subtype", "notes"))
    return Connector(designator, pins, " ".join(text.split()), _text(spec.get("mpn")))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def parse_harness(text: str, name: str) -> Harness:
    """Read a WireViz YAML text; anything it cannot follow becomes a problem line, never an exception."""
    harness = Harness(name)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        harness.problems.append(f"{name}: not valid YAML: {' '.join(str(exc).split())}")
        return harness
    if not isinstance(data, dict):
        harness.problems.append(f"{name}: not a WireViz harness (no top-level mapping)")
        return harness
    for designator, spec in (data.get("connectors") or {}).items():
        harness.connectors[str(designator)] = _parse_connector(str(designator), spec or {})
    harness.cables = {str(k): (v or {}) for k, v in (data.get("cables") or {}).items()}
    for index, entry in enumerate(data.get("connections") or [], start=1):
        where = f"{name}: connection {index}"
        if not (isinstance(entry, list) and len(entry) == 3 and all(isinstance(e, dict) and len(e) == 1
                                                                    for e in entry)):
            harness.problems.append(f"{where}: expected [connector, cable, connector], each with its pins")
            continue
        (a_name, a_refs), (c_name, c_refs), (b_name, b_refs) = (next(iter(e.items())) for e in entry)
        a_refs, c_refs, b_refs = _as_list(a_refs), _as_list(c_refs), _as_list(b_refs)
        a, b = harness.connectors.get(str(a_name)), harness.connectors.get(str(b_name))
        if a is None or b is None or str(c_name) not in harness.cables:
            harness.problems.append(f"{where}: {a_name}, {c_name} or {b_name} is not defined in the file")
            continue
        if not len(a_refs) == len(c_refs) == len(b_refs):
            harness.problems.append(f"{where}: {a_name}, {c_name} and {b_name} list different numbers of pins")
            continue
        for a_ref, wire, b_ref in zip(a_refs, c_refs, b_refs, strict=True):
            a_pin, b_pin = a.find(a_ref), b.find(b_ref)
            if a_pin is None or b_pin is None:
                missing = f"{a_name}:{a_ref}" if a_pin is None else f"{b_name}:{b_ref}"
                harness.problems.append(f"{where}: pin {missing} does not exist")
                continue
            harness.wires.append(Wire(a_pin, b_pin, str(c_name), int(wire)))
    return harness


def load_harness(path: Path) -> Harness:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        harness = Harness(path.name)
        harness.problems.append(f"{path.name}: cannot read: {exc.strerror or exc}")
        return harness
    return parse_harness(text, path.name)


# ------------------------------------------------------------------------------------------------- pin map


@dataclass(frozen=True)
class PinmapRow:
    line: int
    header_pin: int
    bcm: int | None
    signal: str
    config_key: str
    active: str
    pull: str
    to: tuple[str, ...]
    serial_channel: int | None
    serial_to: str
    contact: str

    @property
    def where(self) -> str:
        return f"{PINMAP_FILE} line {self.line} (header pin {self.header_pin})"


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip() else None


def parse_pinmap(text: str) -> tuple[list[PinmapRow], list[str]]:
    rows: list[PinmapRow] = []
    problems: list[str] = []
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != PINMAP_COLUMNS:
        return rows, [f"{PINMAP_FILE}: header must be {','.join(PINMAP_COLUMNS)}"]
    for line, record in enumerate(reader, start=2):
        try:
            rows.append(PinmapRow(
                line=line,
                header_pin=int(record["header_pin"]),
                bcm=_int_or_none(record["bcm"]),
                signal=record["signal"].strip(),
                config_key=record["config_key"].strip(),
                active=record["active"].strip(),
                pull=record["pull"].strip(),
                to=tuple(part.strip() for part in record["to"].split(";") if part.strip()),
                serial_channel=_int_or_none(record["serial_channel"]),
                serial_to=record["serial_to"].strip(),
                contact=record["contact"].strip(),
            ))
        except (ValueError, AttributeError):
            problems.append(f"{PINMAP_FILE} line {line}: header_pin, bcm and serial_channel must be numbers")
    return rows, problems


# ------------------------------------------------------------------------------------------------- the check


@dataclass(frozen=True)
class ExpectedPin:
    """What the configuration says about one GPIO pin."""

    key: str
    bcm: int | None
    active: str                  # "high" / "low"
    pull: str | None = None      # light sensors only: "up" / "down" / "none"


def expected_pins(config: Any) -> dict[str, ExpectedPin]:
    """Every GPIO pin the configuration assigns, with the level that means "active"."""
    pins = {}
    for group in ("photodiode", "sync_module_led"):   # light sensors: inputs, so the config names their pull
        sensor = getattr(config, group)
        pull = {True: "up", False: "down", None: "none"}[sensor.pull_up]
        key = f"{group}.pin"
        pins[key] = ExpectedPin(key, sensor.pin, "high" if sensor.active_high else "low", pull)
    for name, outlet in config.outlets.items():
        key = f"outlets.{name}.pin"
        pins[key] = ExpectedPin(key, outlet.pin, "low" if outlet.active_low else "high")
    for name, actuator in config.actuators.items():
        key = f"actuators.{name}.pin"
        pins[key] = ExpectedPin(key, actuator.pin, "high" if actuator.active_high else "low")
    return pins


def _channel_of(endpoint: str) -> str | None:
    """``"K3:CH1 IN"`` -> ``"CH1"``."""
    match = re.search(r":(CH\d+)\b", endpoint)
    return match.group(1) if match else None


def _number_before(unit_pattern: str, text: str) -> float | None:
    match = re.search(r"([0-9]+(?:\.[0-9]+)?)\s*" + unit_pattern, text)
    return float(match.group(1)) if match else None


class _Checker:
    def __init__(self, config: Any, harnesses: dict[str, Harness], rows: list[PinmapRow]) -> None:
        self.config = config
        self.signal = harnesses[SIGNAL_FILE]
        self.power = harnesses[POWER_FILE]
        self.serial = harnesses[SERIAL_FILE]
        self.harnesses = harnesses
        self.rows = rows
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def run(self) -> list[str]:
        self.check_header_labels()
        self.check_pinmap_against_header()
        self.check_pinmap_against_harness()
        self.check_gpio_pins()
        self.check_power_meter()
        self.check_relay_contacts()
        self.check_serial_channels()
        self.check_load_resistor()
        return self.problems

    # -- the Pi's header, as drawn and as listed
    def check_header_labels(self) -> None:
        for harness in self.harnesses.values():
            header = harness.connectors.get(PI_HEADER)
            if header is None:
                continue
            for pin in header.pins:
                expected = header_label(pin.number) if isinstance(pin.number, int) else "?"
                if pin.stem != expected:
                    self.problem(
                        f"{harness.name}: {PI_HEADER} pin {pin.number} is labelled {pin.label!r}; "
                        f"the Pi has {expected} there"
                    )

    def check_pinmap_against_header(self) -> None:
        seen: set[int] = set()
        for row in self.rows:
            if row.header_pin in seen:
                self.problem(f"{row.where}: header pin listed twice")
            seen.add(row.header_pin)
            expected = header_label(row.header_pin)
            if label_stem(row.signal) != expected or row.bcm != HEADER_BCM.get(row.header_pin):
                self.problem(f"{row.where}: says {row.signal} (BCM {row.bcm}); the Pi has {expected} there")

    def check_pinmap_against_harness(self) -> None:
        header = self.signal.connectors.get(PI_HEADER)
        if header is None:
            self.problem(f"{SIGNAL_FILE}: no connector {PI_HEADER} (the Pi's header)")
            return
        listed = {row.header_pin for row in self.rows}
        for pin in header.pins:
            links = self.signal.links(pin)
            if links and pin.number not in listed:
                self.problem(
                    f"{SIGNAL_FILE}: {PI_HEADER} pin {pin.number} is wired to {', '.join(sorted(links))} "
                    f"but {PINMAP_FILE} has no row for it"
                )
        for row in self.rows:
            pin = header.find(row.header_pin)
            wired = self.signal.links(pin) if pin else set()
            if wired != set(row.to):
                self.problem(
                    f"{row.where}: goes to {', '.join(row.to) or 'nothing'} but {SIGNAL_FILE} wires it to "
                    f"{', '.join(sorted(wired)) or 'nothing'}"
                )

    # -- the configuration's GPIO pins
    def check_gpio_pins(self) -> None:
        expected = expected_pins(self.config)
        by_key: dict[str, list[PinmapRow]] = defaultdict(list)
        for row in self.rows:
            if row.config_key:
                by_key[row.config_key].append(row)
        for key in by_key:
            if key not in expected and key != "power_meter.i2c_bus":
                rows = by_key[key]
                self.problem(f"{rows[0].where}: {key} is not a pin in the rig's configuration")
        for key, want in expected.items():
            rows = by_key.get(key, [])
            if not rows:
                self.problem(f"{key}: config says GPIO{want.bcm} but {PINMAP_FILE} has no row for {key}")
                continue
            if len(rows) > 1:
                self.problem(f"{key}: {PINMAP_FILE} lists it on {len(rows)} header pins")
            row = rows[0]
            if want.bcm is None:
                self.problem(f"{key}: the wiring drives it from GPIO{row.bcm}; the config gives it no pin")
            elif row.bcm != want.bcm:
                self.problem(f"{key}: config says GPIO{want.bcm}, {row.where} says GPIO{row.bcm}")
            if row.active != want.active:
                self.problem(f"{key}: config says active {want.active}, {row.where} says active {row.active}")
            self.check_pull(key, want, row)
            self.check_labels(key, want, row)

    def check_pull(self, key: str, want: ExpectedPin, row: PinmapRow) -> None:
        if want.pull is not None:   # an input: the config names its pull
            if row.pull != want.pull:
                self.problem(f"{key}: config says pull {want.pull}, {row.where} says pull {row.pull or 'none'}")
            return
        released = "down" if want.active == "high" else "up"   # an output idles at its inactive level
        if row.pull != released:
            self.problem(
                f"{key}: active {want.active} needs a pull-{released} to stay released while the Pi boots; "
                f"{row.where} says pull {row.pull or 'none'}"
            )

    def check_labels(self, key: str, want: ExpectedPin, row: PinmapRow) -> None:
        for endpoint in row.to:
            pin = self.signal.pin(endpoint)
            if pin is None:
                self.problem(f"{key}: {row.where} names {endpoint}, which {SIGNAL_FILE} does not have")
                continue
            flags = label_flags(pin.label)
            if f"active {want.active}" not in flags:
                self.problem(
                    f"{key}: config says active {want.active}, {SIGNAL_FILE} labels "
                    f"{pin.designator} pin {pin.number} {pin.label!r}"
                )
            if want.pull is not None and (("pull-up" in flags) != (want.pull == "up")):
                self.problem(
                    f"{key}: config says pull {want.pull}, {SIGNAL_FILE} labels "
                    f"{pin.designator} pin {pin.number} {pin.label!r}"
                )

    # -- I2C bus, address and shunt
    def check_power_meter(self) -> None:
        meter = self.config.power_meter
        rows = [row for row in self.rows if row.config_key == "power_meter.i2c_bus"]
        wanted = I2C_BUS_PINS.get(meter.i2c_bus)
        if wanted is None:
            self.problem(f"power_meter.i2c_bus: bus {meter.i2c_bus} is not on the 40-pin header the wiring uses")
            return
        wired = {row.bcm for row in rows}
        if wired != set(wanted):
            self.problem(
                f"power_meter.i2c_bus: config says bus {meter.i2c_bus} (GPIO{wanted[0]} SDA, GPIO{wanted[1]} SCL), "
                f"{PINMAP_FILE} wires {', '.join(f'GPIO{b}' for b in sorted(wired, key=str)) or 'nothing'}"
            )
            return
        meter_connector = None
        for row, line_name in ((r, "SDA" if r.bcm == wanted[0] else "SCL") for r in rows):
            ends = [self.signal.pin(e) for e in row.to]
            if not any(p is not None and p.stem == line_name for p in ends):
                self.problem(f"power_meter.i2c_bus: {row.where} must go to the meter's {line_name}")
            meter_connector = next((p.designator for p in ends if p is not None), meter_connector)
        if meter_connector is None:
            return
        text = self.signal.connectors[meter_connector].text
        found = re.search(r"I2C address (0x[0-9a-fA-F]+)", text)
        if found is None or int(found.group(1), 16) != meter.address:
            self.problem(
                f"power_meter.address: config says 0x{meter.address:02X}, {SIGNAL_FILE} {meter_connector} says "
                f"{found.group(1) if found else 'no I2C address'}"
            )
        bus = re.search(r"I2C bus (\d+)", text)
        if bus is None or int(bus.group(1)) != meter.i2c_bus:
            self.problem(
                f"power_meter.i2c_bus: config says bus {meter.i2c_bus}, {SIGNAL_FILE} {meter_connector} says "
                f"{'bus ' + bus.group(1) if bus else 'no I2C bus'}"
            )
        shunt = _number_before(r"Ω", text[text.find("shunt"):]) if "shunt" in text else None
        if shunt is None or not math.isclose(shunt, meter.shunt_ohm, rel_tol=VALUE_TOLERANCE):
            self.problem(
                f"power_meter.shunt_ohm: config says {meter.shunt_ohm:g} Ω, {SIGNAL_FILE} {meter_connector} says "
                f"{f'{shunt:g} Ω' if shunt is not None else 'no shunt value'}"
            )

    # -- which contact each relay uses
    def check_relay_contacts(self) -> None:
        outlets = {f"outlets.{name}.pin": outlet for name, outlet in self.config.outlets.items()}
        for row in self.rows:
            if not row.contact:
                continue
            key = row.config_key
            if key in outlets:
                normally_on = outlets[key].normally_on
                name = key.split(".")[1]
                allowed = NORMALLY_ON_CONTACTS if normally_on else NORMALLY_OFF_CONTACTS
                if row.contact not in allowed:
                    self.problem(
                        f"outlets.{name}.normally_on: config says {str(normally_on).lower()}, {row.where} wires "
                        f"it to the {row.contact} side"
                    )
            elif "NO" not in row.contact.split("+"):
                self.problem(f"{key}: an actuator acts when its relay is energised: wire it to NO, not {row.contact}")
            for endpoint in row.to:
                self.check_contact(key, row, endpoint)

    def check_contact(self, key: str, row: PinmapRow, endpoint: str) -> None:
        """The contacts named in the pin map ("NC", "NO", or "NO+NC" for a changeover) are wired; no others."""
        if "outlet" in row.contact:
            designator = endpoint.partition(":")[0]
            connector = self.signal.connectors.get(designator)
            if connector is None or row.contact.lower() not in connector.text.lower():
                self.problem(f"{key}: {SIGNAL_FILE} {designator} does not say the load is on its {row.contact}")
            return
        channel = _channel_of(endpoint)
        designator = endpoint.partition(":")[0]
        if channel is None or designator not in self.power.connectors:
            self.problem(f"{key}: {POWER_FILE} has no contacts for {endpoint}")
            return
        listed = set(row.contact.split("+"))
        if not self.power.is_connected(self.power.pin(f"{designator}:{channel} COM")):
            self.problem(f"{key}: {POWER_FILE} leaves {designator} {channel} COM unwired")
        for side in ("NC", "NO"):
            wired = self.power.is_connected(self.power.pin(f"{designator}:{channel} {side}"))
            if wired != (side in listed):
                self.problem(
                    f"{key}: {PINMAP_FILE} says {row.contact}, {POWER_FILE} "
                    f"{'wires' if wired else 'leaves'} {designator} {channel} {side}{'' if wired else ' unwired'}"
                )

    # -- the LCUS alternative
    def check_serial_channels(self) -> None:
        board = self.serial.connectors.get(SERIAL_BOARD)
        relays = self.config.relays
        if board is None:
            self.problem(f"relays.serial_port: {SERIAL_FILE} has no {SERIAL_BOARD} (the LCUS relay board)")
            return
        if f"{relays.baud} baud" not in board.text:
            self.problem(f"relays.baud: config says {relays.baud}, {SERIAL_FILE} {SERIAL_BOARD} does not say "
                         f"'{relays.baud} baud'")
        by_key = {row.config_key: row for row in self.rows if row.config_key}
        for name, outlet in self.config.outlets.items():
            key = f"outlets.{name}.channel"
            row = by_key.get(f"outlets.{name}.pin")
            if row is None:
                continue   # reported by check_gpio_pins
            if row.serial_channel != outlet.channel:
                self.problem(f"{key}: config says channel {outlet.channel}, {row.where} says {row.serial_channel}")
                continue
            target = self.serial.pin(row.serial_to)
            if target is None:
                self.problem(f"{key}: {row.where} names {row.serial_to or 'no endpoint'}, which {SERIAL_FILE} "
                             "does not have")
                continue
            prefix = f"CH{outlet.channel} "
            contacts = {pin.stem for pin in board.pins if pin.stem.startswith(prefix)
                        and target.endpoint in self.serial.links(pin)}
            if not contacts:
                self.problem(f"{key}: config says channel {outlet.channel}, {SERIAL_FILE} does not wire "
                             f"{SERIAL_BOARD} channel {outlet.channel} to {row.serial_to}")
                continue
            if row.contact == "NC":
                if not self.serial.is_connected(board.find(f"{prefix}NC")) or self.serial.is_connected(
                        board.find(f"{prefix}NO")):
                    self.problem(f"{key}: {SERIAL_FILE} must use {SERIAL_BOARD} {prefix}NC (not NO) for a "
                                 "normally-on supply")
            elif f"{prefix}NO" not in contacts:
                self.problem(f"{key}: {SERIAL_FILE} must trigger {row.serial_to} through {SERIAL_BOARD} {prefix}NO")

    def check_load_resistor(self) -> None:
        resistor = self.power.connectors.get(LOAD_RESISTOR)
        want = self.config.battery.pulse_load_ohm
        value = _number_before("Ω", resistor.text) if resistor else None
        if value is None or not math.isclose(value, want, rel_tol=VALUE_TOLERANCE):
            self.problem(
                f"battery.pulse_load_ohm: config says {want:g} Ω, {POWER_FILE} {LOAD_RESISTOR} says "
                f"{f'{value:g} Ω' if value is not None else 'nothing'}"
            )
        elif not any(self.power.is_connected(pin) for pin in resistor.pins):
            self.problem(f"battery.pulse_load_ohm: {POWER_FILE} leaves {LOAD_RESISTOR} unwired")


def load_all(wiring_dir: Path = WIRING_DIR) -> tuple[dict[str, Harness], list[PinmapRow], list[str]]:
    harnesses = {name: load_harness(wiring_dir / name) for name in HARNESS_FILES}
    problems = [p for harness in harnesses.values() for p in harness.problems]
    try:
        rows, pinmap_problems = parse_pinmap((wiring_dir / PINMAP_FILE).read_text(encoding="utf-8"))
    except OSError as exc:
        rows, pinmap_problems = [], [f"{PINMAP_FILE}: cannot read: {exc.strerror or exc}"]
    return harnesses, rows, problems + pinmap_problems


def check(config: Any, wiring_dir: Path = WIRING_DIR) -> list[str]:
    """Every disagreement between ``config`` (a ``RigConfig``) and the wiring, one line each; [] = agreed."""
    harnesses, rows, problems = load_all(wiring_dir)
    return problems + _Checker(config, harnesses, rows).run()


# ------------------------------------------------------------------------------------------------- renders


def svg_text(svg: str) -> str:
    """All the text a rendered SVG shows, one item a line, entities decoded."""
    root = ET.fromstring(svg)
    return "\n".join(
        html.unescape("".join(node.itertext())).replace("\xa0", " ").strip()
        for node in root.iter() if node.tag.endswith("}text") or node.tag == "text"
    )


def render_expectations(harness: Harness, yaml_text: str) -> tuple[list[str], list[str]]:
    """Strings the rendered SVG and BOM of ``harness`` must contain, as the YAML determines them.

    WireViz prints every wire's two ends as ``DESIGNATOR:PIN:LABEL`` in its cable table, so a moved wire or a
    renamed pin changes the SVG; types, notes and wire labels are printed as written; the BOM lists every
    connector's part number.
    """
    data = yaml.safe_load(yaml_text) or {}
    in_svg = list(harness.connectors) + list(harness.cables)
    for spec in list((data.get("connectors") or {}).values()) + list((data.get("cables") or {}).values()):
        for key in ("type", "notes"):  # a note written on several lines is drawn a text item a line
            lines = str((spec or {}).get(key) or "").splitlines()
            in_svg.extend(" ".join(line.split()) for line in lines if line.strip())
    for wire in harness.wires:
        for pin in (wire.a, wire.b):
            in_svg.append(f"{pin.designator}:{pin.number}:{pin.label}" if pin.label else
                          f"{pin.designator}:{pin.number}")
    for spec in (data.get("cables") or {}).values():
        in_svg.extend(str(label) for label in (spec or {}).get("wirelabels") or [])
    in_bom = sorted({connector.mpn for connector in harness.connectors.values() if connector.mpn})
    return in_svg, in_bom


def stale_renders(wiring_dir: Path = WIRING_DIR) -> list[str]:
    """Rendered files (``NAME.svg``, ``NAME.bom.tsv``) that no longer show what ``NAME.yml`` says."""
    problems = []
    for name in HARNESS_FILES:
        source = wiring_dir / name
        stem = source.with_suffix("")
        svg_path, bom_path = stem.with_suffix(".svg"), Path(f"{stem}.bom.tsv")
        harness = load_harness(source)
        if harness.problems:
            problems.extend(harness.problems)
            continue
        in_svg, in_bom = render_expectations(harness, source.read_text(encoding="utf-8"))
        for path, wanted, reader in ((svg_path, in_svg, svg_text), (bom_path, in_bom, str)):
            try:
                shown = reader(path.read_text(encoding="utf-8"))
            except (OSError, ET.ParseError) as exc:
                problems.append(f"{path.name}: cannot read the render: {exc}; run wiring/render.sh")
                continue
            missing = [item for item in wanted if item not in shown]
            if missing:
                problems.append(f"{path.name}: stale, lacks {', '.join(repr(m) for m in missing[:5])}"
                                f"{' and more' if len(missing) > 5 else ''}; run wiring/render.sh")
    return problems


def main(argv: Iterable[str] | None = None) -> int:
    from rig.core.config import ConfigError, load_config

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        config = load_config(args[0] if args else None)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return report(check(config) + stale_renders(), f"wiring matches {'the default fixture' if not args else args[0]}")


def report(problems: list[str], agreed: str) -> int:
    """Print each problem (or ``agreed`` when there is none); the exit status of the command."""
    for line in problems:
        print(line)
    if not problems:
        print(agreed)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
