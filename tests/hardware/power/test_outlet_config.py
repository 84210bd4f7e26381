"""Outlets in the config: a backend per outlet, the legacy ``relays.backend`` shorthand, the fail-safe
acknowledgement, and each backend's keys checked in one line."""

from __future__ import annotations

import pytest

from rig.core.config import DEFAULT_SERIAL_PORT, ConfigError, load_config, parse_config
from rig.hardware.power.lcus import port_warning

MIXED = """
[outlets.router]
backend = "kasa"
host = "192.168.8.21"
not_fail_safe_ok = true
[outlets.sync_module]
backend = "lcus"
channel = 2
port = "/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0"
[outlets.camera]
backend = "gpio"
pin = 26
active_low = true
"""


def error(text: str) -> str:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "bench.toml")
    message = str(err.value)
    assert message.startswith("bench.toml: ") and "\n" not in message
    return message


def test_a_fixture_may_mix_backends_and_a_named_backend_table_stands_alone() -> None:
    cfg = parse_config(MIXED, "bench.toml")
    assert [cfg.outlets[n].backend for n in ("router", "sync_module", "camera")] == ["kasa", "lcus", "gpio"]
    assert cfg.outlets["router"].settings.where() == "Kasa plug 192.168.8.21:9999"
    assert cfg.outlets["sync_module"].settings.baud == 9600
    # Not merged with the default's relay keys: the router's GPIO5 is free, the camera's normally_on defaulted.
    assert "outlets.router.pin" not in cfg.gpio_pins()
    assert cfg.outlets["camera"].normally_on is True


def test_the_legacy_shorthand_still_works_with_the_default_channels() -> None:
    cfg = parse_config('[relays]\nbackend = "serial"\n', "s.toml")
    assert {n: (o.backend, o.settings.channel, o.settings.port) for n, o in cfg.outlets.items()} == {
        "router": ("lcus", 1, DEFAULT_SERIAL_PORT), "sync_module": ("lcus", 2, DEFAULT_SERIAL_PORT),
        "camera": ("lcus", 3, DEFAULT_SERIAL_PORT)}
    assert load_config().outlets["router"].backend == "gpio"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[outlets.router]\nnormally_on = false",
         "outlets.router: normally_on = false: a dead rig (or one that let go of its pins) leaves this outlet off "
         "(not fail-safe): set outlets.router.not_fail_safe_ok = true to accept that"),
        ('[relays]\nbackend = "serial"\n[outlets.camera]\nnormally_on = false',
         "outlets.camera: normally_on = false: a dead rig (or an unplugged board) leaves this outlet off"),
        ('[outlets.router]\nbackend = "kasa"\nhost = "10.0.0.2"',
         "outlets.router: a smart plug keeps its last state when the rig dies, so a crash mid-cycle leaves this "
         "outlet off for up to restore_after_s = 600 s (its countdown) (not fail-safe): set "
         "outlets.router.not_fail_safe_ok = true to accept that"),
        ('[outlets.router]\nbackend = "kasa"\nhost = "a"\nnot_fail_safe_ok = true\nrestore_after_s = 60\n'
         '[timings]\nrouter_off_s = 90', "outlets.router.restore_after_s: 60 s would switch the plug back on during "
         "a 90 s power cycle: make it longer"),
        ('[outlets.router]\nbackend = "kasa"\nhost = "a"\nnot_fail_safe_ok = true\nrestore_after_s = 30',
         "outlets.router.restore_after_s: Input should be greater than or equal to 60 (got 30)"),
        ('[outlets.router]\nnot_fail_safe_ok = "yes"', 'outlets.router.not_fail_safe_ok: must be true or false'),
        ('[outlets.router]\nbackend = "x10"', "outlets.router.backend: unknown outlet backend 'x10' (known: gpio, "),
        ('[outlets.router]\nbackend = "kasa"\nnot_fail_safe_ok = true', "outlets.router.host: required when "
         "backend = 'kasa'"),
        ('[outlets.router]\nbackend = "kasa"\nhost = ""\nnot_fail_safe_ok = true', "outlets.router.host: String "
         "should have at least 1 character"),
        ('[outlets.router]\nbackend = "kasa"\nhost = "a"\npin = 5\nnot_fail_safe_ok = true',
         "outlets.router.pin: Extra inputs are not permitted"),
        ('[outlets.router]\nbackend = "kasa"\nhost = "p"\nnot_fail_safe_ok = true\n'
         '[outlets.sync_module]\nbackend = "kasa"\nhost = "P"\nnot_fail_safe_ok = true',
         "outlets.sync_module.host: plug P:9999 is already used by outlets.router.host"),
        ('[outlets.camera]\nbackend = "lcus"\nchannel = 9\nport = "/dev/x"', "outlets.camera.channel: Input should "
         "be less than or equal to 8 (got 9)"),
        ('[outlets.camera]\nactive_low = "yes"', "outlets.camera.active_low: Input should be a valid boolean"),
    ],
)
def test_bad_outlet_tables_give_one_line_naming_the_key(text: str, expected: str) -> None:
    assert expected in error(text)


def test_an_acknowledged_non_fail_safe_outlet_is_accepted() -> None:
    cfg = parse_config("[outlets.router]\nnormally_on = false\nnot_fail_safe_ok = true", "bench.toml")
    assert cfg.outlets["router"].not_fail_safe_ok and not cfg.outlets["router"].settings.fail_safe()
    assert load_config().outlets["router"].not_fail_safe_ok is False


def test_a_kernel_numbered_serial_port_is_warned_about_and_the_default_is_by_id() -> None:
    assert DEFAULT_SERIAL_PORT.startswith("/dev/serial/by-id/")
    assert port_warning(DEFAULT_SERIAL_PORT) == ""
    assert "/dev/ttyUSB0 can name another USB serial device after a reboot" in port_warning("/dev/ttyUSB0")
    assert port_warning("/dev/ttyACM1") != ""
    cfg = parse_config('[relays]\nbackend = "serial"\nserial_port = "/dev/ttyUSB0"', "s.toml")
    assert cfg.outlets["router"].settings.warnings() == [port_warning("/dev/ttyUSB0")]
