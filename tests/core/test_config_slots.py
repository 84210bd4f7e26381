"""A fixture of several slots in the config (docs/DESIGN.md, "Slots"): [slots.N] tables, checked across slots."""

from __future__ import annotations

from importlib import resources

import pytest

from rig.core.config import ConfigError, load_config, parse_config, with_reference_slots

FOUR_SLOTS = resources.files("rig.defaults").joinpath("fixture-4slot.toml").read_text(encoding="utf-8")


def test_the_reference_four_slot_fixture_is_valid_and_slot_1_is_the_top_level_tables() -> None:
    config = parse_config(FOUR_SLOTS, "fixture-4slot.toml")
    assert config.slot_count == 4
    assert config.slot_config(1) is config
    assert [config.slot_config(n).power_meter.address for n in range(1, 5)] == [0x40, 0x41, 0x44, 0x45]
    slot4 = config.slot_config(4)
    assert slot4.outlets["camera"].backend == "mcp23017" and slot4.outlets["camera"].settings.address == 0x21
    assert slot4.actuators["load_switch"].expander == 0x21 and slot4.actuators["load_switch"].line == 5
    # The shared bench is the same in every slot.
    assert slot4.outlets["router"] == config.outlets["router"] and slot4.network == config.network


def test_a_single_slot_config_is_unchanged() -> None:
    config = load_config()
    assert config.slot_count == 1 and config.slots == {} and config.bench.slots is None


def refusal(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(FOUR_SLOTS + text, "f.toml")
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("table, expected", [
    ("[slots.5.photodiode]\npin = 24\n", "slots.5: beyond bench.slots = 4"),
    ("[slots.9.photodiode]\npin = 24\n", "slots.9: a slot number from 2 to 8"),
])
def test_slot_numbers_follow_bench_slots(table, expected) -> None:
    assert expected in refusal(table)


def test_a_missing_slot_is_named() -> None:
    text = FOUR_SLOTS.replace("slots = 4", "slots = 5")
    with pytest.raises(ConfigError, match=r"slots\.5: missing \(bench\.slots = 5\)"):
        parse_config(text, "f.toml")


@pytest.mark.parametrize("old, new, expected", [
    ("[slots.3.photodiode]\npin = 22", "[slots.3.photodiode]\npin = 27",
     "slots.3.photodiode.pin: GPIO27 is already used by slots.2.photodiode.pin"),
    ("[slots.3.photodiode]\npin = 22", "[slots.3.photodiode]\npin = 5",
     "slots.3.outlets.router.pin: GPIO5 is already used by slots.3.photodiode.pin"),
    ("address = 0x44", "address = 0x41",
     "slots.3.power_meter.address: 0x41 on I2C bus 1 is already used by slots.2.power_meter.address"),
    ("expander = 0x21\nline = 5", "expander = 0x21\nline = 0",
     "slots.4.actuators.load_switch.line: MCP23017 0x21 line 0 is already used by slots.4.outlets.camera.line"),
    ("address = 0x20\nline = 8", "address = 0x20\nline = 1",
     "slots.3.outlets.camera.line: MCP23017 0x20 line 1 is already used by slots.2.actuators.battery_changeover.line"),
])
def test_pins_addresses_and_lines_are_unique_across_slots(old, new, expected) -> None:
    assert old in FOUR_SLOTS
    with pytest.raises(ConfigError) as caught:
        parse_config(FOUR_SLOTS.replace(old, new, 1), "f.toml")
    assert expected in str(caught.value)


def test_an_actuator_is_on_a_pin_or_an_expander_line_not_both() -> None:
    text = FOUR_SLOTS.replace("[slots.2.actuators.load_switch]\nexpander = 0x20",
                              "[slots.2.actuators.load_switch]\npin = 24\nexpander = 0x20")
    with pytest.raises(ConfigError, match="either pin .* or expander and line"):
        parse_config(text, "f.toml")


def test_reference_slots_fill_up_to_eight_without_a_clash() -> None:
    config = with_reference_slots(load_config(), 8)
    assert config.slot_count == 8
    assert sorted(config.slot_config(n).power_meter.address for n in range(1, 9)) == list(range(0x40, 0x48))
    widened = with_reference_slots(parse_config(FOUR_SLOTS, "f"), 6)
    assert widened.slot_config(5).outlets["camera"].settings.where() == "MCP23017 0x21 line 8"
    with pytest.raises(ConfigError, match="at most 8"):
        with_reference_slots(load_config(), 9)
