"""Bad input, fuzzed: config files, scenario files, LED trace files and serial numbers, random and mutated.

Whatever the input, the rig answers with its result or with one line that names the file (or the field, or the
scanned line) and what is wrong: never a traceback, never a row in the results. Inputs come from hypothesis,
derandomized (the same examples every run) and bounded, so the file runs in a few seconds.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reliability_support import DATA, HEADER_LINE, camera_toml, rig_fault_toml

from firmware_sim.scenario import RIG_FAULT_KINDS, Scenario, ScenarioError, parse_scenario
from rig.cli import cli
from rig.core.config import ConfigError, RigConfig, default_config_text, parse_config
from rig.led.trace import Trace, TraceFormatError, read_trace_csv
from rig.ui.scanner import SERIAL_PATTERN, ScannerInput, SerialError, validate_serial

FAST = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SLOW = settings(max_examples=10, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

REFERENCE_CONFIG = default_config_text()
EXAMPLE_SCENARIO = (Path(__file__).resolve().parents[1] / "data" / "example-scenario.toml").read_text()
RIG_FAULT_SCENARIO = (
    camera_toml("FZ-0001", battery=(3.5, 0.25))
    + camera_toml("FZ-0002", "mini", ["camera_glitch"])
    + rig_fault_toml("i2c_intermittent", 2, 5)
    + rig_fault_toml("photodiode_saturated")
)
ONE_CAMERA_SCENARIO = DATA / "kill-results.toml"
GOOD_TRACE = "t_s,level\n# a flash every 3 s\n0.000000,0\n1.000000,1\n1.150000,0\n4.000000,1\n4.150000,0\n20.000000,0\n"


def assert_one_line(message: str) -> None:
    assert message and message.splitlines() == [message], repr(message)


# -- mutations: realistic damage to a good file ---------------------------------------------------------------

TOML_BITS = st.sampled_from(
    ["=", "[", "]", "[[", "]]", '"', "'", ",", "#", "\n", " ", "-1", "0", "1e999", "nan", "inf", "true", "3.3",
     "0x40", '""', "[]", "{}", "camera", "rig_fault", "kind", "at_camera", "count", "faults", "model", "serial",
     "pin", "channel", "backend", '"serial"', "relays", "outlets", "timings", "\u2028", "\x85", "\t", "é"]
)


@st.composite
def mutated(draw, base: str) -> str:
    """``base`` with a few random edits: text cut, inserted, duplicated, lines swapped or replaced."""
    text = base
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        op = draw(st.sampled_from(["cut", "insert", "bits", "dup_line", "swap_lines", "replace_line", "number"]))
        at = draw(st.integers(0, max(0, len(text) - 1)))
        if op == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif op == "insert":
            text = text[:at] + draw(st.text(max_size=12)) + text[at:]
        elif op == "bits":
            text = text[:at] + "".join(draw(st.lists(TOML_BITS, min_size=1, max_size=4))) + text[at:]
        elif op == "dup_line" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == "swap_lines" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == "replace_line" and lines:
            lines[draw(st.integers(0, len(lines) - 1))] = draw(st.text(max_size=30))
            text = "\n".join(lines)
        elif op == "number":
            digits = [i for i, ch in enumerate(text) if ch.isdigit()]
            if digits:
                i = draw(st.sampled_from(digits))
                text = text[:i] + draw(st.sampled_from(["-", "9999", "0", ".", "e5", "1_0", "-0.0"])) + text[i + 1:]
    return text


NASTY_CHARACTERS = "ab-,'\"\n\r\t\x00\x85\u2028\u2029\x1c é"   # line breaks as str.splitlines() knows them
nasty_text = st.text(alphabet=st.sampled_from(NASTY_CHARACTERS), min_size=1, max_size=6)
toml_keys = st.one_of(st.sampled_from(["camera", "seed", "operator", "rig_fault", "kind", "pin", "serial", "model"]),
                      st.text(max_size=8), nasty_text)
toml_scalars = st.one_of(st.integers(-2**70, 2**70), st.floats(allow_nan=True), st.booleans(), st.text(max_size=10),
                         nasty_text)


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly ``text`` (TOML escapes: \\uXXXX, no \\xXX)."""
    def escape(ch: str) -> str:
        if ch.isprintable() and ch not in '"\\':
            return ch
        return f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"

    return '"' + "".join(map(escape, text)) + '"'


def toml_dump_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, int):
        return str(value)
    return toml_string(value)


def toml_key(key: str) -> str:
    return toml_string(key)


@st.composite
def structured_toml(draw) -> str:
    """Well-formed TOML with random keys and values: gets past the parser, tests the validation."""
    lines = []
    for key, value in draw(st.dictionaries(toml_keys, toml_scalars, max_size=3)).items():
        lines.append(f"{toml_key(key)} = {toml_dump_value(value)}")
    for table in draw(st.lists(st.sampled_from(["camera", "rig_fault", "operator", "photodiode", "outlets.router",
                                                "relays", "timings", "network", "battery"]), max_size=3)):
        array = table in ("camera", "rig_fault")
        lines.append(f"[[{table}]]" if array else f"[{table}]")
        for key, value in draw(st.dictionaries(toml_keys, toml_scalars, max_size=4)).items():
            lines.append(f"{toml_key(key)} = {toml_dump_value(value)}")
    return "\n".join(lines) + "\n"


config_texts = st.one_of(st.text(max_size=200), mutated(REFERENCE_CONFIG), structured_toml())
scenario_texts = st.one_of(st.text(max_size=200), mutated(EXAMPLE_SCENARIO), mutated(RIG_FAULT_SCENARIO),
                           structured_toml())


# -- config ---------------------------------------------------------------------------------------------------


@FAST
@given(config_texts)
def test_any_config_text_is_a_config_or_one_line_naming_the_file(text: str) -> None:
    try:
        config = parse_config(text, "bench.toml")
    except ConfigError as exc:
        assert_one_line(str(exc))
        assert str(exc).startswith("bench.toml: ")
    else:
        assert isinstance(config, RigConfig)


@SLOW
@given(config_texts)
def test_rig_test_with_a_bad_config_says_one_line_and_writes_no_row(text: str) -> None:
    try:
        parse_config(text, "probe")
    except ConfigError:
        pass
    else:
        assume(False)  # a good config starts a bench run: not what this test is about
    with tempfile.TemporaryDirectory() as tmp:
        config_path, csv_path = Path(tmp) / "bench.toml", Path(tmp) / "r.csv"
        config_path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = CliRunner().invoke(cli, ["test", "--sim", str(ONE_CAMERA_SCENARIO), "--config", str(config_path),
                                          "--csv", str(csv_path), "--no-sheets"])
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"rig: {config_path}: "), lines
        assert not csv_path.exists() or csv_path.read_text() in ("", HEADER_LINE + "\n")


# -- scenarios ------------------------------------------------------------------------------------------------


@FAST
@given(scenario_texts)
def test_any_scenario_text_is_a_scenario_or_one_line_naming_the_file(text: str) -> None:
    try:
        scenario = parse_scenario(text, "bench.toml")
    except ScenarioError as exc:
        assert_one_line(str(exc))
        assert str(exc).startswith("bench.toml: ")
    else:
        assert isinstance(scenario, Scenario) and scenario.cameras
        for fault in scenario.rig_faults:
            assert fault.kind in RIG_FAULT_KINDS
            assert 1 <= fault.at_camera <= len(scenario.cameras)


@SLOW
@given(scenario_texts)
def test_rig_test_with_a_bad_scenario_says_one_line_and_writes_no_row(text: str) -> None:
    try:
        parse_scenario(text, "probe")
    except ScenarioError:
        pass
    else:
        assume(False)
    with tempfile.TemporaryDirectory() as tmp:
        scenario_path, csv_path = Path(tmp) / "bench.toml", Path(tmp) / "r.csv"
        scenario_path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = CliRunner().invoke(cli, ["test", "--sim", str(scenario_path), "--csv", str(csv_path),
                                          "--no-sheets"])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"rig: {scenario_path}: "), lines
        assert csv_path.read_text() == HEADER_LINE + "\n"   # a valid, empty results file: no row


# -- LED traces -------------------------------------------------------------------------------------------------


trace_texts = st.one_of(st.text(max_size=200), mutated(GOOD_TRACE))


@FAST
@given(st.one_of(trace_texts.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=100)))
def test_any_trace_file_is_a_trace_or_one_line_naming_the_file_and_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "led.csv"
        path.write_bytes(data)
        try:
            trace = read_trace_csv(path)
        except TraceFormatError as exc:
            assert_one_line(str(exc))
            assert str(exc).startswith(f"{path}:")
            line_number = str(exc).removeprefix(f"{path}:").split(":")[0]
            assert line_number.isdigit()
            assert int(line_number) <= max(1, data.count(b"\n") + data.count(b"\r") + 1)
        else:
            assert isinstance(trace, Trace)


@SLOW
@given(trace_texts)
def test_rig_classify_reports_a_bad_file_in_one_line_and_still_classifies_the_good_one(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good, fuzzed = Path(tmp) / "good.csv", Path(tmp) / "fuzzed.csv"
        good.write_text(GOOD_TRACE)
        fuzzed.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = CliRunner().invoke(cli, ["classify", "--json", str(fuzzed), str(good)])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1)
        assert f'"file": "{good}"' in result.stdout and '"pattern": "network_lost"' in result.stdout
        errors = result.stderr.strip().splitlines()
        if result.exit_code == 1:
            assert len(errors) == 1 and errors[0].startswith(f"rig: {fuzzed}:"), errors
        else:
            assert errors == [] and f'"file": "{fuzzed}"' in result.stdout


# -- serial numbers ----------------------------------------------------------------------------------------------

serial_like = st.one_of(
    st.text(max_size=40),
    st.from_regex(SERIAL_PATTERN, fullmatch=True),
    st.from_regex(r"\s*[A-Za-z0-9-]{0,36}\s*", fullmatch=True),
)


@FAST
@given(serial_like)
def test_any_serial_is_normalised_or_one_line_naming_where(raw: str) -> None:
    try:
        serial = validate_serial(raw, "stdin line 7")
    except SerialError as exc:
        assert_one_line(str(exc))
        assert str(exc).startswith("stdin line 7: ")
    else:
        assert SERIAL_PATTERN.match(serial) and serial == raw.strip().upper()


class LineAtATime(io.RawIOBase):
    """A barcode scanner's tty: each read returns at most one line, as the terminal delivers it."""

    def __init__(self, lines: list[bytes]) -> None:
        self._lines = list(lines)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._lines:
            return 0
        line = self._lines.pop(0)
        buffer[: len(line)] = line
        return len(line)


scan_lines = st.lists(
    st.one_of(
        st.from_regex(r"[A-Z0-9][A-Z0-9-]{2,10}[A-Z0-9]", fullmatch=True).map(str.encode),
        st.text(alphabet=st.characters(blacklist_characters="\r\n"), min_size=1, max_size=20)
        .filter(str.strip).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(min_size=1, max_size=8).filter(lambda b: b"\n" not in b and b"\r" not in b and b.strip()),
    ),
    max_size=8,
)


def expected_scans(lines: list[bytes]) -> tuple[list[str], list[int]]:
    """What a scanner reading ``lines`` must give: the good serials, and the numbers of the refused lines (a
    serial scanned again in the same batch is refused too when nobody confirms it)."""
    good, refused = [], []
    for number, line in enumerate(lines, start=1):
        try:
            serial = validate_serial(line.decode("utf-8"), "x")
        except (UnicodeDecodeError, SerialError):
            refused.append(number)
            continue
        if serial in good:
            refused.append(number)
        else:
            good.append(serial)
    return good, refused


def scan(stream) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    cameras = ScannerInput(stream, "outdoor", on_error=lambda exc: errors.append(str(exc)))
    return [camera.serial for camera in cameras], errors


@FAST
@given(scan_lines)
def test_a_scanner_gets_every_good_serial_and_one_line_per_bad_scan(lines: list[bytes]) -> None:
    stream = io.TextIOWrapper(io.BufferedReader(LineAtATime([line + b"\n" for line in lines])), encoding="utf-8")
    serials, errors = scan(stream)
    good, refused = expected_scans(lines)
    assert serials == good
    assert [int(e.split(":")[0].removeprefix("stdin line ")) for e in errors] == refused
    for error in errors:
        assert_one_line(error)


@SLOW
@given(scan_lines)
def test_serials_piped_from_a_file_survive_a_garbled_line(lines: list[bytes]) -> None:
    """``rig test < serials.txt``: one bad line in the file must not swallow the good lines around it."""
    stream = io.TextIOWrapper(io.BytesIO(b"".join(line + b"\n" for line in lines)), encoding="utf-8")
    serials, errors = scan(stream)
    good, refused = expected_scans(lines)
    assert serials == good
    assert len(errors) == len(refused)
