"""``rig record --sim``: a trace from the simulated camera, the pattern announced when decided."""

from __future__ import annotations

from click.testing import CliRunner

from rig.cli import cli
from rig.led.classifier import classify_trace
from rig.led.trace import read_trace_csv


def test_records_an_offline_camera_and_announces_network_lost(tmp_path) -> None:
    out = tmp_path / "t.csv"
    # Camera 1 of the built-in scenario has its router down: it flashes every ~3 s.
    result = CliRunner().invoke(cli, ["record", "--sim", "--camera", "1", "--seconds", "30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "pattern: network_lost" in result.output
    trace = read_trace_csv(out)
    assert trace.end_s == 30.0
    flashes = [e for e in trace.edges if e.level == 1]
    assert 6 <= len(flashes) <= 10
    assert classify_trace(trace).pattern.value == "network_lost"


def test_records_vcd(tmp_path) -> None:
    out = tmp_path / "t.vcd"
    result = CliRunner().invoke(cli, ["record", "--sim", "--camera", "1", "--seconds", "12", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "$timescale" in text and "$enddefinitions" in text


def test_bad_arguments_are_one_line(tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["record", "--sim", "--camera", "99", "--seconds", "1", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and "no camera 99" in result.output
    result = runner.invoke(cli, ["record", "--sim", "--seconds", "1", "-o", str(tmp_path / "t.txt")])
    assert result.exit_code == 2 and "must end in .csv or .vcd" in result.output
    result = runner.invoke(cli, ["record", "--sim", "--seconds", "1", "-o", str(tmp_path / "no" / "t.csv")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "t.csv").exists()


def test_record_on_the_pi_builds_only_the_photodiode(tmp_path, monkeypatch) -> None:
    """Issue 18 item 9: recording needs the photodiode alone; no outlet (nor any other pin) is claimed."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", factory)
    out = tmp_path / "t.csv"
    result = CliRunner().invoke(cli, ["record", "--seconds", "0.2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "outlet" not in result.output
    assert [info.name for info in factory.pins] == ["GPIO17"]   # the photodiode pin, nothing else
    assert read_trace_csv(out).end_s == 0.2


def test_record_off_the_pi_names_the_photodiode(tmp_path, monkeypatch) -> None:
    from gpiozero import Device
    from gpiozero.exc import BadPinFactory

    def no_factory():
        raise BadPinFactory("Unable to load any default pin factory!")

    monkeypatch.setattr(Device, "pin_factory", None)
    monkeypatch.setattr(Device, "_default_pin_factory", staticmethod(no_factory))
    result = CliRunner().invoke(cli, ["record", "--seconds", "0.2", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    assert "photodiode on GPIO17" in result.output and "--sim" in result.output
    assert "outlet" not in result.output


def test_record_streams_and_frees_the_photodiode_buffer() -> None:
    """Issue 18 item 8: what is written is freed, so a recording of hours holds only one poll of edges."""
    import io

    from rich.console import Console

    from firmware_sim.clock import VirtualClock
    from firmware_sim.pins import VirtualMockFactory
    from rig.cli.record import _capture
    from rig.hardware.photodiode import Photodiode
    from rig.led.trace import CsvTraceWriter, parse_trace_csv

    clock = VirtualClock()
    factory = VirtualMockFactory(clock)
    pd = Photodiode(17, clock, active_high=True, pull_up=False, pin_factory=factory)
    pin = factory.input_pin(17)
    for k in range(2000):                        # 1000 flicker-like slivers over 10 s
        clock.schedule(0.5 + k * 0.005, pin.drive_high if k % 2 == 0 else pin.drive_low)
    out = io.StringIO()
    count = _capture(clock, pd, 12.0, Console(file=io.StringIO()), CsvTraceWriter(out))
    assert count == 2000
    assert pd.mark() == 2000 and pd.edges_since(0) == []            # written, then freed
    trace = parse_trace_csv(io.StringIO(out.getvalue()), "t.csv")
    assert len(trace.edges) == 2000 and trace.end_s == 12.0
