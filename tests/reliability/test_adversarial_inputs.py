"""Nonsense refused, in one line, before anything is touched: the cases of the adversarial run (issue 17 items
5, 6 and 9), each explicitly, then hypothesis over every number of the config.

A value that hung the rig (``inf`` timeouts: full CPU for ever), crashed it (``settle_s = inf``, 5,000-deep
arrays, a NUL byte) or silently meant something else (``pin = true`` as GPIO1, ``"65"`` as 65 s) must be refused
by ``parse_config`` and by ``rig check --sim``. Serials are ASCII and exact, never a spreadsheet formula, and
no field the rig writes can start one.
"""

from __future__ import annotations

import io
import math
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_sim.scenario import ScenarioError, parse_scenario
from rig.cli import cli
from rig.core.config import ConfigError, RigConfig, parse_config
from rig.core.records import CameraRecord, Disposition
from rig.core.stop import StopFlag
from rig.output.results import FORMULA_STARTS, result_row, spreadsheet_safe
from rig.ui.scanner import ScannerInput, SerialError, validate_serial

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
DEEP = "[" * 5000 + "]" * 5000

# (config text, the key the one line must name): every case of the adversarial run, and a few more.
BAD_CONFIGS = {
    "router_off_inf": ("[timings]\nrouter_off_s = inf\n", "timings.router_off_s"),
    "reconnect_inf": ("[timings]\nreconnect_timeout_s = inf\n", "timings.reconnect_timeout_s"),
    "reconnect_1e308": ("[timings]\nreconnect_timeout_s = 1e308\n", "timings.reconnect_timeout_s"),
    "boot_grace_1e12": ("[timings]\nboot_grace_s = 1e12\n", "timings.boot_grace_s"),
    "reset_hold_1e15": ("[timings]\nreset_hold_s = 1e15\n", "timings.reset_hold_s"),
    "network_timeout_inf": ("[network]\ntimeout_s = inf\n", "network.timeout_s"),
    "settle_inf": ("[battery]\nsettle_s = inf\n", "battery.settle_s"),
    "nan": ("[led]\nobserve_timeout_s = nan\n", "led.observe_timeout_s"),
    "deep_array": (f"[bench]\nlock_file = {DEEP}\n", "nested"),
    "deep_tables": ("a = {b = {c = {d = {e = {f = {g = {h = {i = {j = 1}}}}}}}}}\n", "nested deeper"),
    "nul_lock_file": ('[bench]\nlock_file = "/run/lock/a\\u0000b"\n', "bench.lock_file"),
    "long_lock_file": (f'[bench]\nlock_file = "/{"x" * 5000}"\n', "bench.lock_file"),
    "min_open_inf": ("[battery]\nmin_open_circuit_v = inf\n", "battery.min_open_circuit_v"),
    "min_open_9": ("[battery]\nmin_open_circuit_v = 9.0\n", "battery.min_open_circuit_v"),
    "pin_true": ("[photodiode]\npin = true\n", "photodiode.pin"),
    "pin_float": ("[photodiode]\npin = 17.0\n", "photodiode.pin"),
    "pull_up_yes": ('[photodiode]\npull_up = "yes"\n', "photodiode.pull_up"),
    "active_high_1": ("[photodiode]\nactive_high = 1\n", "photodiode.active_high"),
    "camera_off_string": ('[timings]\ncamera_off_s = "65"\n', "timings.camera_off_s"),
    "poll_tiny": ("[timings]\npoll_s = 1e-300\n", "timings.poll_s"),
    "shunt_1e9": ("[power_meter]\nshunt_ohm = 1e9\n", "power_meter.shunt_ohm"),
    "loaded_above_open": ("[battery]\nmin_loaded_v = 3.2\nmin_open_circuit_v = 3.0\n", "battery.min_loaded_v"),
    "settle_above_pulse": ("[battery]\nsettle_s = 0.5\npulse_s = 0.1\n", "battery.settle_s"),
    "grace_above_reconnect": ("[timings]\nboot_grace_s = 200\nreconnect_timeout_s = 150\n",
                              "timings.reconnect_timeout_s"),
    "recording_below_clip": ("[led]\nrecording_timeout_s = 30\n", "led.recording_timeout_s"),
    "empty_router_host": ('[network]\nrouter_host = ""\n', "network.router_host"),
    "spaced_router_host": ('[network]\nrouter_host = "192.168.8.1 evil"\n', "network.router_host"),
    "operator_timeout_year": ("[timings]\noperator_timeout_s = 31536000\n", "timings.operator_timeout_s"),
    "huge_file": ("# " + "x" * 1_000_001 + "\n", "too large"),
}


def assert_refused_in_one_line(parse, error: type[Exception], text: str, names: str) -> None:
    """``parse(text, "f.toml")`` raises ``error`` in one short line naming the file and ``names``."""
    with pytest.raises(error) as caught:
        parse(text, "f.toml")
    message = str(caught.value)
    assert message.startswith("f.toml: ") and names in message, message
    assert message.splitlines() == [message] and len(message) < 400


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_a_nonsense_config_is_refused_in_one_line(case: str) -> None:
    assert_refused_in_one_line(parse_config, ConfigError, *BAD_CONFIGS[case])


@pytest.mark.parametrize("case", ["router_off_inf", "settle_inf", "deep_array", "nul_lock_file", "pin_true",
                                  "loaded_above_open"])
def test_rig_check_sim_refuses_them_too(tmp_path: Path, case: str) -> None:
    path = tmp_path / "bench.toml"
    path.write_text(BAD_CONFIGS[case][0])
    result = CliRunner().invoke(cli, ["check", "--sim", "--config", str(path)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"rig: {path}: ") and BAD_CONFIGS[case][1] in line, line


def test_the_units_are_named_in_a_range_error() -> None:
    with pytest.raises(ConfigError, match=r"timings.router_off_s: .*600 seconds"):
        parse_config("[timings]\nrouter_off_s = 1e9\n", "bench.toml")
    with pytest.raises(ConfigError, match=r"battery.min_open_circuit_v: .*4 volts"):
        parse_config("[battery]\nmin_open_circuit_v = 5\n", "bench.toml")


# -- every number of the config, fuzzed ------------------------------------------------------------------------

def numeric_fields() -> list[tuple[str, str, type, list]]:
    """(section, key, annotation, constraints) of every number in the config's own sections."""
    fields = []
    for section, info in RigConfig.model_fields.items():
        model = info.annotation
        if not isinstance(model, type) or not hasattr(model, "model_fields"):
            continue
        for key, field in model.model_fields.items():
            if field.annotation in (int, float):
                fields.append((section, key, field.annotation, field.metadata))
    return fields


NUMERIC_FIELDS = numeric_fields()
wild_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-2**63, 2**63 - 1), st.booleans(),
    st.sampled_from([0, -0.0, 1e-300, 1e308, 5e-324, 2**53 + 1, "65", "", "0x40", [], {}]),
)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else "-inf" if value == -math.inf
                                                else repr(value))
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, list):
        return "[]"
    if isinstance(value, dict):
        return "{}"
    return str(value)


@SETTINGS
@given(st.sampled_from(NUMERIC_FIELDS), wild_numbers)
def test_any_number_is_refused_in_one_line_or_sane(field, value) -> None:
    section, key, annotation, constraints = field
    try:
        config = parse_config(f"[{section}]\n{key} = {toml_value(value)}\n", "fuzz.toml")
    except ConfigError as exc:
        message = str(exc)
        assert message.splitlines() == [message] and message.startswith("fuzz.toml: ")
        return
    accepted = getattr(getattr(config, section), key)
    assert type(accepted) is annotation and not isinstance(value, bool | str | list | dict)
    assert math.isfinite(accepted)
    for constraint in constraints:   # inside the declared physical range
        for bound, holds in (("ge", accepted.__ge__), ("gt", accepted.__gt__), ("le", accepted.__le__),
                             ("lt", accepted.__lt__)):
            limit = getattr(constraint, bound, None)
            if limit is not None:
                assert holds(limit), (section, key, accepted, bound, limit)


# -- scenarios -------------------------------------------------------------------------------------------------

CAMERA = '[[camera]]\nserial = "AD-0001"\nmodel = "mini"\nfaults = []\n'
BAD_SCENARIOS = {
    "deep_array": (f"seed = {DEEP}\n" + CAMERA, "nested"),
    "nul_serial": ('[[camera]]\nserial = "AD\\u00000001"\nmodel = "mini"\nfaults = []\n', "NUL"),
    "long_serial": (f'[[camera]]\nserial = "{"X" * 5000}"\nmodel = "mini"\nfaults = []\n', "serial"),
    "serial_65": (f'[[camera]]\nserial = "{"X" * 65}"\nmodel = "mini"\nfaults = []\n', "longer than 64"),
    "formula_serial": ('[[camera]]\nserial = "=1+2"\nmodel = "mini"\nfaults = []\n', "spreadsheet"),
    "at_serial": ('[[camera]]\nserial = "@SUM(A1)"\nmodel = "mini"\nfaults = []\n', "spreadsheet"),
    "delay_inf": ("[operator]\ndelay_s = inf\n" + CAMERA, "operator.delay_s"),
    "delay_1e308": ("[operator]\ndelay_s = 1e308\n" + CAMERA, "operator.delay_s"),
    "seed_huge": ("seed = -1\n" + CAMERA, "seed"),
}


@pytest.mark.parametrize("case", list(BAD_SCENARIOS))
def test_a_nonsense_scenario_is_refused_in_one_line(case: str) -> None:
    assert_refused_in_one_line(parse_scenario, ScenarioError, *BAD_SCENARIOS[case])


# -- serials and the scanner ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["ex-ßß01", "ıx-0001", "ex-ﬀ01", "EX-０００1", "Ex-0001\u0130", "=1+2", "+12345",
                                 "-1234", "@SUM", "EX-0001;rm"])
def test_serials_are_ascii_exact_and_never_a_formula(raw: str) -> None:
    with pytest.raises(SerialError):
        validate_serial(raw, "stdin line 1")


def test_ascii_lower_case_is_still_upper_cased() -> None:
    assert validate_serial("  ex-00a1\r\n") == "EX-00A1"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_a_serial_is_accepted_only_as_typed_in_ascii(raw: str) -> None:
    try:
        serial = validate_serial(raw)
    except SerialError as exc:
        assert str(exc).splitlines() == [str(exc)]
        return
    assert serial.isascii() and not serial.startswith(FORMULA_STARTS)
    assert serial == raw.strip(" \t\r\n").upper()   # ASCII only, so upper() changes nothing else


def scan(text: str, confirm=None) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    scanner = ScannerInput(io.StringIO(text), "mini", on_error=lambda exc: errors.append(str(exc)),
                           confirm_again=confirm)
    return [camera.serial for camera in scanner], errors


def test_end_of_input_mid_line_does_not_test_the_partial_serial() -> None:
    serials, errors = scan("EX-0001\nEX-00")
    assert serials == ["EX-0001"]
    assert errors == ["stdin line 2: input ended in the middle of a serial ('EX-00'); not tested"]


def test_a_serial_scanned_twice_needs_confirmation() -> None:
    serials, errors = scan("EX-0001\nEX-0002\nex-0001\nEX-0001\n")
    assert serials == ["EX-0001", "EX-0002"]
    assert errors == [f"stdin line {n}: EX-0001 was already scanned on line 1 of this batch; not tested again"
                      for n in (3, 4)]
    asked: list[tuple[str, int]] = []
    serials, errors = scan("EX-0001\nEX-0001\n", confirm=lambda s, line: asked.append((s, line)) or True)
    assert serials == ["EX-0001", "EX-0001"] and errors == [] and asked == [("EX-0001", 1)]


def test_a_stop_while_waiting_for_a_scan_ends_the_input_at_once() -> None:
    """A scanner on a terminal that never types: a signal ends the wait (and the batch's input) at once."""
    import os
    import pty
    import time

    from rig.core.stop import stop_on_signals

    controller, terminal = pty.openpty()
    stop = StopFlag()
    try:
        with open(terminal, encoding="utf-8", closefd=False) as stream, stop_on_signals(stop, (signal.SIGALRM,)):
            scanner = ScannerInput(stream, "mini", on_error=lambda exc: None, stop=stop)
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            started = time.monotonic()
            assert list(scanner) == []
            assert time.monotonic() - started < 2.0 and stop.requested
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        os.close(controller)
        os.close(terminal)
        stop.close()


# -- no field the rig writes starts a formula --------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-cmd", "@SUM(A1)", "\tx", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_in_any_field_is_neutralised(text: str) -> None:
    record = CameraRecord(serial=text, model="mini", started_at="2026-11-30T09:00:00", started_s=0.0)
    record.disposition = Disposition.ABORTED
    record.notes = [text]
    record.fixed_by = text
    row = result_row(record)
    for key in ("serial", "notes", "fixed_by"):
        assert row[key] == "'" + text, (key, row[key])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=20), st.floats(allow_nan=False).map(lambda x: f"{x:.3f}")))
def test_spreadsheet_safe_never_starts_a_formula_and_keeps_numbers(value: str) -> None:
    safe = spreadsheet_safe(value)
    try:
        float(value)
    except ValueError:
        assert not safe.startswith((*FORMULA_STARTS, "\t", "\r"))
        assert safe in (value, "'" + value)
    else:
        assert safe == value


def test_a_repeated_scan_is_tested_again_only_on_yes() -> None:
    questions: list[str] = []
    errors: list[str] = []
    stream = io.StringIO("EX-0001\nEX-0001\nn\nEX-0001\ny\nEX-0002\nEX-0002\nEX-0003\n")
    scanner = ScannerInput(stream, "mini", on_error=lambda exc: errors.append(str(exc))).ask_on_repeat(
        lambda serial, line: questions.append(f"{serial}@{line}"))
    assert [camera.serial for camera in scanner] == ["EX-0001", "EX-0001", "EX-0002"]
    assert questions == ["EX-0001@1", "EX-0001@1", "EX-0002@6"]
    assert len(errors) == 2   # the "n", and the scan given where the answer was expected
