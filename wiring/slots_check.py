"""Cross-check the reference 4-slot fixture: ``rig/defaults/fixture-4slot.toml`` against ``pinmap-4slot.csv``
and ``harness-4slot.yml``, both ways.

Every GPIO, I2C address, expander line and relay channel the TOML gives a slot must have a pin-map row with the
same function, and the harness must wire it there; every row and every wired header pin or expander line must
come from the TOML. Across the whole fixture (slot 1's top-level tables included) no GPIO, I2C address,
expander line or relay channel is used twice. The TOML is read with :mod:`tomllib` (merged over the single-slot
``fixture.toml``, as the rig merges it), so only PyYAML is needed, as for ``crosscheck.py``.

``python wiring/slots_check.py [FIXTURE]`` prints every disagreement, one line each, and exits 1.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WIRING_DIR = Path(__file__).resolve().parent
ROOT = WIRING_DIR.parent
sys.path.insert(0, str(WIRING_DIR))
from crosscheck import (  # noqa: E402  (beside this script, which runs as a file)
    HEADER_BCM,
    I2C_BUS_PINS,
    NORMALLY_OFF_CONTACTS,
    NORMALLY_ON_CONTACTS,
    PI_HEADER,
    Harness,
    header_label,
    label_flags,
    load_harness,
    report,
)

HARNESS_FILE = "harness-4slot.yml"
SLOT_PINMAP_FILE = "pinmap-4slot.csv"
SLOT_PINMAP_COLUMNS = (
    "config_key", "kind", "bcm", "header_pin", "i2c_address", "line", "chip_pin", "active", "pull", "to",
    "contact", "notes",
)
DEFAULT_FIXTURE = ROOT / "rig" / "defaults" / "fixture.toml"
FIXTURE = ROOT / "rig" / "defaults" / "fixture-4slot.toml"
EXPANDER_PART = "MCP23017"


def _load_pinouts() -> Any:
    """The datasheet pin table the schematics draw from (one table for both)."""
    spec = importlib.util.spec_from_file_location("fixture_pinouts", ROOT / "hardware" / "schematics" / "pinouts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pinouts = _load_pinouts()


# ------------------------------------------------------------------------------------------ what the TOML says


@dataclass(frozen=True)
class Fact:
    """One thing the configuration assigns: a GPIO, an INA219 address, or a line on an expander."""

    key: str
    kind: str                    # "gpio" / "ina219" / "expander"
    bcm: int | None = None
    address: int | None = None
    line: int | None = None
    active: str = ""             # "high" / "low"
    pull: str = ""               # "up" / "down" (outputs: the pull that holds them released)
    contact: str = ""            # outlets: "NC" for a normally-on supply


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(
            merged.get(key), dict) else value
    return merged


def load_fixture(path: Path = FIXTURE) -> dict[str, Any]:
    """``path`` merged over the single-slot fixture; a bad file raises ValueError in one line."""
    try:
        base = tomllib.loads(DEFAULT_FIXTURE.read_text(encoding="utf-8"))
        return _merge(base, tomllib.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {' '.join(str(exc).split())}") from None


def _output(key: str, table: dict[str, Any], outlet: bool) -> Fact:
    low = bool(table.get("active_low", False)) if outlet else not table.get("active_high", True)
    active, pull = ("low", "up") if low else ("high", "down")   # an output idles at its inactive level
    contact = ("NC" if table.get("normally_on", True) else "NO") if outlet else ""
    if "pin" in table:
        return Fact(key, "gpio", bcm=int(table["pin"]), active=active, pull=pull, contact=contact)
    address = table.get("address") if outlet else table.get("expander")
    return Fact(key, "expander", address=address, line=table.get("line"), active=active, pull=pull,
                contact=contact)


def slot_facts(fixture: dict[str, Any]) -> dict[str, Fact]:
    """Every fact of slots 2-N, plus slot 1's INA219 address (it shares the bus)."""
    facts = {"power_meter.address": Fact("power_meter.address", "ina219",
                                         address=fixture["power_meter"]["address"])}
    for number, slot in sorted((fixture.get("slots") or {}).items()):
        prefix = f"slots.{number}"
        diode = slot.get("photodiode") or {}
        if "pin" in diode:
            facts[f"{prefix}.photodiode.pin"] = Fact(
                f"{prefix}.photodiode.pin", "gpio", bcm=diode["pin"],
                active="high" if diode.get("active_high") else "low", pull="up" if diode.get("pull_up") else "down")
        if "address" in (slot.get("power_meter") or {}):
            key = f"{prefix}.power_meter.address"
            facts[key] = Fact(key, "ina219", address=slot["power_meter"]["address"])
        for name, table in (slot.get("outlets") or {}).items():
            facts[f"{prefix}.outlets.{name}"] = _output(f"{prefix}.outlets.{name}", table, outlet=True)
        for name, table in (slot.get("actuators") or {}).items():
            facts[f"{prefix}.actuators.{name}"] = _output(f"{prefix}.actuators.{name}", table, outlet=False)
    return facts


# ---------------------------------------------------------------------------------------------- the pin map


@dataclass(frozen=True)
class SlotRow:
    line_no: int
    config_key: str
    kind: str
    bcm: int | None
    header_pin: int | None
    address: int | None
    line: int | None
    chip_pin: int | None
    active: str
    pull: str
    to: tuple[str, ...]
    contact: str

    @property
    def where(self) -> str:
        return f"{SLOT_PINMAP_FILE} line {self.line_no}"


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text, 0) if text else None


def parse_slot_pinmap(text: str) -> tuple[list[SlotRow], list[str]]:
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != SLOT_PINMAP_COLUMNS:
        return [], [f"{SLOT_PINMAP_FILE}: header must be {','.join(SLOT_PINMAP_COLUMNS)}"]
    rows, problems = [], []
    for line_no, record in enumerate(reader, start=2):
        try:
            rows.append(SlotRow(
                line_no, record["config_key"].strip(), record["kind"].strip(), _number(record["bcm"]),
                _number(record["header_pin"]), _number(record["i2c_address"]), _number(record["line"]),
                _number(record["chip_pin"]), record["active"].strip(), record["pull"].strip(),
                tuple(p.strip() for p in record["to"].split(";") if p.strip()), record["contact"].strip(),
            ))
        except (ValueError, AttributeError):
            problems.append(f"{SLOT_PINMAP_FILE} line {line_no}: bcm, header_pin, i2c_address, line and chip_pin "
                            "must be numbers")
    return rows, problems


# ------------------------------------------------------------------------------------------------ the check


def _shown(name: str, value: int | None) -> str:
    """``GPIO27``, ``expander 0x20``, ``line 8``."""
    if value is None:
        return f"no {name}"
    if name == "GPIO":
        return f"GPIO{value}"
    return f"{name} 0x{value:02x}" if name in ("address", "expander") else f"{name} {value}"


def _address_in(text: str) -> int | None:
    found = re.search(r"I2C address (0x[0-9a-fA-F]+)", text)
    return int(found.group(1), 16) if found else None


class _SlotChecker:
    def __init__(self, facts: dict[str, Fact], rows: list[SlotRow], harness: Harness, base_gpios: dict[str, int],
                 bus: int) -> None:
        self.facts, self.rows, self.harness = facts, rows, harness
        self.base_gpios = base_gpios      # slot 1 and the bench: config key -> BCM
        self.bus = bus
        self.problems: list[str] = []

    def run(self) -> list[str]:
        self.check_facts_have_rows()
        self.check_rows_come_from_facts()
        self.check_header()
        self.check_bus()
        self.check_expanders()
        self.check_unique()
        return self.problems

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def expander_connectors(self) -> dict[int, str]:
        """I2C address -> the harness connector of the MCP23017 strapped to it."""
        found = {}
        for designator, connector in self.harness.connectors.items():
            address = _address_in(connector.text)
            if EXPANDER_PART in connector.mpn and address is not None:
                found[address] = designator
        return found

    # -- config -> pin map -> harness
    def check_facts_have_rows(self) -> None:
        by_key = {row.config_key: row for row in self.rows if row.config_key}
        for key, fact in self.facts.items():
            row = by_key.get(key)
            if row is None:
                self.problem(f"{key}: the config gives it {self.describe(fact)} but {SLOT_PINMAP_FILE} has no row")
                continue
            if row.kind != fact.kind:
                self.problem(f"{key}: config says {fact.kind}, {row.where} says {row.kind}")
                continue
            self.compare(fact, row)
            getattr(self, f"wired_{fact.kind}")(fact, row)

    @staticmethod
    def describe(fact: Fact) -> str:
        if fact.kind == "gpio":
            return f"GPIO{fact.bcm}"
        if fact.kind == "ina219":
            return f"INA219 0x{fact.address:02x}"
        return f"expander 0x{fact.address:02x} line {fact.line}"

    def compare(self, fact: Fact, row: SlotRow) -> None:
        pairs = {"gpio": [("GPIO", fact.bcm, row.bcm)], "ina219": [("address", fact.address, row.address)],
                 "expander": [("expander", fact.address, row.address), ("line", fact.line, row.line)]}[fact.kind]
        for name, want, got in pairs:
            if want != got:
                self.problem(f"{fact.key}: config says {_shown(name, want)}, {row.where} says {_shown(name, got)}")
        if fact.kind == "ina219":
            return
        if row.active != fact.active:
            self.problem(f"{fact.key}: config says active {fact.active}, {row.where} says active {row.active}")
        if row.pull != fact.pull:
            self.problem(f"{fact.key}: active {fact.active} needs pull {fact.pull}, {row.where} says pull "
                         f"{row.pull or 'none'}")
        allowed = NORMALLY_ON_CONTACTS if fact.contact == "NC" else NORMALLY_OFF_CONTACTS
        if fact.contact and row.contact not in allowed:
            self.problem(f"{fact.key}: config says normally {'on' if fact.contact == 'NC' else 'off'}, {row.where} "
                         f"wires it to the {row.contact or 'no'} contact")
        if fact.kind == "expander" and fact.line is not None and row.chip_pin is not None:
            port = pinouts.expander_port(fact.line) if 0 <= fact.line <= 15 else "?"
            want_pin = int(pinouts.pin(EXPANDER_PART, port)) if port != "?" else None
            if row.chip_pin != want_pin:
                self.problem(f"{fact.key}: line {fact.line} is {port}, pin {want_pin} of the MCP23017 "
                             f"(DS20001952); {row.where} says pin {row.chip_pin}")

    def check_labels(self, key: str, fact: Fact, row: SlotRow) -> None:
        for endpoint in row.to:
            pin = self.harness.pin(endpoint)
            if pin is None:
                self.problem(f"{key}: {row.where} names {endpoint}, which {HARNESS_FILE} does not have")
            elif f"active {fact.active}" not in label_flags(pin.label):
                self.problem(f"{key}: config says active {fact.active}, {HARNESS_FILE} labels {endpoint} "
                             f"{pin.label!r}")

    def wired_gpio(self, fact: Fact, row: SlotRow) -> None:
        if row.header_pin is None or HEADER_BCM.get(row.header_pin) != row.bcm:
            self.problem(f"{fact.key}: {row.where} puts GPIO{row.bcm} on header pin {row.header_pin}, where the "
                         f"Pi has {header_label(row.header_pin) if row.header_pin else 'nothing'}")
        self.check_labels(fact.key, fact, row)

    def wired_expander(self, fact: Fact, row: SlotRow) -> None:
        designator = self.expander_connectors().get(row.address or -1)
        if designator is None:
            self.problem(f"{fact.key}: {HARNESS_FILE} has no MCP23017 strapped to 0x{row.address or 0:02x}")
            return
        chip_pin = self.harness.connectors[designator].find(row.chip_pin)
        port = pinouts.expander_port(row.line) if row.line is not None and 0 <= row.line <= 15 else "?"
        if chip_pin is None or chip_pin.stem != port:
            self.problem(f"{fact.key}: {HARNESS_FILE} {designator} has no pin {row.chip_pin} labelled {port}")
            return
        wired = self.harness.links(chip_pin)
        if wired != set(row.to):
            self.problem(f"{fact.key}: {row.where} goes to {', '.join(row.to) or 'nothing'} but {HARNESS_FILE} "
                         f"wires {designator} {port} to {', '.join(sorted(wired)) or 'nothing'}")
        self.check_labels(fact.key, fact, row)

    def wired_ina219(self, fact: Fact, row: SlotRow) -> None:
        designator = row.to[0] if row.to else ""
        connector = self.harness.connectors.get(designator)
        if connector is None:
            self.problem(f"{fact.key}: {row.where} names {designator or 'no part'}, which {HARNESS_FILE} does "
                         "not have")
            return
        drawn = _address_in(connector.text)
        if drawn != fact.address:
            self.problem(f"{fact.key}: config says 0x{fact.address:02x}, {HARNESS_FILE} {designator} says "
                         f"{f'0x{drawn:02x}' if drawn is not None else 'no I2C address'}")
        self.check_on_bus(fact.key, designator)

    def check_on_bus(self, key: str, designator: str) -> None:
        for line in ("SDA", "SCL"):
            pin = self.harness.pin(f"{designator}:{line}")
            if pin is None or not any(end.endswith(f":{line}") for end in self.harness.links(pin)):
                self.problem(f"{key}: {HARNESS_FILE} does not wire {designator} {line} to the bus")

    # -- pin map and harness -> config
    def check_rows_come_from_facts(self) -> None:
        counts = Counter(row.config_key for row in self.rows if row.config_key)
        for row in self.rows:
            key = row.config_key
            if row.kind in ("gpio", "ina219", "expander") and key not in self.facts:
                self.problem(f"{row.where}: {key or 'a row with no config key'} is not in the 4-slot configuration")
            elif key and counts[key] > 1 and row.kind != "i2c":
                self.problem(f"{row.where}: {key} is listed {counts[key]} times")
        used = {fact.address for fact in self.facts.values() if fact.kind == "expander"}
        for row in self.rows:
            if row.kind == "mcp23017" and row.address not in used:
                self.problem(f"{row.where}: an expander at 0x{row.address or 0:02x} the configuration does not use")

    def check_header(self) -> None:
        header = self.harness.connectors.get(PI_HEADER)
        if header is None:
            self.problem(f"{HARNESS_FILE}: no connector {PI_HEADER} (the Pi's header)")
            return
        listed: dict[int, SlotRow] = {row.header_pin: row for row in self.rows if row.header_pin is not None}
        for pin in header.pins:
            wired = self.harness.links(pin)
            row = listed.get(pin.number) if isinstance(pin.number, int) else None
            if wired and row is None:
                self.problem(f"{HARNESS_FILE}: {PI_HEADER} pin {pin.number} is wired to {', '.join(sorted(wired))} "
                             f"but {SLOT_PINMAP_FILE} has no row for it")
            elif row is not None and wired != set(row.to):
                self.problem(f"{row.where} (header pin {row.header_pin}): goes to {', '.join(row.to) or 'nothing'} "
                             f"but {HARNESS_FILE} wires it to {', '.join(sorted(wired)) or 'nothing'}")

    def check_bus(self) -> None:
        wanted = I2C_BUS_PINS.get(self.bus, ())
        wired = {row.bcm for row in self.rows if row.kind == "i2c"}
        if wired != set(wanted):
            self.problem(f"power_meter.i2c_bus: config says bus {self.bus}, {SLOT_PINMAP_FILE} wires "
                         f"{', '.join(f'GPIO{b}' for b in sorted(wired, key=str)) or 'nothing'}")
        for row in self.rows:
            if row.kind == "mcp23017":
                designator = self.expander_connectors().get(row.address or -1)
                if designator is None or row.to != (designator,):
                    self.problem(f"{row.where}: {HARNESS_FILE} has no MCP23017 {', '.join(row.to)} strapped to "
                                 f"0x{row.address or 0:02x}")
                else:
                    self.check_on_bus(f"expander 0x{row.address:02x}", designator)

    def check_expanders(self) -> None:
        """Every expander line the harness wires is a row of the pin map (and so a fact of the config)."""
        listed = {(row.address, row.chip_pin) for row in self.rows if row.kind == "expander"}
        for address, designator in self.expander_connectors().items():
            for pin in self.harness.connectors[designator].pins:
                if re.fullmatch(r"GP[AB]\d", pin.stem) and self.harness.links(pin) and (
                        address, pin.number) not in listed:
                    self.problem(f"{HARNESS_FILE}: {designator} {pin.stem} (0x{address:02x}) is wired to "
                                 f"{', '.join(sorted(self.harness.links(pin)))} but {SLOT_PINMAP_FILE} has no row")

    def check_unique(self) -> None:
        """No GPIO, I2C address, expander line or relay channel serves two functions anywhere in the fixture."""
        claims: dict[str, list[str]] = {}
        for key, bcm in self.base_gpios.items():
            claims.setdefault(f"GPIO{bcm}", []).append(key)
        for fact in self.facts.values():
            if fact.kind == "gpio":
                claims.setdefault(f"GPIO{fact.bcm}", []).append(fact.key)
            elif fact.kind == "ina219":
                claims.setdefault(f"I2C address 0x{fact.address or 0:02x}", []).append(fact.key)
            else:
                claims.setdefault(f"expander 0x{fact.address or 0:02x} line {fact.line}", []).append(fact.key)
        for address in sorted({f.address or 0 for f in self.facts.values() if f.kind == "expander"}):
            claims.setdefault(f"I2C address 0x{address:02x}", []).append(f"the expander at 0x{address:02x}")
        for row in self.rows:
            for end in row.to if row.contact else ():
                claims.setdefault(f"relay channel {end}", []).append(row.config_key)
        for what, keys in claims.items():
            if len(keys) > 1:
                self.problem(f"{what} is used by {' and '.join(keys)}")


def base_gpios(fixture: dict[str, Any]) -> dict[str, int]:
    """Slot 1's and the bench's GPIO pins (the top-level tables, the Sync Module light included), key -> BCM."""
    pins = {f"{group}.pin": (fixture.get(group) or {}).get("pin") for group in ("photodiode", "sync_module_led")}
    for group in ("outlets", "actuators"):
        for name, table in (fixture.get(group) or {}).items():
            pins[f"{group}.{name}.pin"] = table.get("pin") if isinstance(table, dict) else None
    return {key: int(bcm) for key, bcm in pins.items() if isinstance(bcm, int)}


def check(fixture: dict[str, Any], wiring_dir: Path = WIRING_DIR) -> list[str]:
    """Every disagreement between the 4-slot ``fixture`` (a merged TOML dict) and its wiring; [] = agreed."""
    harness = load_harness(wiring_dir / HARNESS_FILE)
    try:
        rows, problems = parse_slot_pinmap((wiring_dir / SLOT_PINMAP_FILE).read_text(encoding="utf-8"))
    except OSError as exc:
        rows, problems = [], [f"{SLOT_PINMAP_FILE}: cannot read: {exc.strerror or exc}"]
    problems = harness.problems + problems
    bus = int(fixture.get("power_meter", {}).get("i2c_bus", 1))
    return problems + _SlotChecker(slot_facts(fixture), rows, harness, base_gpios(fixture), bus).run()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(args[0]) if args else FIXTURE
    try:
        fixture = load_fixture(path)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return report(check(fixture), f"4-slot wiring matches {path.name}")


if __name__ == "__main__":
    sys.exit(main())
