"""Serial numbers from a barcode scanner, and the ladder the diagnosis picks."""

from __future__ import annotations

import io

import pytest

from rig.core.records import FIX_NAMES
from rig.procedure.ladder import Diagnosis, naive_ladder, plan_ladder
from rig.ui.scanner import FixedCamera, ScannerInput, SerialError, validate_serial


@pytest.mark.parametrize("raw", ["G8T1-0001", "g8t1-0001\n", "  EX0001  ", "ABCD", "A" * 32])
def test_valid_serials_are_normalised(raw: str) -> None:
    assert validate_serial(raw) == raw.strip().upper()


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "empty serial"),
        ("AB", "not a serial number"),
        ("-ABC", "not a serial number"),
        ("ABC-", "not a serial number"),
        ("AB CD", "not a serial number"),
        ("G8T1;0001", "not a serial number"),
        ("A" * 33, "not a serial number"),
        ("G8T1\x000001", "not a serial number"),
    ],
)
def test_bad_serials_name_where_they_came_from(raw: str, why: str) -> None:
    with pytest.raises(SerialError) as err:
        validate_serial(raw, "stdin line 4")
    assert str(err.value).startswith("stdin line 4: ")
    assert why in str(err.value)
    assert "\n" not in str(err.value)


def test_scanner_reads_until_empty_line_and_skips_bad_scans() -> None:
    errors: list[str] = []
    stream = io.StringIO("G8T1-0001\nbad scan!\ng8t1-0002\n\nG8T1-0003\n")
    cameras = list(ScannerInput(stream, "mini", on_error=lambda e: errors.append(str(e))))
    assert [(c.serial, c.model) for c in cameras] == [("G8T1-0001", "mini"), ("G8T1-0002", "mini")]
    assert errors == [
        "stdin line 2: 'bad scan!' is not a serial number (4-32 letters, digits and dashes, "
        "starting and ending with a letter or digit)"
    ]


def test_scanner_stops_at_end_of_input() -> None:
    cameras = list(ScannerInput(io.StringIO("EX-0001\n"), "outdoor", on_error=pytest.fail))
    assert [c.serial for c in cameras] == ["EX-0001"]


def test_fixed_camera_validates() -> None:
    assert [c.serial for c in FixedCamera("ex-1234", "outdoor")] == ["EX-1234"]
    with pytest.raises(SerialError, match="--serial"):
        FixedCamera("x", "outdoor")


def test_healthy_camera_runs_no_fix() -> None:
    assert plan_ladder(Diagnosis("outdoor", offline=False, network_ok=True, battery_suspect=False)) == []


def test_bench_network_down_starts_with_the_router() -> None:
    ladder = plan_ladder(Diagnosis("mini", offline=True, network_ok=False, battery_suspect=False))
    assert ladder[0] == "power_cycle_router"
    assert ladder[-1] == "contact_support"
    assert "replace_batteries" not in ladder


def test_offline_on_a_healthy_network_never_touches_the_router() -> None:
    ladder = plan_ladder(Diagnosis("outdoor", offline=True, network_ok=True, battery_suspect=False))
    assert ladder == ["restart_camera", "move_closer", "reset_wifi", "readd_camera", "contact_support"]


def test_low_battery_goes_to_the_batteries_first() -> None:
    assert plan_ladder(Diagnosis("outdoor", offline=False, network_ok=True, battery_suspect=True)) == [
        "replace_batteries",
        "contact_support",
    ]
    offline = plan_ladder(Diagnosis("outdoor", offline=True, network_ok=True, battery_suspect=True))
    assert offline[0] == "replace_batteries"


def test_ladders_keep_the_articles_order() -> None:
    for diagnosis in (
        Diagnosis("outdoor", True, False, False),
        Diagnosis("mini", True, True, False),
    ):
        ladder = plan_ladder(diagnosis)
        assert ladder == sorted(ladder, key=FIX_NAMES.index)
    assert naive_ladder("outdoor") == list(FIX_NAMES)
    assert "replace_batteries" not in naive_ladder("mini")
