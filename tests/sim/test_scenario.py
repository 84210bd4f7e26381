"""Scenario files: the docs/DESIGN.md format loads; every problem is one line naming file, camera and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.battery import FAILING_PACK, sags_below_alarm
from firmware_sim.faults import FAULT_TABLE
from firmware_sim.scenario import (
    FAULTS,
    BatterySpec,
    CameraSpec,
    ScenarioError,
    default_scenario,
    load_scenario,
    parse_scenario,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "data"   # the example scenarios, kept in the repo
GOOD = """
seed = 7
[operator]
delay_s = 12.5
declines = ["readd_camera"]

[[camera]]
serial = "G8T1-0001"
model = "outdoor"
faults = ["router_down"]
[camera.battery]
open_circuit_v = 3.3
internal_resistance_ohm = 0.3

[[camera]]
serial = "MINI-2"
model = "mini"
faults = []
"""


def error_of(text: str, source: str = "s.toml") -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source)
    message = str(info.value)
    assert "\n" not in message
    return message


def camera(body: str, serial: str = "X-1") -> str:
    return f'[[camera]]\nserial = "{serial}"\n{body}\n'


def test_the_contract_format_loads_with_the_extra_keys():
    scenario = parse_scenario(GOOD, "good.toml")
    assert scenario.cameras == (
        CameraSpec("G8T1-0001", "outdoor", ("router_down",), BatterySpec(3.3, 0.3)),
        CameraSpec("MINI-2", "mini", (), None),
    )
    assert scenario.seed == 7
    assert scenario.operator_delay_s == 12.5
    assert scenario.operator_declines == frozenset({"readd_camera"})
    assert scenario.source == "good.toml"


def test_defaults_when_optional_keys_are_left_out():
    scenario = parse_scenario(camera('model = "mini"\nfaults = []'))
    assert scenario.seed == 0 and scenario.operator_declines == frozenset()
    assert scenario.operator_delay_s > 0


def test_the_example_scenarios(tmp_path):
    scenario = load_scenario(EXAMPLES / "example-scenario.toml")
    assert [c.serial for c in scenario.cameras] == ["EX-0001", "EX-0002", "EX-0003", "EX-0004"]
    with pytest.raises(ScenarioError) as info:
        load_scenario(EXAMPLES / "bad-scenario.toml")
    assert str(info.value) == (
        f"{EXAMPLES / 'bad-scenario.toml'}: camera 1 (EX-BAD): faults: unknown fault 'no_such_fault' "
        f"(known: {', '.join(FAULTS)})"
    )


@pytest.mark.parametrize(
    "body,expected",
    [
        ('model = "outdoor"\nfaults = ["nope"]', "s.toml: camera 1 (X-1): faults: unknown fault 'nope' (known: "),
        ('model = "doorbell"\nfaults = []', "s.toml: camera 1 (X-1): model: unknown model 'doorbell' (known: "),
        ('faults = []', "s.toml: camera 1 (X-1): model: missing"),
        ('model = "mini"', "s.toml: camera 1 (X-1): faults: missing"),
        ('model = "mini"\nfaults = "router_down"', "s.toml: camera 1 (X-1): faults: must be a list"),
        ('model = "mini"\nfaults = ["battery_failing"]',
         "s.toml: camera 1 (X-1): faults: 'battery_failing' is not possible on a mini camera"),
        ('model = "mini"\nfaults = ["sync_module_glitch"]',
         "s.toml: camera 1 (X-1): faults: 'sync_module_glitch' is not possible on a mini camera"),
        ('model = "mini"\nfaults = []\n[camera.battery]\nopen_circuit_v = 3.5\ninternal_resistance_ohm = 0.2',
         "s.toml: camera 1 (X-1): battery: a mini runs on USB power and has no battery"),
        ('model = "outdoor"\nfaults = ["pir_dead", "pir_dead"]',
         "s.toml: camera 1 (X-1): faults: 'pir_dead' is listed twice"),
        ('model = "outdoor"\nfaults = []\ncolour = "white"', "s.toml: camera 1 (X-1): colour: unknown key (known: "),
        ('model = "outdoor"\nfaults = []\n[camera.battery]\nopen_circuit_v = 3.5',
         "s.toml: camera 1 (X-1): battery.internal_resistance_ohm: missing"),
        ('model = "outdoor"\nfaults = []\n[camera.battery]\nopen_circuit_v = "3.5"\ninternal_resistance_ohm = 0.2',
         "s.toml: camera 1 (X-1): battery.open_circuit_v: must be a number above 0"),
        ('model = "outdoor"\nfaults = []\n[camera.battery]\nopen_circuit_v = 3.5\ninternal_resistance_ohm = -1',
         "s.toml: camera 1 (X-1): battery.internal_resistance_ohm: must be a number above 0"),
        ('model = "outdoor"\nfaults = []\n[camera.battery]\nopen_circuit_v = 3.5\ninternal_resistance_ohm = 0.2\n'
         'capacity_mah = 3000', "s.toml: camera 1 (X-1): battery.capacity_mah: unknown key"),
    ],
)
def test_camera_problems_name_file_camera_and_key(body, expected):
    assert error_of(camera(body)).startswith(expected)


def test_missing_or_bad_serial_names_the_camera_by_number():
    assert error_of('[[camera]]\nmodel = "mini"\nfaults = []').startswith("s.toml: camera 1: serial: missing")
    assert error_of(camera('model = "mini"\nfaults = []', serial="")).startswith(
        "s.toml: camera 1: serial: must be a non-empty string")
    assert "serial: must not contain commas" in error_of(camera('model = "mini"\nfaults = []', serial="A,B"))


def test_duplicate_serial_names_both_cameras():
    text = camera('model = "mini"\nfaults = []', "A-1") + camera('model = "mini"\nfaults = []', "B-2") + camera(
        'model = "outdoor"\nfaults = []', "A-1")
    assert error_of(text) == "s.toml: camera 3 (A-1): serial: duplicate: camera 1 has the same serial"


def test_the_pack_must_agree_with_battery_failing():
    healthy = '[camera.battery]\nopen_circuit_v = 3.5\ninternal_resistance_ohm = 0.25'
    failing = '[camera.battery]\nopen_circuit_v = 2.9\ninternal_resistance_ohm = 3.0'
    message = error_of(camera(f'model = "outdoor"\nfaults = ["battery_failing"]\n{healthy}'))
    assert message.startswith("s.toml: camera 1 (X-1): battery: 'battery_failing' needs a pack that sags")
    message = error_of(camera(f'model = "outdoor"\nfaults = []\n{failing}'))
    assert message.startswith("s.toml: camera 1 (X-1): battery: this pack sags to")
    assert "add 'battery_failing'" in message
    ok = parse_scenario(camera(f'model = "outdoor"\nfaults = ["battery_failing"]\n{failing}'))
    assert sags_below_alarm(ok.cameras[0].battery)
    assert sags_below_alarm(FAILING_PACK)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", "s.toml: camera: no [[camera]] tables"),
        ("camera = 3", "s.toml: camera: must be an array of tables"),
        ("seed = 1.5\n" + camera('model = "mini"\nfaults = []'), "s.toml: seed: must be an integer"),
        ("speed = 3\n", "s.toml: speed: unknown key (known: camera, seed, operator, rig_fault, bench)"),
        ("[operator]\ndelay_s = -1\n", "s.toml: operator.delay_s: must be a number of seconds >= 0"),
        ("[operator]\ndeclines = ['dance']\n", "s.toml: operator.declines: unknown task 'dance' (known: "),
        ("[operator]\npatience = 3\n", "s.toml: operator.patience: unknown key"),
        ("[[camera]\n", "s.toml: not valid TOML: "),
    ],
)
def test_file_level_problems(text, expected):
    assert error_of(text).startswith(expected)


def test_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.toml: cannot read the scenario"):
        load_scenario(tmp_path / "nope.toml")
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(ScenarioError, match=r"bin\.toml: not a UTF-8 text file"):
        load_scenario(binary)


def test_the_built_in_default_is_a_dozen_cameras_covering_every_fault_and_both_models():
    scenario = default_scenario()
    assert len(scenario.cameras) == 12
    seen = {fault for cam in scenario.cameras for fault in cam.faults}
    # An intermittent fault would make the default run's verdicts chance: `rig cycle` scenarios carry it.
    assert seen == {name for name, info in FAULT_TABLE.items() if not info.intermittent}
    assert {cam.model for cam in scenario.cameras} == {"outdoor", "mini"}
    assert sum(1 for cam in scenario.cameras if not cam.faults) >= 2


def test_the_default_file_ships_as_package_data():
    from importlib import resources

    assert resources.files("firmware_sim").joinpath("scenarios/default.toml").is_file()
