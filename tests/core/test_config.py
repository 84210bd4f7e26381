"""The fixture configuration: the default is complete and valid; every kind of bad value is one clear line."""

from __future__ import annotations

import tomllib

import pytest
from pydantic import ValidationError

from rig.core.config import ConfigError, RigConfig, default_config_text, load_config, parse_config


def test_default_fixture_is_complete() -> None:
    cfg = load_config()
    assert set(cfg.outlets) == {"router", "sync_module", "camera"}
    assert set(cfg.actuators) == {
        "reset_button", "motion_stimulus", "motion_light", "load_switch", "battery_changeover"
    }
    pins = list(cfg.gpio_pins().values())
    assert len(pins) == len(set(pins)), "default fixture uses a pin twice"
    assert not {2, 3} & set(pins)
    assert cfg.power_meter.address == 0x40


def test_user_file_overrides_only_what_it_says(tmp_path) -> None:
    path = tmp_path / "bench.toml"
    path.write_text("[photodiode]\npin = 4\n[power_meter]\naddress = 0x41\n")
    cfg = load_config(path)
    assert cfg.photodiode.pin == 4
    assert cfg.photodiode.active_high is False  # kept from the default
    assert cfg.power_meter.address == 0x41
    assert cfg.outlets["router"].pin == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[outlets.router]\npin = 17", "bench.toml: outlets.router.pin: GPIO17 is already used by photodiode.pin"),
        ("[actuators.load_switch]\npin = 3", "actuators.load_switch.pin: GPIO3 is an I2C pin"),
        ("[photodiode]\npin = 2", "photodiode.pin: GPIO2 is an I2C pin"),
        (
            '[relays]\nbackend = "serial"\n[outlets.camera]\nchannel = 1',
            "outlets.camera.channel: relay channel 1 is already used by outlets.router.channel",
        ),
        ("[photodiode]\npin = 40", "photodiode.pin: Input should be less than or equal to 27 (got 40)"),
        ('[photodiode]\npin = "seventeen"', "photodiode.pin: Input should be a valid integer"),
        ("[photodiode]\npinn = 4", "photodiode.pinn: Extra inputs are not permitted"),
        ("[power_meter]\naddress = 0x30", "power_meter.address: Input should be greater than or equal to 64"),
        ('[relays]\nbackend = "wifi"', "relays.backend: Input should be 'gpio' or 'serial'"),
        ("[timings]\nrouter_off_s = 10", "timings.router_off_s: Input should be greater than or equal to 30"),
        ("[timings]\ncamera_off_s = 300", "timings.camera_off_s: Input should be less than or equal to 120"),
        ("[outlets.fridge]\npin = 9", "outlets.fridge"),
        ("photodiode = 3", "photodiode: Input should be a valid dictionary"),
        ("[photodiode\npin = 4", "bench.toml: not valid TOML"),
    ],
)
def test_bad_values_give_one_line_naming_the_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "bench.toml")
    message = str(err.value)
    assert expected in message
    assert message.startswith("bench.toml: ")
    assert "\n" not in message


def test_serial_backend_needs_channels() -> None:
    """The default gives every outlet a channel, so build the data without one and validate it."""
    data = tomllib.loads(default_config_text())
    data["relays"]["backend"] = "serial"
    del data["outlets"]["router"]["channel"]
    with pytest.raises(ValidationError, match="outlets.router.channel: required when relays.backend = 'serial'"):
        RigConfig.model_validate(data)


def test_gpio_backend_needs_pins() -> None:
    data = tomllib.loads(default_config_text())
    del data["outlets"]["camera"]["pin"]
    with pytest.raises(ValidationError, match="outlets.camera.pin: required when relays.backend = 'gpio'"):
        RigConfig.model_validate(data)


def test_missing_part_is_named() -> None:
    data = tomllib.loads(default_config_text())
    del data["actuators"]["reset_button"]
    with pytest.raises(ValidationError, match="actuators.reset_button: missing"):
        RigConfig.model_validate(data)


def test_unreadable_file_is_named(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read the config"):
        load_config(tmp_path / "nope.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="bin.toml: not a UTF-8 text file"):
        load_config(binary)
