"""The systemd unit shipped in hardware/systemd: the keys without which the rig cannot run as a service on a Pi 5,
or would leave the bench unpowered after a crash."""

from __future__ import annotations

import re
import shlex
from collections import defaultdict
from pathlib import Path

from rig.core.config import load_config

UNIT = Path(__file__).resolve().parents[2] / "hardware" / "systemd" / "blink-rig.service"


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """systemd's syntax: sections, `Key=value` lines, keys that may repeat, `#` comments."""
    sections: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if match := re.fullmatch(r"\[(\w+)\]", line):
            section = match.group(1)
            continue
        key, _, value = line.partition("=")
        assert section is not None and _, f"not a Key=value line inside a section: {line!r}"
        sections[section][key.strip()].append(value.strip())
    return sections


def service() -> dict[str, list[str]]:
    return parse_unit(UNIT.read_text(encoding="utf-8"))["Service"]


def test_lgpio_gets_a_writable_working_directory():
    s = service()
    [workdir] = s["WorkingDirectory"]
    [state] = s["StateDirectory"]
    assert workdir == f"/var/lib/{state}"  # systemd creates it, owned by the service user
    assert f"LG_WD={workdir}" in s["Environment"]


def test_the_service_user_is_in_the_gpio_i2c_and_dialout_groups():
    s = service()
    assert s["User"] and s["User"] != ["root"]
    groups = " ".join(s["SupplementaryGroups"]).split()
    assert {"gpio", "i2c", "dialout"} <= set(groups)


def test_a_stop_runs_the_rigs_own_stop_path_and_a_crash_restarts_it():
    s = service()
    assert s["KillSignal"] == ["SIGTERM"]  # the rig's handler: outlets on, then exit
    assert int(s["TimeoutStopSec"][0]) >= 10
    assert s["Restart"] == ["always"]  # after a crash too: the next start switches every outlet on
    assert s["RestartPreventExitStatus"] == ["3"]  # only a rig fault's stop waits for a person (rig test: exit 3)
    from rig.cli.test import EXIT_BATCH_STOPPED

    assert EXIT_BATCH_STOPPED == 3


def test_after_the_process_every_output_pin_is_handed_back_as_an_input():
    """The released pins let the 10 kOhm pulls hold every relay released: the normally-on wiring powers the
    bench. Every outlet and actuator pin of the reference fixture is released, and nothing else."""
    config = load_config()
    outputs = {o.pin for o in config.outlets.values()} | {a.pin for a in config.actuators.values()}
    released = set()
    for line in service()["ExecStopPost"]:
        args = shlex.split(line.lstrip("-"))
        assert args[:2] == ["/usr/bin/pinctrl", "set"] and args[3] == "ip", line
        released.add(int(args[2]))
    assert released == outputs


def test_the_rig_runs_on_the_console_where_the_scanner_types():
    s = service()
    [start] = s["ExecStart"]
    assert shlex.split(start)[1] == "test"
    assert s["StandardInput"] == ["tty"] and s["TTYPath"] == ["/dev/tty1"]
    assert "getty@tty1.service" in parse_unit(UNIT.read_text())["Unit"]["Conflicts"]


def test_pyproject_excludes_the_gpiozero_releases_broken_on_a_pi_5():
    text = (UNIT.parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"gpiozero>=2\.0\.1\.post3"', text)
