"""The hardware documents hold together: the BOM parses and covers every part of the configuration and every
connector of the wiring, the committed schematics show the configured pins and values, and the READMEs link
files that exist. No schemdraw or Graphviz needed: the committed SVG text is read as XML.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from rig.core.config import RigConfig, load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]
HARDWARE = ROOT / "hardware"
WIRING = ROOT / "wiring"
BOM_COLUMNS = ["ref", "part", "part_number", "manufacturer", "quantity", "description", "why", "config_keys"]
SCHEMATICS = ("photodiode_front_end", "load_test", "camera_supply", "actuators", "relay_inputs", "expanders")


def _load_crosscheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wiring_crosscheck_docs", WIRING / "crosscheck.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


crosscheck = _load_crosscheck()


def read_bom(path: Path = HARDWARE / "bom.csv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == BOM_COLUMNS
        return list(reader)


def config_parts(config: RigConfig) -> list[str]:
    """Every part the configuration names: the groups, each outlet and each actuator."""
    parts = ["photodiode", "sync_module_led", "power_meter", "relays", "battery"]
    parts += [f"outlets.{name}" for name in config.outlets]
    parts += [f"actuators.{name}" for name in config.actuators]
    return parts


def parts_without_bom_row(rows: list[dict[str, str]], config: RigConfig) -> list[str]:
    covered = {key for row in rows for key in row["config_keys"].split(";") if key}
    return [part for part in config_parts(config) if part not in covered]


def connectors_without_bom_row(rows: list[dict[str, str]]) -> list[str]:
    """Wiring connectors whose part number no BOM row with their designator carries."""
    missing = []
    for name in crosscheck.HARNESS_FILES:
        harness = crosscheck.load_harness(WIRING / name)
        for designator, connector in harness.connectors.items():
            base = designator.split("_")[0]
            rows_for = [row for row in rows
                        if any(ref == base or ref.startswith(base + "-") for ref in row["ref"].split())]
            if not any(connector.mpn in row["part_number"] for row in rows_for):
                missing.append(f"{name}: {designator} ({connector.mpn})")
    return missing


# ----------------------------------------------------------------------------------------------------- BOM


def test_bom_rows_are_complete() -> None:
    rows = read_bom()
    assert len(rows) > 30
    refs: list[str] = []
    for row in rows:
        for column in ("ref", "part", "part_number", "manufacturer", "description", "why"):
            assert row[column].strip(), f"{row['ref'] or row['part']}: empty {column}"
        quantity = int(row["quantity"])
        assert quantity >= 0
        if quantity == 0:
            assert row["description"].startswith("OPTIONAL"), f"{row['ref']}: quantity 0 must say OPTIONAL"
        refs += row["ref"].split()
    assert len(refs) == len(set(refs)), "a designator appears in two BOM rows"


def test_every_part_of_the_configuration_has_a_bom_row() -> None:
    assert parts_without_bom_row(read_bom(), load_config()) == []


def test_bom_config_keys_name_real_configuration_entries() -> None:
    config = load_config()
    known = set(config_parts(config))
    for row in read_bom():
        for key in filter(None, row["config_keys"].split(";")):
            assert key in known, f"{row['ref']}: config_keys names {key!r}, which the configuration does not have"


def test_a_bom_missing_a_configured_part_is_caught() -> None:
    rows = [row for row in read_bom() if "Digital Loggers" not in row["manufacturer"]
            and "TP-Link" not in row["manufacturer"]]
    rows = [row for row in rows if row["part_number"] != "LCUS-4" and not row["ref"].startswith("J8-R")]
    assert parts_without_bom_row(rows, load_config()) == ["outlets.router", "outlets.sync_module"]


def test_every_wiring_connector_has_its_part_number_in_the_bom() -> None:
    assert connectors_without_bom_row(read_bom()) == []


def test_a_wiring_part_number_missing_from_the_bom_is_caught() -> None:
    rows = [row for row in read_bom() if row["part_number"] != "11638"]
    missing = connectors_without_bom_row(rows)
    assert missing == ["harness.yml: K3 (11638)", "power.yml: K3 (11638)",
                       "harness-4slot.yml: S2_K3 (11638)", "harness-4slot.yml: S3_K3 (11638)",
                       "harness-4slot.yml: S4_K3 (11638)"]


def test_bom_load_resistor_and_shunt_match_the_configuration() -> None:
    config = load_config()
    rows = {row["ref"]: row for row in read_bom()}
    assert f"{config.battery.pulse_load_ohm:g} Ω" in rows["RL"]["part"]
    assert f"{config.power_meter.shunt_ohm:g} Ω" in rows["A3"]["description"]
    assert f"0x{config.power_meter.address:02x}" in rows["A3"]["description"]


# ---------------------------------------------------------------------------------------------- schematics


def gpio_label(config: RigConfig, key: str) -> str:
    header = {row.config_key: row.header_pin for row in crosscheck.parse_pinmap(
        (WIRING / "pinmap.csv").read_text(encoding="utf-8"))[0] if row.config_key}
    pin = config.gpio_pins()[key]
    return f"GPIO{pin} (J8 pin {header[key]})"


SCHEMATIC_PINS = {
    "photodiode_front_end": ["photodiode.pin", "sync_module_led.pin"],
    "load_test": ["actuators.load_switch.pin"],
    "camera_supply": ["outlets.camera.pin", "actuators.battery_changeover.pin", "actuators.motion_light.pin"],
    "actuators": ["actuators.reset_button.pin", "actuators.motion_stimulus.pin"],
    "relay_inputs": ["outlets.router.pin", "outlets.sync_module.pin", "outlets.camera.pin",
                     "actuators.battery_changeover.pin", "actuators.motion_light.pin"],
}


def schematic_text(name: str) -> str:
    return crosscheck.svg_text((HARDWARE / "schematics" / f"{name}.svg").read_text(encoding="utf-8"))


def schematic_problems(config: RigConfig) -> list[str]:
    """Configured pin labels (``GPIO16 (J8 pin 36), active high``) a committed schematic does not show."""
    active = {key: pin.active for key, pin in crosscheck.expected_pins(config).items()}
    problems = []
    for name, keys in SCHEMATIC_PINS.items():
        text = schematic_text(name)
        for key in keys:
            label = f"{gpio_label(config, key)}, active {active[key]}"
            if label not in text:
                problems.append(f"{name}.svg: {key}: lacks {label!r}")
    return problems


def test_schematics_show_the_configured_pins_and_polarities() -> None:
    assert schematic_problems(load_config()) == []


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("[actuators.reset_button]\npin = 19", "actuators.svg: actuators.reset_button.pin"),
        ("[actuators.reset_button]\nactive_high = false", "actuators.svg: actuators.reset_button.pin"),
        ("[photodiode]\npin = 27", "photodiode_front_end.svg: photodiode.pin"),
        ("[sync_module_led]\npin = 15", "photodiode_front_end.svg: sync_module_led.pin"),
        ("[outlets.camera]\nactive_low = false", "camera_supply.svg: outlets.camera.pin"),
    ],
)
def test_a_schematic_left_behind_by_the_configuration_is_caught(override: str, named: str) -> None:
    problems = schematic_problems(parse_config(override))
    assert any(p.startswith(named) for p in problems), problems


def test_load_test_schematic_shows_the_configured_values() -> None:
    config = load_config()
    text = schematic_text("load_test")
    assert f"RL {config.battery.pulse_load_ohm:g} Ω" in text
    assert f"shunt {config.power_meter.shunt_ohm:g} Ω" in text
    assert f"I2C bus {config.power_meter.i2c_bus} at 0x{config.power_meter.address:02X}" in text
    assert f"battery.pulse_s = {config.battery.pulse_s:g} s" in text


def test_schematic_sources_sit_beside_the_svgs() -> None:
    source = (HARDWARE / "schematics" / "draw.py").read_text(encoding="utf-8")
    for name in SCHEMATICS:
        assert f'"{name}": {name},' in source
        assert (HARDWARE / "schematics" / f"{name}.svg").stat().st_size > 1000


# --------------------------------------------------------------------------------------------------- docs


def relative_links(markdown: Path) -> list[str]:
    text = markdown.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    return [t.split("#")[0] for t in targets if not re.match(r"[a-z]+://", t) and not t.startswith("#")]


@pytest.mark.parametrize("readme", [HARDWARE / "README.md", HARDWARE / "BUILD.md", WIRING / "README.md"])
def test_document_links_point_at_files_that_exist(readme: Path) -> None:
    links = relative_links(readme)
    assert links
    for target in links:
        assert (readme.parent / target).exists(), f"{readme.relative_to(ROOT)} links missing {target}"


def test_hardware_readme_links_the_bom_build_notes_and_every_schematic() -> None:
    links = set(relative_links(HARDWARE / "README.md"))
    assert {"bom.csv", "BUILD.md"} <= links
    assert {f"schematics/{name}.svg" for name in SCHEMATICS} <= links


def test_wiring_readme_links_every_source_drawing_and_bom() -> None:
    links = set(relative_links(WIRING / "README.md"))
    for name in ("harness", "power", "serial_relays", "harness-4slot"):
        assert {f"{name}.yml", f"{name}.svg", f"{name}.bom.tsv"} <= links
    assert "pinmap.csv" in links


def test_build_notes_cover_what_a_technician_needs() -> None:
    text = (HARDWARE / "BUILD.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    for needed in ("Assembly", "Setting the comparator threshold", "Calibrating the INA219 and the load resistor",
                   "Fail-safe wiring", "Safety", "What changes on a Raspberry Pi 4"):
        assert needed in headings, f"BUILD.md lacks a '{needed}' section"
    for topic in ("Mains.", "Lithium cells.", "Heat.", "LCUS serial alternative keeps its last state"):
        assert topic in text


def test_build_notes_fit_the_led_low_pass_and_set_the_threshold_on_the_dimmest_colour() -> None:
    """Issue 18 items 7 and 10: the standard build filters a PWM-driven LED into one pulse (an RC of a few ms
    before the comparator), and the threshold is set on the dimmest LED colour, measured behind the filter."""
    text = (HARDWARE / "BUILD.md").read_text(encoding="utf-8")
    section = text.split("## LED front end: the RC low-pass and the threshold on the dimmest LED colour")[1]
    section = section.split("\n## ")[0]
    r_ohm, c_f = 10e3, 330e-9
    assert "10 kΩ" in section and "330 nF" in section
    tau_ms = r_ohm * c_f * 1e3
    assert 2.0 <= tau_ms <= 5.0 and f"τ = RC = {tau_ms:.1f} ms" in section   # a few ms: PWM periods are <= 2 ms
    assert "every colour" in section.lower() or "**every colour**" in section
    assert "V_lit,min" in section and "TP1F" in section


# ----------------------------------------------------------------------------------------------- pinouts


def test_pinout_table_follows_the_datasheets() -> None:
    sys.path.insert(0, str(HARDWARE / "schematics"))
    from pinouts import DATASHEETS, PINOUTS

    assert PINOUTS["TSL257"] == {"GND": "1", "VDD": "2", "OUT": "3"}  # TAOS023, Terminal Functions
    assert PINOUTS["LM393"]["1IN-"] == "2" and PINOUTS["LM393"]["VCC"] == "8" and PINOUTS["LM393"]["GND"] == "4"
    assert set(DATASHEETS) == set(PINOUTS)


def test_the_drawings_take_every_pin_number_from_the_table() -> None:
    source = (HARDWARE / "schematics" / "draw.py").read_text(encoding="utf-8")
    assert "from pinouts import pin" in source
    assert 'pin("TSL257", name)' in source
    assert not re.search(r'pin="\d+"', source)  # no pin number typed into a drawing
    svg = schematic_text("photodiode_front_end")
    assert "U1 TSL257" in svg


# ------------------------------------------------------------------------------------- drawing legibility


def _fit_text() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fit_text", WIRING / "fit_text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fit_text_shrinks_every_font_size_once() -> None:
    fit_text = _fit_text()
    svg = '<svg><text font-size="14.00">a</text><text font-size="10">b</text></svg>'
    fitted = fit_text.fit(svg)
    assert 'font-size="13.30"' in fitted and 'font-size="9.50"' in fitted
    assert fit_text.fit(fitted) == fitted  # render.sh may run it again on a fitted file


@pytest.mark.parametrize("name", ["harness", "power", "serial_relays", "harness-4slot"])
def test_harness_drawings_draw_text_no_wider_than_graphviz_measured_it(name: str) -> None:
    """Graphviz measures with hinted advances, up to ~4 % narrower than viewers draw: unfitted, long labels
    overflowed their cells and the K3 note was cut at the canvas edge."""
    svg = (WIRING / f"{name}.svg").read_text(encoding="utf-8")
    assert _fit_text().MARK in svg
    sizes = {float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)}
    assert sizes and max(sizes) <= 14 * 0.95 + 1e-9
    assert "fit_text.py" in (WIRING / "render.sh").read_text(encoding="utf-8")


def test_long_harness_notes_are_broken_into_short_lines() -> None:
    for name in ("harness.yml", "power.yml"):
        data = yaml.safe_load((WIRING / name).read_text(encoding="utf-8"))
        for part in list(data.get("connectors", {}).values()) + list(data.get("cables", {}).values()):
            for line in str(part.get("notes") or "").splitlines():
                assert len(line) <= 64, f"{name}: note line too long for its box: {line!r}"


def test_schematics_name_the_font_schemdraw_measures_with() -> None:
    """schemdraw lays text out with Arial's metrics; a generic sans-serif (DejaVu Sans, ~10 % wider) cut the
    labels at the drawings' edges."""
    for name in SCHEMATICS:
        svg = (HARDWARE / "schematics" / f"{name}.svg").read_text(encoding="utf-8")
        families = set(re.findall(r'font-family="([^"]+)"', svg))
        assert families and all(f.startswith("Arial") for f in families), (name, families)
