"""The LCUS board on its pty emulator: frames paced by the inter-frame gap on the rig's clock, switches read
back by the status query where the board answers, a mute board said once, a board gone quiet an error."""

from __future__ import annotations

import logging

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.pins import VirtualMockFactory
from firmware_sim.relay_board import RelayBoardEmulator
from firmware_sim.wiring import BenchWiring
from rig.core.config import RigConfig, parse_config
from rig.hardware.power import OutletError
from rig.hardware.power.bank import OutletBank
from rig.hardware.power.lcus import FRAME_GAP_S


def serial_config(port_path: str) -> RigConfig:
    return parse_config(f'[relays]\nbackend = "serial"\nserial_port = "{port_path}"\n', "test")


def bank_on(board: RelayBoardEmulator, factory: VirtualMockFactory, clock: VirtualClock):
    cfg = serial_config(board.port_path)
    wiring = BenchWiring(cfg, factory, clock, relay_board=board)
    return wiring, OutletBank.from_config(cfg, clock, serial_port_opener=board.rig_opener())


def test_frames_are_paced_by_the_gap_and_each_switch_is_confirmed(
    board_emulator: RelayBoardEmulator, factory: VirtualMockFactory, clock: VirtualClock
) -> None:
    wiring, bank = bank_on(board_emulator, factory, clock)
    for name in ("router", "sync_module", "camera"):
        bank[name].off()
        assert bank[name].confirmed
    times = [wiring.changes(name)[-1].t_s for name in ("router", "sync_module", "camera")]
    # frame, gap, status query, gap, next frame: two gaps between consecutive switches, never back to back
    assert times == pytest.approx([0.0, 2 * FRAME_GAP_S, 4 * FRAME_GAP_S])
    assert board_emulator.queries == 3
    assert board_emulator.rejected == []
    bank.close()


def test_a_mute_board_is_said_once_and_not_asked_again(
    factory: VirtualMockFactory, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    board = RelayBoardEmulator(answers_status=False)
    try:
        wiring, bank = bank_on(board, factory, clock)
        with caplog.at_level(logging.WARNING):
            bank.router.off()
            bank.router.on()
        assert not bank.router.confirmed and wiring.state("router") is True
        assert board.queries == 1
        assert caplog.text.count("does not answer its status query: switches are not confirmed") == 1
        bank.close()
    finally:
        board.close()


def test_a_board_that_answered_and_went_quiet_is_an_outlet_error(
    board_emulator: RelayBoardEmulator, factory: VirtualMockFactory, clock: VirtualClock
) -> None:
    _, bank = bank_on(board_emulator, factory, clock)
    bank.router.off()
    board_emulator.answers_status = False   # still takes frames, no longer answers
    with pytest.raises(OutletError, match=r"^outlet router: relay board on .* stopped answering its status query"):
        bank.router.on()
    bank.close()


def test_a_relay_that_does_not_follow_its_frame_is_caught_by_the_read_back(
    board_emulator: RelayBoardEmulator, factory: VirtualMockFactory, clock: VirtualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, bank = bank_on(board_emulator, factory, clock)
    monkeypatch.setattr(board_emulator, "_apply", lambda frame: None)   # a welded contact: frames change nothing
    with pytest.raises(OutletError, match=r"outlet camera: switched off but channel 3 on .* reports on"):
        bank.camera.off()
    bank.close()


def test_without_a_clock_a_bare_board_neither_waits_nor_asks(board_emulator: RelayBoardEmulator) -> None:
    board = board_emulator.rig_opener()("/dev/null", 9600)
    board.set(1, True)
    board.set(1, False)
    assert board.query(1) is None and board_emulator.queries == 0
    board.close()


def test_check_says_when_a_mute_board_could_not_confirm_its_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    import firmware_sim.outlet_sims as outlet_sims
    from rig.procedure.self_check import run_check
    from rig.sim import build_sim_bench, simulated_technician

    monkeypatch.setattr(outlet_sims, "RelayBoardEmulator", functools.partial(RelayBoardEmulator,
                                                                             answers_status=False))
    bench = build_sim_bench(parse_config('[relays]\nbackend = "serial"\n', "lcus1.toml"))
    try:
        results = {r.part: r for r in run_check(bench.fixture, simulated_technician(bench))}
    finally:
        bench.close()
    assert results["outlet router"].ok
    assert results["outlet router"].detail.endswith(
        "switched off and on; not read back: the board does not answer its status query (an LCUS-1 or a mute clone)")
