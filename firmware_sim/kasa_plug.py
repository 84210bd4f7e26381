"""A TP-Link Kasa smart plug on 127.0.0.1, speaking the legacy local protocol as the plug firmware does.

TCP (port 9999 on a real plug): each request and each answer is a 4-byte big-endian length, then the JSON text
under TP-Link's XOR autokey cipher (key starts at 171; each ciphertext byte is the next byte's key). The JSON
is ``{"module": {"method": {args}}}``; a plug answers ``system.get_sysinfo`` (the fields python-kasa reads to
recognise a plug: ``mic_type`` IOT.SMARTPLUGSWITCH, ``model``, ``sw_ver``, ``hw_ver``, ``relay_state``,
``feature``, ``alias``, ``mac``...), ``system.set_relay_state``, ``time.get_time``/``get_timezone`` and the
one ``count_down`` rule (``add_rule``/``get_rules``/``delete_all_rules``); a module it lacks answers
``{"err_code": -1, "err_msg": "module not support"}``, a method it lacks ``-2 member not support``, as the
firmware does (and as python-kasa's own device fixtures record). The cipher is written here from the
protocol, not borrowed from the library under test; the official ``kasa`` command-line tool reads and
switches the emulated plug.

The server thread only records relay changes and countdown rules; ``poll()`` hands the changes to listeners
and runs the countdown on the virtual clock, in the caller's thread (the simulator calls it before every clock
advance), so the simulated world stays single-threaded and a switch lands at the virtual instant the rig made
it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from firmware_sim.clock import VirtualClock

log = logging.getLogger(__name__)

XOR_KEY = 171
HEADER = struct.Struct(">I")
MAX_REQUEST = 64 * 1024   # a real plug drops anything near this

RelayListener = Callable[[bool], None]


def xor_encrypt(plain: bytes) -> bytes:
    key = XOR_KEY
    out = bytearray()
    for byte in plain:
        key ^= byte
        out.append(key)
    return bytes(out)


def xor_decrypt(cipher: bytes) -> bytes:
    key = XOR_KEY
    out = bytearray()
    for byte in cipher:
        out.append(key ^ byte)
        key = byte
    return bytes(out)


class KasaPlugEmulator:
    """One plug (HS100(EU) by default, the 230 V one), relay on at power-up (as after a power cut)."""

    def __init__(self, alias: str = "bench plug", model: str = "HS100(EU)", relay_on: bool = True,
                 mac: str = "50:C7:BF:00:00:01", clock: VirtualClock | None = None) -> None:
        self.alias = alias
        self.model = model
        self.mac = mac
        self.relay_on = relay_on
        self.requests: list[dict[str, Any]] = []   # every request decoded, in order
        self._lock = threading.Lock()
        self.clock = clock   # the countdown runs on it (virtual time); without one, on a real-time timer
        self.countdown: dict[str, Any] | None = None   # the one count_down rule the firmware allows
        self._timer: Any = None                         # its running timer (an EventHandle or threading.Timer)
        self._changes: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._listeners: list[RelayListener] = []
        self._clients: set[socket.socket] = set()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.start()

    # -- the network side -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Listen on 127.0.0.1 (a fresh port each time: a plug that rejoined Wi-Fi)."""
        if self._server is not None:
            return
        emulator = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                emulator._serve(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler, bind_and_activate=False)
        server.allow_reuse_address = True
        server.daemon_threads = True
        server.server_bind()
        server.server_activate()
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"kasa-plug-{self.port}", daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        """The plug loses power or Wi-Fi: nothing listens on its port any more (connection refused)."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if isinstance(self._timer, threading.Timer):
            self._timer.cancel()
        with self._lock:
            clients, self._clients = list(self._clients), set()
        for sock in clients:   # a plug that loses power drops its connections too
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    close = unplug

    @property
    def reachable(self) -> bool:
        return self._server is not None

    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            if self._server is None:
                return
            self._clients.add(sock)
        try:
            self._answer_requests(sock)
        finally:
            with self._lock:
                self._clients.discard(sock)

    def _answer_requests(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while self._server is not None:
                header = _read_exactly(sock, HEADER.size)
                if header is None:
                    return
                (length,) = HEADER.unpack(header)
                if length > MAX_REQUEST:
                    return
                body = _read_exactly(sock, length)
                if body is None:
                    return
                try:
                    request = json.loads(xor_decrypt(body))
                except ValueError:
                    return  # the firmware drops the connection on garbage
                answer = json.dumps(self.handle(request), separators=(",", ":")).encode()
                sock.sendall(HEADER.pack(len(answer)) + xor_encrypt(answer))

    # -- the firmware -----------------------------------------------------------------------------------------

    def sysinfo(self) -> dict[str, Any]:
        return {
            "sw_ver": "1.2.6 Build 200727 Rel.121701", "hw_ver": "4.1", "model": self.model,
            "deviceId": "8006" + "0" * 36, "oemId": "0" * 32, "hwId": "0" * 32, "rssi": -52,
            "latitude_i": 0, "longitude_i": 0, "alias": self.alias, "status": "configured",
            "obd_src": "tplink", "mic_type": "IOT.SMARTPLUGSWITCH", "feature": "TIM", "mac": self.mac,
            "updating": 0, "led_off": 0, "relay_state": int(self.relay_on), "on_time": 0, "icon_hash": "",
            "dev_name": "Smart Wi-Fi Plug", "active_mode": "none", "next_action": {"type": -1}, "err_code": 0,
        }

    def handle(self, request: Any) -> dict[str, Any]:
        """The answer to one decoded request, module by module."""
        if not isinstance(request, dict):
            return {"err_code": -1, "err_msg": "module not support"}
        with self._lock:
            self.requests.append(request)
            answer: dict[str, Any] = {}
            for module, methods in request.items():
                firmware = {"system": self._system, "time": self._time, "count_down": self._count_down}.get(module)
                if firmware is None or not isinstance(methods, dict):
                    answer[module] = {"err_code": -1, "err_msg": "module not support"}
                    continue
                answer[module] = {method: firmware(method, args) for method, args in methods.items()}
            return answer

    def _system(self, method: str, args: Any) -> dict[str, Any]:
        if method == "get_sysinfo":
            return self.sysinfo()
        if method == "set_relay_state":
            state = args.get("state") if isinstance(args, dict) else None
            if state not in (0, 1):
                return {"err_code": -3, "err_msg": "invalid argument"}
            if bool(state) != self.relay_on:
                self.relay_on = bool(state)
                self._changes.put(("relay", self.relay_on))
            return {"err_code": 0}
        return {"err_code": -2, "err_msg": "member not support"}

    def _time(self, method: str, _args: Any) -> dict[str, Any]:
        """The plug's own clock (wall time, set from NTP on a real plug), in time zone index 38 (UTC)."""
        if method == "get_time":
            now = datetime.now(UTC)
            return {"year": now.year, "month": now.month, "mday": now.day, "hour": now.hour, "min": now.minute,
                    "sec": now.second, "err_code": 0}
        if method == "get_timezone":
            return {"index": 38, "err_code": 0}
        return {"err_code": -2, "err_msg": "member not support"}

    def _count_down(self, method: str, args: Any) -> dict[str, Any]:
        """One rule at most: after ``delay`` seconds switch the relay to ``act``, then the rule is spent."""
        if method == "get_rules":
            return {"rule_list": [self.countdown] if self.countdown else [], "err_code": 0}
        if method == "delete_all_rules":
            if self.countdown is not None:
                self.countdown = None
                self._changes.put(("cancel", None))
            return {"err_code": 0}
        if method == "add_rule":
            if self.countdown is not None:
                return {"err_code": -10, "err_msg": "table is full"}
            delay, act = (args.get("delay"), args.get("act")) if isinstance(args, dict) else (None, None)
            if not isinstance(delay, int) or delay < 1 or act not in (0, 1):
                return {"err_code": -3, "err_msg": "invalid argument"}
            self.countdown = {"id": f"{len(self.requests):032X}", "enable": 1, "delay": delay, "act": act,
                              "name": str(args.get("name", ""))}
            self._changes.put(("arm", (delay, act)))
            if self.clock is None:
                self._arm(delay, act)
            return {"id": self.countdown["id"], "err_code": 0}
        return {"err_code": -2, "err_msg": "member not support"}

    def _arm(self, delay: int, act: int) -> None:
        if self.clock is not None:
            self._timer = self.clock.call_later(delay, lambda: self._fire(act, direct=True))
        else:
            self._timer = threading.Timer(delay, self._fire, args=(act, False))
            self._timer.daemon = True
            self._timer.start()

    def _fire(self, act: int, direct: bool) -> None:
        with self._lock:
            self.countdown = None
            self._timer = None
            changed = bool(act) != self.relay_on
            self.relay_on = bool(act)
        if changed and direct:
            self._notify(self.relay_on)
        elif changed:
            self._changes.put(("relay", self.relay_on))

    # -- the simulator's side ---------------------------------------------------------------------------------

    def subscribe(self, listener: RelayListener) -> None:
        self._listeners.append(listener)

    def poll(self) -> None:
        """Hand relay changes made since the last poll to the listeners, and start or stop the countdown on the
        clock, in the caller's thread."""
        while True:
            try:
                kind, value = self._changes.get_nowait()
            except queue.Empty:
                return
            if kind == "relay":
                self._notify(value)
            elif kind == "arm" and self.clock is not None:
                self._arm(*value)
            elif kind == "cancel" and self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _notify(self, on: bool) -> None:
        for listener in list(self._listeners):
            listener(on)


def _read_exactly(sock: socket.socket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--alias", default="bench plug", show_default=True, help="the name the plug reports")
@click.option("--model", default="HS100(EU)", show_default=True, help="e.g. HS103(US), KP105(UK)")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="TCP port on 127.0.0.1 (0: any free one; a real plug uses 9999)")
def main(alias: str, model: str, port: int) -> None:
    """Emulate a TP-Link Kasa plug on 127.0.0.1 (legacy protocol), e.g. for ``kasa --host 127.0.0.1 --port N``.

    Prints ``127.0.0.1:PORT`` on the first line, then one line per relay change, e.g. "t=3.210 off" (seconds
    since start). Runs until interrupted (Ctrl-C or SIGTERM)."""
    import signal

    started = time.monotonic()
    plug = KasaPlugEmulator(alias=alias, model=model)
    if port:
        plug.unplug()
        plug.port = port
        plug.start()
    plug.subscribe(lambda on: click.echo(f"t={time.monotonic() - started:.3f} {'on' if on else 'off'}"))
    signal.signal(signal.SIGTERM, _exit_on_signal)
    click.echo(f"127.0.0.1:{plug.port}")
    try:
        while True:
            click.get_text_stream("stdout").flush()
            time.sleep(0.05)
            plug.poll()
    except KeyboardInterrupt:
        pass
    finally:
        plug.close()


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
