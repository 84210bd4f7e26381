"""The reference 4-slot fixture (rig/defaults/fixture-4slot.toml) and its wiring (wiring/harness-4slot.yml,
wiring/pinmap-4slot.csv) are one source of truth: wiring/slots_check.py finds every disagreement, both ways.
Each mutation changes one fact on one side and the check must name it. The TOML is read with tomllib, so the
check does not depend on the rig's configuration model.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from tests.test_wiring_matches_config import _edit
from tests.test_wiring_matches_config import _problems_about as _about

ROOT = Path(__file__).resolve().parents[1]
WIRING = ROOT / "wiring"
FIXTURE = ROOT / "rig" / "defaults" / "fixture-4slot.toml"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


slots_check = _load("wiring_slots_check", WIRING / "slots_check.py")
pinouts = _load("schematic_pinouts_4slot", ROOT / "hardware" / "schematics" / "pinouts.py")


def _fixture_with(tmp_path: Path, old: str, new: str) -> dict:
    path = tmp_path / "fixture-4slot.toml"
    shutil.copy(FIXTURE, path)
    _edit(path, old, new)
    return slots_check.load_fixture(path)



# ------------------------------------------------------------------------------------------ the reference agrees


def test_the_4slot_fixture_matches_its_wiring() -> None:
    assert slots_check.check(slots_check.load_fixture()) == []


def test_every_slot_fact_of_the_toml_has_its_pin_map_row() -> None:
    """Read the TOML and the CSV directly (not through the checker)."""
    fixture = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))
    assert fixture["bench"]["slots"] == 4
    with (WIRING / "pinmap-4slot.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["config_key"]: row for row in csv.DictReader(handle) if row["config_key"]}
    for number, slot in fixture["slots"].items():
        row = rows[f"slots.{number}.photodiode.pin"]
        assert (int(row["bcm"]), row["kind"], row["active"]) == (slot["photodiode"]["pin"], "gpio", "low")
        assert int(rows[f"slots.{number}.power_meter.address"]["i2c_address"], 16) == slot["power_meter"]["address"]
        outlet = slot["outlets"]["camera"]
        row = rows[f"slots.{number}.outlets.camera"]
        assert (int(row["i2c_address"], 16), int(row["line"]), row["contact"]) == (outlet["address"], outlet["line"],
                                                                                    "NC")
        for name, actuator in slot["actuators"].items():
            row = rows[f"slots.{number}.actuators.{name}"]
            assert (int(row["i2c_address"], 16), int(row["line"])) == (actuator["expander"], actuator["line"])
            assert row["active"] == ("high" if actuator["active_high"] else "low")
            port = pinouts.expander_port(actuator["line"])
            assert row["chip_pin"] == pinouts.pin("MCP23017", port) and row["notes"].startswith(port)


def test_the_harness_wires_each_expander_line_from_its_datasheet_pin() -> None:
    data = yaml.safe_load((WIRING / "harness-4slot.yml").read_text(encoding="utf-8"))
    for designator in ("A6_U1", "A6_U2"):
        chip = data["connectors"][designator]
        for number, label in zip(chip["pins"], chip["pinlabels"], strict=True):
            assert str(number) == pinouts.pin("MCP23017", label), (designator, number, label)


def test_mcp23017_pinout_is_the_datasheet_s() -> None:
    """DS20001952 (SPDIP-28): SCL 12, SDA 13, A0-A2 15-17, RESET 18, VDD 9, VSS 10, GPA0-7 21-28, GPB0-7 1-8."""
    table = pinouts.PINOUTS["MCP23017"]
    assert (table["SCL"], table["SDA"], table["RESET"], table["VDD"], table["VSS"]) == ("12", "13", "18", "9", "10")
    assert [table[f"A{n}"] for n in range(3)] == ["15", "16", "17"]
    assert [table[f"GPA{n}"] for n in range(8)] == [str(n) for n in range(21, 29)]
    assert [table[f"GPB{n}"] for n in range(8)] == [str(n) for n in range(1, 9)]
    assert pinouts.expander_port(0) == "GPA0" and pinouts.expander_port(13) == "GPB5"
    with pytest.raises(ValueError):
        pinouts.expander_port(16)


# ------------------------------------------------------------------------ the configuration changes, wiring not


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("[slots.2.photodiode]\npin = 27", "[slots.2.photodiode]\npin = 24",
         "slots.2.photodiode.pin: config says GPIO24, pinmap-4slot.csv line 10 says GPIO27"),
        ("[slots.3.power_meter]\naddress = 0x44", "[slots.3.power_meter]\naddress = 0x42",
         "slots.3.power_meter.address: config says address 0x42"),
        ("address = 0x21\nline = 0", "address = 0x21\nline = 6", "slots.4.outlets.camera: config says line 6"),
        ("[slots.2.actuators.load_switch]\nexpander = 0x20\nline = 5\nactive_high = true",
         "[slots.2.actuators.load_switch]\nexpander = 0x20\nline = 5\nactive_high = false",
         "slots.2.actuators.load_switch: config says active low"),
        ("line = 8\nactive_low = true\nnormally_on = true", "line = 8\nactive_low = true\nnormally_on = false",
         "slots.3.outlets.camera: config says normally off"),
        ("[slots.4.photodiode]\npin = 23", "[slots.4.photodiode]\npin = 17",
         "GPIO17 is used by photodiode.pin and slots.4.photodiode.pin"),
        ("[slots.4.photodiode]\npin = 23", "[slots.4.photodiode]\npin = 14",
         "GPIO14 is used by sync_module_led.pin and slots.4.photodiode.pin"),
        ("[slots.2.power_meter]\naddress = 0x41", "[slots.2.power_meter]\naddress = 0x40",
         "I2C address 0x40 is used by power_meter.address and slots.2.power_meter.address"),
        ("[slots.4.actuators.reset_button]\nexpander = 0x21\nline = 3",
         "[slots.4.actuators.reset_button]\nexpander = 0x20\nline = 3",
         "expander 0x20 line 3 is used by slots.2.actuators.reset_button and slots.4.actuators.reset_button"),
        ("[slots.4.photodiode]", "[slots.5.photodiode]\npin = 24\n\n[slots.4.photodiode]",
         "slots.5.photodiode.pin: the config gives it GPIO24 but pinmap-4slot.csv has no row"),
        ("[slots.4.actuators.load_switch]\nexpander = 0x21\nline = 5\nactive_high = true", "",
         "slots.4.actuators.load_switch is not in the 4-slot configuration"),
    ],
)
def test_a_configuration_change_the_wiring_does_not_follow_is_named(tmp_path: Path, old: str, new: str,
                                                                     named: str) -> None:
    problems = slots_check.check(_fixture_with(tmp_path, old, new))
    assert _about(problems, named), problems


def test_dropping_an_expander_from_the_config_leaves_its_pin_map_row_unexplained(tmp_path: Path) -> None:
    path = tmp_path / "fixture-4slot.toml"
    text = FIXTURE.read_text(encoding="utf-8")
    path.write_text(text.split("[slots.4.photodiode]")[0], encoding="utf-8")
    problems = slots_check.check(slots_check.load_fixture(path))
    assert _about(problems, "an expander at 0x21 the configuration does not use")
    assert _about(problems, "slots.4.outlets.camera is not in the 4-slot configuration")


# ------------------------------------------------------------------------ the wiring changes, configuration not


def test_a_photodiode_wire_moved_to_another_header_pin_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness-4slot.yml", "    - J8: [13]", "    - J8: [18]")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert _about(problems, "J8 pin 18 is wired to S2_A2:OUT but pinmap-4slot.csv has no row")
    assert _about(problems, "(header pin 13): goes to S2_A2:OUT but harness-4slot.yml wires it to nothing")


def test_an_ina219_strapped_to_another_address_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness-4slot.yml", "I2C address 0x44 (A1 bridged", "I2C address 0x42 (A1 bridged")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert problems == ["slots.3.power_meter.address: config says 0x44, harness-4slot.yml S3_A3 says 0x42"]


def test_an_expander_strapped_to_another_address_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness-4slot.yml", "I2C address 0x21: A0", "I2C address 0x22: A0")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert _about(problems, "slots.4.outlets.camera: harness-4slot.yml has no MCP23017 strapped to 0x21")
    assert _about(problems, "has no MCP23017 A6_U2 strapped to 0x21")


def test_two_expander_lines_swapped_in_the_harness_are_reported(wiring_copy: Path) -> None:
    path = wiring_copy / "harness-4slot.yml"
    _edit(path, "    - A6_U1: [GPA3, GPA4]", "    - A6_U1: [GPA4, GPA3]")
    problems = slots_check.check(slots_check.load_fixture(), path.parent)
    assert _about(problems, "slots.2.actuators.reset_button: pinmap-4slot.csv line 15 goes to S2_A4_IN:IN_RESET "
                            "but harness-4slot.yml wires A6_U1 GPA3 to S2_A4_IN:IN_STIM")
    assert _about(problems, "slots.2.actuators.motion_stimulus")


def test_a_chip_pin_that_is_not_the_line_s_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "pinmap-4slot.csv", "expander,,,0x20,8,1,", "expander,,,0x20,8,2,")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert _about(problems, "slots.3.outlets.camera: line 8 is GPB0, pin 1 of the MCP23017 (DS20001952); "
                            "pinmap-4slot.csv line 20 says pin 2")


def test_a_polarity_label_that_disagrees_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness-4slot.yml",
          "  S3_A5_IN:\n    type: Battery board inputs, slot 3\n    subtype: 2-way terminal\n"
          "    manufacturer: Phoenix Contact\n    mpn: \"1935161\"\n    pinlabels: [GND, IN_LOAD (active high)]",
          "  S3_A5_IN:\n    type: Battery board inputs, slot 3\n    subtype: 2-way terminal\n"
          "    manufacturer: Phoenix Contact\n    mpn: \"1935161\"\n    pinlabels: [GND, IN_LOAD (active low)]")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert problems == ["slots.3.actuators.load_switch: config says active high, harness-4slot.yml labels "
                        "S3_A5_IN:IN_LOAD 'IN_LOAD (active low)'"]


def test_a_missing_pin_map_row_is_reported_from_both_sides(wiring_copy: Path) -> None:
    path = wiring_copy / "pinmap-4slot.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("slots.4.actuators.motion_light,")),
                    encoding="utf-8")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert _about(problems, "slots.4.actuators.motion_light: the config gives it expander 0x21 line 2 but "
                            "pinmap-4slot.csv has no row")
    assert _about(problems, "harness-4slot.yml: A6_U2 GPA2 (0x21) is wired to S4_K3:CH3 IN but pinmap-4slot.csv "
                            "has no row")


def test_an_ina219_left_off_the_bus_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness-4slot.yml", "    - W15: [1, 2, 3, 4]\n    - S4_A3: [1, 2, 3, 4]",
          "    - W15: [1, 2]\n    - S4_A3: [1, 2]")
    _edit(wiring_copy / "harness-4slot.yml", "    - A6_BUS: [1, 3, 5, 4]\n    - W15:",
          "    - A6_BUS: [1, 3]\n    - W15:")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert _about(problems, "slots.4.power_meter.address: harness-4slot.yml does not wire S4_A3 SDA to the bus")
    assert _about(problems, "slots.4.power_meter.address: harness-4slot.yml does not wire S4_A3 SCL to the bus")


def test_bus_rows_on_other_pins_are_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "pinmap-4slot.csv", "power_meter.i2c_bus,i2c,3,5,", "power_meter.i2c_bus,i2c,1,28,")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert _about(problems, "power_meter.i2c_bus: config says bus 1, pinmap-4slot.csv wires GPIO1, GPIO2")


def test_a_pin_map_with_the_wrong_header_is_refused_in_one_line(wiring_copy: Path) -> None:
    _edit(wiring_copy / "pinmap-4slot.csv", "config_key,kind,", "key,kind,")
    problems = slots_check.check(slots_check.load_fixture(), wiring_copy)
    assert _about(problems, "pinmap-4slot.csv: header must be config_key,kind,bcm")
    assert all("\n" not in p for p in problems)


def test_the_4slot_render_is_checked_for_staleness(wiring_copy: Path) -> None:
    crosscheck = sys.modules.get("crosscheck") or _load("crosscheck", WIRING / "crosscheck.py")
    assert "harness-4slot.yml" in crosscheck.HARNESS_FILES
    _edit(wiring_copy / "harness-4slot.yml", "    - J8: [13]", "    - J8: [18]")
    assert crosscheck.stale_renders(wiring_copy) == [
        "harness-4slot.svg: stale, lacks 'J8:18:GPIO24'; run wiring/render.sh"]


# ------------------------------------------------------------------------------------------------- the CLI


def test_cli_says_the_4slot_fixture_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert slots_check.main([]) == 0
    assert capsys.readouterr().out.strip() == "4-slot wiring matches fixture-4slot.toml"


def test_cli_prints_each_disagreement(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.toml"
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace("pin = 22", "pin = 25"), encoding="utf-8")
    assert slots_check.main([str(path)]) == 1
    assert "slots.3.photodiode.pin: config says GPIO25" in capsys.readouterr().out


def test_cli_refuses_a_bad_toml_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.toml"
    path.write_text("[slots.2\npin = ", encoding="utf-8")
    assert slots_check.main([str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(str(path)) and "\n" not in err


# ---------------------------------------------------------------------------------------- the expander drawing


def expander_labels(pinmap: Path = WIRING / "pinmap-4slot.csv") -> list[str]:
    """The label hardware/schematics/expanders.svg must show for each expander line of the pin map."""
    with pinmap.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["kind"] == "expander"]
    labels = []
    for row in rows:
        slot, _, key = row["config_key"].removeprefix("slots.").partition(".")
        labels.append(f"line {row['line']}: slot {slot} {key} → {row['to']}, active {row['active']}")
    return labels


def drawing_text() -> str:
    crosscheck = sys.modules.get("crosscheck") or _load("crosscheck", WIRING / "crosscheck.py")
    return crosscheck.svg_text((ROOT / "hardware" / "schematics" / "expanders.svg").read_text(encoding="utf-8"))


def drawing_lacks(labels: list[str]) -> list[str]:
    text = drawing_text()
    return [label for label in labels if label not in text]


def test_the_expander_drawing_shows_every_line_and_the_datasheet_pins() -> None:
    labels = expander_labels()
    assert len(labels) == 18
    assert drawing_lacks(labels) == []
    text = drawing_text()
    for name in ("VDD", "VSS", "SCL", "SDA", "A0", "A1", "A2", "RESET", "GPB5", "GPA5"):
        assert name in text.splitlines() and pinouts.pin("MCP23017", name) in text.splitlines()
    assert "I2C 0x20" in text and "I2C 0x21" in text


def test_an_expander_drawing_left_behind_by_the_pin_map_is_caught(wiring_copy: Path) -> None:
    _edit(wiring_copy / "pinmap-4slot.csv", "0x21,3,24,high,down,S4_A4_IN:IN_RESET",
          "0x21,3,24,low,up,S4_A4_IN:IN_RESET")
    assert drawing_lacks(expander_labels(wiring_copy / "pinmap-4slot.csv")) == [
        "line 3: slot 4 actuators.reset_button → S4_A4_IN:IN_RESET, active low"]
