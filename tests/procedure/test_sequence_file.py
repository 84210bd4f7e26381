"""Sequence files: the contract's steps parsed into typed steps, the built-ins valid, and every bad file
refused in one line naming the file, the step and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rig.procedure.sequence_file import (
    Condition,
    SequenceError,
    StepKind,
    builtin_sequences,
    load_sequence,
    parse_sequence,
)

OUTLETS = ("router", "sync_module", "camera")
PATTERNS = ("none", "motion", "network_lost", "low_battery", "solid", "unknown")
EXAMPLE = Path(__file__).parents[2].parent / "shared" / "examples" / "sequence.toml"

CONTRACT_TEXT = """
name = "camera soak"
repeat = 20
stop_on_fail = true
[[step]]
outlet = "camera"
state = "off"
[[step]]
wait_s = 65
[[step]]
outlet = "camera"
state = "on"
[[step]]
expect = "online"
timeout_s = 240
[[step]]
measure = "battery"
[[step]]
stimulus = "motion"
[[step]]
expect = "pattern:none"
timeout_s = 30
"""


def parse(text: str):
    return parse_sequence(text, "s.toml", OUTLETS, PATTERNS)


def test_the_contracts_steps_become_typed_steps() -> None:
    sequence = parse(CONTRACT_TEXT)
    assert (sequence.name, sequence.repeat, sequence.stop_on_fail) == ("camera soak", 20, True)
    kinds = [step.kind for step in sequence.steps]
    assert kinds == [StepKind.OUTLET, StepKind.WAIT, StepKind.OUTLET, StepKind.EXPECT, StepKind.MEASURE,
                     StepKind.STIMULUS, StepKind.EXPECT]
    off, wait, on, online, _battery, _motion, dark = sequence.steps
    assert (off.outlet, off.power_on, on.power_on) == ("camera", False, True)
    assert wait.seconds == 65.0
    assert (online.condition, online.seconds) == (Condition.ONLINE, 240.0)
    assert (dark.condition, dark.pattern) == (Condition.PATTERN, "none")
    assert [s.number for s in sequence.steps] == list(range(1, 8))
    assert [s.action for s in sequence.steps] == [
        "camera off", "wait 65 s", "camera on", "expect online within 240 s", "measure battery",
        "motion stimulus", "expect pattern:none within 30 s"]
    assert sequence.outlets == {"camera"}


def test_defaults_and_the_shared_example() -> None:
    sequence = parse('[[step]]\nwait_s = 1\n')
    assert (sequence.name, sequence.repeat, sequence.stop_on_fail) == ("s", 1, False)
    if EXAMPLE.exists():
        example = load_sequence(str(EXAMPLE), OUTLETS, PATTERNS)
        assert example.repeat == 3 and example.steps[-1].condition is Condition.ONLINE


def test_only_first_and_last_pick_their_cycles() -> None:
    sequence = parse('repeat = 3\n[[step]]\nmeasure = "battery"\nonly = "first"\n'
                     '[[step]]\nwait_s = 5\n[[step]]\nmeasure = "battery"\nonly = ["first", "last"]\n')
    first, every, both = sequence.steps
    assert [first.runs_in(c, 3) for c in (1, 2, 3)] == [True, False, False]
    assert [every.runs_in(c, 3) for c in (1, 2, 3)] == [True, True, True]
    assert [both.runs_in(c, 3) for c in (1, 2, 3)] == [True, False, True]


def test_every_builtin_sequence_is_valid_and_named() -> None:
    builtins = builtin_sequences()
    assert {"camera-soak", "router-reconnect", "burn-in"} <= builtins.keys()
    for name in builtins:
        sequence = load_sequence(name, OUTLETS, PATTERNS)
        assert sequence.steps and sequence.name
    soak = load_sequence("camera-soak", OUTLETS, PATTERNS)
    assert [s.kind for s in soak.steps][-2:] == [StepKind.EXPECT, StepKind.STIMULUS]
    burn = load_sequence("burn-in", OUTLETS, PATTERNS)
    seconds = sum(s.seconds for s in burn.steps if s.kind is StepKind.WAIT) * burn.repeat
    assert 0.5 * 3600 <= seconds <= 3600, "a one-hour burn-in spends most of its hour waiting between checks"
    assert burn.steps[0].only == {"first"} and burn.steps[-1].only == {"last"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("repeat = 0\n[[step]]\nwait_s = 1\n", "s.toml: repeat: must be a whole number"),
        ("repeat = true\n[[step]]\nwait_s = 1\n", "s.toml: repeat:"),
        ("repeat = 2.5\n[[step]]\nwait_s = 1\n", "s.toml: repeat:"),
        ('stop_on_fail = "yes"\n[[step]]\nwait_s = 1\n', "s.toml: stop_on_fail: must be true or false"),
        ("name = 1\n", "s.toml: name:"),
        ("cycles = 3\n[[step]]\nwait_s = 1\n", "s.toml: cycles: unknown key"),
        ("repeat = 2\n", "s.toml: step: no [[step]] tables"),
        ("[[step]]\nwait_s = -5\n", "s.toml: step 1 (wait): wait_s: must be a number of seconds"),
        ("[[step]]\nwait_s = inf\n", "s.toml: step 1 (wait): wait_s:"),
        ("[[step]]\nwait_s = nan\n", "s.toml: step 1 (wait): wait_s:"),
        ('[[step]]\nwait_s = "65"\n', "s.toml: step 1 (wait): wait_s:"),
        ("[[step]]\nwait_s = 1e308\n", "s.toml: step 1 (wait): wait_s:"),
        ("[[step]]\nwait_s = 1\n[[step]]\noutlet = \"kettle\"\nstate = \"off\"\n",
         "s.toml: step 2 (outlet): outlet: unknown outlet 'kettle'"),
        ('[[step]]\noutlet = "router"\nstate = "toggle"\n', "s.toml: step 1 (outlet): state: must be"),
        ('[[step]]\noutlet = "router"\n', "s.toml: step 1 (outlet): state: must be"),
        ('[[step]]\nexpect = "online"\n', "s.toml: step 1 (expect): timeout_s: missing"),
        ('[[step]]\nexpect = "pattern:disco"\ntimeout_s = 5\n', "s.toml: step 1 (expect): expect: unknown pattern"),
        ('[[step]]\nexpect = "happy"\ntimeout_s = 5\n', "s.toml: step 1 (expect): expect: must be"),
        ('[[step]]\nmeasure = "voltage"\n', "s.toml: step 1 (measure): measure: must be \"battery\""),
        ('[[step]]\nstimulus = "sound"\n', "s.toml: step 1 (stimulus): stimulus:"),
        ('[[step]]\nwait_s = 1\nstate = "on"\n', "s.toml: step 1 (wait): state: not a key of this kind"),
        ('[[step]]\nwait_s = 1\nmeasure = "battery"\n', "s.toml: step 1: must be exactly one of"),
        ("[[step]]\n", "s.toml: step 1: must be exactly one of"),
        ('[[step]]\nwait_s = 1\nonly = "middle"\n', "s.toml: step 1 (wait): only:"),
        ("step = [1]\n", "s.toml: step 1: must be a [[step]] table"),
        ("not toml ===", "s.toml: not valid TOML"),
        ("a = " + "[" * 3000 + "]" * 3000, "s.toml:"),
        ('name = "' + "x" * 5000 + '"\n[[step]]\nwait_s = 1\n', "s.toml: name:"),   # the shared TOML guard
        ('name = "a\\u0000b"\n[[step]]\nwait_s = 1\n', "s.toml: name:"),
    ],
)
def test_a_bad_sequence_is_one_line_naming_file_step_and_key(text: str, where: str) -> None:
    with pytest.raises(SequenceError) as caught:
        parse(text)
    message = str(caught.value)
    assert message.startswith(where), message
    assert "\n" not in message and len(message) < 400


def test_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SequenceError, match=r"cannot read the sequence"):
        load_sequence(str(tmp_path / "absent.toml"), OUTLETS, PATTERNS)
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SequenceError, match="not a UTF-8 text file"):
        load_sequence(str(tmp_path / "bin.toml"), OUTLETS, PATTERNS)


@settings(max_examples=300, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
))
def test_any_step_table_is_parsed_or_refused_in_one_line(raw) -> None:
    from rig.procedure.sequence_file import _Reader

    try:
        _Reader("f.toml", OUTLETS, PATTERNS).sequence({"step": [raw]})
    except SequenceError as exc:
        assert str(exc).startswith("f.toml: ") and "\n" not in str(exc)
