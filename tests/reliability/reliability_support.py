"""Shared means of the reliability tests: running ``rig test`` as a process, and reading what it left.

The tests judge the rig only by what an outsider can see: its exit code, its stderr, the results CSV and the
simulator's log of every outlet and actuator change (``--sim-log``: ``t_s,device,state``, flushed per line).
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rig.core.config import ACTUATOR_NAMES, OUTLET_NAMES
from rig.core.records import Disposition
from rig.output.results import RESULT_COLUMNS

DATA = Path(__file__).resolve().parents[1] / "data" / "reliability"
SERIAL_RELAYS_CONFIG = DATA / "serial-relays.toml"
HEADER_LINE = ",".join(RESULT_COLUMNS)
DISPOSITIONS = {d.value for d in Disposition}

# "[2/5] SERIAL (outdoor): pass after 30 s (LED: none)": printed only once the row is on disk.
PROGRESS_LINE = re.compile(r"^\[(\d+)/(\d+)\] (\S+) \((outdoor|mini)\): (\w+)")


def rig_command(*args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", "rig", *map(str, args)]


def _default_signals() -> None:
    """In the child: default dispositions, so a CI runner that ignores SIGINT (a background job) cannot
    make Python skip installing its Ctrl-C handler."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def start_rig(args: Sequence[str | os.PathLike[str]], stderr_path: Path, cwd: Path) -> subprocess.Popen:
    """``python -m rig ARGS`` with stderr to a file (a pipe nobody reads could block the rig)."""
    with stderr_path.open("wb") as err:
        return subprocess.Popen(
            rig_command(*args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=cwd,
            preexec_fn=_default_signals,
        )


# -- the simulator's log ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimLog:
    changes: list[tuple[float, str, str]]

    @classmethod
    def read(cls, path: Path) -> SimLog:
        """The log so far; a last line still being written (no newline yet) is left for the next read."""
        if not path.exists():
            return cls([])
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")[:-1]  # complete lines only
        changes = []
        for line in lines:
            if not line or line == "t_s,device,state":
                continue
            t_s, device, state = line.split(",")
            assert state in ("on", "off"), line
            changes.append((float(t_s), device, state))
        return cls(changes)

    def final_states(self) -> dict[str, str]:
        last: dict[str, str] = {}
        for _, device, state in self.changes:
            last[device] = state
        return last

    def outlet_offs(self) -> int:
        """How many times an outlet was switched off so far (each is a fix under way), in any slot."""
        return sum(1 for _, device, state in self.changes if _own(device) in OUTLET_NAMES and state == "off")

    def anything_off(self) -> bool:
        """Is an outlet off or an actuator on, as of the last line? (i.e. a fix or a test is in progress)"""
        final = self.final_states()
        return any(state == "off" for device, state in final.items() if _own(device) in OUTLET_NAMES) or any(
            state == "on" for device, state in final.items() if _own(device) in ACTUATOR_NAMES
        )

    def slots(self) -> list[str]:
        """The slot prefixes in the log: "" for slot 1, "slot2." and so on for the others."""
        return sorted({device[: -len(_own(device))] for _, device, _ in self.changes})


def _own(device: str) -> str:
    """A device's name without its slot prefix ("slot2.camera" -> "camera")."""
    return device.rsplit(".", 1)[-1]


def assert_safe_state(log: SimLog) -> None:
    """Every outlet powered and every actuator released, in every slot, as the simulator last saw them."""
    final = log.final_states()
    assert {name: final.get(name) for name in OUTLET_NAMES} == dict.fromkeys(OUTLET_NAMES, "on"), final
    assert {name: final.get(name) for name in ACTUATOR_NAMES} == dict.fromkeys(ACTUATOR_NAMES, "off"), final
    for prefix in log.slots():
        if prefix:
            assert final.get(f"{prefix}camera") == "on", final
            assert {n: final.get(prefix + n) for n in ACTUATOR_NAMES} == dict.fromkeys(ACTUATOR_NAMES, "off"), final


# -- the results CSV --------------------------------------------------------------------------------------


def read_results(path: Path) -> list[dict[str, str]]:
    """The rows of a results file, after checking it is whole: exact header once, every row complete."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER_LINE + "\n"), text[:200]
    assert text.endswith("\n"), f"a partial last row: {text[-200:]!r}"
    assert text.count(HEADER_LINE) == 1
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == RESULT_COLUMNS
        rows = list(reader)
    for row in rows:
        assert None not in row, f"extra fields: {row}"
        assert all(value is not None for value in row.values()), f"missing fields: {row}"
        assert row["disposition"] in DISPOSITIONS, row
        assert row["started_at"] and row["finished_at"] and row["serial"], row
    return rows


def progress_lines(stderr: str) -> list[tuple[str, str]]:
    """(serial, disposition) of every camera announced as finished, in order."""
    found = []
    for line in stderr.splitlines():
        match = PROGRESS_LINE.match(line.strip())
        if match:
            found.append((match.group(3), match.group(5)))
    return found


# -- scenarios ----------------------------------------------------------------------------------------------


def camera_toml(serial: str, model: str = "outdoor", faults: Sequence[str] = (),
                battery: tuple[float, float] | None = None) -> str:
    text = f'[[camera]]\nserial = "{serial}"\nmodel = "{model}"\nfaults = [{", ".join(map(repr, faults))}]\n'
    if battery is not None:
        text += f"[camera.battery]\nopen_circuit_v = {battery[0]}\ninternal_resistance_ohm = {battery[1]}\n"
    return text + "\n"


def rig_fault_toml(kind: str, at_camera: int | None = None, count: int | None = None) -> str:
    text = f'[[rig_fault]]\nkind = "{kind}"\n'
    if at_camera is not None:
        text += f"at_camera = {at_camera}\n"
    if count is not None:
        text += f"count = {count}\n"
    return text + "\n"
