"""The Kasa smart-plug backend through the real python-kasa library against the plug emulator on 127.0.0.1:
recognised as a plug, switched, read back, unreachable as one line, and back when the plug is."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.kasa_plug import HEADER, KasaPlugEmulator, xor_decrypt, xor_encrypt
from rig.hardware.power import Outlet, OutletError
from rig.hardware.power.kasa import KasaPlug

# The "relay on" command as softScheck's tplink-smartplug write-up publishes it (base64 of the wire bytes).
PUBLISHED_ON_COMMAND = "AAAAKtDygfiL/5r31e+UtsWg1Iv5nPCR6LfEsNGlwOLYo4HyhueT9tTu36Lfog=="


@pytest.fixture
def plug() -> Iterator[KasaPlugEmulator]:
    emulator = KasaPlugEmulator(alias="router plug", model="HS100(EU)")
    yield emulator
    emulator.close()


@pytest.fixture
def outlet(plug: KasaPlugEmulator) -> Iterator[Outlet]:
    driver = KasaPlug("router", "192.168.8.21", 9999, 2.0, ("127.0.0.1", plug.port))
    out = Outlet("router", driver, VirtualClock())
    yield out
    out.close()


def exchange(port: int, request: bytes) -> dict:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(request)
        (length,) = HEADER.unpack(sock.recv(4))
        body = b""
        while len(body) < length:
            body += sock.recv(length - len(body))
    return json.loads(xor_decrypt(body))


def test_the_cipher_matches_the_published_wire_bytes(plug: KasaPlugEmulator) -> None:
    wire = base64.b64decode(PUBLISHED_ON_COMMAND)
    assert xor_decrypt(wire[4:]) == b'{"system":{"set_relay_state":{"state":1}}}'
    assert HEADER.pack(len(wire) - 4) + xor_encrypt(xor_decrypt(wire[4:])) == wire
    plug.relay_on = False
    assert exchange(plug.port, wire) == {"system": {"set_relay_state": {"err_code": 0}}}
    assert plug.relay_on is True


def test_a_missing_module_or_method_answers_as_the_firmware_does(plug: KasaPlugEmulator) -> None:
    request = json.dumps({"emeter": {"get_realtime": {}}, "system": {"reboot": {}}}).encode()
    answer = exchange(plug.port, HEADER.pack(len(request)) + xor_encrypt(request))
    assert answer == {"emeter": {"err_code": -1, "err_msg": "module not support"},
                      "system": {"reboot": {"err_code": -2, "err_msg": "member not support"}}}


def test_the_library_recognises_the_plug_and_it_says_who_it_is(outlet: Outlet) -> None:
    assert outlet.describe() == "'router plug' HS100(EU), on"


def test_off_and_on_switch_the_relay_and_are_read_back(outlet: Outlet, plug: KasaPlugEmulator) -> None:
    changes: list[bool] = []
    plug.subscribe(changes.append)
    outlet.off()
    assert plug.relay_on is False and not outlet.is_on and outlet.confirmed
    outlet.on()
    assert plug.relay_on is True and outlet.is_on and outlet.confirmed
    plug.poll()
    assert changes == [False, True]
    sent = [(m, next(iter(a))) for r in plug.requests for m, a in r.get("system", {}).items()
            if m == "set_relay_state"]
    assert len(sent) == 2


def test_a_plug_that_reports_another_state_is_an_error(outlet: Outlet, plug: KasaPlugEmulator,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plug, "_system", lambda method, args: plug.sysinfo() if method == "get_sysinfo"
                        else {"err_code": 0})   # acknowledges, never switches (a welded relay)
    with pytest.raises(OutletError, match=r"outlet router: switched off but Kasa plug 192.168.8.21:9999 reports on"):
        outlet.off()


def test_an_unreachable_plug_is_one_line_naming_outlet_and_host_and_recovers(
    outlet: Outlet, plug: KasaPlugEmulator
) -> None:
    outlet.on()
    plug.unplug()
    with pytest.raises(OutletError) as err:
        outlet.off()
    message = str(err.value)
    assert message.startswith("outlet router: Kasa plug 192.168.8.21:9999 not answering: ")
    assert "[outlets.router] host" in message and "\n" not in message
    plug.start()   # the plug is back (same address): the next switch reconnects
    outlet.off()
    assert plug.relay_on is False


def test_a_plug_back_within_the_retries_costs_the_fix_nothing(plug: KasaPlugEmulator) -> None:
    from rig.core.retry import retry_transient

    clock = VirtualClock()
    out = Outlet("router", KasaPlug("router", "192.168.8.21", 9999, 2.0, ("127.0.0.1", plug.port)), clock)
    try:
        plug.unplug()
        clock.call_later(0.1, plug.start)   # back on Wi-Fi during the second back-off
        retry_transient(out.off, clock)
        assert plug.relay_on is False
        assert clock.now() == pytest.approx(0.05 + 0.2)   # two failures, two back-offs, then switched
    finally:
        out.close()


def test_the_plug_emulator_runs_on_its_own_for_the_kasa_cli() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "firmware_sim", "kasa-plug", "--alias", "desk"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        host, _, port = proc.stdout.readline().strip().partition(":")
        assert host == "127.0.0.1"
        out = Outlet("router", KasaPlug("router", "plug", 9999, 5.0, (host, int(port))), VirtualClock())
        assert out.describe() == "'desk' HS100(EU), on"
        out.off()
        out.close()
        assert proc.stdout.readline().split()[1] == "off"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_an_interrupted_exchange_leaves_a_plug_the_teardown_can_still_switch_on(
    outlet: Outlet, plug: KasaPlugEmulator
) -> None:
    outlet.off()

    class Interrupted(BaseException):
        """Stands for a Ctrl-C landing mid-exchange (a real KeyboardInterrupt would stop pytest too)."""

    async def interrupted(_dev: object) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        outlet.driver._call(interrupted)  # type: ignore[attr-defined]
    assert outlet.driver._device is None  # type: ignore[attr-defined]
    outlet.on()
    assert plug.relay_on is True


def test_a_plug_abandoned_mid_cycle_switches_itself_back_on_after_restore_after_s() -> None:
    """The rig dies after switching the router off: the plug's own countdown ends the outage, on the clock."""
    from firmware_sim.desk import build_desk, single_camera
    from rig.core.config import parse_config

    text = '[outlets.router]\nbackend = "kasa"\nhost = "10.0.0.9"\nnot_fail_safe_ok = true\nrestore_after_s = 300\n'
    desk = build_desk(single_camera(), config=parse_config(text, "plug.toml"))
    try:
        desk.clock.sleep(10.0)
        desk.outlets.router.off()     # ... and the rig never comes back
        desk.clock.sleep(1000.0)
        assert [(c.t_s, c.state) for c in desk.wiring.changes("router")] == [(0.0, True), (10.0, False),
                                                                              (310.0, True)]
    finally:
        desk.close()


def test_a_completed_cycle_cancels_the_countdown(plug: KasaPlugEmulator) -> None:
    clock = VirtualClock()
    plug.clock = clock
    clock.before_advance(plug.poll)
    out = Outlet("router", KasaPlug("router", "h", 9999, 2.0, ("127.0.0.1", plug.port), restore_after_s=120), clock)
    changes: list[tuple[float, bool]] = []
    plug.subscribe(lambda on: changes.append((clock.now(), on)))
    try:
        out.cycle(35.0)
        assert plug.countdown is None
        out.off()
        assert plug.countdown is not None and plug.countdown["delay"] == 120 and plug.countdown["act"] == 1
        out.on()
        clock.sleep(1000.0)
        assert changes == [(0.0, False), (35.0, True), (35.0, False), (35.0, True)]
    finally:
        out.close()


def test_a_plug_without_a_countdown_is_still_switched_and_said_once(
    plug: KasaPlugEmulator, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    monkeypatch.setattr(plug, "_count_down", lambda method, args: None)   # firmware without the module
    original = plug.handle

    def without_count_down(request: object) -> dict:
        answer = original({k: v for k, v in request.items() if k != "count_down"})  # type: ignore[union-attr]
        if isinstance(request, dict) and "count_down" in request:
            answer["count_down"] = {"err_code": -1, "err_msg": "module not support"}
        return answer

    monkeypatch.setattr(plug, "handle", without_count_down)
    out = Outlet("router", KasaPlug("router", "h", 9999, 2.0, ("127.0.0.1", plug.port), restore_after_s=120),
                 VirtualClock())
    try:
        with caplog.at_level(logging.WARNING):
            out.off()
            out.on()
            out.off()
        assert plug.relay_on is False
        assert caplog.text.count("has no countdown rule") == 1
    finally:
        out.close()


def test_without_python_kasa_installed_the_plug_is_one_line_naming_the_extra(
    outlet: Outlet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "kasa", None)   # python-kasa is the optional 'plugs' extra
    with pytest.raises(OutletError) as err:
        outlet.off()
    assert str(err.value) == "outlet router: the kasa backend needs python-kasa: pip install -e '.[plugs]'"
