"""One source of truth: the wiring in wiring/ and the rig's default configuration must agree.

The harness YAML and wiring/pinmap.csv are read with PyYAML and csv only (no Graphviz), through
wiring/crosscheck.py, and compared with ``rig.core.config.load_config()``. Every mutation test changes one fact on
one side, the configuration or the wiring, and checks that the comparison names it: a checker that always
agreed would fail them. The committed SVG and BOM renders are checked against what the YAML determines.
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

from rig.core.config import load_config, parse_config

ROOT = Path(__file__).resolve().parents[1]
WIRING = ROOT / "wiring"


def _load_crosscheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wiring_crosscheck", WIRING / "crosscheck.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


crosscheck = _load_crosscheck()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _problems_about(problems: list[str], needle: str) -> list[str]:
    return [p for p in problems if needle in p]


# ------------------------------------------------------------------------------------------ the default agrees


def test_default_configuration_matches_the_wiring() -> None:
    assert crosscheck.check(load_config()) == []


def test_every_configured_gpio_is_wired_from_the_header_pin_that_carries_it() -> None:
    """Read harness.yml directly (not through the checker): each config pin leaves the right header pin."""
    config = load_config()
    data = yaml.safe_load((WIRING / "harness.yml").read_text(encoding="utf-8"))
    header_labels = data["connectors"]["J8"]["pinlabels"]
    wired_header_pins = set()
    for connection in data["connections"]:
        (name, pins), _cable, _end = (next(iter(entry.items())) for entry in connection)
        if name == "J8":
            wired_header_pins.update(pins)
    for key, bcm in config.gpio_pins().items():
        header_pin = next(n for n, label in enumerate(header_labels, start=1) if label.split(" (")[0] == f"GPIO{bcm}")
        assert header_pin in wired_header_pins, f"{key}: GPIO{bcm} (header pin {header_pin}) is not wired"
    sda, scl = (next(n for n, label in enumerate(header_labels, start=1) if label.startswith(f"GPIO{bcm} "))
                for bcm in (2, 3))
    assert {sda, scl} <= wired_header_pins
    assert f"0x{config.power_meter.address:02x}" in data["connectors"]["A3"]["notes"]


def test_pinmap_rows_name_every_configured_pin_once() -> None:
    config = load_config()
    with (WIRING / "pinmap.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    keyed = {row["config_key"]: row for row in rows if row["config_key"].endswith(".pin")}
    assert {key: int(row["bcm"]) for key, row in keyed.items()} == config.gpio_pins()
    for name, outlet in config.outlets.items():
        assert int(keyed[f"outlets.{name}.pin"]["serial_channel"]) == outlet.channel


def test_readme_pin_map_table_matches_the_configuration() -> None:
    """The human pin map in wiring/README.md is checked too, so it cannot drift from the code."""
    config = load_config()
    readme = (WIRING / "README.md").read_text(encoding="utf-8")
    for key, want in crosscheck.expected_pins(config).items():
        rows = [line for line in readme.splitlines() if f"`{key}`" in line]
        assert len(rows) == 1, f"wiring/README.md pin map needs exactly one row for {key}"
        cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
        assert cells[1] == f"GPIO{want.bcm}", rows[0]
        assert cells[3].startswith(want.active), rows[0]


# ------------------------------------------------------------------------ the configuration changes, wiring not


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("[outlets.router]\npin = 22", "outlets.router.pin"),
        ("[outlets.sync_module]\npin = 23", "outlets.sync_module.pin"),
        ("[outlets.camera]\npin = 24", "outlets.camera.pin"),
        ("[photodiode]\npin = 27", "photodiode.pin"),
        ("[actuators.reset_button]\npin = 19", "actuators.reset_button.pin"),
        ("[actuators.motion_stimulus]\npin = 25", "actuators.motion_stimulus.pin"),
        ("[actuators.load_switch]\npin = 18", "actuators.load_switch.pin"),
        ("[actuators.battery_changeover]\npin = 4", "actuators.battery_changeover.pin"),
        ("[actuators.motion_light]\npin = 7", "actuators.motion_light.pin"),
        ("[power_meter]\naddress = 0x41", "power_meter.address"),
        ("[power_meter]\ni2c_bus = 0", "power_meter.i2c_bus"),
        ("[power_meter]\nshunt_ohm = 0.05", "power_meter.shunt_ohm"),
        ("[outlets.camera]\nactive_low = false", "outlets.camera.pin"),
        ("[outlets.router]\nactive_low = true", "outlets.router.pin"),
        ("[photodiode]\nactive_high = true", "photodiode.pin"),
        ("[photodiode]\npull_up = false", "photodiode.pin"),
        ("[sync_module_led]\npin = 15", "sync_module_led.pin"),
        ("[sync_module_led]\nactive_high = true", "sync_module_led.pin"),
        ("[sync_module_led]\npull_up = false", "sync_module_led.pin"),
        ("[actuators.load_switch]\nactive_high = false", "actuators.load_switch.pin"),
        ("[actuators.motion_light]\nactive_high = true", "actuators.motion_light.pin"),
        ("[outlets.router]\nchannel = 2\n[outlets.sync_module]\nchannel = 1", "outlets.router.channel"),
        ("[outlets.camera]\nchannel = 4", "outlets.camera.channel"),
        ("[outlets.router]\nnormally_on = false\nnot_fail_safe_ok = true", "outlets.router.normally_on"),
        ("[outlets.camera]\nnormally_on = false\nnot_fail_safe_ok = true", "outlets.camera.normally_on"),
        ("[relays]\nbaud = 19200", "relays.baud"),
        ("[battery]\npulse_load_ohm = 4.7", "battery.pulse_load_ohm"),
    ],
)
def test_a_configuration_change_the_wiring_does_not_follow_is_named(override: str, named: str) -> None:
    problems = crosscheck.check(parse_config(override, "mutated config"))
    assert _problems_about(problems, named), f"{override!r} gave {problems}"


def test_a_moved_pin_is_reported_with_both_sides() -> None:
    problems = crosscheck.check(parse_config("[outlets.router]\npin = 22"))
    assert problems == ["outlets.router.pin: config says GPIO22, pinmap.csv line 15 (header pin 29) says GPIO5"]


def test_calibrated_values_within_the_parts_tolerance_still_match() -> None:
    assert crosscheck.check(parse_config("[battery]\npulse_load_ohm = 3.35\n[power_meter]\nshunt_ohm = 0.101")) == []
    problems = crosscheck.check(parse_config("[battery]\npulse_load_ohm = 3.6"))
    assert _problems_about(problems, "battery.pulse_load_ohm: config says 3.6 Ω, power.yml RL says 3.3 Ω")


# ------------------------------------------------------------------------ the wiring changes, configuration not


def test_a_wire_moved_to_another_header_pin_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness.yml", "    - J8: [29, 14]", "    - J8: [22, 14]")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "J8 pin 22 is wired to K1:TRIG+ but pinmap.csv has no row")
    assert _problems_about(problems, "(header pin 29): goes to K1:TRIG+ but harness.yml wires it to nothing")


def test_the_sync_module_light_wire_moved_off_the_uart_pin_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness.yml", "    - J8: [1, 2, 34, 8]", "    - J8: [1, 2, 34, 10]")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "J8 pin 10 is wired to A7:OUT but pinmap.csv has no row")
    assert _problems_about(problems, "(header pin 8): goes to A7:OUT but harness.yml wires it to nothing")


def test_two_actuators_swapped_in_the_pin_map_are_reported(wiring_copy: Path) -> None:
    path = wiring_copy / "pinmap.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("actuators.motion_stimulus.pin", "SWAP").replace(
        "actuators.reset_button.pin", "actuators.motion_stimulus.pin").replace("SWAP", "actuators.reset_button.pin")
    path.write_text(text, encoding="utf-8")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "actuators.reset_button.pin: config says GPIO16")
    assert _problems_about(problems, "actuators.motion_stimulus.pin: config says GPIO12")


def test_a_polarity_label_that_disagrees_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness.yml", "CH1 IN (active low)", "CH1 IN (active high)")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "outlets.camera.pin: config says active low, harness.yml labels K3 pin 37")


def test_the_camera_supply_on_the_normally_open_contact_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "power.yml", "    - K3: [6, 4, 3]", "    - K3: [6, 4, 1]")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "outlets.camera.pin: pinmap.csv says NC, power.yml leaves K3 CH1 NC unwired")
    assert _problems_about(problems, "outlets.camera.pin: pinmap.csv says NC, power.yml wires K3 CH1 NO")


def test_the_changeover_must_use_both_contacts(wiring_copy: Path) -> None:
    _edit(wiring_copy / "power.yml", "    - K3: [6, 4, 3]", "    - K3: [6, 7, 3]")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "actuators.battery_changeover.pin: pinmap.csv says NO+NC, power.yml leaves "
                                     "K3 CH2 NO unwired")


def test_a_different_ina219_address_in_the_harness_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness.yml", "I2C address 0x40", "I2C address 0x44")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert problems == ["power_meter.address: config says 0x40, harness.yml A3 says 0x44"]


def test_swapped_lcus_channels_are_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "serial_relays.yml", "    - U1: [1]\n    - S2: [1]", "    - U1: [4]\n    - S2: [1]")
    _edit(wiring_copy / "serial_relays.yml", "    - U1: [4]\n    - S3: [1]", "    - U1: [1]\n    - S3: [1]")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "outlets.router.channel: config says channel 1, serial_relays.yml does not "
                                     "wire U1 channel 1 to K1:TRIG+")
    assert _problems_about(problems, "outlets.sync_module.channel")


def test_a_different_load_resistor_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "power.yml", "Load resistor 3.3 Ω 25 W", "Load resistor 4.7 Ω 25 W")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert problems == ["battery.pulse_load_ohm: config says 3.3 Ω, power.yml RL says 4.7 Ω"]


def test_a_mislabelled_header_pin_is_reported(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness.yml", "GPIO6, GPIO12, GPIO13", "GPIO6, GPIO13, GPIO12")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "harness.yml: J8 pin 32 is labelled 'GPIO13'; the Pi has GPIO12 there")


def test_a_missing_pin_map_row_is_reported(wiring_copy: Path) -> None:
    path = wiring_copy / "pinmap.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("11,")), encoding="utf-8")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "photodiode.pin: config says GPIO17 but pinmap.csv has no row")
    assert _problems_about(problems, "J8 pin 11 is wired to A2:OUT but pinmap.csv has no row for it")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("connectors: [unclosed", "harness.yml: not valid YAML"),
        ("- just a list", "harness.yml: not a WireViz harness"),
        ("connectors: {A: {pinlabels: [x]}}\ncables: {W: {wirecount: 1}}\nconnections:\n  - - A: [1]\n    - W: [1]\n",
         "harness.yml: connection 1: expected [connector, cable, connector]"),
        ("connectors: {A: {pinlabels: [x]}}\ncables: {W: {wirecount: 1}}\nconnections:\n"
         "  - - A: [1]\n    - W: [1]\n    - B: [1]\n", "harness.yml: connection 1: A, W or B is not defined"),
        ("connectors: {A: {pinlabels: [x]}, B: {pinlabels: [y]}}\ncables: {W: {wirecount: 1}}\nconnections:\n"
         "  - - A: [1, 2]\n    - W: [1]\n    - B: [1]\n", "list different numbers of pins"),
        ("connectors: {A: {pinlabels: [x]}, B: {pinlabels: [y]}}\ncables: {W: {wirecount: 1}}\nconnections:\n"
         "  - - A: [3]\n    - W: [1]\n    - B: [1]\n", "harness.yml: connection 1: pin A:3 does not exist"),
    ],
)
def test_a_broken_harness_file_gives_one_line_not_a_traceback(wiring_copy: Path, text: str, expected: str) -> None:
    (wiring_copy / "harness.yml").write_text(text, encoding="utf-8")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, expected), problems
    assert all("\n" not in p for p in problems)


def test_a_pin_map_with_the_wrong_header_is_refused(wiring_copy: Path) -> None:
    _edit(wiring_copy / "pinmap.csv", "header_pin,bcm,signal", "pin,bcm,signal")
    problems = crosscheck.check(load_config(), wiring_copy)
    assert _problems_about(problems, "pinmap.csv: header must be header_pin,bcm,signal")


# ------------------------------------------------------------------------------------- committed renders


def test_committed_renders_show_what_the_yaml_says() -> None:
    assert crosscheck.stale_renders() == []


def test_render_expectations_cover_every_wire_end() -> None:
    harness = crosscheck.load_harness(WIRING / "harness.yml")
    in_svg, in_bom = crosscheck.render_expectations(harness, (WIRING / "harness.yml").read_text(encoding="utf-8"))
    assert "J8:29:GPIO5" in in_svg and "K1:1:TRIG+ (active high)" in in_svg
    assert "A2:4:OUT (active low, pull-up)" in in_svg
    assert {"904", "11638", "2711"} <= set(in_bom)
    wire_ends = [item for item in in_svg if re.fullmatch(r"[A-Z0-9_]+:\d+:.*", item)]
    assert len(wire_ends) == 2 * len(harness.wires)


def test_a_yaml_edited_without_re_rendering_is_stale(wiring_copy: Path) -> None:
    _edit(wiring_copy / "harness.yml", "    - J8: [29, 14]", "    - J8: [22, 14]")
    stale = crosscheck.stale_renders(wiring_copy)
    assert stale == ["harness.svg: stale, lacks 'J8:22:GPIO25'; run wiring/render.sh"]


def test_a_renamed_part_number_makes_the_bom_stale(wiring_copy: Path) -> None:
    _edit(wiring_copy / "power.yml", "mpn: HS25 3R3 J", "mpn: HS25 4R7 J")
    stale = crosscheck.stale_renders(wiring_copy)
    assert "power.bom.tsv: stale, lacks 'HS25 4R7 J'; run wiring/render.sh" in stale


def test_a_missing_render_is_reported(wiring_copy: Path) -> None:
    (wiring_copy / "serial_relays.svg").unlink()
    stale = crosscheck.stale_renders(wiring_copy)
    assert len(stale) == 1 and stale[0].startswith("serial_relays.svg: cannot read the render")


# ------------------------------------------------------------------------------------------------- the CLI


def test_cli_says_the_default_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert crosscheck.main([]) == 0
    assert capsys.readouterr().out.strip() == "wiring matches the default fixture"


def test_cli_prints_each_disagreement_of_a_bench_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = tmp_path / "bench.toml"
    bench.write_text("[actuators.reset_button]\npin = 19\n", encoding="utf-8")
    assert crosscheck.main([str(bench)]) == 1
    out = capsys.readouterr().out
    assert "actuators.reset_button.pin: config says GPIO19, pinmap.csv line 21 (header pin 36) says GPIO16" in out


def test_cli_refuses_a_bad_config_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = tmp_path / "bench.toml"
    bench.write_text("[photodiode]\npin = 99\n", encoding="utf-8")
    assert crosscheck.main([str(bench)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(str(bench)) and "photodiode.pin" in err and "\n" not in err
