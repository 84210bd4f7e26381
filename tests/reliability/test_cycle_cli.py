"""``rig cycle`` from the outside: the cycle CSV's contract, the exit statuses, one line for bad input, and
every outlet on after a Ctrl-C in the middle of an off step."""

from __future__ import annotations

import csv
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability_support import SimLog, assert_safe_state

import rig.cli.cycle
from rig.cli import cli
from rig.procedure.cycle import CYCLE_COLUMNS

HEALTHY = '[[camera]]\nserial = "CY-0001"\nmodel = "mini"\nfaults = []\n'
GLITCHED = '[[camera]]\nserial = "CY-0002"\nmodel = "mini"\nfaults = ["camera_glitch"]\n'
SOAK = """
name = "short soak"
repeat = 2
[[step]]
outlet = "camera"
state = "off"
[[step]]
wait_s = 30
[[step]]
outlet = "camera"
state = "on"
[[step]]
expect = "online"
timeout_s = 90
"""


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def files(tmp_path: Path, scenario: str, sequence: str = SOAK) -> tuple[str, str]:
    (tmp_path / "s.toml").write_text(sequence)
    (tmp_path / "scen.toml").write_text(scenario)
    return str(tmp_path / "s.toml"), str(tmp_path / "scen.toml")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == CYCLE_COLUMNS
        return list(reader)


def test_every_cycle_passed_exits_0_with_a_row_per_step_per_cycle(tmp_path: Path) -> None:
    seq, scen = files(tmp_path, HEALTHY)
    result = invoke("cycle", seq, "--sim", scen, "--csv", str(tmp_path / "c.csv"))
    assert result.exit_code == 0, result.output
    got = rows(tmp_path / "c.csv")
    assert [(r["cycle"], r["step"]) for r in got] == [(c, s) for c in "12" for s in "1234"]
    assert {r["outcome"] for r in got} == {"ok"} and {r["slot"] for r in got} == {"1"}
    assert float(got[1]["duration_s"]) == 30.0 and got[3]["value"] and not got[1]["value"]
    assert "Cycle run: 1 camera" in result.stdout and "every cycle passed" in result.stdout
    # A second run appends under the same header.
    assert invoke("cycle", seq, "--sim", scen, "--csv", str(tmp_path / "c.csv")).exit_code == 0
    assert len(rows(tmp_path / "c.csv")) == 16


def test_a_failed_cycle_exits_1_and_the_summary_says_why(tmp_path: Path) -> None:
    seq, scen = files(tmp_path, HEALTHY + GLITCHED)
    result = invoke("cycle", seq, "--sim", scen, "--csv", str(tmp_path / "c.csv"))
    assert result.exit_code == 1, result.output
    got = rows(tmp_path / "c.csv")
    assert {r["outcome"] for r in got if r["serial"] == "CY-0001"} == {"ok"}
    assert [r["outcome"] for r in got if r["serial"] == "CY-0002" and r["step"] == "4"] == ["timeout", "timeout"]
    assert "CY-0002 cycle 1: step 4 (expect online within 90 s): timeout, LED showed network_lost" in result.stdout


def test_a_rig_fault_exits_3_with_the_step_aborted_and_the_outlets_on(tmp_path: Path) -> None:
    outdoor = ('[[camera]]\nserial = "CY-0003"\nmodel = "outdoor"\nfaults = []\n'
               '[[rig_fault]]\nkind = "ina219_absent"\n')
    seq, scen = files(tmp_path, outdoor, SOAK + '[[step]]\nmeasure = "battery"\n')
    result = invoke("cycle", seq, "--sim", scen, "--csv", str(tmp_path / "c.csv"), "--sim-log",
                    str(tmp_path / "sim.csv"))
    assert result.exit_code == 3, result.output
    last = rows(tmp_path / "c.csv")[-1]
    assert (last["cycle"], last["step"], last["outcome"]) == ("1", "5", "aborted")
    assert last["notes"].startswith("rig fault:")
    assert "every outlet is on" in result.stderr.strip().splitlines()[-1]
    assert_safe_state(SimLog.read(tmp_path / "sim.csv"))


@pytest.mark.parametrize(("sequence", "expected"), [
    ("[[step]]\nwait_s = -5\n", "s.toml: step 1 (wait): wait_s: must be a number of seconds"),
    ("[[step]]\noutlet = \"camera\"\nstate = \"dim\"\n", "s.toml: step 1 (outlet): state: must be"),
    ("[[step]]\nwait_s = 1\n[[step]]\nexpect = \"online\"\n", "s.toml: step 2 (expect): timeout_s: missing"),
])
def test_a_malformed_sequence_gets_one_line_naming_file_step_and_key(tmp_path: Path, sequence: str,
                                                                    expected: str) -> None:
    seq, scen = files(tmp_path, HEALTHY, sequence)
    result = invoke("cycle", seq, "--sim", scen, "--csv", str(tmp_path / "c.csv"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"rig: {tmp_path / expected}"), result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "c.csv").exists()   # nothing written for a refused run


def test_bad_command_lines_exit_2(tmp_path: Path) -> None:
    assert invoke("cycle", "no-such-sequence", "--sim", "--csv", str(tmp_path / "c.csv")).exit_code == 2
    assert invoke("cycle", "camera-soak", "--csv", str(tmp_path / "c.csv")).exit_code == 2   # no --serial
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    refused = invoke("cycle", "camera-soak", "--sim", "--csv", str(tmp_path / "other.csv"))
    assert refused.exit_code == 2 and "different header" in refused.stderr


def test_list_names_the_built_ins_with_repeat_and_steps() -> None:
    result = invoke("cycle", "--list")
    assert result.exit_code == 0
    assert "camera-soak: camera soak, repeat 20" in result.output
    assert "router-reconnect: router reconnect, repeat 10" in result.output
    assert "measure battery (first cycle only)" in result.output


def test_ctrl_c_during_an_off_step_ends_with_every_outlet_on(tmp_path: Path, monkeypatch) -> None:
    fired: list[float] = []
    real_open = rig.cli.cycle.open_sim_bench

    def open_with_a_signal(*args, **kwargs):
        bench = real_open(*args, **kwargs)

        def on_change(device: str, state: bool) -> None:
            if device == "camera" and not state and not fired:
                # 15 s into the camera's first off step (its 30 s wait): Ctrl-C.
                bench.clock.call_later(15.0, lambda: (fired.append(bench.clock.now()),
                                                      os.kill(os.getpid(), signal.SIGINT)))

        bench.wiring.subscribe(on_change)
        return bench

    monkeypatch.setattr(rig.cli.cycle, "open_sim_bench", open_with_a_signal)
    seq, scen = files(tmp_path, HEALTHY)
    result = invoke("cycle", seq, "--sim", scen, "--csv", str(tmp_path / "c.csv"), "--sim-log",
                    str(tmp_path / "sim.csv"))
    assert fired and result.exit_code == 128 + signal.SIGINT, result.output
    log = SimLog.read(tmp_path / "sim.csv")
    offs = [t for t, d, s in log.changes if (d, s) == ("camera", "off")]
    assert offs and offs[0] < fired[0] < offs[0] + 30   # the signal came while the camera was off
    assert_safe_state(log)
    got = rows(tmp_path / "c.csv")
    assert [(r["step"], r["outcome"]) for r in got] == [("1", "ok"), ("2", "aborted")]
    assert got[-1]["notes"].startswith("interrupted by Ctrl-C (SIGINT)")
    assert "every outlet is on" in result.stderr


SOAK_SCENARIO = """seed = 4
[[camera]]
serial = "SK-0001"
model = "mini"
faults = ["flaky_reconnect"]
flaky_rate = 0.5
[[camera]]
serial = "SK-0002"
model = "outdoor"
faults = ["camera_glitch"]
"""


def test_rig_test_soak_fails_an_intermittent_camera_the_ladder_passed(tmp_path: Path) -> None:
    (tmp_path / "sk.toml").write_text(SOAK_SCENARIO)

    def dispositions(*extra: str) -> dict[str, dict[str, str]]:
        csv_path = tmp_path / f"r{len(extra)}.csv"
        result = invoke("test", "--sim", str(tmp_path / "sk.toml"), "--csv", str(csv_path), "--output", "csv",
                        *extra)
        assert result.exit_code == 0, result.output
        return {r["serial"]: r for r in csv.DictReader(csv_path.open(newline=""))}

    plain = dispositions()
    assert plain["SK-0001"]["disposition"] == "pass"   # this seed's first power-up connected: the ladder saw nothing
    soaked = dispositions("--soak", "8")
    flaky, glitched = soaked["SK-0001"], soaked["SK-0002"]
    assert flaky["disposition"] == "fail" and flaky["fixed_by"] == ""
    assert flaky["notes"].startswith("soak: 5 of 8 power cycles failed (cycle 1: step 4 (expect online")
    assert (glitched["disposition"], glitched["fixed_by"]) == ("fixed", "restart_camera")
    assert glitched["notes"] == "soak: 0 of 8 power cycles failed"


TWO_SLOTS = "[bench]\nslots = 2\n" + HEALTHY + HEALTHY.replace("CY-0001", "CY-0004").replace("mini", "outdoor")


@pytest.mark.parametrize("slots_args", [(), ("--slots", "2")])
def test_two_slots_cycle_the_router_once_per_cycle_for_both_cameras(tmp_path: Path, slots_args) -> None:
    scenario = TWO_SLOTS if not slots_args else TWO_SLOTS.replace("[bench]\nslots = 2\n", "")
    _, scen = files(tmp_path, scenario)
    log = tmp_path / "sim.csv"
    result = invoke("cycle", "router-reconnect", "--sim", scen, *slots_args, "--csv", str(tmp_path / "c.csv"),
                    "--sim-log", str(log))
    assert result.exit_code == 0, result.output
    router = [state for _, device, state in SimLog.read(log).changes if device == "router"]
    assert router[0] == "on" and router[1:] == ["off", "on"] * 10   # one shared router cycle per cycle, not two
    got = rows(tmp_path / "c.csv")
    assert {(r["serial"], r["slot"]) for r in got} == {("CY-0001", "1"), ("CY-0004", "2")}
    for serial in ("CY-0001", "CY-0004"):
        mine = [r for r in got if r["serial"] == serial]
        assert [(int(r["cycle"]), r["step"]) for r in mine] == [(c, s) for c in range(1, 11) for s in "1234"]
        assert {r["outcome"] for r in mine} == {"ok"}
    # Each camera's router rows say the action was shared with the other slot.
    assert all("one bench action with slot(s)" in r["notes"] for r in got if r["action"].startswith("router"))
    # Both cameras ran at once: their first cycles overlap in time (not one camera after the other).
    first = {r["serial"]: r["started_at"] for r in got if r["cycle"] == "1" and r["step"] == "1"}
    assert first["CY-0001"] == first["CY-0004"]


def test_slots_without_sim_is_refused_in_one_line(tmp_path: Path) -> None:
    result = invoke("cycle", "camera-soak", "--serial", "CY-0001", "--slots", "2", "--csv", str(tmp_path / "c.csv"))
    assert result.exit_code == 2 and result.output.strip() == "rig: --slots needs --sim"
    assert not (tmp_path / "c.csv").exists()
